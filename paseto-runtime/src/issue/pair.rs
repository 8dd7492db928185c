//! Token pairs: what a login or a rotation issues, an access token and a
//! refresh token of one refresh family.

use std::fmt;

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
