//! The verified claims a handler receives, and how a token's payload is read into them.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The claims of a verified token: the registered ones (`sub`, `exp`, `iat`, `nbf`,
/// `jti`, `iss`, `aud`), `type` and `fresh`, and the user's own claims `T`, read
/// from the token's top-level fields.
///
/// A `Claims` value can only be obtained from a token that passed every check:
/// there is no public constructor and it does not implement `Deserialize`.
///
/// The guard attributes fill a handler's `Claims` parameter. Taken as an axum
/// extractor on its own, `Claims<T>` accepts access tokens, as
/// `#[paseto_required]` does.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims<T = ()> {
    pub(crate) registered: Registered,
    pub(crate) extra: T,
}

/// Every claim but the user's own, checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Registered {
    pub(crate) subject: String,
    pub(crate) token_id: String,
    /// Borrowed for the library's own types, so most verifications allocate less.
    pub(crate) token_type: Cow<'static, str>,
    pub(crate) fresh: bool,
    pub(crate) issued_at: Option<OffsetDateTime>,
    pub(crate) not_before: Option<OffsetDateTime>,
    pub(crate) expires_at: Option<OffsetDateTime>,
    pub(crate) issuer: Option<String>,
    pub(crate) audience: Vec<String>,
    pub(crate) family: Option<String>,
    /// The `gen` claim of a rotated refresh token; 0 when absent.
    pub(crate) generation: u64,
}

impl<T> Claims<T> {
    /// The `sub` claim: whom the token was issued for.
    pub fn subject(&self) -> &str {
        &self.registered.subject
    }

    /// The `jti` claim: the token's unique id, the key for revocation.
    pub fn token_id(&self) -> &str {
        &self.registered.token_id
    }

    /// The `type` claim: `"access"`, `"refresh"` or a custom type.
    pub fn token_type(&self) -> &str {
        &self.registered.token_type
    }

    /// Whether the token is a fresh access token, minted by a credential check.
    pub fn is_fresh(&self) -> bool {
        self.registered.fresh
    }

    /// The `iat` claim, when the token has one.
    pub fn issued_at(&self) -> Option<OffsetDateTime> {
        self.registered.issued_at
    }

    /// The `exp` claim; `None` only where tokens without expiry are allowed.
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.registered.expires_at
    }

    /// The `nbf` claim, when the token has one.
    pub fn not_before(&self) -> Option<OffsetDateTime> {
        self.registered.not_before
    }

    /// The `iss` claim, when the token has one.
    pub fn issuer(&self) -> Option<&str> {
        self.registered.issuer.as_deref()
    }

    /// The `aud` claim: empty when the token has none.
    pub fn audience(&self) -> &[String] {
        &self.registered.audience
    }

    /// The `fam` claim: the refresh family of a token issued by
    /// [`PasetoAuth::rotate`](crate::PasetoAuth::rotate).
    pub fn family(&self) -> Option<&str> {
        self.registered.family.as_deref()
    }

    /// The id that revokes this token's family: the `fam` claim, or for a token
    /// that started a family, its own `jti`.
    pub fn family_id(&self) -> &str {
        self.registered
            .family
            .as_deref()
            .unwrap_or(&self.registered.token_id)
    }

    /// The `gen` claim: how many rotations the refresh token descends from (0
    /// for a login's). Rotation and reuse detection compare it with the family's.
    pub fn generation(&self) -> u64 {
        self.registered.generation
    }

    /// The user's own claims.
    pub fn extra(&self) -> &T {
        &self.extra
    }

    /// Takes the user's own claims out.
    pub fn into_extra(self) -> T {
        self.extra
    }

    /// The same registered claims with `extra` as the user's claims, and the old ones.
    pub(crate) fn replace_extra<U>(self, extra: U) -> (Claims<U>, T) {
        let claims = Claims {
            registered: self.registered,
            extra,
        };
        (claims, self.extra)
    }
}

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

/// A token's payload as read, before any check: every registered claim may be
/// absent or of the wrong type; the user's claims sit beside them.
#[derive(serde::Deserialize)]
#[serde(bound = "T: Deserialize<'de>")]
pub(crate) struct Payload<'a, T> {
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
    #[serde(flatten)]
    pub(crate) extra: T,
}

