//! Revocation: the checks run during verification, logout, and refresh rotation
//! with reuse detection (RFC 9700 §4.14).

use std::sync::Arc;

use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use time::{Duration, OffsetDateTime};

use crate::claims::Claims;
use crate::config::{MAX_DURATION, PasetoAuth, Settings};
use crate::denylist::{BoxFuture, Denylist, DenylistError, Mark, Target};
use crate::error::{AuthError, detail_response};
use crate::issue::IssueError;
use crate::kind::REFRESH;

/// A user-supplied revocation check: `Ok(true)` when the token is revoked.
pub(crate) type Check = Arc<
    dyn Fn(&Claims) -> BoxFuture<'static, Result<bool, Box<dyn std::error::Error + Send + Sync>>>
        + Send
        + Sync,
>;

/// What verification consults, for which token types.
pub(crate) struct Revocation {
    pub(crate) denylist: Option<Arc<dyn Denylist>>,
    pub(crate) check: Option<Check>,
    pub(crate) token_types: Vec<String>,
}

/// A token or family that could not be revoked, or a refresh token that could not
/// be rotated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RevokeError {
    /// The configuration has no denylist to record revocations in.
    #[error("no denylist is configured")]
    NoDenylist,
    /// The refresh token was already rotated: its whole family is now revoked.
    #[error("the refresh token was already used; its family is revoked")]
    Reused,
    /// The token given to rotate is not a refresh token.
    #[error("only refresh tokens can be rotated")]
    NotRefresh,
    /// The denylist could not be reached.
    #[error(transparent)]
    Unavailable(#[from] DenylistError),
    /// The new tokens could not be issued.
    #[error(transparent)]
    Issue(#[from] IssueError),
}

impl IntoResponse for RevokeError {
    fn into_response(self) -> Response {
        match self {
            Self::Reused => AuthError::Reused.into_response(),
            Self::Unavailable(error) => AuthError::from(error).into_response(),
            Self::Issue(error) => error.into_response(),
            Self::NotRefresh | Self::NoDenylist => {
                tracing::error!(error = %self, "paseto: could not revoke a token");
                detail_response(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
        }
    }
}

/// A new access token and refresh token, from a login or a rotation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenPair {
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
}

impl PasetoAuth {
    /// Runs the denylist and the user's check, for the configured token types.
    /// Presenting a rotated refresh token revokes its whole family.
    pub(crate) async fn check_revocation(
        &self,
        claims: &Claims,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        let Some(revocation) = &self.settings.revocation else {
            return Ok(());
        };
        if !revocation
            .token_types
            .iter()
            .any(|t| t == claims.token_type())
        {
            return Ok(());
        }
        if let Some(denylist) = &revocation.denylist {
            let targets = [
                Target::Token(claims.token_id()),
                Target::Family(claims.family_id()),
            ];
            match denylist.get(&targets).await? {
                Some(Mark::Revoked) => return Err(AuthError::Revoked),
                Some(Mark::Rotated) => {
                    self.revoke_reused_family(&**denylist, claims.family_id(), now)
                        .await?;
                    return Err(AuthError::Reused);
                }
                None => {}
            }
        }
        if let Some(check) = &revocation.check {
            match check(claims).await {
                Ok(true) => return Err(AuthError::Revoked),
                Ok(false) => {}
                Err(error) => return Err(AuthError::from(DenylistError(error))),
            }
        }
        Ok(())
    }

    fn denylist(&self) -> Result<&dyn Denylist, RevokeError> {
        self.settings
            .revocation
            .as_ref()
            .and_then(|r| r.denylist.as_deref())
            .ok_or(RevokeError::NoDenylist)
    }

    /// Revokes a family whose spent refresh token was presented again: RFC 9700 §4.14
    /// reuse detection, a security event worth a warning.
    async fn revoke_reused_family(
        &self,
        denylist: &dyn Denylist,
        family: &str,
        now: OffsetDateTime,
    ) -> Result<(), DenylistError> {
        tracing::warn!(
            kind = "reused",
            "paseto: a rotated refresh token was presented again; its family is revoked"
        );
        revoke_family_in(&self.settings, denylist, family, now).await
    }

    /// Revokes one verified token until it expires, as a logout does.
    pub async fn revoke<T>(&self, claims: &Claims<T>) -> Result<(), RevokeError> {
        let until = token_expiry(claims, OffsetDateTime::now_utc());
        self.denylist()?
            .insert(Target::Token(claims.token_id()), Mark::Revoked, until)
            .await?;
        Ok(())
    }

    /// Revokes every token of the token's refresh family: the session everywhere.
    pub async fn revoke_family<T>(&self, claims: &Claims<T>) -> Result<(), RevokeError> {
        let now = OffsetDateTime::now_utc();
        revoke_family_in(&self.settings, self.denylist()?, claims.family_id(), now).await?;
        Ok(())
    }

    /// Issues what a login issues: a fresh access token and a refresh token, both in
    /// one new refresh family, so that reuse detection in [`rotate`](Self::rotate)
    /// also revokes this first access token.
    pub fn login_tokens(&self, subject: &str) -> Result<TokenPair, IssueError> {
        let family = uuid::Uuid::new_v4().hyphenated().to_string();
        Ok(TokenPair {
            access_token: self
                .access_token(subject)
                .fresh(true)
                .family(&family)
                .issue()?,
            refresh_token: self.refresh_token(subject).family(&family).issue()?,
        })
    }

    /// Exchanges a verified refresh token for a new access token (not fresh) and a
    /// new refresh token of the same family, and marks the old one rotated.
    ///
    /// Presenting a rotated refresh token again, here or to any guard, revokes the
    /// whole family (RFC 9700 §4.14): once either the client or a thief uses a
    /// stolen refresh token, it and every token descended from it stop working.
    pub async fn rotate<T>(&self, refresh: &Claims<T>) -> Result<TokenPair, RevokeError> {
        if refresh.token_type() != REFRESH {
            return Err(RevokeError::NotRefresh);
        }
        let denylist = self.denylist()?;
        let now = OffsetDateTime::now_utc();
        let first = denylist
            .insert(
                Target::Token(refresh.token_id()),
                Mark::Rotated,
                token_expiry(refresh, now),
            )
            .await?;
        if !first {
            self.revoke_reused_family(denylist, refresh.family_id(), now)
                .await?;
            return Err(RevokeError::Reused);
        }
        let access = self
            .access_token(refresh.subject())
            .successor_of(refresh)
            .issue()?;
        let refresh = self
            .refresh_token(refresh.subject())
            .successor_of(refresh)
            .issue()?;
        Ok(TokenPair {
            access_token: access,
            refresh_token: refresh,
        })
    }
}

/// How long a token's mark must live: until its `exp`, or for good without one.
fn token_expiry<T>(claims: &Claims<T>, now: OffsetDateTime) -> OffsetDateTime {
    claims.expires_at().unwrap_or(now + MAX_DURATION)
}

/// Marks a family revoked past the expiry of any of its tokens issued up to `now`.
async fn revoke_family_in(
    settings: &Settings,
    denylist: &dyn Denylist,
    family: &str,
    now: OffsetDateTime,
) -> Result<(), DenylistError> {
    let until = now + settings.access_ttl.max(settings.refresh_ttl) + Duration::minutes(1);
    denylist
        .insert(Target::Family(family), Mark::Revoked, until)
        .await?;
    Ok(())
}
