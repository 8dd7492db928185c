//! Guarding a whole router: a layer that verifies a token of one kind (and its
//! scopes) on every request, rejecting as the extractors do, and leaves the
//! verified claims where the extractors and attributes below take them without
//! verifying again.

use std::marker::PhantomData;
use std::sync::Arc;

use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use http::Request;
use http::request::Parts;
use tower_layer::Layer;
use tower_service::Service;

use super::Wrapped;
use super::around::Around;
use crate::auth::PasetoAuth;
use crate::authentication::{Authenticated, PendingScopes, authenticate};
use crate::describe::{MethodProbe, Usage};
use crate::error::AuthError;
use crate::kind::{TokenKind, TokenType};
use crate::scope::is_scope_token;
use crate::settings::ConfigError;

/// Requires a token of kind `K` on every request through the routes it wraps;
/// make one with [`PasetoAuth::require`].
///
/// A request without a valid token (or, with [`scopes`](Self::scopes), without
/// those scopes) is rejected before any handler runs, with the response the
/// extractors give. A verified request carries its claims on: a [`Verified`],
/// `Claims` or guard attribute below takes them from there, checking its own
/// kind, without verifying the token a second time.
///
/// [`Verified`]: crate::Verified
#[must_use = "a layer does nothing until a router applies it"]
pub struct RequireLayer<K> {
    auth: PasetoAuth,
    scopes: Arc<[String]>,
    pass_through: bool,
    kind: PhantomData<fn() -> K>,
}

impl<K> Clone for RequireLayer<K> {
    fn clone(&self) -> Self {
        Self {
            auth: self.auth.clone(),
            scopes: Arc::clone(&self.scopes),
            pass_through: self.pass_through,
            kind: PhantomData,
        }
    }
}

impl<K> std::fmt::Debug for RequireLayer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequireLayer")
            .field("scopes", &self.scopes)
            .field("pass_through", &self.pass_through)
            .finish_non_exhaustive()
    }
}

impl PasetoAuth {
    /// A layer that requires a token of kind `K` ([`Access`](crate::Access),
    /// [`FreshAccess`](crate::FreshAccess), [`Refresh`](crate::Refresh) or a
    /// custom kind) on every request of the routes it wraps.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    /// use paseto_runtime::{Access, Claims, PasetoAuth, keys::LocalKey, paseto_required};
    ///
    /// #[paseto_required]
    /// async fn report(claims: Claims) -> String {
    ///     format!("report for {}", claims.subject()) // verified once, by the layer
    /// }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?;
    /// let admin: Router<PasetoAuth> = Router::new()
    ///     .route("/report", get(report))
    ///     .route_layer(auth.require::<Access>().scopes(["admin"])?);
    /// let app: Router = Router::new().nest("/admin", admin).with_state(auth);
    /// # Ok(()) }
    /// ```
    pub fn require<K: TokenKind>(&self) -> RequireLayer<K> {
        RequireLayer {
            auth: self.clone(),
            scopes: Arc::new([]),
            pass_through: false,
            kind: PhantomData,
        }
    }
}

impl<K> RequireLayer<K> {
    /// Also requires these scopes, all of them: a token without one gets 403
    /// `Bearer error="insufficient_scope", scope="…"`. A scope that is no RFC
    /// 6749 scope token (empty, or with a space, `"` or `\`) is an error.
    pub fn scopes<I>(mut self, scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let scopes: Vec<String> = scopes.into_iter().map(Into::into).collect();
        if !scopes.iter().all(|scope| is_scope_token(scope)) {
            return Err(ConfigError::InvalidSetting {
                setting: "scopes",
                expected: "scope tokens: visible ASCII without spaces, `\"` or `\\`",
            });
        }
        self.scopes = scopes.into();
        Ok(self)
    }

    /// Lets requests without a token through, as anonymous: their handlers see
    /// no claims (`Option<Claims>` is `None`). A token that is present but bad
    /// is still rejected, and the layer's [`scopes`](Self::scopes) hold for a
    /// token that an extractor below finds where this layer did not look (a
    /// JSON body read by a layer inside it). Default: no.
    pub fn pass_through(mut self, allow: bool) -> Self {
        self.pass_through = allow;
        self
    }
}

impl<S, K> Layer<S> for RequireLayer<K> {
    type Service = Wrapped<Self, S>;

    fn layer(&self, inner: S) -> Self::Service {
        Wrapped::new(self, inner)
    }
}

impl<K: TokenKind> Around for RequireLayer<K> {
    async fn around<S>(self, request: Request<Body>, mut inner: S) -> Result<Response, S::Error>
    where
        S: Service<Request<Body>, Response = Response> + Send + 'static,
        S::Future: Send,
    {
        let (mut parts, body) = request.into_parts();
        match self.authorize(&mut parts).await {
            Ok(()) => inner.call(Request::from_parts(parts, body)).await,
            Err(error) => Ok(self.auth.settings.reject(error).into_response()),
        }
    }
}

impl<K: TokenKind> RequireLayer<K> {
    /// Authenticates the request and records its claims, or says why not.
    async fn authorize(&self, parts: &mut Parts) -> Result<(), AuthError> {
        let usage = Usage {
            optional: self.pass_through,
            check: false,
            layer: true,
        };
        match authenticate::<K, (), String>(&self.auth, parts, &self.scopes, usage).await? {
            Some(claims) => {
                parts.extensions.insert(Authenticated {
                    claims,
                    token_type: TokenType::of(K::TOKEN_TYPE),
                });
                Ok(())
            }
            None if !self.pass_through && parts.extensions.get::<MethodProbe>().is_none() => {
                Err(AuthError::MissingToken)
            }
            None => {
                // An extractor below may find a token this layer cannot see (in
                // a body a layer inside reads): it must hold these scopes too.
                if !self.scopes.is_empty() {
                    let pending = parts
                        .extensions
                        .get_or_insert_with(|| PendingScopes(Vec::new()));
                    pending.0.push((K::TOKEN_TYPE, Arc::clone(&self.scopes)));
                }
                Ok(())
            }
        }
    }
}
