//! The configured header: `<scheme> <token>`, or the bare token.

use http::HeaderMap;

use crate::error::AuthError;
use crate::settings::Settings;
use crate::untrusted::MAX_TOKEN_LEN;

/// Finds the token in the configured header: `<scheme> <token>`, the scheme matched
/// case-insensitively, or the bare token when the scheme is empty.
pub(super) fn token<'h>(
    settings: &Settings,
    headers: &'h HeaderMap,
) -> Result<Option<&'h str>, AuthError> {
    let malformed = || AuthError::MalformedHeader {
        header: settings.header.label.clone(),
        expected: settings.header.form.clone(),
    };
    let mut values = headers.get_all(&settings.header.name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(malformed());
    }
    if value.len() > MAX_TOKEN_LEN + settings.options.scheme.len() + 1 {
        return Err(AuthError::TooLarge);
    }
    let text = value.to_str().map_err(|_| malformed())?;
    let mut parts = text.split(' ').filter(|part| !part.is_empty());
    let token = if settings.options.scheme.is_empty() {
        parts.next()
    } else {
        let scheme = parts.next().ok_or_else(malformed)?;
        let token = parts.next().ok_or_else(malformed)?;
        if !scheme.eq_ignore_ascii_case(&settings.options.scheme) {
            return Err(AuthError::UnsupportedScheme {
                header: settings.header.label.clone(),
                expected: settings.header.form.clone(),
            });
        }
        Some(token)
    };
    match (token, parts.next()) {
        (Some(token), None) => Ok(Some(token)),
        _ => Err(malformed()),
    }
}
