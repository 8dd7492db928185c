//! How a Redis denylist names and writes its records: keys, values and times.

use time::OffsetDateTime;

use crate::denylist::{DenylistError, Family, Target};

/// The value of a revoked token or family.
pub(super) const REVOKED: &str = "revoked";

/// The key of `target` under `prefix`.
pub(super) fn key(prefix: &str, target: Target<'_>) -> String {
    match target {
        Target::Token(id) => format!("{prefix}jti:{id}"),
        Target::Family(id) => format!("{prefix}fam:{id}"),
    }
}

/// What `key` is the record of, when it is one of this prefix's keys.
pub(super) fn target<'k>(prefix: &str, key: &'k str) -> Option<Target<'k>> {
    let rest = key.strip_prefix(prefix)?;
    if let Some(id) = rest.strip_prefix("jti:") {
        Some(Target::Token(id))
    } else {
        rest.strip_prefix("fam:").map(Target::Family)
    }
}

/// Unix milliseconds, rounded down (when a rotation happened) or up (until when
/// a record must live).
pub(super) fn unix_millis(time: OffsetDateTime, up: bool) -> i64 {
    let nanos = time.unix_timestamp_nanos();
    let rest = up && nanos.rem_euclid(1_000_000) > 0;
    i64::try_from(nanos.div_euclid(1_000_000) + i128::from(rest)).unwrap_or(i64::MAX)
}

/// Reads a family record: `revoked` or `<generation>:<unix ms>`.
pub(super) fn family(value: &str) -> Result<Family, DenylistError> {
    if value == REVOKED {
        return Ok(Family::Revoked);
    }
    let malformed = || DenylistError(format!("malformed family record `{value}`").into());
    let (generation, at) = value.split_once(':').ok_or_else(malformed)?;
    let generation = generation.parse().map_err(|_| malformed())?;
    let millis: i64 = at.parse().map_err(|_| malformed())?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .map_err(|_| malformed())?;
    Ok(Family::Rotated { generation, at })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn family_records_round_trip() {
        let at = datetime!(2026-01-01 0:00:00.5 UTC);
        let text = format!("3:{}", unix_millis(at, false));
        assert_eq!(
            family(&text).unwrap(),
            Family::Rotated { generation: 3, at }
        );
        assert_eq!(family("revoked").unwrap(), Family::Revoked);
        for bad in ["", "3", "x:1", "3:x", "-1:5"] {
            assert!(family(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn milliseconds_round_up() {
        let tiny = datetime!(1970-01-01 0:00:00.0000001 UTC);
        assert_eq!(unix_millis(tiny, true), 1);
        assert_eq!(unix_millis(tiny, false), 0);
        assert_eq!(unix_millis(datetime!(1970-01-01 0:00:01 UTC), true), 1000);
    }

    #[test]
    fn keys_name_their_targets_and_nothing_else() {
        for named in [Target::Token("a:b"), Target::Family("f")] {
            assert_eq!(target("p:", &key("p:", named)), Some(named));
        }
        for other in ["p:other", "q:jti:a", "p:jt:a", "jti:a"] {
            assert_eq!(target("p:", other), None, "{other}");
        }
    }
}
