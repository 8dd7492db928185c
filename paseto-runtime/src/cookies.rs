//! Token cookies for browsers: set at login and refresh, cleared at logout.
//! Token cookies are `HttpOnly`; each has a CSRF cookie beside it, readable by
//! the page's script, whose value the token carries as its `csrf` claim.

use std::fmt;

use axum_core::response::{IntoResponseParts, ResponseParts};
use cookie::Cookie;
use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};
use time::Duration;

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::issue::{IssueError, Login, Occasion, TokenBuilder, refresh_time};
use crate::kind::Access;

/// Cookies to set (or clear) on a response: return it beside the body, as
/// `(cookies, Json(body))`. `Debug` names the cookies, never their values.
#[must_use = "cookies do nothing until they are part of a response"]
pub struct SetCookies(Vec<Cookie<'static>>);

impl IntoResponseParts for SetCookies {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut parts: ResponseParts) -> Result<ResponseParts, Self::Error> {
        self.write(parts.headers_mut());
        Ok(parts)
    }
}

impl SetCookies {
    /// Appends a `Set-Cookie` header per cookie.
    pub(crate) fn write(self, headers: &mut HeaderMap) {
        for cookie in self.0 {
            // Names are checked when the configuration is built and values are
            // tokens or hex, so every cookie is a valid header value.
            if let Ok(value) = HeaderValue::try_from(cookie.to_string()) {
                headers.append(SET_COOKIE, value);
            }
        }
    }
}

impl fmt::Debug for SetCookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(Cookie::name))
            .finish()
    }
}

/// Which token a cookie belongs to.
#[derive(Clone, Copy)]
enum CookieOf {
    Access,
    Refresh,
}

/// A CSRF value: 244 random bits from the system's generator, as 64 hex digits.
fn csrf_value() -> String {
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    format!("{}{}", a.simple(), b.simple())
}

impl Login<'_> {
    /// Issues what a browser login sets: the pair, each token in its
    /// `HttpOnly` cookie, and their CSRF cookies; the session is kept.
    pub async fn cookies(self) -> Result<SetCookies, IssueError> {
        let auth = self.auth;
        let csrf = [csrf_value(), csrf_value()];
        let pair = self.pair(Some([&csrf[0], &csrf[1]])).await?;
        let [access_csrf, refresh_csrf] = csrf;
        Ok(SetCookies(vec![
            auth.token_cookie(CookieOf::Access, pair.access_token),
            auth.csrf_cookie(CookieOf::Access, access_csrf),
            auth.token_cookie(CookieOf::Refresh, pair.refresh_token),
            auth.csrf_cookie(CookieOf::Refresh, refresh_csrf),
        ]))
    }
}

impl PasetoAuth {
    /// What a browser refresh sets: the access token of
    /// [`refresh`](PasetoAuth::refresh), with a CSRF value, in its cookie, and
    /// its CSRF cookie.
    pub async fn refresh_cookies<T>(&self, refresh: &Claims<T>) -> Result<SetCookies, IssueError> {
        let now = refresh_time(refresh).map_err(|e| IssueError::Rejected(self.reject(e)))?;
        let access = self.granted_access(refresh, Occasion::Refresh, now).await?;
        let cookies = self.access_cookies(access, self.settings.options.access_ttl)?;
        self.touch_session(refresh.subject(), refresh.family_id(), now)
            .await;
        Ok(cookies)
    }

    /// The access token `access` will issue, with a new CSRF value, in its
    /// cookie and its CSRF cookie, both lasting `lifetime`.
    pub(crate) fn access_cookies(
        &self,
        access: TokenBuilder<'_, Access>,
        lifetime: Duration,
    ) -> Result<SetCookies, IssueError> {
        let csrf = csrf_value();
        let access = access.csrf(&csrf).issue()?;
        let mut cookies = vec![
            self.token_cookie(CookieOf::Access, access),
            self.csrf_cookie(CookieOf::Access, csrf),
        ];
        if self.settings.options.cookie_max_age {
            for cookie in &mut cookies {
                cookie.set_max_age(lifetime);
            }
        }
        Ok(SetCookies(cookies))
    }

    /// What a browser logout sets: all four cookies cleared.
    pub fn clear_cookies(&self) -> SetCookies {
        let mut cookies = vec![
            self.token_cookie(CookieOf::Access, String::new()),
            self.csrf_cookie(CookieOf::Access, String::new()),
            self.token_cookie(CookieOf::Refresh, String::new()),
            self.csrf_cookie(CookieOf::Refresh, String::new()),
        ];
        for cookie in &mut cookies {
            cookie.make_removal();
        }
        SetCookies(cookies)
    }

    fn token_cookie(&self, of: CookieOf, token: String) -> Cookie<'static> {
        let options = &self.settings.options;
        let (name, path) = match of {
            CookieOf::Access => (&options.access_cookie, &options.access_cookie_path),
            CookieOf::Refresh => (&options.refresh_cookie, &options.refresh_cookie_path),
        };
        let mut cookie = self.cookie(of, name.clone(), token);
        cookie.set_http_only(true);
        cookie.set_path(path.clone());
        cookie
    }

    fn csrf_cookie(&self, of: CookieOf, value: String) -> Cookie<'static> {
        let options = &self.settings.options;
        let name = match of {
            CookieOf::Access => &options.csrf_access_cookie,
            CookieOf::Refresh => &options.csrf_refresh_cookie,
        };
        let mut cookie = self.cookie(of, name.clone(), value);
        cookie.set_path("/");
        cookie
    }

    /// The attributes every cookie shares: `Secure`, `SameSite`, and `Max-Age`
    /// from the token's lifetime unless session cookies are configured.
    fn cookie(&self, of: CookieOf, name: String, value: String) -> Cookie<'static> {
        let options = &self.settings.options;
        let mut cookie = Cookie::new(name, value);
        cookie.set_secure(options.cookie_secure);
        cookie.set_same_site(options.cookie_same_site);
        if options.cookie_max_age {
            let ttl: Duration = match of {
                CookieOf::Access => options.access_ttl,
                CookieOf::Refresh => options.refresh_ttl,
            };
            cookie.set_max_age(ttl);
        }
        cookie
    }
}
