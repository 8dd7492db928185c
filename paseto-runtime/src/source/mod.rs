//! Where a token comes from: the configured header, then on WebSocket upgrades
//! the query string (where allowed), then a JSON body that
//! [`JsonBodyLayer`](crate::layer::JsonBodyLayer) read, then a cookie (where allowed):
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
use crate::kind::TokenType;
use crate::settings::{Settings, TokenSource};

/// The token a request carries for a guard of type `wanted`, if any, and the source
/// it came from: a cookie-authenticated request must pass the CSRF and origin
/// checks. Sources are tried in the configured order.
pub(crate) fn find<'r>(
    settings: &Settings,
    parts: &'r Parts,
    wanted: TokenType,
) -> Result<Option<(Cow<'r, str>, TokenSource)>, AuthError> {
    for &source in &settings.options.token_sources {
        let token = match source {
            TokenSource::Header => header::token(settings, &parts.headers)?.map(Cow::Borrowed),
            TokenSource::Query => query::token(settings, parts)?,
            TokenSource::JsonBody => match parts.extensions.get::<BodyTokens>() {
                Some(tokens) => tokens.get(wanted)?.map(Cow::Borrowed),
                None => None,
            },
            TokenSource::Cookie => {
                cookie::token(settings, &parts.headers, wanted)?.map(Cow::Borrowed)
            }
        };
        if let Some(token) = token {
            return Ok(Some((token, source)));
        }
    }
    Ok(None)
}
