//! Token ids (`jti`): UUID v7 (RFC 9562) whose 12 bits after the millisecond
//! hold its fraction (§6.2, method 3), so a token's id names when it was
//! issued to about a quarter of a microsecond, and 62 random bits keep ids
//! apart. A subject's "log out everywhere" record compares that time.

use time::OffsetDateTime;

/// The random bytes a token id takes (of which the UUID keeps 62 bits).
pub(crate) const RANDOM_LEN: usize = 10;

/// The id of a token issued at `at`, with `random` bytes from the system's
/// generator.
pub(crate) fn new(at: OffsetDateTime, random: &[u8; RANDOM_LEN]) -> TokenId {
    let nanos = at.unix_timestamp_nanos();
    let millis = u64::try_from(nanos.div_euclid(1_000_000)).unwrap_or(0);
    let fraction = u16::try_from(nanos.rem_euclid(1_000_000) * 4096 / 1_000_000).unwrap_or(0);
    let mut bytes = *uuid::Builder::from_unix_timestamp_millis(millis, random)
        .into_uuid()
        .as_bytes();
    let [high, low] = fraction.to_be_bytes();
    bytes[6] = 0x70 | (high & 0x0f);
    bytes[7] = low;
    let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
    uuid::Uuid::from_bytes(bytes)
        .hyphenated()
        .encode_lower(&mut text);
    TokenId(text)
}

/// A token id as written: a hyphenated UUID, on the stack.
pub(crate) struct TokenId([u8; uuid::fmt::Hyphenated::LENGTH]);

impl TokenId {
    pub(crate) fn as_str(&self) -> &str {
        // Hexadecimal digits and hyphens only.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl serde::Serialize for TokenId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// When a token whose id is `jti` was issued, in unix microseconds, if its id
/// is one of these.
pub(crate) fn issued_micros(jti: &str) -> Option<i128> {
    let id = uuid::Uuid::try_parse(jti).ok()?;
    if id.get_version_num() != 7 {
        return None;
    }
    let bytes = id.as_bytes();
    let millis = bytes[..6]
        .iter()
        .fold(0_i128, |millis, &byte| (millis << 8) | i128::from(byte));
    let fraction = (i128::from(bytes[6] & 0x0f) << 8) | i128::from(bytes[7]);
    Some(millis * 1000 + fraction * 1000 / 4096)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn an_id_names_its_time_of_issue_to_the_microsecond() {
        let at = datetime!(2026-12-06 01:10:19.123456 UTC);
        let id = new(at, &[7; RANDOM_LEN]);
        let id = id.as_str();
        assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);
        let micros = issued_micros(id).unwrap();
        let exact = at.unix_timestamp_nanos() / 1000;
        assert!(
            (exact - 1..=exact).contains(&micros),
            "{micros} for {exact}"
        );
        assert_ne!(
            new(at, &[7; RANDOM_LEN]).as_str(),
            new(at, &[8; RANDOM_LEN]).as_str(),
            "random bits keep ids apart"
        );
    }

    #[test]
    fn ids_of_other_kinds_name_no_time() {
        assert_eq!(issued_micros("203dd527-17e0-460a-b105-51e87f1347a5"), None);
        assert_eq!(issued_micros("not a uuid"), None);
    }
}
