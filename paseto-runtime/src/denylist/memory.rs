//! [`MemoryDenylist`]: revocations kept in the process.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Weak};

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use time::OffsetDateTime;

use super::hasher::Keyed;
use super::{BoxFuture, Denylist, DenylistError, Family, MAX_SESSIONS, Record, Session, Target};

/// An in-process denylist. Records are dropped once their `until` has passed, by a
/// background thread that sweeps the maps every minute (never a request's
/// thread); the maps are sharded, so concurrent readers do not serialize on one
/// lock. Records are keyed by 64-bit hashes of their targets under this
/// process's random seeds, not the ids themselves: subjects, which a client may
/// choose, by `SipHash`; token and family ids, which only an issuer chooses
/// (random UUIDs inside authenticated tokens), by the faster foldhash. Two
/// targets sharing a hash could only make a valid token look revoked, never
/// the reverse; among a million records, a given token's chance is 1 in 2^44.
pub struct MemoryDenylist {
    map: Arc<Map>,
    /// Dropped with the denylist, which stops the sweeping thread.
    _sweeper: Option<mpsc::Sender<()>>,
}

/// Revoked tokens and family records apart, so that a token's record is no
/// larger than its expiry.
struct Map {
    /// Revoked tokens: unix seconds from which the record may be dropped.
    tokens: DashMap<u64, i64, Keyed>,
    families: DashMap<u64, Stored, Keyed>,
    /// Subjects logged out everywhere: unix seconds from which the record may
    /// be dropped, and the unix microseconds before which tokens are revoked.
    subjects: DashMap<u64, (i64, i64), Keyed>,
    /// Each subject's sessions, by the subject's key.
    sessions: DashMap<u64, Vec<Session>, Keyed>,
    /// Hashes subjects.
    hasher: RandomState,
    /// Hashes token and family ids.
    ids: foldhash::fast::RandomState,
}

#[derive(Clone, Copy)]
struct Stored {
    /// Unix seconds from which the record may be dropped.
    until: i64,
    value: Value,
}

#[derive(Clone, Copy)]
enum Value {
    Revoked,
    Rotated { generation: u64, at: OffsetDateTime },
}

impl MemoryDenylist {
    /// An empty denylist, swept every minute.
    pub fn new() -> Self {
        Self::swept_every(std::time::Duration::from_secs(60))
    }

    /// An empty denylist whose expired records are dropped every `interval`.
    pub fn swept_every(interval: std::time::Duration) -> Self {
        let map = Arc::new(Map {
            tokens: DashMap::default(),
            families: DashMap::default(),
            subjects: DashMap::default(),
            sessions: DashMap::default(),
            hasher: RandomState::new(),
            ids: foldhash::fast::RandomState::default(),
        });
        let (stop, stopped) = mpsc::channel();
        let weak = Arc::downgrade(&map);
        let spawned = std::thread::Builder::new()
            .name("paseto-denylist-sweep".to_owned())
            .spawn(move || sweep_until_dropped(&weak, &stopped, interval));
        if let Err(error) = spawned {
            tracing::warn!(%error, "paseto: no thread to sweep the memory denylist; expired records stay");
        }
        Self {
            map,
            _sweeper: Some(stop),
        }
    }

    /// How many revocation records are held, including expired ones not yet
    /// swept; sessions apart.
    pub fn len(&self) -> usize {
        self.map.tokens.len() + self.map.families.len() + self.map.subjects.len()
    }

    /// Whether no records are held.
    pub fn is_empty(&self) -> bool {
        self.map.tokens.is_empty() && self.map.families.is_empty() && self.map.subjects.is_empty()
    }

    /// The records of a token and its family at `now`.
    pub(crate) fn lookup(&self, token: &str, family: &str, now: OffsetDateTime) -> Record {
        let now = now.unix_timestamp();
        let map = &self.map;
        let token_key = map.id(token);
        // A token outside any family is its own: one hash for both.
        let family_key = if family == token {
            token_key
        } else {
            map.id(family)
        };
        let token_revoked = map.tokens.get(&token_key).is_some_and(|until| *until > now);
        let family = map
            .families
            .get(&family_key)
            .map(|stored| *stored)
            .filter(|stored| stored.until > now)
            .map(|stored| match stored.value {
                Value::Revoked => Family::Revoked,
                Value::Rotated { generation, at } => Family::Rotated { generation, at },
            });
        Record {
            token_revoked,
            family,
            subject_revoked_before: None,
        }
    }

