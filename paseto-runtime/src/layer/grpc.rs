//! Guarding gRPC services (tonic's server is tower): [`GrpcGuardLayer`]
//! requires a token of a kind, with scopes, per method, through the same
//! corridor as the HTTP guards, and answers a refusal with the gRPC status a
//! client expects. The verified claims travel in the request's extensions,
//! where a method reads them ([`grpc_claims`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::CONTENT_TYPE;
use http::request::Parts;
use http::{HeaderValue, Request, Response};
use serde_json::{Map, Value};
use tower_layer::Layer;
use tower_service::Service;

use crate::auth::PasetoAuth;
use crate::authentication::authenticate;
use crate::claims::Claims;
use crate::denylist::BoxFuture;
use crate::describe::Usage;
use crate::error::AuthError;
use crate::kind::{Access, FreshAccess, Refresh};
use crate::scope::is_scope_token;
use crate::settings::ConfigError;
use crate::user::{LoadUser, load};

/// The claims of a verified gRPC request, as a method reads them.
pub type GrpcClaims = Claims<Map<String, Value>>;

/// The claims [`GrpcGuardLayer`] verified for this request: from a tonic
/// request's extensions (`request.extensions()`), or an `http::Request`'s.
pub fn grpc_claims(extensions: &http::Extensions) -> Option<&GrpcClaims> {
    extensions.get::<GrpcClaims>()
}

impl PasetoAuth {
    /// The application's user for a gRPC request [`GrpcGuardLayer`] let
    /// through, by `U`'s [`LoadUser`] loader, as [`CurrentUser`](crate::CurrentUser)
    /// gives it to an HTTP handler: [`AuthError::UnknownUser`] for a user that
    /// is gone, [`AuthError::UserUnavailable`] when the loader fails,
    /// [`AuthError::MissingToken`] for a method the guard leaves public. A
    /// method answers an error with the status of [`grpc_code`] and its text.
    pub async fn grpc_user<U: LoadUser>(
        &self,
        extensions: &http::Extensions,
        state: &U::State,
    ) -> Result<U, AuthError> {
        let claims = grpc_claims(extensions).ok_or(AuthError::MissingToken)?;
        load::<U>(self, &claims.without_extra(), state).await
    }
}

/// What a method requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// No token: a public method.
    Nothing,
    /// An access token, fresh or not, with these scopes.
    Access(Vec<String>),
    /// A fresh access token, with these scopes.
    FreshAccess(Vec<String>),
    /// A refresh token.
    Refresh,
}

/// Requires a token on every gRPC method of the services it wraps: an access
/// token unless a method is given another requirement. Make one with
/// [`PasetoAuth::grpc_guard`]; each method is named by its path,
/// `/package.Service/Method`, in a [`grpc_methods!`](crate::layer::grpc_methods)
/// table checked when it compiles, or one by one with
/// [`method`](GrpcGuardBuilder::method).
///
/// A refusal is a gRPC status, never an HTTP one, with the detail the HTTP
/// guards give: a missing, malformed, expired, revoked or wrong-kind token is
/// `UNAUTHENTICATED` (16), a missing scope `PERMISSION_DENIED` (7), a store
/// that cannot answer `UNAVAILABLE` (14) with `grpc-retry-pushback-ms`.
///
/// ```
/// use paseto_runtime::{PasetoAuth, keys::LocalKey, layer::Need};
///
/// let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?;
/// let guard = auth
///     .grpc_guard()
///     .method("/paseto.example.v1.Greeter/Admin", Need::Access(vec!["admin".into()]))
///     .method("/grpc.health.v1.Health/Check", Need::Nothing)
///     .build()?;
/// // tonic::transport::Server::builder().layer(guard).add_service(…)
/// # let _ = guard;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct GrpcGuardLayer {
    auth: PasetoAuth,
    needs: Arc<HashMap<String, Need>>,
    default: Arc<Need>,
}

/// Builds a [`GrpcGuardLayer`]: every method's requirement, checked once.
#[derive(Debug)]
#[must_use = "a guard builder does nothing until `build`"]
pub struct GrpcGuardBuilder {
    auth: PasetoAuth,
    /// Each method's requirement in the order given; a repeat is refused.
    needs: Vec<(String, Need)>,
    default: Need,
}

impl PasetoAuth {
    /// Starts a guard for gRPC services: by default every method requires
    /// an access token.
    pub fn grpc_guard(&self) -> GrpcGuardBuilder {
        GrpcGuardBuilder {
            auth: self.clone(),
            needs: Vec::new(),
            default: Need::Access(Vec::new()),
        }
    }
}

impl GrpcGuardBuilder {
    /// What the method at `path` (`/package.Service/Method`) requires. A
    /// method named twice is refused by [`build`](Self::build), so that a
    /// later line cannot quietly loosen an earlier one.
    pub fn method(mut self, path: impl Into<String>, need: Need) -> Self {
        self.needs.push((path.into(), need));
        self
    }

    /// What each method requires, as pairs: the table
    /// [`grpc_methods!`](crate::layer::grpc_methods) checks when it compiles.
    pub fn methods<P: Into<String>>(
        mut self,
        methods: impl IntoIterator<Item = (P, Need)>,
    ) -> Self {
        self.needs
            .extend(methods.into_iter().map(|(path, need)| (path.into(), need)));
        self
    }

    /// What every method not named requires; by default an access token.
    pub fn otherwise(mut self, need: Need) -> Self {
        self.default = need;
        self
    }

