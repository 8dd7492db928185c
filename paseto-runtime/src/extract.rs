//! The axum extractors: they only wire the pieces together. The token comes
//! from [`source`](crate::source), is checked by `PasetoAuth::verify`, and a
//! failure is rendered by [`rejection`](crate::rejection).

use std::sync::Arc;

use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::csrf;
use crate::error::AuthError;
use crate::kind::{Access, TokenKind};
use crate::rejection::{AuthRejection, reject};
use crate::scope;
use crate::settings::Settings;
use crate::settings::TokenSource;
use crate::sliding::CookieSession;
use crate::source;
use crate::token_type::ACCESS;
use crate::token_type::TokenClass;
use crate::verify::{extra_of, of_kind};

/// Extracts the verified claims of a token of kind `K` from the request.
///
/// The router's state must provide a [`PasetoAuth`] (`PasetoAuth: FromRef<S>`).
/// As `Option<Verified<K>>` it is optional: no token gives `None`, while a token
/// that is present but bad is still rejected.
///
/// ```
/// use axum::{Router, routing::get};
/// use paseto_runtime::{Access, FreshAccess, LocalKey, PasetoAuth, Verified};
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
        match <Self as OptionalFromRequestParts<S>>::from_request_parts(parts, state).await? {
            Some(verified) => Ok(verified),
            None => Err(reject(
                &PasetoAuth::from_ref(state).settings,
                AuthError::MissingToken,
            )),
        }
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
        let auth = PasetoAuth::from_ref(state);
        let settings = &auth.settings;
        let class = TokenClass::of(K::TOKEN_TYPE);
        match parts.extensions.remove::<Authenticated>() {
            Some(done) if done.class == class => {
                return reuse(done).map_err(|error| reject(settings, error));
            }
            // Another kind's token: this extractor finds its own, and leaves
            // the layer's claims to whoever takes that kind.
            Some(other) => {
                parts.extensions.insert(other);
            }
            None => {}
        }
        let verified = match source::find(settings, parts, class) {
            Ok(Some((token, via))) => match auth.verify::<K>(&token).await {
                Ok(claims) => accept(settings, parts, via, claims).map(|c| Some(Self(c))),
                Err(error) => Err(error),
            },
            Ok(None) => Ok(None),
            Err(error) => Err(error),
        };
        verified.map_err(|error| reject(settings, error))
    }
}

/// The claims a [`RequireLayer`](crate::RequireLayer) verified for a request,
/// kept in its extensions for the extractors below it.
#[derive(Clone)]
pub(crate) struct Authenticated {
    pub(crate) claims: Claims,
    /// The authenticated payload, for the user's own claims an extractor reads.
    pub(crate) payload: Arc<str>,
    /// Which token the layer looked for: an extractor for another (a refresh
    /// guard under an access layer) finds its own.
    pub(crate) class: TokenClass,
}

/// The claims a [`RequireLayer`](crate::RequireLayer) verified for this
/// request, taken over as kind `K`: its type and freshness checked, its user's
/// claims read. A second extractor in the same handler verifies afresh.
fn reuse<K: TokenKind>(done: Authenticated) -> Result<Option<Verified<K>>, AuthError> {
    of_kind::<K>(&done.claims)?;
    let extra = extra_of::<K::Extra>(&done.payload)?;
    Ok(Some(Verified(done.claims.replace_extra(extra).0)))
}

/// The scopes of pass-through [`RequireLayer`](crate::RequireLayer)s that let
/// a request through without a token, with the token type each layer is for:
/// a token of that type that an extractor below them finds must hold them all.
#[derive(Clone)]
pub(crate) struct PendingScopes(pub(crate) Vec<(&'static str, Arc<[String]>)>);

/// What a request must also pass once its token verified: for a cookie, the
/// CSRF and origin checks; the scopes of pass-through layers above; and a
/// cookie's access token is recorded for a sliding session, where the layer
/// runs.
pub(crate) fn accept<T>(
    settings: &Settings,
    parts: &Parts,
    via: TokenSource,
    claims: Claims<T>,
) -> Result<Claims<T>, AuthError> {
    if via == TokenSource::Cookie {
        csrf::check(settings, parts, &claims)?;
    }
    if let Some(PendingScopes(pending)) = parts.extensions.get() {
        for (token_type, scopes) in pending {
            if claims.token_type() == *token_type {
                scope::require(&claims, scopes)?;
            }
        }
    }
    if via == TokenSource::Cookie
        && claims.token_type() == ACCESS
        && let Some(session) = parts.extensions.get::<CookieSession>()
    {
        session.record(&claims);
    }
    Ok(claims)
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
