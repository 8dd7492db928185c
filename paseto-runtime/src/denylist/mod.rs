//! Revocation storage: the [`Denylist`] trait, what it records, and two stores:
//! [`MemoryDenylist`] for one process and `RedisDenylist` (feature `redis`) for many.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use time::OffsetDateTime;

mod hasher;
mod memory;
#[cfg(feature = "redis")]
mod redis;
mod session;

pub use memory::MemoryDenylist;
#[cfg(feature = "redis")]
pub use redis::{RedisDenylist, RedisTls};
pub(crate) use session::user_agent;
pub use session::{MAX_SESSIONS, MAX_USER_AGENT_LEN, Session};

/// A boxed, sendable future: what [`Denylist`] methods return, so the trait can be
/// used as `dyn Denylist`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Which of a subject's tokens a record revokes. Every record belongs to one
/// subject (the `sub` claim), so that a store may keep a subject's records
/// together (Redis Cluster keeps them in one hash slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target<'a> {
    /// One token, by its `jti`.
    Token(&'a str),
    /// Every token of a refresh family, by the family id (the `fam` claim, or the
    /// `jti` of the refresh token that started it).
    Family(&'a str),
    /// Every token of the subject issued before the record was written: log
    /// out everywhere. A later record moves that time forward.
    All,
}

/// What a denylist holds about a refresh family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Rotated at `at`: the family's current refresh token is of `generation`
    /// (a login's refresh token is of generation 0).
    Rotated {
        /// The generation of the current refresh token.
        generation: u64,
        /// When the family was last rotated.
        at: OffsetDateTime,
    },
    /// Every token of the family is revoked.
    Revoked,
}

/// What a denylist holds about one token and its family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Record {
    /// Whether the token itself is revoked.
    pub token_revoked: bool,
    /// The family's record; `None` for a family never rotated nor revoked.
    pub family: Option<Family>,
    /// The subject's record: its tokens issued before this time are revoked.
    pub subject_revoked_before: Option<OffsetDateTime>,
}

/// The denylist could not be reached or answered wrongly. Requests are then
/// refused with 503 (fail closed), never let through.
#[derive(Debug, thiserror::Error)]
#[error("the denylist is unavailable")]
pub struct DenylistError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// Shared revocation state, consulted on every verification of the token types the
/// configuration names.
///
/// It holds one record per revoked token, one per rotated or revoked refresh
/// family, one per subject logged out everywhere and, when it keeps sessions,
/// one per login, so it grows with sessions and logouts, never with requests.
/// A record must be kept at least until its `until` and may then be dropped.
///
/// Implement it to keep revocations in your own store; [`MemoryDenylist`] serves
/// one process and `RedisDenylist` (feature `redis`) serves many.
pub trait Denylist: Send + Sync + 'static {
    /// The records of the token `token`, the family `family` and the subject
    /// `subject`.
    fn get<'a>(
        &'a self,
        token: &'a str,
        family: &'a str,
        subject: &'a str,
    ) -> BoxFuture<'a, Result<Record, DenylistError>>;

    /// [`get`](Self::get) as of `now`, when the records can be read without
    /// waiting, as from memory: verification asks this first, and `None` (the
    /// default) sends it to `get`. It spares a request the boxed future and a
    /// second reading of the clock.
    fn get_now(
        &self,
        token: &str,
        family: &str,
        subject: &str,
        now: OffsetDateTime,
    ) -> Option<Record> {
        let _ = (token, family, subject, now);
        None
    }

    /// Revokes `target`, tokens of `subject`, until at least `until`; a
    /// record that lives longer keeps its expiry. For [`Target::All`], the
    /// tokens revoked are those issued before the call (this process's clock,
    /// to the microsecond); a record that names a later time keeps it.
    fn revoke<'a>(
        &'a self,
        subject: &'a str,
        target: Target<'a>,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<(), DenylistError>>;

    /// Atomically: when the family, of `subject`, is not revoked and its generation is `from`
    /// (0 for a family without a record), records generation `from + 1`, rotated
    /// `at`, kept until `until`. Returns the family's record as it was before,
    /// so of two concurrent calls with one `from`, exactly one sees `from`.
    fn advance<'a>(
        &'a self,
        subject: &'a str,
        family: &'a str,
        from: u64,
        at: OffsetDateTime,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Option<Family>, DenylistError>>;

    /// Keeps `session`, a login, until its `until`. A subject keeps at most
    /// [`MAX_SESSIONS`] open: beyond, the oldest ends (its family revoked).
    /// The default keeps nothing: a store that keeps no sessions lists none
    /// and ends none (its families can still be revoked).
    fn open_session<'a>(
        &'a self,
        session: &'a Session,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        let _ = session;
        Box::pin(std::future::ready(Ok(())))
    }

    /// Records that the session `id` of `subject` was refreshed or rotated
    /// `at`, and may now last until `until` (a rotation's tokens live
    /// longer); a later time kept stays. Nothing when it is not kept.
    fn touch_session<'a>(
        &'a self,
        subject: &'a str,
        id: &'a str,
        at: OffsetDateTime,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        let _ = (subject, id, at, until);
        Box::pin(std::future::ready(Ok(())))
    }

    /// The sessions of `subject` open at `now`: kept and not past their
    /// `until`, their family not revoked, and started after the subject's
    /// last "log out everywhere".
    fn sessions<'a>(
        &'a self,
        subject: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Vec<Session>, DenylistError>> {
        let _ = (subject, now);
        Box::pin(std::future::ready(Ok(Vec::new())))
    }

    /// Ends the session `id` of `subject`: revokes its family until at least
    /// `until`, and forgets the session. `false`, and nothing revoked, when
    /// `subject` has no such session kept and unexpired: another subject's
    /// session is not theirs to end.
    fn end_session<'a>(
        &'a self,
        subject: &'a str,
        id: &'a str,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<bool, DenylistError>> {
        let _ = (subject, id, until);
        Box::pin(std::future::ready(Ok(false)))
    }
}

