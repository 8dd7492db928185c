//! A token's payload as written: fastapi-paseto's layout, then the user's own claims.

use serde::Serialize;
use serde_json::{Map, Value};

use super::TimeText;
use super::token_id::TokenId;

/// The payload as written: fastapi-paseto's layout, then the user's own claims.
#[derive(Serialize)]
pub(crate) struct IssuedPayload<'a> {
    pub(crate) sub: &'a str,
    pub(crate) iat: &'a str,
    pub(crate) nbf: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) exp: Option<TimeText>,
    pub(crate) jti: TokenId,
    #[serde(rename = "type")]
    pub(crate) token_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fresh: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) aud: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fam: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) r#gen: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) csrf: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) auth_time: Option<TimeText>,
    #[serde(flatten)]
    pub(crate) extra: &'a Map<String, Value>,
}
