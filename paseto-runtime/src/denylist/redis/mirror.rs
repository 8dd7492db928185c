//! The local copy of a Redis denylist, which lets requests skip Redis: every
//! record, and until when it may answer for them. [`follow`](super::follow)
//! keeps it current. The copy answers only while its connection is up and its
//! last ping was sent less than a second ago; otherwise
//! requests ask Redis, as they would without it. A record leaves the copy only
//! when it expires: a revocation seen is kept.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use time::OffsetDateTime;

use super::records;
use crate::denylist::{Denylist, Family, MemoryDenylist, Record, Target};

/// Every record of one prefix, and whether they are current.
pub(super) struct Mirror {
    records: MemoryDenylist,
    epoch: Instant,
    /// Milliseconds after `epoch` before which the copy answers; 0 while it may
    /// have missed a change.
    trusted_until: AtomicU64,
    started: AtomicBool,
}

impl Mirror {
    pub(super) fn new() -> Self {
        Self {
            records: MemoryDenylist::new(),
            epoch: Instant::now(),
            trusted_until: AtomicU64::new(0),
            started: AtomicBool::new(false),
        }
    }

    /// The records the copy holds.
    pub(super) fn records(&self) -> &MemoryDenylist {
        &self.records
    }

    /// The records of a token and its family, when the copy is current.
    pub(super) fn current(
        &self,
        token: &str,
        family: &str,
        subject: &str,
        now: OffsetDateTime,
    ) -> Option<Record> {
        if !self.is_current() {
            return None;
        }
        self.records.get_now(token, family, subject, now)
    }

    pub(super) fn is_current(&self) -> bool {
        self.millis(Instant::now()) < self.trusted_until.load(Ordering::SeqCst)
    }

    /// Whether this is the first call: the one that starts following Redis.
    pub(super) fn start(&self) -> bool {
        !self.started.swap(true, Ordering::SeqCst)
    }

    pub(super) fn distrust(&self) {
        self.trusted_until.store(0, Ordering::SeqCst);
    }

    /// Lets the copy answer until `deadline`, unless its connection went `down`.
    pub(super) fn trust_until(&self, deadline: Instant, down: &AtomicBool) {
        self.trusted_until
            .store(self.millis(deadline), Ordering::SeqCst);
        if down.load(Ordering::SeqCst) {
            self.distrust();
        }
    }

    fn millis(&self, instant: Instant) -> u64 {
        u64::try_from(instant.saturating_duration_since(self.epoch).as_millis()).unwrap_or(u64::MAX)
    }

    /// Takes in one record of `subject` as Redis holds it: `value`, expiring
    /// in `left_ms` milliseconds (-1 for never). A family record that cannot
    /// be read revokes the family.
    pub(super) fn absorb(
        &self,
        subject: &str,
        target: Target<'_>,
        value: &str,
        left_ms: i64,
        now: OffsetDateTime,
    ) {
        let until = match left_ms {
            -1 => now + time::Duration::days(3650),
            left if left >= 0 => now + time::Duration::milliseconds(left + 1),
            _ => return,
        };
        if target == Target::All {
            // An unreadable record revokes every token of the subject.
            let before = records::subject(value).unwrap_or_else(|error| {
                tracing::warn!(%error, "paseto: unreadable Redis record; the subject's tokens are revoked");
                OffsetDateTime::now_utc() + time::Duration::days(3650)
            });
            self.records.record_subject(subject, before, until, now);
            return;
        }
        let family = match target {
            Target::Token(_) | Target::All => Family::Revoked,
            Target::Family(_) => records::family(value).unwrap_or_else(|error| {
                tracing::warn!(%error, "paseto: unreadable Redis record; its family is revoked");
                Family::Revoked
            }),
        };
        match (target, family) {
            (Target::Family(id), Family::Rotated { generation, at }) => {
                self.records
                    .record_generation(id, generation, at, until, now);
            }
            _ => self.records.record_revoked(subject, target, until, now),
        }
    }
}

/// Of two answers about one token, the one that refuses more.
pub(super) fn stricter(one: Record, other: Record) -> Record {
    let rank = |family: Option<Family>| match family {
        None => (0, 0),
        Some(Family::Rotated { generation, .. }) => (1, generation),
        Some(Family::Revoked) => (2, 0),
    };
    Record {
        token_revoked: one.token_revoked || other.token_revoked,
        family: if rank(other.family) > rank(one.family) {
            other.family
        } else {
            one.family
        },
        subject_revoked_before: one.subject_revoked_before.max(other.subject_revoked_before),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);

    const fn rotated(generation: u64) -> Family {
        Family::Rotated {
            generation,
            at: NOW,
        }
    }

    #[test]
    fn the_stricter_answer_wins() {
        let record = |token_revoked, family| Record {
            subject_revoked_before: None,
            token_revoked,
            family,
        };
        let cases = [
            (record(false, None), record(true, None), record(true, None)),
            (
                record(false, Some(rotated(2))),
                record(false, Some(rotated(1))),
                record(false, Some(rotated(2))),
            ),
            (
                record(false, Some(rotated(9))),
                record(false, Some(Family::Revoked)),
                record(false, Some(Family::Revoked)),
            ),
            (
                record(false, None),
                record(false, Some(rotated(0))),
                record(false, Some(rotated(0))),
            ),
        ];
        for (one, other, expected) in cases {
            assert_eq!(stricter(one, other), expected);
            assert_eq!(stricter(other, one), expected);
        }
    }

    #[test]
    fn records_are_taken_in_never_undone() {
        let mirror = Mirror::new();
        let family = Target::Family("f");
        let hour = 3_600_000;
        let millis = NOW.unix_timestamp() * 1000;
        for (generation, holds) in [(2, 2), (1, 2), (3, 3)] {
            mirror.absorb("s", family, &format!("{generation}:{millis}"), hour, NOW);
            let family = mirror.records.lookup("t", "f", NOW).family;
            assert_eq!(family, Some(rotated(holds)), "after {generation}");
        }
        mirror.absorb("s", family, "garbage", hour, NOW);
        assert_eq!(
            mirror.records.lookup("t", "f", NOW).family,
            Some(Family::Revoked)
        );
        mirror.absorb("s", Target::Token("t"), "anything", -2, NOW);
        assert!(!mirror.records.lookup("t", "f", NOW).token_revoked, "gone");
        mirror.absorb("s", Target::Token("t"), "revoked", -1, NOW);
        assert!(
            mirror
                .records
                .lookup("t", "f", NOW + time::Duration::days(3000))
                .token_revoked
        );
    }

    #[test]
    fn a_copy_is_not_current_until_trusted_nor_once_down() {
        let mirror = Mirror::new();
        assert!(!mirror.is_current());
        let up = AtomicBool::new(false);
        mirror.trust_until(Instant::now() + std::time::Duration::from_secs(1), &up);
        assert!(mirror.is_current());
        mirror.trust_until(
            Instant::now() + std::time::Duration::from_secs(1),
            &AtomicBool::new(true),
        );
        assert!(!mirror.is_current(), "the connection went down meanwhile");
        mirror.trust_until(Instant::now(), &up);
        assert!(!mirror.is_current(), "the ping is too old");
    }
}
