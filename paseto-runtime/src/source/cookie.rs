//! Token cookies, for browsers: the access cookie for access and custom guards,
//! the refresh cookie for refresh guards. A request authenticated this way must
//! also pass the checks in [`crate::csrf`].

use http::HeaderMap;
use http::header::COOKIE;

use crate::error::AuthError;
use crate::kind::TokenType;
use crate::settings::Settings;
use crate::untrusted::MAX_TOKEN_LEN;

/// The token in the cookie a guard of type `wanted` reads, where cookies are allowed.
pub(super) fn token<'r>(
    settings: &Settings,
    headers: &'r HeaderMap,
    wanted: TokenType,
) -> Result<Option<&'r str>, AuthError> {
    let options = &settings.options;
    if !options.cookie_tokens {
        return Ok(None);
    }
    let name = if wanted == TokenType::Refresh {
        &options.refresh_cookie
    } else {
        &options.access_cookie
    };
    let mut found = None;
    for value in headers.get_all(COOKIE) {
        let Ok(text) = value.to_str() else { continue };
        for cookie in cookie::Cookie::split_parse(text).flatten() {
            if cookie.name() == name.as_str() {
                if found.is_some() {
                    return Err(AuthError::MalformedToken);
                }
                let value = cookie.value_raw().unwrap_or_default();
                found = Some(value);
            }
        }
    }
    match found {
        Some(token) if token.len() > MAX_TOKEN_LEN => Err(AuthError::TooLarge),
        found => Ok(found),
    }
}
