//! The tower layers, for whoever assembles the router: [`RequireLayer`] guards
//! whole routers, [`PublicLayer`] marks routes open on purpose,
//! [`JsonBodyLayer`] finds tokens in JSON bodies,
//! [`SlidingSessionLayer`] renews browser sessions, [`GrpcGuardLayer`] guards
//! tonic services method by method ([`grpc_methods!`]). Each wraps routes in the
//! one service skeleton, [`Wrapped`], and does its work around the call.

mod grpc;
mod json_body;
mod public;
mod require;
mod sliding;

use std::task::{Context, Poll};

use axum_core::body::Body;
use axum_core::response::Response;
use http::Request;
use tower_service::Service;

#[cfg(test)]
pub(crate) use grpc::is_method_path;
pub use grpc::{
    GrpcClaims, GrpcGuard, GrpcGuardBuilder, GrpcGuardLayer, Need, grpc_claims, grpc_code,
};
pub use json_body::JsonBodyLayer;
pub use paseto_macros::grpc_methods;
pub use public::PublicLayer;
pub use require::RequireLayer;
pub use sliding::SlidingSessionLayer;

use crate::denylist::BoxFuture;

/// The service that [`RequireLayer`] wraps around routes.
pub type Require<S, K> = Wrapped<RequireLayer<K>, S>;
/// The service that [`PublicLayer`] wraps around routes.
pub type Public<S> = Wrapped<PublicLayer, S>;
/// The service that [`JsonBodyLayer`] wraps around routes.
pub type JsonBody<S> = Wrapped<JsonBodyLayer, S>;
/// The service that [`SlidingSessionLayer`] wraps around routes.
pub type SlidingSession<S> = Wrapped<SlidingSessionLayer, S>;

/// The service one of this module's layers `L` wraps around the routes `S`.
#[derive(Clone, Debug)]
pub struct Wrapped<L, S> {
    layer: L,
    inner: S,
}

impl<L, S> Wrapped<L, S> {
    fn new(layer: &L, inner: S) -> Self
    where
        L: Clone,
    {
        Self {
            layer: layer.clone(),
            inner,
        }
    }
}

mod around {
    use axum_core::body::Body;
    use axum_core::response::Response;
    use http::Request;
    use tower_service::Service;

    /// What a layer does around the routes it wraps.
    pub trait Around: Clone + Send + 'static {
        /// Takes `request` through `inner` (ready), with the layer's work
        /// before and after.
        fn around<S>(
            self,
            request: Request<Body>,
            inner: S,
        ) -> impl Future<Output = Result<Response, S::Error>> + Send
        where
            S: Service<Request<Body>, Response = Response> + Send + 'static,
            S::Future: Send;
    }
}

use around::Around;

impl<L, S> Service<Request<Body>> for Wrapped<L, S>
where
    L: Around,
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
        // The clone that was polled ready serves this call; a fresh clone
        // waits for the next `poll_ready`.
        let fresh = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, fresh);
        Box::pin(self.layer.clone().around(request, ready))
    }
}
