//! The axum extractor: finds the token in the request, verifies it, and rejects
//! with an RFC 6750 response.

use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::HeaderMap;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::body::BodyTokens;
use crate::claims::Claims;
use crate::config::{PasetoAuth, Renderer, Settings};
use crate::error::AuthError;
use crate::kind::{Access, TokenKind};
use crate::verify::MAX_TOKEN_LEN;

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

/// The rejection of [`Verified`]: the reason, rendered as the configuration says.
pub struct AuthRejection {
    error: AuthError,
    renderer: Option<Renderer>,
}

impl AuthRejection {
    /// Why the request was rejected.
    pub fn error(&self) -> &AuthError {
        &self.error
    }

    /// Takes the reason out.
    pub fn into_error(self) -> AuthError {
        self.error
    }
}

impl std::fmt::Debug for AuthRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AuthRejection").field(&self.error).finish()
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self.renderer {
            Some(render) => render(&self.error),
            None => self.error.into_response(),
        }
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
        let found = match token(&auth.settings, &parts.headers) {
            Ok(None) => parts
                .extensions
                .get::<BodyTokens>()
                .map_or(Ok(None), |tokens| tokens.get(K::TOKEN_TYPE)),
            found => found,
        };
        let verified = match found {
            Ok(Some(token)) => auth
                .verify::<K>(token)
                .await
                .map(|claims| Some(Self(claims))),
            Ok(None) => Ok(None),
            Err(error) => Err(error),
        };
        verified.map_err(|error| reject(&auth.settings, error))
    }
}

pub(crate) fn reject(settings: &Settings, error: AuthError) -> AuthRejection {
    tracing::debug!(kind = error.kind(), "paseto: request rejected");
    AuthRejection {
        error,
        renderer: settings.renderer.clone(),
    }
}

/// Finds the token in the configured header: `<scheme> <token>`, the scheme matched
/// case-insensitively, or the bare token when the scheme is empty.
fn token<'h>(settings: &Settings, headers: &'h HeaderMap) -> Result<Option<&'h str>, AuthError> {
    let malformed = || AuthError::MalformedHeader {
        header: settings.header_label.clone(),
        expected: settings.header_form.clone(),
    };
    let mut values = headers.get_all(&settings.header).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(malformed());
    }
    if value.len() > MAX_TOKEN_LEN + settings.scheme.len() + 1 {
        return Err(AuthError::TooLarge);
    }
    let text = value.to_str().map_err(|_| malformed())?;
    let mut parts = text.split(' ').filter(|part| !part.is_empty());
    let token = if settings.scheme.is_empty() {
        parts.next()
    } else {
        let scheme = parts.next().ok_or_else(malformed)?;
        let token = parts.next().ok_or_else(malformed)?;
        if !scheme.eq_ignore_ascii_case(&settings.scheme) {
            return Err(AuthError::UnsupportedScheme {
                header: settings.header_label.clone(),
                expected: settings.header_form.clone(),
            });
        }
        Some(token)
    };
    match (token, parts.next()) {
        (Some(token), None) => Ok(Some(token)),
        _ => Err(malformed()),
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