/// The claim names the library writes and checks; a user's own claims cannot use them.
pub(crate) const RESERVED: [&str; 11] = [
    "sub", "jti", "type", "fresh", "iat", "nbf", "exp", "iss", "aud", "fam", "gen",
];

/// Parses an RFC 3339 timestamp. The form this crate and fastapi-paseto write,
/// `YYYY-MM-DDTHH:MM:SS+00:00`, is read directly; any other goes through the full
/// RFC 3339 parser.
pub(crate) fn parse_time(text: &str) -> Option<OffsetDateTime> {
    parse_utc_seconds(text.as_bytes()).or_else(|| OffsetDateTime::parse(text, &Rfc3339).ok())
}

/// `YYYY-MM-DDTHH:MM:SS+00:00` exactly, or `None`.
fn parse_utc_seconds(text: &[u8]) -> Option<OffsetDateTime> {
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        mi0,
        mi1,
        b':',
        s0,
        s1,
        b'+',
        b'0',
        b'0',
        b':',
        b'0',
        b'0',
    ] = *text
    else {
        return None;
    };
    let digit = |c: u8| c.is_ascii_digit().then(|| c - b'0');
    let two = |a: u8, b: u8| Some(digit(a)? * 10 + digit(b)?);
    let year = i32::from(two(y0, y1)?) * 100 + i32::from(two(y2, y3)?);
    let month = time::Month::try_from(two(m0, m1)?).ok()?;
    let date = time::Date::from_calendar_date(year, month, two(d0, d1)?).ok()?;
    let time = time::Time::from_hms(two(h0, h1)?, two(mi0, mi1)?, two(s0, s1)?).ok()?;
    Some(date.with_time(time).assume_utc())
}

/// Formats a time as fastapi-paseto does: RFC 3339 in UTC, whole seconds, `+00:00`.
pub(crate) fn format_time(time: OffsetDateTime) -> String {
    let t = time.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_written_as_fastapi_paseto_writes_them() {
        let t = datetime!(2026-11-26 06:33:04.999 +01:00);
        assert_eq!(format_time(t), "2026-11-26T05:33:04+00:00");
        assert_eq!(
            parse_time("2026-11-26T05:33:04+00:00"),
            Some(datetime!(2026-11-26 05:33:04 UTC))
        );
    }

    #[test]
    fn the_direct_reading_agrees_with_the_rfc_3339_parser() {
        for text in [
            "2026-11-26T05:33:04+00:00",
            "2000-02-29T23:59:59+00:00",
            "9999-12-31T23:59:59+00:00",
            "0000-01-01T00:00:00+00:00",
        ] {
            assert_eq!(
                parse_utc_seconds(text.as_bytes()),
                OffsetDateTime::parse(text, &Rfc3339).ok(),
                "{text}"
            );
        }
        for text in [
            "2026-02-30T00:00:00+00:00",
            "2026-13-01T00:00:00+00:00",
            "2026-01-01T24:00:00+00:00",
            "2026-01-01T00:00:60+00:00",
            "2026-01-01T00:00:00+01:00",
            "2026-01-01 00:00:00+00:00",
            "+026-01-01T00:00:00+00:00",
        ] {
            assert_eq!(parse_utc_seconds(text.as_bytes()), None, "{text}");
        }
        assert_eq!(
            parse_time("2026-01-01T01:00:00+01:00"),
            parse_time("2026-01-01T00:00:00+00:00"),
            "other offsets take the full parser"
        );
    }

    #[test]
    fn python_isoformat_with_microseconds_and_zulu_parse() {
        assert!(parse_time("2026-11-26T06:33:04.123456+00:00").is_some());
        assert!(parse_time("2026-11-26T06:33:04Z").is_some());
        assert!(parse_time("1700000000").is_none());
        assert!(parse_time("2026-11-26").is_none());
    }

    #[test]
    fn payload_reads_wrong_types_as_raw_values() {
        let payload: Payload<'_, ()> =
            serde_json::from_str(r#"{"sub":1,"exp":{"a":[1]},"aud":["a",2],"fresh":true}"#)
                .unwrap();
        assert!(matches!(payload.sub, Some(Raw::Int(1))));
        assert!(matches!(payload.exp, Some(Raw::Other)));
        assert!(matches!(payload.aud, Some(Raw::List(ref items)) if items.len() == 2));
        assert!(matches!(payload.fresh, Some(Raw::Bool(true))));
        assert!(payload.jti.is_none());
    }
}
