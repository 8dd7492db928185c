//! Tokens in a JSON body: read from the body by the layer, kept in the request's
//! extensions, taken by the extractor. Only the two token keys are read; any
//! other value is skipped without being built.

use std::fmt;
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::AuthError;
use crate::kind::TokenType;

/// The top-level keys a JSON body's tokens are read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BodyKeys {
    pub(crate) access: Box<str>,
    pub(crate) refresh: Box<str>,
}

/// The tokens a body carried, left in the request's extensions by
/// [`JsonBodyLayer`](crate::layer::JsonBodyLayer).
#[derive(Clone, Debug)]
pub(crate) struct BodyTokens {
    access: Found,
    refresh: Found,
    keys: Arc<BodyKeys>,
}

/// What a body holds under one key.
#[derive(Clone, Debug, Default)]
enum Found {
    #[default]
    Absent,
    Token(String),
    /// Not a string, or the key given twice.
    Malformed,
}

impl BodyTokens {
    /// The tokens of a JSON object under `keys`; `None` for anything else.
    pub(crate) fn read(keys: &Arc<BodyKeys>, body: &[u8]) -> Option<Self> {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let (access, refresh) = TopLevel(keys).deserialize(&mut deserializer).ok()?;
        deserializer.end().ok()?;
        Some(Self {
            access,
            refresh,
            keys: Arc::clone(keys),
        })
    }

    /// The token for a guard of type `wanted`: refresh guards read the refresh key,
    /// every other guard the access key. An error when that key holds something
    /// other than one string.
    pub(crate) fn get(&self, wanted: TokenType) -> Result<Option<&str>, AuthError> {
        let (found, key) = if wanted == TokenType::Refresh {
            (&self.refresh, &self.keys.refresh)
        } else {
            (&self.access, &self.keys.access)
        };
        match found {
            Found::Absent => Ok(None),
            Found::Token(token) => Ok(Some(token)),
            Found::Malformed => Err(AuthError::MalformedBodyToken {
                key: Arc::from(&**key),
            }),
        }
    }
}

/// Reads a JSON object's two token keys and skips every other value unparsed.
struct TopLevel<'k>(&'k BodyKeys);

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = (Found, Found);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = (Found, Found);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut access, mut refresh) = (Found::Absent, Found::Absent);
        while let Some(slot) = map.next_key_seed(KeyOf(self.0))? {
            match slot {
                KeyMatch::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
                KeyMatch::Access => access = access.with(map.next_value_seed(TokenValue)?),
                KeyMatch::Refresh => refresh = refresh.with(map.next_value_seed(TokenValue)?),
                KeyMatch::Both => {
                    let value = map.next_value_seed(TokenValue)?;
                    access = access.with(value.clone());
                    refresh = refresh.with(value);
                }
            }
        }
        Ok((access, refresh))
    }
}

impl Found {
    /// What a key holds once `value` is seen under it: a second value is malformed.
    fn with(self, value: Option<String>) -> Self {
        match (self, value) {
            (Self::Absent, Some(token)) => Self::Token(token),
            _ => Self::Malformed,
        }
    }
}

/// Reads a token key's value: the string, or `None` for any other JSON value,
/// which is skipped without being built, so a huge array costs no memory.
struct TokenValue;

impl<'de> DeserializeSeed<'de> for TokenValue {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TokenValue {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a token string")
    }

    fn visit_str<E>(self, token: &str) -> Result<Self::Value, E> {
        Ok(Some(token.to_owned()))
    }

    fn visit_string<E>(self, token: String) -> Result<Self::Value, E> {
        Ok(Some(token))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// Which token keys an object key is; both when they are configured alike.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyMatch {
    Access,
    Refresh,
    Both,
    Other,
}

/// Reads an object key into its [`KeyMatch`] without keeping it.
struct KeyOf<'k>(&'k BodyKeys);

impl<'de> DeserializeSeed<'de> for KeyOf<'_> {
    type Value = KeyMatch;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<KeyMatch, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyOf<'_> {
    type Value = KeyMatch;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<KeyMatch, E> {
        Ok(match (key == &*self.0.access, key == &*self.0.refresh) {
            (true, true) => KeyMatch::Both,
            (true, false) => KeyMatch::Access,
            (false, true) => KeyMatch::Refresh,
            (false, false) => KeyMatch::Other,
        })
    }
}
