//! The axum extractors: [`Verified`] and `Claims`. Each takes the request
//! through [`authentication`](crate::authentication) and renders a failure
//! through [`rejection`](crate::rejection).

use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::auth::PasetoAuth;
use crate::authentication::authenticate;
use crate::claims::Claims;
use crate::describe::Usage;
use crate::kind::{Access, TokenKind};
use crate::rejection::AuthRejection;

/// Extracts the verified claims of a token of kind `K` from the request.
///
/// The router's state must provide a [`PasetoAuth`] (`PasetoAuth: FromRef<S>`).
/// As `Option<Verified<K>>` it is optional: no token gives `None`, while a token
/// that is present but bad is still rejected.
///
/// ```
/// use axum::{Router, routing::get};
/// use paseto_runtime::{Access, FreshAccess, PasetoAuth, Verified, keys::LocalKey};
///
/// async fn me(Verified(claims): Verified<Access>) -> String {
///     claims.subject().to_owned()
/// }
///
/// async fn delete_account(Verified(claims): Verified<FreshAccess>) -> String {
///     format!("deleted {}", claims.subject())
/// }
///
/// async fn greet(claims: Option<Verified<Access>>) -> String {
///     match claims {
///         Some(Verified(claims)) => format!("hello {}", claims.subject()),
///         None => "hello stranger".to_owned(),
///     }
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?;
/// let app: Router = Router::new()
///     .route("/me", get(me))
///     .route("/account", axum::routing::delete(delete_account))
///     .route("/greet", get(greet))
///     .with_state(auth);
/// # Ok(()) }
/// ```
pub struct Verified<K: TokenKind>(pub Claims<K::Extra>);

impl<K: TokenKind> std::fmt::Debug for Verified<K>
where
    K::Extra: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Verified").field(&self.0).finish()
    }
}

impl<K: TokenKind> Clone for Verified<K>
where
    K::Extra: Clone,
{
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<S, K> FromRequestParts<S> for Verified<K>
where
    PasetoAuth: FromRef<S>,
    S: Send + Sync,
    K: TokenKind,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = PasetoAuth::from_ref(state);
        let found = verified::<K>(&auth, parts, Usage::REQUIRED).await?;
        auth.settings.required(found)
    }
}

impl<S, K> OptionalFromRequestParts<S> for Verified<K>
where
    PasetoAuth: FromRef<S>,
    S: Send + Sync,
    K: TokenKind,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        verified::<K>(&PasetoAuth::from_ref(state), parts, Usage::OPTIONAL).await
    }
}

/// The request's verified token of kind `K`, if it carries one.
async fn verified<K: TokenKind>(
    auth: &PasetoAuth,
    parts: &mut Parts,
    usage: Usage,
) -> Result<Option<Verified<K>>, AuthRejection> {
    match authenticate::<K, K::Extra, &str>(auth, parts, &[], usage).await {
        Ok(claims) => Ok(claims.map(Verified)),
        Err(error) => Err(auth.settings.reject(error)),
    }
}

/// `Claims<T>` alone extracts an access token, so `#[axum::debug_handler]` placed
/// above a guard attribute, which checks the handler as written, accepts it.
impl<S, T> FromRequestParts<S> for Claims<T>
where
    PasetoAuth: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned + Send + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Verified(claims) =
            <Verified<Access<T>> as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        Ok(claims)
    }
}

impl<S, T> OptionalFromRequestParts<S> for Claims<T>
where
    PasetoAuth: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned + Send + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let verified =
            <Verified<Access<T>> as OptionalFromRequestParts<S>>::from_request_parts(parts, state)
                .await?;
        Ok(verified.map(|Verified(claims)| claims))
    }
}
