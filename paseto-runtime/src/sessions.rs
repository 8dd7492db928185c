//! Sessions, as logins and refreshes record them in the denylist; listing and
//! ending them is revoking's (`revoke`).

use time::OffsetDateTime;

use crate::auth::PasetoAuth;
use crate::denylist::Session;
use crate::issue::IssueError;
use crate::revocation::family_lifetime_end;

impl PasetoAuth {
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
