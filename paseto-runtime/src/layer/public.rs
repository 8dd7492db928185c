//! Routes open on purpose, for services a handler attribute cannot mark: a
//! static file service, a closure, a handler from another crate.

use axum_core::body::Body;
use axum_core::response::Response;
use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use super::Wrapped;
use super::around::Around;
use crate::describe::{Describe, Mark};

/// Marks the routes it wraps as public on purpose, as `#[public]` marks a
/// handler: the [route table](crate::routes) lists them as public and the
/// audit of `paseto_runtime::testing` lets them answer requests without a
/// token. It changes nothing else. A guard beneath it (an attribute, an
/// extractor, a [`RequireLayer`](super::RequireLayer)) contradicts it, and the
/// table says so.
///
/// ```
/// use axum::{Router, routing::get};
/// use paseto_runtime::layer::PublicLayer;
///
/// let assets: Router = Router::new()
///     .route("/robots.txt", get(|| async { "User-agent: *\nAllow: /\n" }))
///     .route_layer(PublicLayer);
/// ```
#[derive(Clone, Copy, Debug, Default)]
#[must_use = "a layer does nothing until a router applies it"]
pub struct PublicLayer;

impl<S> Layer<S> for PublicLayer {
    type Service = Wrapped<Self, S>;

    fn layer(&self, inner: S) -> Self::Service {
        Wrapped::new(self, inner)
    }
}

impl Around for PublicLayer {
    async fn around<S>(self, request: Request<Body>, mut inner: S) -> Result<Response, S::Error>
    where
        S: Service<Request<Body>, Response = Response> + Send + 'static,
        S::Future: Send,
    {
        Describe::note(request.extensions(), |_| Mark::Public);
        inner.call(request).await
    }
}