    /// Before when the tokens of `subject` are revoked, at `now`.
    pub(crate) fn subject_cutoff(
        &self,
        subject: &str,
        now: OffsetDateTime,
    ) -> Option<OffsetDateTime> {
        let map = &self.map;
        let (until, before) = *map.subjects.get(&map.subject(subject))?;
        // A time out of range revokes every token of the subject.
        (until > now.unix_timestamp()).then(|| {
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(before) * 1000)
                .unwrap_or(OffsetDateTime::now_utc() + time::Duration::days(36_525))
        })
    }

    /// Revokes the tokens of `subject` issued before `before`, keeping the
    /// record until at least `until`; a later `before` or `until` kept wins.
    pub(crate) fn record_subject(
        &self,
        subject: &str,
        before: OffsetDateTime,
        until: OffsetDateTime,
        now: OffsetDateTime,
    ) {
        let now = now.unix_timestamp();
        let until = ceil_seconds(until);
        let before =
            i64::try_from(before.unix_timestamp_nanos().div_euclid(1000)).unwrap_or(i64::MAX);
        self.map
            .subjects
            .entry(self.map.subject(subject))
            .and_modify(|(kept_until, kept_before)| {
                if *kept_until > now {
                    *kept_until = until.max(*kept_until);
                    *kept_before = before.max(*kept_before);
                } else {
                    (*kept_until, *kept_before) = (until, before);
                }
            })
            .or_insert((until, before));
        // Its sessions of before are over, to the microsecond as its tokens.
        if let Some(mut kept) = self.map.sessions.get_mut(&self.map.subject(subject)) {
            kept.retain(|session| {
                session.created_at.unix_timestamp_nanos().div_euclid(1000) >= i128::from(before)
            });
        }
    }

    /// The sessions of `subject` open at `now`.
    fn open_sessions(&self, subject: &str, now: OffsetDateTime) -> Vec<Session> {
        let map = &self.map;
        let Some(kept) = map.sessions.get(&map.subject(subject)) else {
            return Vec::new();
        };
        let cutoff = self.subject_cutoff(subject, now);
        kept.iter()
            .filter(|session| session.subject == subject && session.until > now)
            .filter(|session| cutoff.is_none_or(|cutoff| session.created_at >= cutoff))
            .filter(|session| self.lookup("", &session.id, now).family != Some(Family::Revoked))
            .cloned()
            .collect()
    }

    /// Revokes `target`, tokens of `subject`, until at least `until`, as of `now`.
    pub(crate) fn record_revoked(
        &self,
        subject: &str,
        target: Target<'_>,
        until: OffsetDateTime,
        now: OffsetDateTime,
    ) {
        let id = match target {
            // Logged out everywhere as of `now`.
            Target::All => return self.record_subject(subject, now, until, now),
            Target::Token(id) | Target::Family(id) => self.map.id(id),
        };
        let now = now.unix_timestamp();
        let until = ceil_seconds(until);
        let later = |kept: i64| if kept > now { until.max(kept) } else { until };
        match target {
            Target::All => {}
            Target::Token(_) => {
                self.map
                    .tokens
                    .entry(id)
                    .and_modify(|kept| *kept = later(*kept))
                    .or_insert(until);
            }
            Target::Family(_) => {
                self.map
                    .families
                    .entry(id)
                    .and_modify(|stored| {
                        *stored = Stored {
                            until: later(stored.until),
                            value: Value::Revoked,
                        };
                    })
                    .or_insert(Stored {
                        until,
                        value: Value::Revoked,
                    });
            }
        }
    }

    /// [`Denylist::advance`] as of `now`.
    pub(crate) fn record_rotation(
        &self,
        family: &str,
        from: u64,
        at: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Option<Family> {
        let now = at.unix_timestamp();
        let next = Stored {
            until: ceil_seconds(until),
            value: Value::Rotated {
                generation: from + 1,
                at,
            },
        };
        match self.map.families.entry(self.map.id(family)) {
            Entry::Occupied(mut entry) if entry.get().until > now => match entry.get().value {
                Value::Revoked => Some(Family::Revoked),
                Value::Rotated { generation, at } => {
                    if generation == from {
                        entry.insert(next);
                    }
                    Some(Family::Rotated { generation, at })
                }
            },
            Entry::Occupied(mut entry) => {
                if from == 0 {
                    entry.insert(next);
                }
                None
            }
            Entry::Vacant(entry) => {
                if from == 0 {
                    entry.insert(next);
                }
                None
            }
        }
    }
}

