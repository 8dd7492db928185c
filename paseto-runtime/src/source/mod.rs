//! Where a token comes from: the configured header, then on WebSocket upgrades
//! the query string (where allowed), then a JSON body that
//! [`JsonBodyLayer`](crate::JsonBodyLayer) read. The first source that holds
//! something decides: a malformed one is an error, not a reason to try the next.

mod body;
mod header;
mod query;

use std::borrow::Cow;

use http::request::Parts;

pub(crate) use body::{BodyKeys, BodyTokens};

use crate::error::AuthError;
use crate::settings::Settings;
use crate::token_type::TokenClass;

/// The token a request carries for a guard of `class`, if any.
pub(crate) fn find<'r>(
    settings: &Settings,
    parts: &'r Parts,
    class: TokenClass,
) -> Result<Option<Cow<'r, str>>, AuthError> {
    if let Some(token) = header::token(settings, &parts.headers)? {
        return Ok(Some(Cow::Borrowed(token)));
    }
    if let Some(token) = query::token(settings, parts)? {
        return Ok(Some(token));
    }
    match parts.extensions.get::<BodyTokens>() {
        Some(tokens) => Ok(tokens.get(class)?.map(Cow::Borrowed)),
        None => Ok(None),
    }
}
