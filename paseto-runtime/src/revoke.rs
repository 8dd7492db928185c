//! Revoking, the write side of revocation: logging a token or a whole refresh
//! family out, and refresh rotation, which spends one generation of a family at
//! a time and detects reuse (RFC 9700 §4.14) with a grace period for retries.

use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use time::OffsetDateTime;

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::denylist::{Denylist, Record, Session, Target, end_family};
use crate::error::{AuthError, detail_response};
use crate::issue::{IssueError, Occasion, TokenPair, refresh_time};
use crate::kind::REFRESH;
use crate::rejection::AuthRejection;
use crate::revocation::{
    Standing, family_lifetime_end, record_end, revoke_reused_family, standing,
};
use crate::settings::{MAX_DURATION, Revocation};

/// A token or family that could not be revoked, or a refresh token that could not
/// be rotated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RevokeError {
    /// The configuration has no denylist to record revocations in.
    #[error("no denylist is configured")]
    NoDenylist,
    /// The token's type is not in `denylist_token_checks`: verification never
    /// consults the denylist for it, so revoking it would change nothing.
    #[error(
        "tokens of type `{0}` are not checked against the denylist (see `denylist_token_checks`), so they cannot be revoked"
    )]
    NotChecked(String),
    /// The token given to rotate is not a refresh token.
    #[error("only refresh tokens can be rotated")]
    NotRefresh,
    /// The request is refused: the refresh token expired, was revoked or reused,
    /// or the denylist could not answer. Renders as the configuration's
    /// rejections do.
    #[error("{}", .0.error())]
    Rejected(AuthRejection),
    /// The new tokens could not be issued.
    #[error(transparent)]
    Issue(#[from] IssueError),
}

impl RevokeError {
    /// The rejection's reason, when the request was refused.
    pub fn auth_error(&self) -> Option<&AuthError> {
        match self {
            Self::Rejected(rejection) | Self::Issue(IssueError::Rejected(rejection)) => {
                Some(rejection.error())
            }
            _ => None,
        }
    }
}