    /// The layer, once every path names one method, no method twice, and
    /// every scope is one.
    pub fn build(self) -> Result<GrpcGuardLayer, ConfigError> {
        let mut needs = HashMap::with_capacity(self.needs.len());
        for (path, need) in self.needs {
            if !is_method_path(&path) {
                return Err(ConfigError::InvalidSetting {
                    setting: "grpc_guard method",
                    expected: "a gRPC method path, `/package.Service/Method`",
                });
            }
            if needs.insert(path, need).is_some() {
                return Err(ConfigError::InvalidSetting {
                    setting: "grpc_guard method",
                    expected: "each method named once",
                });
            }
        }
        let scopes_valid = |need: &Need| match need {
            Need::Access(scopes) | Need::FreshAccess(scopes) => {
                scopes.iter().all(|scope| is_scope_token(scope))
            }
            Need::Nothing | Need::Refresh => true,
        };
        if !needs.values().all(scopes_valid) || !scopes_valid(&self.default) {
            return Err(ConfigError::InvalidSetting {
                setting: "grpc_guard scopes",
                expected: "visible ASCII without spaces, `\"` or `\\`",
            });
        }
        Ok(GrpcGuardLayer {
            auth: self.auth,
            needs: Arc::new(needs),
            default: Arc::new(self.default),
        })
    }
}

/// Whether `path` names one gRPC method, `/package.Service/Method`: a slash,
/// a service, a slash, a method, neither empty.
pub(crate) fn is_method_path(path: &str) -> bool {
    let mut parts = path.strip_prefix('/').unwrap_or_default().split('/');
    let service = parts.next().unwrap_or_default();
    let method = parts.next().unwrap_or_default();
    !service.is_empty() && !method.is_empty() && parts.next().is_none()
}

impl<S> Layer<S> for GrpcGuardLayer {
    type Service = GrpcGuard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcGuard {
            layer: self.clone(),
            inner,
        }
    }
}

/// The service [`GrpcGuardLayer`] wraps around gRPC services.
#[derive(Clone, Debug)]
pub struct GrpcGuard<S> {
    layer: GrpcGuardLayer,
    inner: S,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for GrpcGuard<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    ReqBody: Send + 'static,
    ResBody: Default + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // The service that was ready serves this request; a clone waits.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            let need = (layer.needs.get(request.uri().path())).unwrap_or(&layer.default);
            let (mut parts, body) = request.into_parts();
            match admit(&layer.auth, &mut parts, need).await {
                Ok(claims) => {
                    if let Some(claims) = claims {
                        parts.extensions.insert(claims);
                    }
                    inner.call(Request::from_parts(parts, body)).await
                }
                Err(error) => Ok(status_response(&error)),
            }
        })
    }
}

/// The request's claims when they meet `need`: `None` for a public method.
async fn admit(
    auth: &PasetoAuth,
    parts: &mut Parts,
    need: &Need,
) -> Result<Option<GrpcClaims>, AuthError> {
    if parts
        .headers
        .get_all(http::header::AUTHORIZATION)
        .iter()
        .count()
        > 1
    {
        return Err(AuthError::MalformedHeader {
            header: auth.settings.header.label.clone(),
            expected: auth.settings.header.form.clone(),
        });
    }
    let usage = Usage::REQUIRED;
    let found = match need {
        Need::Nothing => return Ok(None),
        Need::Access(scopes) => authenticate::<Access, _, _>(auth, parts, scopes, usage).await,
        Need::FreshAccess(scopes) => {
            authenticate::<FreshAccess, _, _>(auth, parts, scopes, usage).await
        }
        Need::Refresh => authenticate::<Refresh, _, _>(auth, parts, &[] as &[&str], usage).await,
    };
    found?.map(Some).ok_or(AuthError::MissingToken)
}

/// The gRPC status code of a refusal: `UNAVAILABLE` for a store that cannot
/// answer, `PERMISSION_DENIED` for a valid token that may not call, and
/// `UNAUTHENTICATED` for every token that will not do.
pub fn grpc_code(error: &AuthError) -> u16 {
    match error.status().as_u16() {
        503 => 14,
        403 => 7,
        _ => 16,
    }
}

/// A trailers-only gRPC answer: HTTP 200, `grpc-status`, and the error's
/// detail, percent-encoded, in `grpc-message`.
fn status_response<B: Default>(error: &AuthError) -> Response<B> {
    let mut response = Response::new(B::default());
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    headers.insert("grpc-status", HeaderValue::from(grpc_code(error)));
    let message: String = error
        .to_string()
        .bytes()
        .map(|b| match b {
            b' '..=b'~' if b != b'%' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    if let Ok(message) = HeaderValue::from_str(&message) {
        headers.insert("grpc-message", message);
    }
    if error.retry_after().is_some() {
        headers.insert("grpc-retry-pushback-ms", HeaderValue::from_static("5000"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_the_ones_grpc_clients_expect() {
        assert_eq!(grpc_code(&AuthError::MissingToken), 16);
        assert_eq!(grpc_code(&AuthError::Expired), 16);
        assert_eq!(grpc_code(&AuthError::Revoked), 16);
        assert_eq!(grpc_code(&AuthError::NotFresh), 16);
        assert_eq!(grpc_code(&AuthError::RevocationUnavailable), 14);
        let scope = AuthError::InsufficientScope {
            scope: "admin".into(),
        };
        assert_eq!(grpc_code(&scope), 7);
        let response: Response<String> = status_response(&AuthError::Revoked);
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["grpc-status"], "16");
        assert_eq!(response.headers()["grpc-message"], "Token has been revoked");
    }
}
