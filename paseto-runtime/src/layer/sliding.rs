//! Sliding sessions for browsers: a layer that re-issues the access cookie of a
//! cookie-authenticated request whose token is close to expiry, as
//! flask-jwt-extended's "implicit refresh" does.

use axum_core::body::Body;
use axum_core::response::Response;
use http::Request;
use http::header::{COOKIE, SET_COOKIE};
use time::{Duration, OffsetDateTime};
use tower_layer::Layer;
use tower_service::Service;

use super::Wrapped;
use super::around::Around;
use crate::auth::PasetoAuth;
use crate::authentication::CookieSession;
use crate::claims::Claims;
use crate::cookies::SetCookies;
use crate::issue::Occasion;
use crate::revocation;

/// Re-issues the access cookie (and its CSRF cookie) on the response to a
/// request that an access cookie authenticated, when that token expires within
/// the window; make one with [`PasetoAuth::sliding_session_layer`].
///
/// It renews only what a refresh would: never on a response that is not a
/// success (2xx), never a token past its `exp` (even inside the leeway), never
/// a token that is revoked, by this very request (a logout) or before, and
/// never past the session's end: its login (the `auth_time` claim) plus the
/// refresh lifetime, or [`max_lifetime`](Self::max_lifetime). A response that
/// sets or clears the access cookie itself is left alone.
#[derive(Clone, Debug)]
#[must_use = "a layer does nothing until a router applies it"]
pub struct SlidingSessionLayer {
    auth: PasetoAuth,
    window: Duration,
    max_lifetime: Option<Duration>,
}

impl PasetoAuth {
    /// A [`SlidingSessionLayer`] that renews access cookies expiring within `window`.
    pub fn sliding_session_layer(&self, window: Duration) -> SlidingSessionLayer {
        SlidingSessionLayer {
            auth: self.clone(),
            window,
            max_lifetime: None,
        }
    }
}

impl SlidingSessionLayer {
    /// How long after its login a session may be renewed: no renewed token
    /// outlives the login (`auth_time`, else the token's `iat`) plus this.
    /// Default: the refresh lifetime, as long as a refresh token of that login.
    pub fn max_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_lifetime = Some(lifetime);
        self
    }
}

impl<S> Layer<S> for SlidingSessionLayer {
    type Service = Wrapped<Self, S>;

    fn layer(&self, inner: S) -> Self::Service {
        Wrapped::new(self, inner)
    }
}

impl Around for SlidingSessionLayer {
    async fn around<S>(self, mut request: Request<Body>, mut inner: S) -> Result<Response, S::Error>
    where
        S: Service<Request<Body>, Response = Response> + Send + 'static,
        S::Future: Send,
    {
        // Only a request that sends cookies can be authenticated by one.
        let session = request
            .headers()
            .contains_key(COOKIE)
            .then(CookieSession::default);
        if let Some(session) = &session {
            request.extensions_mut().insert(session.clone());
        }
        let mut response = inner.call(request).await?;
        let claims = session.and_then(|session| session.take());
        // Only a success renews, and never over the response's own cookie.
        if let Some(claims) = claims.filter(|_| self.may_renew(&response)) {
            let now = OffsetDateTime::now_utc();
            if let Some(cookies) = self.renewal(&claims, now).await {
                cookies.write(response.headers_mut());
            }
        }
        Ok(response)
    }
}

impl SlidingSessionLayer {
    /// The cookies that renew `claims`, if they are to be renewed.
    async fn renewal(&self, claims: &Claims, now: OffsetDateTime) -> Option<SetCookies> {
        let left = claims.expires_at()? - now;
        if !left.is_positive() || left >= self.window {
            return None;
        }
        let options = &self.auth.settings.options;
        let login = claims.authenticated_at().or(claims.issued_at())?;
        let end = login.checked_add(self.max_lifetime.unwrap_or(options.refresh_ttl))?;
        let lifetime = options.access_ttl.min(end - now);
        if !lifetime.is_positive() {
            return None;
        }
        // Revoked by this request (a logout) or before: the session is over.
        revocation::consult_for_renewal(&self.auth.settings, claims, now)
            .await
            .ok()?;
        // A renewal is a refresh: the grant hook has its say, and the
        // session records it. A refusal leaves the cookie to expire.
        let renewed = (self
            .auth
            .granted_access(claims, Occasion::Refresh, now)
            .await)
            .ok()?;
        let renewed = renewed.authenticated_at(login).expires_in(lifetime);
        let cookies = self.auth.access_cookies(renewed, lifetime).ok()?;
        self.auth
            .touch_session(claims.subject(), claims.family_id(), now)
            .await;
        Some(cookies)
    }

    /// Whether `response` is a success that neither sets nor clears the access
    /// cookie itself.
    fn may_renew(&self, response: &Response) -> bool {
        let name = &self.auth.settings.options.access_cookie;
        response.status().is_success()
            && !response.headers().get_all(SET_COOKIE).iter().any(|value| {
                value.to_str().is_ok_and(|text| {
                    cookie::Cookie::parse(text).is_ok_and(|cookie| cookie.name() == name.as_str())
                })
            })
    }
}
