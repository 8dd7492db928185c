//! The footer: a JSON object with the issuing key's `kid` and the members the
//! configuration adds. A received footer is read before verification only to
//! choose the key, with a bounded read of the one member that matters.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::AuthError;

/// The member naming the key, as the PASETO specification reserves it.
pub(crate) const KID: &str = "kid";

/// What the configuration asks of footers, derived once when it is built.
#[derive(Debug)]
pub(crate) struct FooterSpec {
    /// The `kid` issued tokens carry: the current key's PASERK id; `None` for a
    /// raw secret, or when `kid_footer(false)` leaves it out.
    pub(crate) kid: Option<String>,
    /// What tokens issued with the configured footer carry: the `kid`, then the
    /// configured members; empty when there is neither, and the tokens have no
    /// footer.
    pub(crate) issued: Vec<u8>,
    /// The configured members, which every footer received must hold besides
    /// its `kid`, and nothing else; `None` when none are configured, and any
    /// footer is taken.
    pub(crate) required: Option<Map<String, Value>>,
}

impl FooterSpec {
    /// The footer spec of the key `kid` (none for a raw secret, or without
    /// the `kid` footer) with the configured `members`.
    pub(crate) fn new(kid: Option<&str>, members: Option<Map<String, Value>>) -> Self {
        Self {
            kid: kid.map(str::to_owned),
            issued: issued(kid, members.as_ref()),
            required: members,
        }
    }

    /// Whether a received footer holds the configured members and only them,
    /// besides its `kid`. The footer is authenticated later, with the payload.
    pub(crate) fn admits(&self, footer: &[u8]) -> bool {
        let Some(required) = &self.required else {
            return true;
        };
        match serde_json::from_slice::<Map<String, Value>>(footer) {
            Ok(mut members) => {
                members.remove(KID);
                members == *required
            }
            Err(_) => false,
        }
    }
}

/// The footer of a token issued by the key `kid`: `{"kid": …}` and `members`;
/// empty when there is neither.
pub(crate) fn issued(kid: Option<&str>, members: Option<&Map<String, Value>>) -> Vec<u8> {
    if kid.is_none() && members.is_none() {
        return Vec::new();
    }
    let mut footer = Map::new();
    if let Some(kid) = kid {
        footer.insert(KID.to_owned(), Value::from(kid));
    }
    footer.extend(
        members
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    // A map of strings and JSON values always serializes.
    serde_json::to_vec(&footer).unwrap_or_default()
}

/// Configured members for a footer: a JSON object without `kid`, or `None`.
pub(crate) fn members(value: Value) -> Option<Map<String, Value>> {
    match value {
        Value::Object(members) if !members.contains_key(KID) => Some(members),
        _ => None,
    }
}

/// The `kid` a received footer names, read without trusting the footer: only
/// its key is chosen by it. No footer, a footer that is not JSON (an opaque
/// string), or a JSON object without `kid` names none. A footer that is not
/// UTF-8, a JSON object that does not parse, whose `kid` is anything but a
/// plain string (`null` included), or that names `kid` twice is
/// [`AuthError::MalformedToken`]. The token's length is checked first, which
/// bounds this read.
pub(crate) fn key_id(footer: &[u8]) -> Result<Option<&str>, AuthError> {
    /// The one member read; serde refuses it twice, and a borrowed `&str`
    /// refuses escapes, which no key id has.
    #[derive(Deserialize)]
    struct Read<'a> {
        #[serde(default, borrow, deserialize_with = "present")]
        kid: Option<&'a str>,
    }

    /// A `kid` that is there must be a string: `null` is not "no `kid`".
    fn present<'de, D: serde::Deserializer<'de>>(kid: D) -> Result<Option<&'de str>, D::Error> {
        <&str>::deserialize(kid).map(Some)
    }

    let footer = std::str::from_utf8(footer).map_err(|_| AuthError::MalformedToken)?;
    if !footer.trim_start().starts_with('{') {
        return Ok(None);
    }
    serde_json::from_str::<Read<'_>>(footer)
        .map(|read| read.kid)
        .map_err(|_| AuthError::MalformedToken)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const KID_A: &str = "k4.lid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    #[test]
    fn the_kid_is_read_from_json_footers_only() {
        assert_eq!(key_id(b""), Ok(None));
        assert_eq!(key_id(b"arbitrary-string-that-isn't-json"), Ok(None));
        assert_eq!(key_id(br#"{"app":"billing"}"#), Ok(None));
        let spaced = format!(r#" {{"kid": "{KID_A}", "nested": {{"kid": 1}}}}"#);
        assert_eq!(key_id(spaced.as_bytes()), Ok(Some(KID_A)));
    }

    #[test]
    fn an_ambiguous_or_broken_kid_is_malformed() {
        for footer in [
            r#"{"kid":"a","kid":"b"}"#,
            r#"{"kid":"k4.lid.\u0041"}"#,
            r#"{"kid":1}"#,
            r#"{"kid":null}"#,
            r#"{"kid":["k4.lid.x"]}"#,
            r#"{"kid":"a""#,
            r#"{"kid":"a"} trailing"#,
        ] {
            assert_eq!(
                key_id(footer.as_bytes()),
                Err(AuthError::MalformedToken),
                "{footer}"
            );
        }
        assert_eq!(key_id(b"\xff"), Err(AuthError::MalformedToken));
    }

    #[test]
    fn deep_nesting_is_skipped_without_recursion() {
        // As deep as a token of the largest accepted length can nest.
        let depth = crate::untrusted::MAX_TOKEN_LEN / 2;
        let deep = format!(r#"{{"x":{}{}}}"#, "[".repeat(depth), "]".repeat(depth));
        assert_eq!(key_id(deep.as_bytes()), Ok(None));
    }

    #[test]
    fn issued_footers_carry_the_kid_and_the_configured_members() {
        let members = super::members(json!({ "app": "billing" }));
        let spec = FooterSpec::new(Some(KID_A), members);
        let issued: Value = serde_json::from_slice(&spec.issued).unwrap();
        assert_eq!(issued, json!({ "kid": KID_A, "app": "billing" }));
        assert!(spec.admits(br#"{"kid":"other","app":"billing"}"#));
        assert!(spec.admits(br#"{"app":"billing"}"#));
        assert!(!spec.admits(br#"{"app":"billing","admin":true}"#));
        assert!(!spec.admits(br#"{"app":"shop"}"#));
        assert!(!spec.admits(b"billing"));
        assert!(!spec.admits(b""));
        assert!(FooterSpec::new(Some(KID_A), None).admits(b"anything"));
        assert!(FooterSpec::new(None, None).issued.is_empty());
        let raw = FooterSpec::new(None, super::members(json!({ "app": "x" })));
        assert_eq!(raw.issued, br#"{"app":"x"}"#);
        assert_eq!(super::members(json!({ "kid": "mine" })), None);
        assert_eq!(super::members(json!("text")), None);
    }
}
