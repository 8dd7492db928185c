//! How a Redis denylist names and writes its records: keys, values and times.

use time::OffsetDateTime;

use crate::denylist::{DenylistError, Family, Session, Target};

/// The value of a revoked token or family.
pub(super) const REVOKED: &str = "revoked";

/// The key kinds of the revocation records, which instances copy.
pub(super) const KINDS: [&str; 3] = ["jti:", "fam:", "sub:"];

/// The key of `target` under `prefix`.
pub(super) fn key(prefix: &str, target: Target<'_>) -> String {
    match target {
        Target::Token(id) => format!("{prefix}jti:{id}"),
        Target::Family(id) => format!("{prefix}fam:{id}"),
        Target::Subject(id) => format!("{prefix}sub:{id}"),
    }
}

/// The key of the sessions of `subject` under `prefix`: a hash of session
/// ids to [`session_value`]s.
pub(super) fn sessions_key(prefix: &str, subject: &str) -> String {
    format!("{prefix}ses:{subject}")
}

/// A session as its hash keeps it:
/// `<created µs>|<refreshed µs>|<until µs>|<ip or nothing>|<user agent>`.
pub(super) fn session_value(session: &Session) -> String {
    let ip = session.ip.map(|ip| ip.to_string()).unwrap_or_default();
    let agent = session.user_agent.as_deref().unwrap_or_default();
    format!(
        "{}|{}|{}|{ip}|{agent}",
        unix_micros(session.created_at),
        unix_micros(session.refreshed_at),
        unix_micros(session.until),
    )
}

/// Reads the session `id` of `subject` from its [`session_value`].
pub(super) fn session(subject: &str, id: &str, value: &str) -> Result<Session, DenylistError> {
    let malformed = || DenylistError(format!("malformed session record of `{id}`").into());
    let mut fields = value.splitn(5, '|');
    let mut time = || -> Result<OffsetDateTime, DenylistError> {
        let micros: i64 = fields
            .next()
            .and_then(|f| f.parse().ok())
            .ok_or_else(malformed)?;
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
            .map_err(|_| malformed())
    };
    let (created_at, refreshed_at, until) = (time()?, time()?, time()?);
    let ip = match fields.next().ok_or_else(malformed)? {
        "" => None,
        ip => Some(ip.parse().map_err(|_| malformed())?),
    };
    let agent = fields.next().ok_or_else(malformed)?;
    Ok(Session {
        id: id.to_owned(),
        subject: subject.to_owned(),
        created_at,
        refreshed_at,
        user_agent: (!agent.is_empty()).then(|| agent.to_owned()),
        ip,
        until,
    })
}

/// What `key` is the record of, when it is one of this prefix's keys.
pub(super) fn target<'k>(prefix: &str, key: &'k str) -> Option<Target<'k>> {
    let rest = key.strip_prefix(prefix)?;
    if let Some(id) = rest.strip_prefix("jti:") {
        Some(Target::Token(id))
    } else if let Some(id) = rest.strip_prefix("sub:") {
        Some(Target::Subject(id))
    } else {
        rest.strip_prefix("fam:").map(Target::Family)
    }
}

/// Unix milliseconds, rounded down: when a rotation happened.
pub(super) fn unix_millis(time: OffsetDateTime) -> i64 {
    i64::try_from(time.unix_timestamp_nanos().div_euclid(1_000_000)).unwrap_or(i64::MAX)
}

/// How many milliseconds from `now` a record kept until `until` lives, rounded
/// up; at least one, as Redis refuses a lifetime of zero.
pub(super) fn millis_until(until: OffsetDateTime, now: OffsetDateTime) -> i64 {
    let nanos = (until - now).whole_nanoseconds();
    let millis = nanos.div_euclid(1_000_000) + i128::from(nanos.rem_euclid(1_000_000) > 0);
    i64::try_from(millis.max(1)).unwrap_or(i64::MAX)
}

/// Unix microseconds, rounded down: the time a subject's record names.
pub(super) fn unix_micros(time: OffsetDateTime) -> i64 {
    i64::try_from(time.unix_timestamp_nanos().div_euclid(1000)).unwrap_or(i64::MAX)
}

/// Reads a subject record: the unix microseconds before which its tokens are
/// revoked.
pub(super) fn subject(value: &str) -> Result<OffsetDateTime, DenylistError> {
    let malformed = || DenylistError(format!("malformed subject record `{value}`").into());
    let micros: i64 = value.parse().map_err(|_| malformed())?;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000).map_err(|_| malformed())
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
        let text = format!("3:{}", unix_millis(at));
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
    fn times_round_down_and_lifetimes_up() {
        let tiny = datetime!(1970-01-01 0:00:00.0000001 UTC);
        assert_eq!(unix_millis(tiny), 0);
        assert_eq!(unix_millis(datetime!(1970-01-01 0:00:01 UTC)), 1000);
        let now = datetime!(2026-01-01 0:00:00 UTC);
        let later = now + time::Duration::nanoseconds(1_500_001);
        assert_eq!(millis_until(later, now), 2);
        assert_eq!(millis_until(now, now), 1, "never zero");
        assert_eq!(millis_until(now - time::Duration::HOUR, now), 1);
    }

    #[test]
    fn sessions_round_trip() {
        let at = datetime!(2026-01-01 0:00:00.000001 UTC);
        let mut session = Session {
            id: "f".to_owned(),
            subject: "alice".to_owned(),
            created_at: at,
            refreshed_at: at + time::Duration::MINUTE,
            user_agent: Some("agent | with bars".to_owned()),
            ip: Some("2001:db8::1".parse().unwrap()),
            until: at + time::Duration::DAY,
        };
        let value = session_value(&session);
        assert_eq!(super::session("alice", "f", &value).unwrap(), session);
        (session.user_agent, session.ip) = (None, None);
        let value = session_value(&session);
        assert_eq!(super::session("alice", "f", &value).unwrap(), session);
        for bad in [
            "",
            "1|2|3",
            "1|2|3|not-an-ip|",
            "x|2|3||",
            "1|2|99999999999999999999||",
        ] {
            assert!(super::session("alice", "f", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_name_their_targets_and_nothing_else() {
        for named in [
            Target::Token("a:b"),
            Target::Family("f"),
            Target::Subject("s"),
        ] {
            assert_eq!(target("p:", &key("p:", named)), Some(named));
        }
        for other in ["p:other", "p:ses:alice", "q:jti:a", "p:jt:a", "jti:a"] {
            assert_eq!(target("p:", other), None, "{other}");
        }
    }
}
