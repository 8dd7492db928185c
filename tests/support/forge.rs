//! Tokens with arbitrary payloads under the test key, to reach every check.

use pasetors::keys::SymmetricKey;
use pasetors::version4::{LocalToken, V4};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::fixtures::KEY;

/// A time `seconds` from now (negative: in the past), as an RFC 3339 claim value.
pub fn at(seconds: i64) -> Value {
    let time = OffsetDateTime::now_utc() + time::Duration::seconds(seconds);
    Value::from(time.format(&Rfc3339).expect("formattable"))
}

/// A valid access-token payload for `alice`, as fastapi-paseto lays it out.
pub fn access_claims() -> Value {
    json!({
        "sub": "alice",
        "iat": at(0),
        "nbf": at(0),
        "exp": at(900),
        "jti": "6f1c1a6e-2f7a-4d59-9d1e-6a1f0b0c2d3e",
        "type": "access",
        "fresh": false,
    })
}

/// `payload` with `name` set to `value`, or removed when `value` is `None`.
pub fn with(mut payload: Value, name: &str, value: Option<Value>) -> Value {
    let map = payload.as_object_mut().expect("an object payload");
    match value {
        Some(value) => map.insert(name.to_owned(), value),
        None => map.remove(name),
    };
    payload
}

/// Encrypts any payload bytes as a v4.local token under the test key.
pub fn forge(payload: &[u8]) -> String {
    forge_with(payload, None)
}

/// Encrypts any payload bytes, with a footer, as a v4.local token under the test key.
pub fn forge_with(payload: &[u8], footer: Option<&[u8]>) -> String {
    let key = SymmetricKey::<V4>::from(&KEY).expect("32 bytes");
    LocalToken::encrypt(&key, payload, footer, None).expect("encryptable")
}

/// Encrypts a JSON payload as a v4.local token under the test key.
pub fn forge_json(payload: &Value) -> String {
    forge(payload.to_string().as_bytes())
}