#[cfg(feature = "redis")]
impl MemoryDenylist {
    /// Records that the family is at `generation`, rotated `at`, unless a live
    /// record says as much or more: that generation or a later one, or revoked.
    pub(crate) fn record_generation(
        &self,
        family: &str,
        generation: u64,
        at: OffsetDateTime,
        until: OffsetDateTime,
        now: OffsetDateTime,
    ) {
        let now = now.unix_timestamp();
        let next = Stored {
            until: ceil_seconds(until),
            value: Value::Rotated { generation, at },
        };
        self.map
            .families
            .entry(self.map.id(family))
            .and_modify(|stored| {
                let older = match stored.value {
                    Value::Revoked => false,
                    Value::Rotated {
                        generation: kept, ..
                    } => kept < generation,
                };
                if older || stored.until <= now {
                    *stored = next;
                } else {
                    stored.until = stored.until.max(next.until);
                }
            })
            .or_insert(next);
    }
}

impl Map {
    /// The key of a token or family id in its map.
    fn id(&self, id: &str) -> u64 {
        self.ids.hash_one(id)
    }

    /// The key of a subject in its maps.
    fn subject(&self, subject: &str) -> u64 {
        self.hasher.hash_one(subject)
    }

    /// Drops every record whose `until` is at or before `now` (unix seconds).
    fn sweep(&self, now: i64) {
        self.tokens.retain(|_, until| *until > now);
        self.families.retain(|_, stored| stored.until > now);
        self.subjects.retain(|_, (until, _)| *until > now);
        self.sessions.retain(|_, sessions| {
            sessions.retain(|session| session.until.unix_timestamp() >= now);
            !sessions.is_empty()
        });
    }
}

/// The sweeping thread: every `interval`, until the denylist is dropped.
fn sweep_until_dropped(
    map: &Weak<Map>,
    stopped: &mpsc::Receiver<()>,
    interval: std::time::Duration,
) {
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
        let Some(map) = map.upgrade() else { return };
        map.sweep(OffsetDateTime::now_utc().unix_timestamp());
    }
}

/// A time as unix seconds, rounded up: a record kept until then outlives the time.
fn ceil_seconds(time: OffsetDateTime) -> i64 {
    time.unix_timestamp() + i64::from(time.nanosecond() > 0)
}

impl Default for MemoryDenylist {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for MemoryDenylist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryDenylist")
            .field("records", &self.len())
            .finish()
    }
}

