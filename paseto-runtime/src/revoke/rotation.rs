//! Logins and refresh rotation: token pairs of one family, spent one generation
//! at a time.

use time::OffsetDateTime;

use super::standing::{Standing, record_end, standing};
use super::{RevokeError, TokenPair};
use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::denylist::Record;
use crate::error::AuthError;
use crate::issue::IssueError;
use crate::token_type::REFRESH;

impl PasetoAuth {
    /// Issues what a login issues: a fresh access token and a refresh token, both in
    /// one new refresh family, so that reuse detection in [`rotate`](Self::rotate)
    /// also revokes this first access token.
    pub fn login_tokens(&self, subject: &str) -> Result<TokenPair, IssueError> {
        self.login_pair(subject, &[], None)
    }

    /// [`login_tokens`](Self::login_tokens) granting `scopes`: both tokens carry
    /// them, and so does every token that refreshing or rotating descends from
    /// them.
    pub fn login_tokens_with_scopes(
        &self,
        subject: &str,
        scopes: &[&str],
    ) -> Result<TokenPair, IssueError> {
        self.login_pair(subject, scopes, None)
    }

    /// A login's pair in a new family, granting `scopes`; for cookies, each token
    /// with its CSRF value.
    pub(crate) fn login_pair(
        &self,
        subject: &str,
        scopes: &[&str],
        csrf: Option<[&str; 2]>,
    ) -> Result<TokenPair, IssueError> {
        let family = uuid::Uuid::new_v4().hyphenated().to_string();
        let now = OffsetDateTime::now_utc();
        let mut access = (self.access_token(subject).fresh(true).family(&family))
            .scopes(scopes.iter().copied())
            .authenticated_at(now);
        let mut refresh = (self.refresh_token(subject).family(&family))
            .scopes(scopes.iter().copied())
            .authenticated_at(now);
        if let Some([access_csrf, refresh_csrf]) = csrf {
            access = access.csrf(access_csrf);
            refresh = refresh.csrf(refresh_csrf);
        }
        Ok(TokenPair {
            access_token: access.issue()?,
            refresh_token: refresh.issue()?,
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
        let until = record_end(
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
