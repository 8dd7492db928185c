//! What a cookie-authenticated request must also show, since a browser attaches
//! cookies to requests other sites make it send: for a state-changing method,
//! the CSRF value repeated in a header (double submit); for a WebSocket upgrade,
//! an allowed `Origin` (cross-site WebSocket hijacking).

use std::net::IpAddr;

use http::header::{HOST, ORIGIN};
use http::request::Parts;
use http::uri::Authority;
use subtle::ConstantTimeEq;

use crate::claims::Claims;
use crate::error::AuthError;
use crate::settings::Settings;
use crate::source::is_websocket_upgrade;

/// Checks a request that a cookie authenticated, once its token is verified.
pub(crate) fn enforce<T>(
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
/// own origin: its host (the `Host` header, or an HTTP/2 request's
/// `:authority`) with its scheme (see [`own_scheme`]). No `Origin` is no proof:
/// refused.
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
    let host = match parts.headers.get(HOST) {
        Some(host) => host.to_str().ok(),
        None => parts.uri.authority().map(Authority::as_str),
    };
    let (Some(host), Some((scheme, rest))) = (host, origin.split_once("://")) else {
        return false;
    };
    rest.eq_ignore_ascii_case(host) && own_scheme(settings, parts, host, scheme)
}

/// Whether `scheme` can be the request's own. With `Secure` cookies, which a
/// browser sends only to `https` pages and to loopback hosts over plain HTTP:
/// `https`, or `http` for a loopback host, whatever the URI says (a
/// TLS-terminating proxy's plain hop says `http`). Otherwise the request's
/// scheme where it says it (an HTTP/2 request's `:scheme`, an absolute URI),
/// else either.
fn own_scheme(settings: &Settings, parts: &Parts, host: &str, scheme: &str) -> bool {
    let https = scheme.eq_ignore_ascii_case("https");
    let http = scheme.eq_ignore_ascii_case("http");
    if settings.options.cookie_secure {
        return https || (http && is_loopback(host));
    }
    match parts.uri.scheme_str() {
        Some(known) => scheme.eq_ignore_ascii_case(known),
        None => https || http,
    }
}

/// `localhost`, a `.localhost` name, `127.0.0.0/8` or `[::1]`, with or without a port.
fn is_loopback(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name.to_ascii_lowercase().ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_hosts_with_and_without_ports() {
        for host in [
            "localhost",
            "LOCALHOST:3000",
            "app.localhost",
            "127.0.0.1",
            "127.1.2.3:80",
            "[::1]",
            "[::1]:8080",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "example.com",
            "127.0.0.1.example.com",
            "localhost.example",
            "10.0.0.1:3000",
            "[::2]:80",
            "",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