impl Denylist for MemoryDenylist {
    fn get<'a>(
        &'a self,
        token: &'a str,
        family: &'a str,
        subject: &'a str,
    ) -> BoxFuture<'a, Result<Record, DenylistError>> {
        let record = self.get_now(token, family, subject, OffsetDateTime::now_utc());
        Box::pin(std::future::ready(Ok(record.unwrap_or_default())))
    }

    fn get_now(
        &self,
        token: &str,
        family: &str,
        subject: &str,
        now: OffsetDateTime,
    ) -> Option<Record> {
        let mut record = self.lookup(token, family, now);
        record.subject_revoked_before = self.subject_cutoff(subject, now);
        Some(record)
    }

    fn revoke<'a>(
        &'a self,
        subject: &'a str,
        target: Target<'a>,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        self.record_revoked(subject, target, until, OffsetDateTime::now_utc());
        Box::pin(std::future::ready(Ok(())))
    }

    fn advance<'a>(
        &'a self,
        _subject: &'a str,
        family: &'a str,
        from: u64,
        at: OffsetDateTime,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Option<Family>, DenylistError>> {
        let before = self.record_rotation(family, from, at, until);
        Box::pin(std::future::ready(Ok(before)))
    }

    fn open_session<'a>(
        &'a self,
        session: &'a Session,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        let now = OffsetDateTime::now_utc();
        let map = &self.map;
        let mut kept = map
            .sessions
            .entry(map.subject(&session.subject))
            .or_default();
        kept.retain(|other| other.until > now && other.id != session.id);
        let mut ended = Vec::new();
        while kept.len() >= MAX_SESSIONS {
            let oldest = (kept.iter().enumerate())
                .min_by_key(|(_, other)| other.created_at)
                .map(|(index, _)| index);
            let Some(oldest) = oldest else { break };
            ended.push(kept.swap_remove(oldest));
        }
        kept.push(session.clone());
        drop(kept);
        for old in ended {
            self.record_revoked(&session.subject, Target::Family(&old.id), old.until, now);
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn touch_session<'a>(
        &'a self,
        subject: &'a str,
        id: &'a str,
        at: OffsetDateTime,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        let map = &self.map;
        if let Some(mut kept) = map.sessions.get_mut(&map.subject(subject)) {
            for session in kept
                .iter_mut()
                .filter(|s| s.id == id && s.subject == subject)
            {
                session.refreshed_at = session.refreshed_at.max(at);
                session.until = session.until.max(until);
            }
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn sessions<'a>(
        &'a self,
        subject: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Vec<Session>, DenylistError>> {
        Box::pin(std::future::ready(Ok(self.open_sessions(subject, now))))
    }

    fn end_session<'a>(
        &'a self,
        subject: &'a str,
        id: &'a str,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<bool, DenylistError>> {
        let now = OffsetDateTime::now_utc();
        let map = &self.map;
        let ended = map
            .sessions
            .get_mut(&map.subject(subject))
            .is_some_and(|mut kept| {
                let before = kept.len();
                kept.retain(|s| s.id != id || s.subject != subject || s.until <= now);
                kept.len() < before
            });
        if ended {
            self.record_revoked(subject, Target::Family(id), until, now);
        }
        Box::pin(std::future::ready(Ok(ended)))
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);

    #[test]
    fn a_record_outlives_a_fractional_until() {
        let list = MemoryDenylist::new();
        let until = NOW + Duration::milliseconds(999);
        list.record_revoked("s", Target::Token("a"), until, NOW);
        let revoked_at = |ms| {
            list.lookup("a", "f", NOW + Duration::milliseconds(ms))
                .token_revoked
        };
        assert!(revoked_at(998));
        assert!(!revoked_at(1000));
    }

    #[test]
    fn a_revocation_never_shortens_a_record() {
        let list = MemoryDenylist::new();
        list.record_revoked("s", Target::Family("f"), NOW + Duration::hours(2), NOW);
        list.record_revoked("s", Target::Family("f"), NOW + Duration::hours(1), NOW);
        let later = list.lookup("a", "f", NOW + Duration::minutes(90));
        assert_eq!(later.family, Some(Family::Revoked));
        assert!(!later.token_revoked, "targets are apart");
    }

    #[test]
    fn a_family_advances_one_generation_at_a_time() {
        let list = MemoryDenylist::new();
        let until = NOW + Duration::days(1);
        assert_eq!(list.record_rotation("f", 0, NOW, until), None);
        let first = Some(Family::Rotated {
            generation: 1,
            at: NOW,
        });
        assert_eq!(list.record_rotation("f", 0, NOW, until), first, "spent");
        assert_eq!(list.record_rotation("f", 1, NOW, until), first);
        assert_eq!(
            list.lookup("t", "f", NOW).family.unwrap(),
            Family::Rotated {
                generation: 2,
                at: NOW
            }
        );
        list.record_revoked("s", Target::Family("f"), until, NOW);
        assert_eq!(
            list.record_rotation("f", 2, NOW, until),
            Some(Family::Revoked)
        );
        assert_eq!(list.record_rotation("g", 3, NOW, until), None, "unknown");
        assert_eq!(list.lookup("t", "g", NOW).family, None, "not recorded");
    }

    #[test]
    fn expired_records_are_swept_by_the_thread() {
        let list = MemoryDenylist::swept_every(std::time::Duration::from_millis(20));
        let now = OffsetDateTime::now_utc();
        for i in 0..100 {
            list.record_revoked("s", Target::Token(&i.to_string()), now, now);
        }
        list.record_revoked("s", Target::Token("live"), now + Duration::hours(1), now);
        for _ in 0..250 {
            if list.len() == 1 {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("{} records left; expected only the live one", list.len());
    }
}
