//! Sliding sessions for browsers: a layer that re-issues the access cookie of a
//! cookie-authenticated request whose token is close to expiry, as
//! flask-jwt-extended's "implicit refresh" does.

use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use axum_core::body::Body;
use axum_core::response::Response;
use http::Request;
use http::header::{COOKIE, SET_COOKIE};
use time::{Duration, OffsetDateTime};
use tower_layer::Layer;
use tower_service::Service;

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::denylist::BoxFuture;

/// Re-issues the access cookie (and its CSRF cookie) on the response to a
/// request that an access cookie authenticated, when that token expires within
/// the window; make one with [`PasetoAuth::sliding_session_layer`].
///
/// A response that sets or clears the access cookie itself, such as a logout's,
/// is left alone: a cookie is never re-set on a response that clears it.
#[derive(Clone, Debug)]
#[must_use = "a layer does nothing until a router applies it"]
pub struct SlidingSessionLayer {
    auth: PasetoAuth,
    window: Duration,
}

/// Where the extractor leaves the claims of a cookie-authenticated access token.
#[derive(Clone, Default)]
pub(crate) struct CookieSession(Arc<Mutex<Option<Claims>>>);

impl CookieSession {
    /// Records the claims a cookie authenticated.
    pub(crate) fn record<T>(&self, claims: &Claims<T>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(claims.without_extra());
    }

    fn take(&self) -> Option<Claims> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

impl PasetoAuth {
    /// A [`SlidingSessionLayer`] that renews access cookies expiring within `window`.
    pub fn sliding_session_layer(&self, window: Duration) -> SlidingSessionLayer {
        SlidingSessionLayer {
            auth: self.clone(),
            window,
        }
    }
}

impl<S> Layer<S> for SlidingSessionLayer {
    type Service = SlidingSession<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SlidingSession {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`SlidingSessionLayer`] wraps around routes.
#[derive(Clone, Debug)]
pub struct SlidingSession<S> {
    inner: S,
    layer: SlidingSessionLayer,
}

impl<S> Service<Request<Body>> for SlidingSession<S>
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

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        let mut inner = crate::layer::take_ready(&mut self.inner);
        let layer = self.layer.clone();
        // Only a request that sends cookies can be authenticated by one.
        let session = request
            .headers()
            .contains_key(COOKIE)
            .then(CookieSession::default);
        if let Some(session) = &session {
            request.extensions_mut().insert(session.clone());
        }
        Box::pin(async move {
            let response = inner.call(request).await?;
            let claims = session.and_then(|session| session.take());
            Ok(layer.renew(response, claims))
        })
    }
}

impl SlidingSessionLayer {
    /// The response, with new access cookies when `claims` expire within the window.
    fn renew(&self, mut response: Response, claims: Option<Claims>) -> Response {
        let Some(claims) = claims else {
            return response;
        };
        let expiring = claims
            .expires_at()
            .is_some_and(|exp| exp - OffsetDateTime::now_utc() < self.window);
        let name = &self.auth.settings.options.access_cookie;
        let sets_it = response.headers().get_all(SET_COOKIE).iter().any(|value| {
            value.to_str().is_ok_and(|text| {
                cookie::Cookie::parse(text).is_ok_and(|cookie| cookie.name() == name.as_str())
            })
        });
        if !expiring || sets_it {
            return response;
        }
        if let Ok(cookies) = self.auth.refresh_cookies(&claims) {
            cookies.write(response.headers_mut());
        }
        response
    }
}
