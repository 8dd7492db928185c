//! How a Redis denylist names and writes its records: keys, values and times.
//!
//! Every key names its subject between braces, a Redis Cluster hash tag, so
//! that a subject's records and sessions share one hash slot and a script may
//! touch them together: `<prefix>jti:{alice}:<jti>`, `<prefix>fam:{alice}:<id>`,
//! `<prefix>sub:{alice}`, `<prefix>ses:{alice}`. In the tag, `%`, `{` and `}`
//! are written `%25`, `%7B` and `%7D`, and the empty subject `%`, so that the
//! tag is never empty (Redis would then hash the whole key) and always ends at
//! its own brace.

use std::borrow::Cow;

use time::OffsetDateTime;

use crate::denylist::{DenylistError, Family, Session, Target};

/// The value of a revoked token or family.
pub(super) const REVOKED: &str = "revoked";

/// The key kinds of the revocation records, which instances copy.
pub(super) const KINDS: [&str; 3] = ["jti:", "fam:", "sub:"];

/// The key of `target`, tokens of `subject`, under `prefix`.
pub(super) fn key(prefix: &str, subject: &str, target: Target<'_>) -> String {
    let tag = tag(subject);
    match target {
        Target::Token(id) => format!("{prefix}jti:{{{tag}}}:{id}"),
        Target::Family(id) => format!("{prefix}fam:{{{tag}}}:{id}"),
        Target::All => format!("{prefix}sub:{{{tag}}}"),
    }
}

/// The key of the sessions of `subject` under `prefix`: a hash of session
/// ids to [`session_value`]s.
pub(super) fn sessions_key(prefix: &str, subject: &str) -> String {
    format!("{prefix}ses:{{{}}}", tag(subject))
}

/// The hash tag of `subject`, braces apart.
fn tag(subject: &str) -> Cow<'_, str> {
    if subject.is_empty() {
        return Cow::Borrowed("%");
    }
    if !subject.contains(['%', '{', '}']) {
        return Cow::Borrowed(subject);
    }
    let mut tag = String::with_capacity(subject.len() + 6);
    for c in subject.chars() {
        match c {
            '%' => tag.push_str("%25"),
            '{' => tag.push_str("%7B"),
            '}' => tag.push_str("%7D"),
            c => tag.push(c),
        }
    }
    Cow::Owned(tag)
}

/// The subject whose hash tag is `tag`; `None` for what [`tag`] never writes.
fn untag(tag: &str) -> Option<Cow<'_, str>> {
    if tag == "%" {
        return Some(Cow::Borrowed(""));
    }
    if !tag.contains('%') {
        return Some(Cow::Borrowed(tag));
    }
    let mut subject = String::with_capacity(tag.len());
    let mut rest = tag;
    while let Some(at) = rest.find('%') {
        subject.push_str(&rest[..at]);
        let code = rest.get(at..at + 3)?;
        subject.push(match code {
            "%25" => '%',
            "%7B" => '{',
            "%7D" => '}',
            _ => return None,
        });
        rest = &rest[at + 3..];
    }
    subject.push_str(rest);
    Some(Cow::Owned(subject))
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

/// Whose record `key` is, and of what, when it is one of this prefix's
/// revocation records.
pub(super) fn target<'k>(prefix: &str, key: &'k str) -> Option<(Cow<'k, str>, Target<'k>)> {
    let rest = key.strip_prefix(prefix)?;
    let (kind, rest) = rest.split_at_checked(4)?;
    let (tag, id) = rest.strip_prefix('{')?.split_once('}')?;
    let subject = untag(tag)?;
    let target = match (kind, id) {
        ("sub:", "") => Target::All,
        ("jti:", id) => Target::Token(id.strip_prefix(':')?),
        ("fam:", id) => Target::Family(id.strip_prefix(':')?),
        _ => return None,
    };
    Some((subject, target))
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

/// Reads a family record: `revoked`, or `<generation>:<unix ms>` followed by
/// `:<nonce>`, which tells one rotation's write from another's.
pub(super) fn family(value: &str) -> Result<Family, DenylistError> {
    if value == REVOKED {
        return Ok(Family::Revoked);
    }
    let malformed = || DenylistError(format!("malformed family record `{value}`").into());
    let mut fields = value.splitn(3, ':');
    let (Some(generation), Some(at)) = (fields.next(), fields.next()) else {
        return Err(malformed());
    };
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
        let nonce = format!("{text}:0f3a");
        assert_eq!(
            family(&nonce).unwrap(),
            Family::Rotated { generation: 3, at }
        );
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
        for subject in ["alice", "", "%", "a}b{c", "%7D", "{", "ünï"] {
            for named in [Target::Token("a:b}"), Target::Family("f"), Target::All] {
                let key = key("p:", subject, named);
                let (whose, what) = target("p:", &key).expect(&key);
                assert_eq!((whose.as_ref(), what), (subject, named), "{key}");
                // The hash tag: from the first `{` to the first `}` after it.
                let tag = key.split_once('{').and_then(|(_, t)| t.split_once('}'));
                let tag = tag.map(|(t, _)| t).unwrap();
                assert!(!tag.is_empty(), "{key}");
                assert!(sessions_key("p:", subject).contains(&format!("{{{tag}}}")));
            }
        }
        for other in [
            "p:other",
            "p:ses:{alice}",
            "q:jti:{a}:b",
            "p:jti:{a}b",
            "p:sub:{a}:b",
            "p:jti:{a%7}:b",
            "p:jti:a",
            "jti:{a}:b",
        ] {
            assert_eq!(target("p:", other), None, "{other}");
        }
    }
}