impl IntoResponse for RevokeError {
    fn into_response(self) -> Response {
        match self {
            Self::Rejected(rejection) => rejection.into_response(),
            Self::Issue(error) => error.into_response(),
            Self::NotRefresh | Self::NoDenylist | Self::NotChecked(_) => {
                tracing::error!(error = %self, "paseto: could not revoke a token");
                detail_response(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
        }
    }
}

impl PasetoAuth {
    /// Revokes one token, such as the access token of a logout, until it can no
    /// longer verify (its `exp` plus the leeway).
    ///
    /// An error when no denylist is configured, or when the token's type is not
    /// among [`denylist_token_checks`](crate::config::PasetoAuthBuilder::denylist_token_checks).
    pub async fn revoke<T>(&self, claims: &Claims<T>) -> Result<(), RevokeError> {
        let (revocation, denylist) = self.denylist_for(claims.token_type())?;
        let now = OffsetDateTime::now_utc();
        let until = claims.expires_at().map_or(now + MAX_DURATION, |exp| {
            record_end(exp, self.settings.options.leeway)
        });
        let answer = denylist
            .revoke(claims.subject(), Target::Token(claims.token_id()), until)
            .await;
        revocation.observe(answer).map_err(|e| self.rejected(e))
    }

    /// Revokes every token of the token's refresh family: the session
    /// everywhere, which [`sessions`](Self::sessions) no longer lists.
    pub async fn revoke_family<T>(&self, claims: &Claims<T>) -> Result<(), RevokeError> {
        let (revocation, denylist) = self.denylist_for(claims.token_type())?;
        let until = family_lifetime_end(&self.settings, OffsetDateTime::now_utc());
        let answer = end_family(denylist, claims.subject(), claims.family_id(), until).await;
        revocation.observe(answer).map_err(|e| self.rejected(e))
    }

    /// Logs `subject` out everywhere: every token of the subject issued before
    /// now, of every type the denylist checks, on every instance that shares the
    /// store (a password change, "sign out of all devices"). One record per
    /// subject, kept for as long as any token could live (a later call moves
    /// its time forward), so no token with a longer `expires_in`, or none at
    /// all, outlives it; a token issued after the call works, in the same
    /// second too (this library's tokens name their time of issue, to the
    /// microsecond, in their `jti`).
    ///
    /// ```
    /// use paseto_runtime::{Access, AuthError, PasetoAuth, denylist::MemoryDenylist, keys::LocalKey};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth = PasetoAuth::builder()
    ///     .local_key(LocalKey::generate()?)
    ///     .denylist(MemoryDenylist::new())
    ///     .build()?;
    /// let before = auth.login_tokens("alice").await?;
    /// auth.revoke_subject("alice").await?;
    /// assert_eq!(auth.verify::<Access>(&before.access_token).await.unwrap_err(), AuthError::Revoked);
    /// let after = auth.login_tokens("alice").await?;
    /// assert!(auth.verify::<Access>(&after.access_token).await.is_ok());
    /// # Ok(()) }
    /// ```
    pub async fn revoke_subject(&self, subject: &str) -> Result<(), RevokeError> {
        let (revocation, denylist) = self.settings.denylist().ok_or(RevokeError::NoDenylist)?;
        let until = OffsetDateTime::now_utc() + MAX_DURATION;
        let answer = denylist.revoke(subject, Target::All, until).await;
        revocation.observe(answer).map_err(|e| self.rejected(e))
    }

    /// The subject's "log out everywhere" record, as the store holds it now.
    async fn subject_record<T>(
        &self,
        revocation: &Revocation,
        denylist: &dyn Denylist,
        claims: &Claims<T>,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, RevokeError> {
        let (token, family, subject) = (claims.token_id(), claims.family_id(), claims.subject());
        let answer = match denylist.get_now(token, family, subject, now) {
            Some(record) => Ok(record),
            None => denylist.get(token, family, subject).await,
        };
        let record = revocation.observe(answer).map_err(|e| self.rejected(e))?;
        Ok(record.subject_revoked_before)
    }

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

    /// The revocation settings and denylist that revoke tokens of `token_type`.
    fn denylist_for(&self, token_type: &str) -> Result<(&Revocation, &dyn Denylist), RevokeError> {
        let denylist = self.settings.denylist().map(|(_, denylist)| denylist);
        match (self.settings.revocation_for(token_type), denylist) {
            (_, None) => Err(RevokeError::NoDenylist),
            (None, Some(_)) => Err(RevokeError::NotChecked(token_type.to_owned())),
            (Some(revocation), Some(denylist)) => Ok((revocation, denylist)),
        }
    }

    pub(crate) fn rejected(&self, error: AuthError) -> RevokeError {
        RevokeError::Rejected(self.reject(error))
    }

    /// Exchanges a verified refresh token for a new access token (not fresh)
    /// of its family, which carries what the
    /// [grant hook](crate::config::PasetoAuthBuilder::on_grant) decides, or
    /// else the refresh token's scopes and custom claims; the session records
    /// the refresh. The refresh token is not spent: prefer
    /// [`rotate`](Self::rotate), which detects reuse.
    pub async fn refresh<T>(&self, refresh: &Claims<T>) -> Result<String, RevokeError> {
        let now = self.refreshable(refresh)?;
        let access = (self.granted_access(refresh, Occasion::Refresh, now).await?).issue()?;
        self.touch_session(refresh.subject(), refresh.family_id(), now)
            .await;
        Ok(access)
    }

    /// The time of a refresh or rotation of `refresh`, when it is a refresh
    /// token not past its `exp`: the leeway forgives clock skew, it does not
    /// renew an expired credential.
    fn refreshable<T>(&self, refresh: &Claims<T>) -> Result<OffsetDateTime, RevokeError> {
        refresh_time(refresh).map_err(|error| match error {
            AuthError::WrongType { .. } => RevokeError::NotRefresh,
            error => self.rejected(error),
        })
    }

    /// Exchanges a verified refresh token for a new access token (not fresh) and a
    /// new refresh token of the same family, and spends the old one.
    ///
    /// Presenting a spent refresh token again, here or to any guard, revokes the
    /// whole family (RFC 9700 §4.14): once either the client or a thief uses a
    /// stolen refresh token, it and every token descended from it stop working.
    /// Within the [rotation grace](crate::config::PasetoAuthBuilder::rotation_grace) after
    /// a rotation, the token just spent is taken again, as a client's retry: it
    /// gets a new pair of the same family and generation.
    ///
    /// A refresh token past its `exp` is refused even inside the leeway: the
    /// leeway forgives clock skew, it does not renew an expired credential.
    pub async fn rotate<T>(&self, refresh: &Claims<T>) -> Result<TokenPair, RevokeError> {
        let now = self.refreshable(refresh)?;
        let (revocation, denylist) = self.denylist_for(REFRESH)?;
        let generation = refresh.generation();
        let next = generation
            .checked_add(1)
            .ok_or_else(|| self.rejected(AuthError::MalformedClaim("gen")))?;
        // The new pair is ready before the old token is spent: a hook that
        // refuses, or an issue that fails, leaves it unspent for a retry.
        let grant = self.granted_after(refresh, Occasion::Rotation).await?;
        let pair = TokenPair {
            access_token: (self.refresh_access(refresh).granted(grant.as_ref())).issue_at(now)?,
            refresh_token: (self.refresh_token(refresh.subject()).successor_of(refresh))
                .granted(grant.as_ref())
                .generation(next)
                .issue_at(now)?,
        };
        let until = record_end(
            now + self.settings.options.refresh_ttl,
            self.settings.options.leeway,
        );
        let answer = denylist
            .advance(
                refresh.subject(),
                refresh.family_id(),
                generation,
                now,
                until,
            )
            .await;
        let before = revocation.observe(answer).map_err(|e| self.rejected(e))?;
        // The guard read the token's and the subject's records before this
        // rotation; the subject's is read again, so that a "log out everywhere"
        // that landed since stops the new pair. The family's is as it was
        // before this rotation.
        let subject = self
            .subject_record(revocation, denylist, refresh, now)
            .await?;
        let record = Record {
            token_revoked: false,
            family: before,
            subject_revoked_before: subject,
        };
        match standing(refresh, record, now, self.settings.options.rotation_grace) {
            Standing::Good => {}
            Standing::Revoked => return Err(self.rejected(AuthError::Revoked)),
            Standing::Reused => {
                let revoked =
                    revoke_reused_family(&self.settings, revocation, denylist, refresh, now).await;
                return Err(self.rejected(revoked.err().unwrap_or(AuthError::Reused)));
            }
        }
        self.touch_session(refresh.subject(), refresh.family_id(), now)
            .await;
        Ok(pair)
    }
}
