//! The app's users: a small store standing in for a database, the loader that
//! gives handlers the user a token names, and the credential check of a login.
//! Instances that share Redis share the accounts removed, as they would share
//! a database.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use axum::Json;
use axum::extract::{FromRef, FromRequest};
use axum::http::StatusCode;
use axum::response::Response;
use paseto_runtime::denylist::{DenylistError, RedisDenylist};
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
pub struct Users {
    accounts: Arc<RwLock<HashMap<String, User>>>,
    /// Where instances record the accounts removed, when they share Redis.
    removed: Option<RedisDenylist>,
}

/// The Redis set of the accounts removed.
const REMOVED: &str = "example-app:removed-users";

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
        Self {
            accounts: Arc::new(RwLock::new(users.into())),
            removed: None,
        }
    }
}

impl Users {
    /// The store, sharing the accounts removed with every instance on the
    /// Redis of `denylist` (its server, or its Sentinel deployment's primary).
    pub fn shared(denylist: &RedisDenylist) -> Self {
        Self {
            removed: Some(denylist.clone()),
            ..Self::default()
        }
    }

    /// The user named `username`, if the account exists.
    pub async fn get(&self, username: &str) -> Result<Option<User>, DenylistError> {
        let user = {
            let accounts = self.accounts.read().unwrap_or_else(PoisonError::into_inner);
            accounts.get(username).cloned()
        };
        let (Some(user), Some(removed)) = (user.clone(), &self.removed) else {
            return Ok(user);
        };
        let mut command = redis::cmd("SISMEMBER");
        command.arg(REMOVED).arg(username);
        let gone: bool = removed.query(command).await?;
        Ok((!gone).then_some(user))
    }

    /// Removes an account, on every instance.
    pub async fn remove(&self, username: &str) -> Result<(), DenylistError> {
        if let Some(removed) = &self.removed {
            let mut command = redis::cmd("SADD");
            command.arg(REMOVED).arg(username);
            removed.query::<()>(command).await?;
        }
        let mut accounts = self
            .accounts
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        accounts.remove(username);
        Ok(())
    }
}

/// Handlers that take `CurrentUser<User>` get the user their token names; a
/// token whose account is gone gets 401 `User not found`, and a store that
/// cannot answer 503.
impl LoadUser for User {
    type State = Users;
    type Error = DenylistError;

    async fn load(claims: &Claims, users: &Users) -> Result<Option<Self>, Self::Error> {
        users.get(claims.subject()).await
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
        let known = match Users::from_ref(state).get(&credentials.username).await {
            Ok(user) => user.is_some(),
            Err(error) => {
                tracing::error!(%error, "the user store is unavailable");
                return Err(detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "User store is unavailable",
                ));
            }
        };
        if !known || credentials.password != credentials.username {
            return Err(detail(StatusCode::UNAUTHORIZED, "Bad username or password"));
        }
        Ok(Self(credentials.username))
    }
}
