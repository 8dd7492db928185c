//! Revocation storage: the [`Denylist`] trait and [`MemoryDenylist`], the embedded default.

use std::future::Future;
use std::hash::BuildHasher;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use std::collections::hash_map::RandomState;
use time::OffsetDateTime;

/// A boxed, sendable future: what [`Denylist`] methods return, so the trait can be
/// used as `dyn Denylist`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a denylist records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    /// A refresh token that was exchanged by rotation; presenting it again is reuse.
    Rotated,
    /// Revoked: by logout, or with its whole family after reuse.
    Revoked,
}

/// What a mark is recorded under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target<'a> {
    /// One token, by its `jti`.
    Token(&'a str),
    /// Every token of a refresh family, by the family id (the `fam` claim, or the
    /// `jti` of the refresh token that started it).
    Family(&'a str),
}

/// The denylist could not be reached or answered wrongly. Requests are then
/// refused with 503 (fail closed), never let through.
#[derive(Debug, thiserror::Error)]
#[error("the denylist is unavailable")]
pub struct DenylistError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// Shared revocation state, consulted on every verification of the token types the
/// configuration names.
///
/// Implement it to keep revocations in your own store; [`MemoryDenylist`] serves
/// one process and `RedisDenylist` (feature `redis`) serves many.
pub trait Denylist: Send + Sync + 'static {
    /// The most severe unexpired mark recorded under any of `targets`, if any.
    fn get<'a>(
        &'a self,
        targets: &'a [Target<'a>],
    ) -> BoxFuture<'a, Result<Option<Mark>, DenylistError>>;

    /// Records `mark` under `target` until `expires_at`, unless an unexpired mark is
    /// already there. Returns whether it recorded: the check-and-set is atomic, so of
    /// two concurrent rotations of one token exactly one succeeds.
    fn insert<'a>(
        &'a self,
        target: Target<'a>,
        mark: Mark,
        expires_at: OffsetDateTime,
    ) -> BoxFuture<'a, Result<bool, DenylistError>>;
}

/// A shared denylist, such as one `Arc<MemoryDenylist>` behind two configurations.
impl<D: Denylist> Denylist for std::sync::Arc<D> {
    fn get<'a>(
        &'a self,
        targets: &'a [Target<'a>],
    ) -> BoxFuture<'a, Result<Option<Mark>, DenylistError>> {
        (**self).get(targets)
    }

    fn insert<'a>(
        &'a self,
        target: Target<'a>,
        mark: Mark,
        expires_at: OffsetDateTime,
    ) -> BoxFuture<'a, Result<bool, DenylistError>> {
        (**self).insert(target, mark, expires_at)
    }
}

/// An in-process denylist. Each entry lives until its token's `exp` and is then
/// dropped, so memory stays bounded; the map is sharded, so concurrent readers do
/// not serialize on one lock. Entries are 128-bit keyed hashes of their targets,
/// not the ids themselves.
pub struct MemoryDenylist {
    entries: DashMap<u128, Stored>,
    hashers: (RandomState, RandomState),
    inserts: AtomicUsize,
}

#[derive(Clone, Copy)]
struct Stored {
    /// Unix seconds after which the entry is dropped.
    expires_at: i64,
    mark: Mark,
}

/// Expired entries are swept once every this many inserts.
const SWEEP_EVERY: usize = 4096;

impl MemoryDenylist {
    /// An empty denylist.
    pub fn new() -> Self {
        Self {
            entries: DashMap::new(),
            hashers: (RandomState::new(), RandomState::new()),
            inserts: AtomicUsize::new(0),
        }
    }