/// A shared denylist, such as one `Arc<MemoryDenylist>` behind two configurations.
impl<D: Denylist> Denylist for Arc<D> {
    fn get<'a>(
        &'a self,
        token: &'a str,
        family: &'a str,
        subject: &'a str,
    ) -> BoxFuture<'a, Result<Record, DenylistError>> {
        (**self).get(token, family, subject)
    }

    fn get_now(
        &self,
        token: &str,
        family: &str,
        subject: &str,
        now: OffsetDateTime,
    ) -> Option<Record> {
        (**self).get_now(token, family, subject, now)
    }

    fn revoke<'a>(
        &'a self,
        subject: &'a str,
        target: Target<'a>,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        (**self).revoke(subject, target, until)
    }

    fn advance<'a>(
        &'a self,
        subject: &'a str,
        family: &'a str,
        from: u64,
        at: OffsetDateTime,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Option<Family>, DenylistError>> {
        (**self).advance(subject, family, from, at, until)
    }
    fn open_session<'a>(
        &'a self,
        session: &'a Session,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        (**self).open_session(session)
    }

    fn touch_session<'a>(
        &'a self,
        subject: &'a str,
        id: &'a str,
        at: OffsetDateTime,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        (**self).touch_session(subject, id, at, until)
    }

    fn sessions<'a>(
        &'a self,
        subject: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Vec<Session>, DenylistError>> {
        (**self).sessions(subject, now)
    }

    fn end_session<'a>(
        &'a self,
        subject: &'a str,
        id: &'a str,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<bool, DenylistError>> {
        (**self).end_session(subject, id, until)
    }
}

/// Revokes the family `family` of `subject` until at least `until`, and
/// forgets its session where one is kept.
pub(crate) async fn end_family(
    denylist: &dyn Denylist,
    subject: &str,
    family: &str,
    until: OffsetDateTime,
) -> Result<(), DenylistError> {
    if !denylist.end_session(subject, family, until).await? {
        denylist
            .revoke(subject, Target::Family(family), until)
            .await?;
    }
    Ok(())
}
