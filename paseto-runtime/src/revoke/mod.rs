//! Revocation: the checks run during verification, logout, and refresh rotation
//! with reuse detection (RFC 9700 §4.14) and a grace period for retries.

mod outage;
mod rotation;
mod standing;

use std::fmt;

use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use time::OffsetDateTime;

pub(crate) use standing::record_end;
use standing::{Standing, standing};

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::denylist::{Denylist, DenylistError, Target};
use crate::error::{AuthError, detail_response};
use crate::issue::IssueError;
use crate::rejection::AuthRejection;
use crate::settings::{MAX_DURATION, Revocation};
use crate::token_type::REFRESH;

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
            Self::Rejected(rejection) => Some(rejection.error()),
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

/// A new access token and refresh token, from a login or a rotation.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenPair {
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
}

/// Tokens are credentials: `Debug` shows that they are there, not what they are.
impl fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenPair")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

/// What a revocation check does with a refresh token its family has rotated past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnReuse {
    /// Someone presented it again: revoke the family (verification).
    RevokeFamily,
    /// It was checked again, not presented: it is only spent (a watch).
    Refuse,
}

impl PasetoAuth {
    /// Runs the denylist and the user's check, for the configured token types.
    /// A refresh token the family has rotated past is reuse, which revokes the
    /// family, or with [`OnReuse::Refuse`] simply a spent token.
    pub(crate) async fn check_revocation(
        &self,
        claims: &Claims,
        now: OffsetDateTime,
        on_reuse: OnReuse,
    ) -> Result<(), AuthError> {
        match self.settings.revocation_for(claims.token_type()) {
            Some(revocation) => self.check_against(revocation, claims, now, on_reuse).await,
            None => Ok(()),
        }
    }

    /// Whether a sliding session may renew `claims`: a renewal is a refresh,
    /// so it is refused when the token is revoked or when its family is, as a
    /// refresh token's would be, even where the token's own type is not
    /// checked.
    pub(crate) async fn check_renewal(
        &self,
        claims: &Claims,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        let revocation = self
            .settings
            .revocation_for(claims.token_type())
            .or_else(|| self.settings.revocation_for(REFRESH));
        match revocation {
            Some(revocation) => {
                self.check_against(revocation, claims, now, OnReuse::Refuse)
                    .await
            }
            None => Ok(()),
        }
    }

    /// The denylist's and the revocation check's answers for `claims`.
    async fn check_against(
        &self,
        revocation: &Revocation,
        claims: &Claims,
        now: OffsetDateTime,
        on_reuse: OnReuse,
    ) -> Result<(), AuthError> {
        if let Some(denylist) = &revocation.denylist {
            let (token, family) = (claims.token_id(), claims.family_id());
            let answer = match denylist.get_now(token, family, now) {
                Some(record) => Ok(record),
                None => denylist.get(token, family).await,
            };
            let record = revocation.observe(answer)?;
            match standing(claims, record, now, self.settings.options.rotation_grace) {
                Standing::Good => {}
                Standing::Revoked => return Err(AuthError::Revoked),
                Standing::Reused if on_reuse == OnReuse::Refuse => {
                    return Err(AuthError::Revoked);
                }
                Standing::Reused => {
                    self.revoke_reused_family(revocation, &**denylist, claims.family_id(), now)
                        .await?;
                    return Err(AuthError::Reused);
                }
            }
        }
        if let Some(check) = &revocation.check {
            let answer = check(claims).await.map_err(DenylistError);
            if revocation.observe(answer)? {
                return Err(AuthError::Revoked);
            }
        }
        Ok(())
    }

    /// The revocation settings and denylist that revoke tokens of `token_type`.
    fn denylist_for(&self, token_type: &str) -> Result<(&Revocation, &dyn Denylist), RevokeError> {
        let revocation = self.settings.revocation.as_ref();
        let denylist = revocation.and_then(|r| r.denylist.as_deref());
        match (self.settings.revocation_for(token_type), denylist) {
            (_, None) => Err(RevokeError::NoDenylist),
            (None, Some(_)) => Err(RevokeError::NotChecked(token_type.to_owned())),
            (Some(revocation), Some(denylist)) => Ok((revocation, denylist)),
        }
    }

    fn rejected(&self, error: AuthError) -> RevokeError {
        RevokeError::Rejected(self.reject(error))
    }

    /// Revokes a family whose spent refresh token was presented again: RFC 9700 §4.14
    /// reuse detection, a security event worth a warning.
    async fn revoke_reused_family(
        &self,
        revocation: &Revocation,
        denylist: &dyn Denylist,
        family: &str,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        tracing::warn!(
            kind = "reused",
            "paseto: a rotated refresh token was presented again; its family is revoked"
        );
        let until = self.family_lifetime_end(now);
        revocation.observe(denylist.revoke(Target::Family(family), until).await)
    }

    /// When every token of a family issued up to `now` has stopped verifying.
    fn family_lifetime_end(&self, now: OffsetDateTime) -> OffsetDateTime {
        let s = &self.settings;
        record_end(now + s.options.family_ttl(), s.options.leeway)
    }

    /// Revokes one token, such as the access token of a logout, until it can no
    /// longer verify (its `exp` plus the leeway).
    ///
    /// An error when no denylist is configured, or when the token's type is not
    /// among [`denylist_token_checks`](crate::PasetoAuthBuilder::denylist_token_checks).
    pub async fn revoke<T>(&self, claims: &Claims<T>) -> Result<(), RevokeError> {
        let (revocation, denylist) = self.denylist_for(claims.token_type())?;
        let now = OffsetDateTime::now_utc();
        let until = claims.expires_at().map_or(now + MAX_DURATION, |exp| {
            record_end(exp, self.settings.options.leeway)
        });
        let answer = denylist
            .revoke(Target::Token(claims.token_id()), until)
            .await;
        revocation.observe(answer).map_err(|e| self.rejected(e))
    }

    /// Revokes every token of the token's refresh family: the session everywhere.
    pub async fn revoke_family<T>(&self, claims: &Claims<T>) -> Result<(), RevokeError> {
        let (revocation, denylist) = self.denylist_for(claims.token_type())?;
        let until = self.family_lifetime_end(OffsetDateTime::now_utc());
        let answer = denylist
            .revoke(Target::Family(claims.family_id()), until)
            .await;
        revocation.observe(answer).map_err(|e| self.rejected(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_pair_debug_redacts_the_tokens() {
        let pair = TokenPair {
            access_token: "v4.local.secret-access".to_owned(),
            refresh_token: "v4.local.secret-refresh".to_owned(),
        };
        let shown = format!("{pair:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
