//! Revocation: the checks run during verification, logout, and refresh rotation
//! with reuse detection (RFC 9700 §4.14) and a grace period for retries.

use std::fmt;
use std::sync::atomic::Ordering;

use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use time::{Duration, OffsetDateTime};

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::denylist::{Denylist, DenylistError, Family, Record, Target};
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

/// Where a token stands against what the denylist holds.
#[derive(Debug, PartialEq, Eq)]
enum Standing {
    Good,
    Revoked,
    /// A refresh token of a generation the family has rotated past.
    Reused,
}

/// The one rule for every token: revoked itself or by its family, and for a
/// refresh token, of the family's current generation, or of the one before it
/// within `grace` of the rotation. A refresh token of a generation the store does
/// not know (its record was lost) is refused: revocation fails closed.
fn standing<T>(
    claims: &Claims<T>,
    record: Record,
    now: OffsetDateTime,
    grace: Duration,
) -> Standing {
    if record.token_revoked || record.family == Some(Family::Revoked) {
        return Standing::Revoked;
    }
    if claims.token_type() != REFRESH {
        return Standing::Good;
    }
    let (current, rotated_at) = match record.family {
        Some(Family::Rotated { generation, at }) => (generation, Some(at)),
        _ => (0, None),
    };
    let generation = claims.generation();
    let in_grace = grace.is_positive()
        && generation.checked_add(1) == Some(current)
        && rotated_at.is_some_and(|at| now < at.saturating_add(grace));
    if generation == current || in_grace {
        Standing::Good
    } else if generation < current {
        Standing::Reused
    } else {
        Standing::Revoked
    }
}

/// The last moment a token expiring at `exp` can verify, rounded up to a whole
/// second: revocation records must outlive it.
pub(crate) fn last_valid_moment(exp: OffsetDateTime, leeway: Duration) -> OffsetDateTime {
    let end = exp.saturating_add(leeway);
    match end.nanosecond() {
        0 => end,
        _ => end
            .replace_nanosecond(0)
            .map_or(end, |whole| whole.saturating_add(Duration::SECOND)),
    }
}

impl Revocation {
    /// A store's answer: an error is logged once per outage, and the recovery once.
    fn observe<T>(&self, answer: Result<T, DenylistError>) -> Result<T, AuthError> {
        match answer {
            Ok(value) => {
                if self.outage.load(Ordering::Relaxed) && self.outage.swap(false, Ordering::Relaxed)
                {
                    tracing::info!("paseto: the revocation store answers again");
                }
                Ok(value)
            }
            Err(error) => {
                if !self.outage.swap(true, Ordering::Relaxed) {
                    tracing::error!(
                        error = %ErrorChain(&error),
                        "paseto: the revocation store is unavailable; tokens are refused with 503 until it answers"
                    );
                }
                Err(AuthError::RevocationUnavailable)
            }
        }
    }
}

/// An error and its sources, by `Display`: `a: b: c`, leaving out a source whose
/// text an error before it already shows.
struct ErrorChain<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.to_string();
        let mut source = self.0.source();
        while let Some(error) = source {
            let text = error.to_string();
            if !shown.contains(&text) {
                shown = format!("{shown}: {text}");
            }
            source = error.source();
        }
        f.write_str(&shown)
    }
}

impl PasetoAuth {
    /// Runs the denylist and the user's check, for the configured token types.
    /// Presenting a refresh token the family has rotated past revokes the family.
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
            let answer = denylist.get(claims.token_id(), claims.family_id()).await;
            let record = revocation.observe(answer)?;
            match standing(claims, record, now, self.settings.options.rotation_grace) {
                Standing::Good => {}
                Standing::Revoked => return Err(AuthError::Revoked),
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
        let denylist = revocation
            .and_then(|r| r.denylist.as_deref())
            .ok_or(RevokeError::NoDenylist)?;
        let revocation = revocation.ok_or(RevokeError::NoDenylist)?;
        if !revocation.token_types.iter().any(|t| t == token_type) {
            return Err(RevokeError::NotChecked(token_type.to_owned()));
        }
        Ok((revocation, denylist))
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
        last_valid_moment(now + s.options.family_ttl(), s.options.leeway)
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
            last_valid_moment(exp, self.settings.options.leeway)
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
    /// new refresh token of the same family, and spends the old one.
    ///
    /// Presenting a spent refresh token again, here or to any guard, revokes the
    /// whole family (RFC 9700 §4.14): once either the client or a thief uses a
    /// stolen refresh token, it and every token descended from it stop working.
    /// Within the [rotation grace](crate::PasetoAuthBuilder::rotation_grace) after
    /// a rotation, the token just spent is taken again, as a client's retry: it
    /// gets a new pair of the same family and generation.
    ///
    /// A refresh token past its `exp` is refused even inside the leeway: the
    /// leeway forgives clock skew, it does not renew an expired credential.
    pub async fn rotate<T>(&self, refresh: &Claims<T>) -> Result<TokenPair, RevokeError> {
        if refresh.token_type() != REFRESH {
            return Err(RevokeError::NotRefresh);
        }
        let (revocation, denylist) = self.denylist_for(REFRESH)?;
        let now = OffsetDateTime::now_utc();
        if refresh.expires_at().is_some_and(|exp| exp <= now) {
            return Err(self.rejected(AuthError::Expired));
        }
        let generation = refresh.generation();
        let next = generation
            .checked_add(1)
            .ok_or_else(|| self.rejected(AuthError::MalformedClaim("gen")))?;
        let until = last_valid_moment(
            now + self.settings.options.refresh_ttl,
            self.settings.options.leeway,
        );
        let answer = denylist
            .advance(refresh.family_id(), generation, now, until)
            .await;
        let before = revocation.observe(answer).map_err(|e| self.rejected(e))?;
        let record = Record {
            token_revoked: false,
            family: before,
        };
        match standing(refresh, record, now, self.settings.options.rotation_grace) {
            Standing::Good => {}
            Standing::Revoked => return Err(self.rejected(AuthError::Revoked)),
            Standing::Reused => {
                let revoked = self
                    .revoke_reused_family(revocation, denylist, refresh.family_id(), now)
                    .await;
                return Err(self.rejected(revoked.err().unwrap_or(AuthError::Reused)));
            }
        }
        Ok(TokenPair {
            access_token: self.refresh_access(refresh).issue()?,
            refresh_token: self
                .refresh_token(refresh.subject())
                .successor_of(refresh)
                .generation(next)
                .issue()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn the_last_valid_moment_rounds_up_past_the_leeway() {
        let exp = datetime!(2026-01-01 0:00:04.001 UTC);
        assert_eq!(
            last_valid_moment(exp, Duration::seconds(60)),
            datetime!(2026-01-01 0:01:05 UTC)
        );
        let whole = datetime!(2026-01-01 0:00:04 UTC);
        assert_eq!(last_valid_moment(whole, Duration::ZERO), whole);
        let last = datetime!(9999-12-31 23:59:59.5 UTC);
        assert_eq!(
            last_valid_moment(last, MAX_DURATION).year(),
            9999,
            "saturates"
        );
    }

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
