//! Where a token comes from: the configured header, then on WebSocket upgrades
//! the query string (where allowed), then a JSON body that
//! [`JsonBodyLayer`](crate::JsonBodyLayer) read, then a cookie (where allowed):
//! explicit credentials before ambient ones. The first source that holds
//! something decides: a malformed one is an error, not a reason to try the next.

mod body;
mod cookie;
mod header;
mod query;

use std::borrow::Cow;

use http::request::Parts;

pub(crate) use body::{BodyKeys, BodyTokens};
pub(crate) use query::is_websocket_upgrade;

use crate::error::AuthError;
use crate::settings::Settings;
use crate::token_type::TokenClass;

/// Which source a token came from: a cookie-authenticated request must pass the
/// CSRF and origin checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    Header,
    Query,
    Body,
    Cookie,
}

/// The token a request carries for a guard of `class`, if any, and its source.
pub(crate) fn find<'r>(
    settings: &Settings,
    parts: &'r Parts,
    class: TokenClass,
) -> Result<Option<(Cow<'r, str>, Via)>, AuthError> {
    if let Some(token) = header::token(settings, &parts.headers)? {
        return Ok(Some((Cow::Borrowed(token), Via::Header)));
    }
    if let Some(token) = query::token(settings, parts)? {
        return Ok(Some((token, Via::Query)));
    }
    if let Some(tokens) = parts.extensions.get::<BodyTokens>()
        && let Some(token) = tokens.get(class)?
    {
        return Ok(Some((Cow::Borrowed(token), Via::Body)));
    }
    let cookie = cookie::token(settings, &parts.headers, class)?;
    Ok(cookie.map(|token| (Cow::Borrowed(token), Via::Cookie)))
}
