//! Sessions: each login is one, kept by the denylist; a subject lists theirs
//! and ends any one of them.

use time::OffsetDateTime;

use crate::auth::PasetoAuth;
use crate::denylist::Session;
use crate::issue::IssueError;
use crate::revocation::family_lifetime_end;
use crate::revoke::RevokeError;

impl PasetoAuth {
    /// The sessions of `subject` still open, oldest first: each login's, with
    /// when it last refreshed and the client it came from. Empty without a
    /// denylist, or with one that keeps no sessions.
    pub async fn sessions(&self, subject: &str) -> Result<Vec<Session>, RevokeError> {
        let Some((revocation, denylist)) = self.settings.denylist() else {
            return Ok(Vec::new());
        };
        let answer = denylist.sessions(subject, OffsetDateTime::now_utc()).await;
        let mut sessions = revocation.observe(answer).map_err(|e| self.rejected(e))?;
        sessions.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(sessions)
    }

    /// Ends the session `id` of `subject` ("sign out that device"): every
    /// token of its family is revoked, on every instance that shares the
    /// store. `false`, and nothing revoked, when `subject` has no such session:
    /// one subject cannot end another's.
    pub async fn end_session(&self, subject: &str, id: &str) -> Result<bool, RevokeError> {
        let Some((revocation, denylist)) = self.settings.denylist() else {
            return Err(RevokeError::NoDenylist);
        };
        let until = family_lifetime_end(&self.settings, OffsetDateTime::now_utc());
        let answer = denylist.end_session(subject, id, until).await;
        revocation.observe(answer).map_err(|e| self.rejected(e))
    }

    /// Keeps a login's session, when a denylist is configured.
    pub(crate) async fn open_session(&self, session: &Session) -> Result<(), IssueError> {
        let Some((revocation, denylist)) = self.settings.denylist() else {
            return Ok(());
        };
        let answer = denylist.open_session(session).await;
        revocation
            .observe(answer)
            .map_err(|e| IssueError::Rejected(self.reject(e)))
    }

    /// Records that the session `id` of `subject` was refreshed or rotated
    /// `at`, its new tokens living to [`session_end`](Self::session_end).
    /// Best effort: the tokens are issued by then, so a store that cannot
    /// answer leaves the record as it was, with a warning.
    pub(crate) async fn touch_session(&self, subject: &str, id: &str, at: OffsetDateTime) {
        let Some((revocation, denylist)) = self.settings.denylist() else {
            return;
        };
        let until = self.session_end(at);
        let answer = denylist.touch_session(subject, id, at, until).await;
        if let Err(error) = revocation.observe(answer) {
            tracing::warn!(%error, "paseto: could not record a session's refresh");
        }
    }

    /// Until when a session started `at` may last.
    pub(crate) fn session_end(&self, at: OffsetDateTime) -> OffsetDateTime {
        family_lifetime_end(&self.settings, at)
    }
}
