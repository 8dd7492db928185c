//! Tokens in JSON request bodies: a layer that finds them before the handler
//! runs, for clients that send `{"access_token": "v4.local..."}` rather than a
//! header.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum_core::RequestExt;
use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, Request};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use tower_layer::Layer;
use tower_service::Service;

use crate::config::PasetoAuth;
use crate::denylist::BoxFuture;
use crate::error::AuthError;
use crate::extract::reject;
use crate::kind::REFRESH;

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
/// use paseto_runtime::{Claims, LocalKey, PasetoAuth, paseto_required};
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
    keys: Arc<Keys>,
    limit: usize,
}

#[derive(Clone, Debug)]
struct Keys {
    access: Box<str>,
    refresh: Box<str>,
}

/// The tokens a body carried, left in the request's extensions by [`JsonBodyLayer`].
#[derive(Clone, Debug)]
pub(crate) struct BodyTokens {
    access: Found,
    refresh: Found,
    keys: Arc<Keys>,
}

/// What a body holds under one key.
#[derive(Clone, Debug, Default)]
enum Found {
    #[default]
    Absent,
    Token(String),
    /// Not a string, or the key given twice.
    Malformed,
}

impl PasetoAuth {
    /// A [`JsonBodyLayer`] with fastapi-paseto's key `"access_token"`, the key
    /// `"refresh_token"` for refresh tokens, and a 2 MiB limit.
    pub fn json_body_layer(&self) -> JsonBodyLayer {
        JsonBodyLayer {
            auth: self.clone(),
            keys: Arc::new(Keys {
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
    type Service = JsonBody<S>;

    fn layer(&self, inner: S) -> Self::Service {
        JsonBody {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`JsonBodyLayer`] wraps around a route.
#[derive(Clone, Debug)]
pub struct JsonBody<S> {
    inner: S,
    layer: JsonBodyLayer,
}

impl<S> Service<Request<Body>> for JsonBody<S>
where
    S: Service<Request<Body>, Response = Response> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The clone that was polled ready serves this request.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let layer = self.layer.clone();
        Box::pin(async move {
            match layer.read(request).await {
                Ok(request) => inner.call(request).await,
                Err(error) => Ok(reject(&layer.auth.settings, error).into_response()),
            }
        })
    }
}

impl JsonBodyLayer {
    /// Reads the tokens of a JSON body into the request's extensions, and the
    /// body back into the request.
    async fn read(&self, request: Request<Body>) -> Result<Request<Body>, AuthError> {
        let settings = &self.auth.settings;
        if request.headers().contains_key(&settings.header) || !is_json(request.headers()) {
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
        if let Some(tokens) = self.tokens(&bytes) {
            parts.extensions.insert(tokens);
        }
        Ok(Request::from_parts(parts, Body::from(bytes)))
    }

    /// The tokens of a JSON object; `None` for anything else.
    fn tokens(&self, body: &[u8]) -> Option<BodyTokens> {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let (access, refresh) = TopLevel(&self.keys).deserialize(&mut deserializer).ok()?;
        deserializer.end().ok()?;
        Some(BodyTokens {
            access,
            refresh,
            keys: Arc::clone(&self.keys),
        })
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

impl BodyTokens {
    /// The token for `token_type` and the key it was found under: an error when
    /// that key holds something other than a string.
    pub(crate) fn get(&self, token_type: &str) -> Result<Option<&str>, AuthError> {
        let (found, key) = if token_type == REFRESH {
            (&self.refresh, &self.keys.refresh)
        } else {
            (&self.access, &self.keys.access)
        };
        match found {
            Found::Absent => Ok(None),
            Found::Token(token) => Ok(Some(token)),
            Found::Malformed => Err(AuthError::MalformedBodyToken {
                key: Arc::from(&**key),
            }),
        }
    }
}

/// Reads a JSON object's two token keys and skips every other value unparsed.
struct TopLevel<'k>(&'k Keys);

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = (Found, Found);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = (Found, Found);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut access, mut refresh) = (Found::Absent, Found::Absent);
        while let Some(slot) = map.next_key_seed(KeyOf(self.0))? {
            match slot {
                Slot::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
                Slot::Access => access = access.with(map.next_value_seed(TokenValue)?),
                Slot::Refresh => refresh = refresh.with(map.next_value_seed(TokenValue)?),
                Slot::Both => {
                    let value = map.next_value_seed(TokenValue)?;
                    access = access.with(value.clone());
                    refresh = refresh.with(value);
                }
            }
        }
        Ok((access, refresh))
    }
}

impl Found {
    /// What a key holds once `value` is seen under it: a second value is malformed.
    fn with(self, value: Option<String>) -> Self {
        match (self, value) {
            (Self::Absent, Some(token)) => Self::Token(token),
            _ => Self::Malformed,
        }
    }
}

/// Reads a token key's value: the string, or `None` for any other JSON value,
/// which is skipped without being built, so a huge array costs no memory.
struct TokenValue;

impl<'de> DeserializeSeed<'de> for TokenValue {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TokenValue {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a token string")
    }

    fn visit_str<E>(self, token: &str) -> Result<Self::Value, E> {
        Ok(Some(token.to_owned()))
    }

    fn visit_string<E>(self, token: String) -> Result<Self::Value, E> {
        Ok(Some(token))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// Which token keys an object key is; both when they are configured alike.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Access,
    Refresh,
    Both,
    Other,
}

/// Reads an object key into its [`Slot`] without keeping it.
struct KeyOf<'k>(&'k Keys);

impl<'de> DeserializeSeed<'de> for KeyOf<'_> {
    type Value = Slot;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Slot, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyOf<'_> {
    type Value = Slot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Slot, E> {
        Ok(match (key == &*self.0.access, key == &*self.0.refresh) {
            (true, true) => Slot::Both,
            (true, false) => Slot::Access,
            (false, true) => Slot::Refresh,
            (false, false) => Slot::Other,
        })
    }
}
