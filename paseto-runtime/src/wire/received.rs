//! A token's payload as read, before any check: every registered claim may be
//! absent or of the wrong type, so that a wrong type becomes a precise error.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A registered claim as the token holds it, before it is checked.
///
/// Reading every JSON value into this lenient shape lets a wrong type become a
/// precise error ("malformed `exp`") instead of a generic parse failure.
#[derive(Debug)]
pub(crate) enum Raw<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    Int(u64),
    List(Vec<Raw<'a>>),
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Raw::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Raw::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Raw::Str(Cow::Owned(v)))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Raw::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Raw::Other)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Raw::Int(v))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Raw::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Raw::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Raw::Other)
    }
}

/// A token's payload as read: the registered claims, each possibly absent or of
/// the wrong type, and the user's claims beside them.
#[derive(serde::Deserialize)]
#[serde(bound = "T: Deserialize<'de>")]
pub(crate) struct ReceivedPayload<'a, T> {
    #[serde(borrow)]
    pub(crate) sub: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(crate) jti: Option<Raw<'a>>,
    #[serde(borrow, rename = "type")]
    pub(crate) token_type: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(crate) fresh: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(crate) iat: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(crate) nbf: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(crate) exp: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(crate) iss: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(crate) aud: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(crate) fam: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(crate) r#gen: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(crate) csrf: Option<Raw<'a>>,
    #[serde(borrow)]
    pub(crate) auth_time: Option<Raw<'a>>,
    /// The default scope claim; another name is read by [`named_claim`].
    #[serde(borrow)]
    pub(crate) scope: Option<Raw<'a>>,
    #[serde(flatten)]
    pub(crate) extra: T,
}

/// The claim `name` of a payload, read alone: for a scope claim configured
/// under a name the payload's own fields do not know. A claim given twice is an
/// error, as it is for the fields.
pub(crate) fn named_claim<'a>(payload: &'a str, name: &str) -> Result<Option<Raw<'a>>, ()> {
    struct Named<'n>(&'n str);

    impl<'de> Visitor<'de> for Named<'_> {
        type Value = Option<Raw<'de>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key != self.0 {
                    map.next_value::<IgnoredAny>()?;
                } else if found.is_some() {
                    return Err(de::Error::duplicate_field("scope"));
                } else {
                    found = Some(map.next_value::<Raw<'de>>()?);
                }
            }
            Ok(found)
        }
    }

    let mut reader = serde_json::Deserializer::from_str(payload);
    reader.deserialize_map(Named(name)).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_reads_wrong_types_as_raw_values() {
        let payload: ReceivedPayload<'_, ()> =
            serde_json::from_str(r#"{"sub":1,"exp":{"a":[1]},"aud":["a",2],"fresh":true}"#)
                .unwrap();
        assert!(matches!(payload.sub, Some(Raw::Int(1))));
        assert!(matches!(payload.exp, Some(Raw::Other)));
        assert!(matches!(payload.aud, Some(Raw::List(ref items)) if items.len() == 2));
        assert!(matches!(payload.fresh, Some(Raw::Bool(true))));
        assert!(payload.jti.is_none());
    }

    #[test]
    fn a_claim_is_read_alone_by_its_name() {
        let payload = r#"{"sub":"a","scp":"x y","n":{"scp":1}}"#;
        assert!(matches!(named_claim(payload, "scp"), Ok(Some(Raw::Str(s))) if s == "x y"));
        assert!(matches!(named_claim(payload, "roles"), Ok(None)));
        assert!(named_claim(r#"{"scp":"a","scp":"b"}"#, "scp").is_err());
    }
}
