//! Tokens in JSON request bodies: a layer that finds them before the handler
//! runs, for clients that send `{"access_token": "v4.local..."}` rather than a
//! header.

use std::fmt;
use std::sync::Arc;

use axum_core::RequestExt;
use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, Request};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tower_layer::Layer;
use tower_service::Service;

use super::Wrapped;
use super::around::Around;
use crate::auth::PasetoAuth;
use crate::describe::{Describe, Mark};
use crate::error::AuthError;
use crate::source::{BodyKeys, BodyTokens};

/// The largest body read by default: 2 MiB, axum's own default body limit.
const DEFAULT_LIMIT: usize = 2 * 1024 * 1024;

/// Finds tokens in JSON request bodies, for the extractors and attributes to
/// verify as they verify a header's; make one with [`PasetoAuth::json_body_layer`].
///
/// For a request without the configured header and with a JSON `Content-Type`,
/// it reads the body (at most [`limit`](Self::limit) bytes and at most the
/// route's axum `DefaultBodyLimit`, else 413), takes the string at the top-level [`access_key`](Self::access_key) (`"access_token"`)
/// for access and custom token types, and at the [`refresh_key`](Self::refresh_key)
/// (`"refresh_token"`) for refresh tokens, and hands the body on unchanged, so
/// the handler's own `Json<T>` still reads it. A header, when sent, wins and the
/// body is not read. A body that is not a JSON object carries no token; a
/// token key's value that is not a string is skipped unbuilt and rejected.
///
/// A body token is authenticated after the body is read, unlike a header's,
/// which is checked before; apply the layer to the routes that need it:
///
/// ```
/// use axum::{Router, routing::post};
/// use paseto_runtime::{Claims, PasetoAuth, keys::LocalKey, paseto_required};
///
/// #[paseto_required(refresh)]
/// async fn refresh(claims: Claims) -> String {
///     claims.subject().to_owned()
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?;
/// // POST /refresh with {"refresh_token": "v4.local..."} or an Authorization header.
/// let app: Router = Router::new()
///     .route("/refresh", post(refresh))
///     .route_layer(auth.json_body_layer())
///     .with_state(auth);
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "a layer does nothing until a router applies it"]
pub struct JsonBodyLayer {
    auth: PasetoAuth,
    keys: Arc<BodyKeys>,
    limit: usize,
}

impl PasetoAuth {
    /// A [`JsonBodyLayer`] with fastapi-paseto's key `"access_token"`, the key
    /// `"refresh_token"` for refresh tokens, and a 2 MiB limit.
    pub fn json_body_layer(&self) -> JsonBodyLayer {
        JsonBodyLayer {
            auth: self.clone(),
            keys: Arc::new(BodyKeys {
                access: "access_token".into(),
                refresh: "refresh_token".into(),
            }),
            limit: DEFAULT_LIMIT,
        }
    }
}

impl JsonBodyLayer {
    /// The top-level key holding access tokens and custom token types.
    pub fn access_key(mut self, key: impl Into<Box<str>>) -> Self {
        Arc::make_mut(&mut self.keys).access = key.into();
        self
    }

    /// The top-level key holding refresh tokens.
    pub fn refresh_key(mut self, key: impl Into<Box<str>>) -> Self {
        Arc::make_mut(&mut self.keys).refresh = key.into();
        self
    }

    /// The most bytes read from a body; a longer one is refused with 413. A route's
    /// lower `DefaultBodyLimit` wins over it.
    pub fn limit(mut self, bytes: usize) -> Self {
        self.limit = bytes;
        self
    }
}

impl fmt::Debug for JsonBodyLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonBodyLayer")
            .field("access_key", &self.keys.access)
            .field("refresh_key", &self.keys.refresh)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for JsonBodyLayer {
    type Service = Wrapped<Self, S>;

    fn layer(&self, inner: S) -> Self::Service {
        Wrapped::new(self, inner)
    }
}

impl Around for JsonBodyLayer {
    async fn around<S>(self, request: Request<Body>, mut inner: S) -> Result<Response, S::Error>
    where
        S: Service<Request<Body>, Response = Response> + Send + 'static,
        S::Future: Send,
    {
        match self.read(request).await {
            Ok(request) => inner.call(request).await,
            Err(error) => Ok(self.auth.settings.reject(error).into_response()),
        }
    }
}

impl JsonBodyLayer {
    /// Reads the tokens of a JSON body into the request's extensions, and the
    /// body back into the request.
    async fn read(&self, request: Request<Body>) -> Result<Request<Body>, AuthError> {
        let settings = &self.auth.settings;
        Describe::note(request.extensions(), |_| Mark::Body(Arc::clone(&self.keys)));
        if request.headers().contains_key(&settings.header.name) || !is_json(request.headers()) {
            return Ok(request);
        }
        // The route's `DefaultBodyLimit` (axum's 2 MiB when none is set) and this
        // layer's limit both apply: the smaller wins.
        let (mut parts, body) = request.with_limited_body().into_parts();
        let bytes = match Limited::new(body, self.limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(error) if is_over_limit(&*error) => return Err(AuthError::BodyTooLarge),
            Err(_) => return Err(AuthError::UnreadableBody),
        };
        if let Some(tokens) = BodyTokens::read(&self.keys, &bytes) {
            parts.extensions.insert(tokens);
        }
        Ok(Request::from_parts(parts, Body::from(bytes)))
    }
}

/// Whether a body error, or any error under it, is a length limit's.
fn is_over_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<LengthLimitError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// `application/json` or `application/<something>+json`, as axum's `Json` accepts.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(essence) = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim)
    else {
        return false;
    };
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json")
            || subtype.len() > 5
                && subtype.as_bytes()[subtype.len() - 5..].eq_ignore_ascii_case(b"+json"))
}
