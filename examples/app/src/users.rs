//! The app's users: a small store standing in for a database, the loader that
//! gives handlers the user a token names, and the credential check of a login.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use axum::Json;
use axum::extract::{FromRef, FromRequest};
use axum::http::StatusCode;
use axum::response::Response;
use paseto_runtime::{Claims, LoadUser};
use serde::{Deserialize, Serialize};

use crate::detail;

/// A user of the app, as `GET /me` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct User {
    /// The login name, which tokens carry as their subject.
    pub username: String,
    /// The name to show.
    pub display_name: String,
}

/// The user store: `test` and `admin`, each with the password of its name. A
/// real app reads its database here.
#[derive(Clone)]
pub struct Users(Arc<RwLock<HashMap<String, User>>>);

impl Default for Users {
    fn default() -> Self {
        let users =
            [("test", "Test User"), ("admin", "Administrator")].map(|(username, display_name)| {
                let user = User {
                    username: username.to_owned(),
                    display_name: display_name.to_owned(),
                };
                (username.to_owned(), user)
            });
        Self(Arc::new(RwLock::new(users.into())))
    }
}

impl Users {
    /// The user named `username`, if the account exists.
    pub fn get(&self, username: &str) -> Option<User> {
        let users = self.0.read().unwrap_or_else(PoisonError::into_inner);
        users.get(username).cloned()
    }

    /// Removes an account.
    pub fn remove(&self, username: &str) {
        let mut users = self.0.write().unwrap_or_else(PoisonError::into_inner);
        users.remove(username);
    }
}

/// Handlers that take `CurrentUser<User>` get the user their token names; a
/// token whose account is gone gets 401 `User not found`.
impl LoadUser for User {
    type State = Users;
    type Error = std::convert::Infallible;

    async fn load(claims: &Claims, users: &Users) -> Result<Option<Self>, Self::Error> {
        Ok(users.get(claims.subject()))
    }
}

/// The body of a login.
#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

/// A user whose credentials, in the JSON body of a login, check out. Extracting
/// it answers a bad body or bad credentials itself.
pub struct LoggedIn(pub String);

impl LoggedIn {
    /// The scopes the user is granted: `admin` for the administrator.
    pub fn scopes(&self) -> &'static [&'static str] {
        if self.0 == "admin" { &["admin"] } else { &[] }
    }
}

impl<S: Send + Sync> FromRequest<S> for LoggedIn
where
    Users: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Response> {
        let Json(credentials) = Json::<Credentials>::from_request(request, state)
            .await
            .map_err(|rejection| detail(rejection.status(), &rejection.body_text()))?;
        // A real application checks a password hash from its user store here.
        let known = Users::from_ref(state).get(&credentials.username).is_some();
        if !known || credentials.password != credentials.username {
            return Err(detail(StatusCode::UNAUTHORIZED, "Bad username or password"));
        }
        Ok(Self(credentials.username))
    }
}
