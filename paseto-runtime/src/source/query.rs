//! The query string of a WebSocket upgrade, for browsers, which cannot set
//! headers on `new WebSocket(url)`: read only on upgrade requests, and only
//! where the configuration allows it.

use std::borrow::Cow;

use http::header::{CONNECTION, UPGRADE};
use http::request::Parts;
use http::{HeaderMap, HeaderName, Method};

use crate::error::AuthError;
use crate::settings::{QuerySpec, Settings};
use crate::untrusted::MAX_TOKEN_LEN;

/// The token in the configured query parameter of a WebSocket upgrade request.
pub(super) fn token<'r>(
    settings: &Settings,
    parts: &'r Parts,
) -> Result<Option<Cow<'r, str>>, AuthError> {
    let (Some(spec), Some(query)) = (&settings.query, parts.uri.query()) else {
        return Ok(None);
    };
    if !is_websocket_upgrade(parts) {
        return Ok(None);
    }
    let mut values = form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| **key == *spec.key)
        .map(|(_, value)| value);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(malformed(spec));
    }
    let scheme = &settings.options.websocket_query_scheme;
    if value.len() > MAX_TOKEN_LEN + scheme.len() + 1 {
        return Err(AuthError::TooLarge);
    }
    if scheme.is_empty() {
        return Ok(Some(value));
    }
    let token = match value {
        Cow::Borrowed(text) => without_scheme(text, scheme).map(Cow::Borrowed),
        Cow::Owned(text) => without_scheme(&text, scheme).map(|t| Cow::Owned(t.to_owned())),
    };
    token.map(Some).ok_or_else(|| malformed(spec))
}

/// The token after `<scheme> `, the scheme matched case-insensitively.
fn without_scheme<'t>(text: &'t str, scheme: &str) -> Option<&'t str> {
    let (given, token) = text.split_once(' ')?;
    (given.eq_ignore_ascii_case(scheme) && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

fn malformed(spec: &QuerySpec) -> AuthError {
    AuthError::MalformedQueryToken {
        key: spec.key.clone(),
        expected: spec.form.clone(),
    }
}

/// A request axum may take as a WebSocket upgrade, and some it would not: every
/// `CONNECT` (HTTP/2's extended CONNECT, RFC 8441, carries `:protocol
/// websocket` in a type of hyper's, and no other `CONNECT` reaches a route),
/// and a `GET` whose `Connection` mentions `upgrade` and whose `Upgrade`
/// mentions `websocket`. Both are matched as substrings, case-insensitively, in
/// any of their values: axum reads the first `Connection` value as a
/// substring, so a narrower match here would let an upgrade skip the checks
/// that upgrades get.
pub(crate) fn is_websocket_upgrade(parts: &Parts) -> bool {
    parts.method == Method::CONNECT
        || (parts.method == Method::GET
            && mentions(&parts.headers, CONNECTION, "upgrade")
            && mentions(&parts.headers, UPGRADE, "websocket"))
}

/// Whether any value of header `name` holds `wanted`, case-insensitively.
fn mentions(headers: &HeaderMap, name: HeaderName, wanted: &str) -> bool {
    headers.get_all(name).iter().any(|value| {
        value
            .as_bytes()
            .windows(wanted.len())
            .any(|window| window.eq_ignore_ascii_case(wanted.as_bytes()))
    })
}