    /// How many entries are held, including expired ones not yet swept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entries are held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn key(&self, target: Target<'_>) -> u128 {
        let (first, second) = &self.hashers;
        (u128::from(first.hash_one(target)) << 64) | u128::from(second.hash_one(target))
    }

    /// The most severe unexpired mark under any of `targets`.
    pub fn lookup(&self, targets: &[Target<'_>], now: OffsetDateTime) -> Option<Mark> {
        let now = now.unix_timestamp();
        targets
            .iter()
            .filter_map(|&target| {
                let stored = *self.entries.get(&self.key(target))?;
                (stored.expires_at > now).then_some(stored.mark)
            })
            .max()
    }

    /// Records `mark` under `target` until `expires_at` unless an unexpired mark is there.
    pub fn record(
        &self,
        target: Target<'_>,
        mark: Mark,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> bool {
        let now = now.unix_timestamp();
        let stored = Stored {
            expires_at: expires_at.unix_timestamp(),
            mark,
        };
        let recorded = match self.entries.entry(self.key(target)) {
            Entry::Occupied(entry) if entry.get().expires_at > now => false,
            Entry::Occupied(mut entry) => {
                entry.insert(stored);
                true
            }
            Entry::Vacant(entry) => {
                entry.insert(stored);
                true
            }
        };
        if self.inserts.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep(now);
        }
        recorded
    }

    /// Drops every entry that expired at or before `now` (unix seconds).
    fn sweep(&self, now: i64) {
        self.entries.retain(|_, stored| stored.expires_at > now);
    }
}

impl Default for MemoryDenylist {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for MemoryDenylist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryDenylist")
            .field("entries", &self.len())
            .finish()
    }
}

impl Denylist for MemoryDenylist {
    fn get<'a>(
        &'a self,
        targets: &'a [Target<'a>],
    ) -> BoxFuture<'a, Result<Option<Mark>, DenylistError>> {
        Box::pin(std::future::ready(Ok(
            self.lookup(targets, OffsetDateTime::now_utc())
        )))
    }

    fn insert<'a>(
        &'a self,
        target: Target<'a>,
        mark: Mark,
        expires_at: OffsetDateTime,
    ) -> BoxFuture<'a, Result<bool, DenylistError>> {
        let now = OffsetDateTime::now_utc();
        Box::pin(std::future::ready(Ok(
            self.record(target, mark, expires_at, now)
        )))
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);

    #[test]
    fn the_most_severe_unexpired_mark_wins() {
        let list = MemoryDenylist::new();
        let later = NOW + Duration::hours(1);
        assert!(list.record(Target::Token("a"), Mark::Rotated, later, NOW));
        assert_eq!(list.lookup(&[Target::Token("a")], NOW), Some(Mark::Rotated));
        assert!(list.record(Target::Family("f"), Mark::Revoked, later, NOW));
        let both = [Target::Token("a"), Target::Family("f")];
        assert_eq!(list.lookup(&both, NOW), Some(Mark::Revoked));
        assert_eq!(
            list.lookup(&[Target::Family("a")], NOW),
            None,
            "targets of another kind are apart"
        );
    }

    #[test]
    fn an_unexpired_mark_is_not_overwritten() {
        let list = MemoryDenylist::new();
        let later = NOW + Duration::hours(1);
        assert!(list.record(Target::Token("a"), Mark::Rotated, later, NOW));
        assert!(!list.record(Target::Token("a"), Mark::Rotated, later, NOW));
        assert_eq!(list.lookup(&[Target::Token("a")], NOW), Some(Mark::Rotated));
    }

    #[test]
    fn expired_entries_are_ignored_then_swept() {
        let list = MemoryDenylist::new();
        for i in 0..SWEEP_EVERY - 1 {
            list.record(
                Target::Token(&i.to_string()),
                Mark::Revoked,
                NOW + Duration::seconds(1),
                NOW,
            );
        }
        assert_eq!(list.len(), SWEEP_EVERY - 1);
        let after = NOW + Duration::seconds(1);
        assert_eq!(list.lookup(&[Target::Token("0")], after), None);
        assert!(list.record(
            Target::Token("0"),
            Mark::Revoked,
            after + Duration::hours(1),
            after
        ));
        assert_eq!(list.len(), 1, "the sweep kept only the live entry");
    }
}
