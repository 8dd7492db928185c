//! What a cookie-authenticated request must also show, since a browser attaches
//! cookies to requests other sites make it send: for a state-changing method,
//! the CSRF value repeated in a header (double submit); for a WebSocket upgrade,
//! an allowed `Origin` (cross-site WebSocket hijacking).

use http::header::{HOST, ORIGIN};
use http::request::Parts;
use subtle::ConstantTimeEq;

use crate::claims::Claims;
use crate::error::AuthError;
use crate::settings::Settings;
use crate::source::is_websocket_upgrade;

/// Checks a request that a cookie authenticated, once its token is verified.
pub(crate) fn check<T>(
    settings: &Settings,
    parts: &Parts,
    claims: &Claims<T>,
) -> Result<(), AuthError> {
    if is_websocket_upgrade(parts) && !origin_allowed(settings, parts) {
        return Err(AuthError::ForbiddenOrigin);
    }
    if !settings.options.csrf_methods.contains(&parts.method) {
        return Ok(());
    }
    let Some(sent) = parts.headers.get(&settings.csrf_header) else {
        return Err(AuthError::MissingCsrf);
    };
    let expected = claims.registered.csrf.as_deref().unwrap_or_default();
    let matches: bool = sent.as_bytes().ct_eq(expected.as_bytes()).into();
    if matches && !expected.is_empty() {
        Ok(())
    } else {
        Err(AuthError::CsrfMismatch)
    }
}

/// The `Origin` is one of the configured origins or, by default, the request's
/// own host (over either scheme). No `Origin` is no proof: refused.
fn origin_allowed(settings: &Settings, parts: &Parts) -> bool {
    let Some(origin) = parts.headers.get(ORIGIN).and_then(|o| o.to_str().ok()) else {
        return false;
    };
    let allowed = &settings.options.websocket_origins;
    if !allowed.is_empty() {
        return allowed
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(origin));
    }
    let Some(host) = parts.headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    ["http://", "https://"].iter().any(|scheme| {
        origin
            .strip_prefix(scheme)
            .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
    })
}
