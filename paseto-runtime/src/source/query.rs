//! The query string of a WebSocket upgrade, for browsers, which cannot set
//! headers on `new WebSocket(url)`: read only on upgrade requests, and only
//! where the configuration allows it.

use std::borrow::Cow;

use http::header::{CONNECTION, UPGRADE};
use http::request::Parts;
use http::{HeaderMap, Method};

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

/// A `GET` with `Connection: upgrade` (one of its tokens) and `Upgrade: websocket`.
pub(crate) fn is_websocket_upgrade(parts: &Parts) -> bool {
    parts.method == Method::GET && upgrades_to_websocket(&parts.headers)
}

fn upgrades_to_websocket(headers: &HeaderMap) -> bool {
    let has = |name, wanted: &str| {
        headers.get_all(name).iter().any(|value| {
            value.to_str().is_ok_and(|text| {
                text.split(',')
                    .any(|token| token.trim().eq_ignore_ascii_case(wanted))
            })
        })
    };
    has(CONNECTION, "upgrade") && has(UPGRADE, "websocket")
}
