//! Token pairs: what a login issues, an access token and a refresh token of one
//! new refresh family.

use std::fmt;

use time::OffsetDateTime;

use super::IssueError;
use crate::auth::PasetoAuth;

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
