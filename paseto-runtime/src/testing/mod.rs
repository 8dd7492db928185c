//! Helpers for testing guarded handlers (cargo feature `testing`, for
//! `[dev-dependencies]`): a configuration in one call, and tokens with chosen
//! times and claims, so a test can produce every answer a client can meet.
//!
//! ```
//! use paseto_runtime::testing::{self, TokenTimes};
//! use paseto_runtime::{Access, AuthError, Duration};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = testing::auth();
//! let now = testing::OffsetDateTime::now_utc();
//! let expired = auth.access_token("alice").expires_at(now - Duration::minutes(1)).issue()?;
//! assert_eq!(auth.verify::<Access>(&expired).await.unwrap_err(), AuthError::Expired);
//! let early = auth.access_token("alice").not_before(now + Duration::hours(1)).issue()?;
//! assert_eq!(auth.verify::<Access>(&early).await.unwrap_err(), AuthError::NotYetValid);
//! # Ok(()) }
//! ```

mod audit;

pub use audit::{AuditError, Finding, Problem, audit};
pub use time::OffsetDateTime;

use crate::auth::PasetoAuth;
use crate::builder::PasetoAuthBuilder;
use crate::issue::{Expiry, TokenBuilder};
use crate::keys::LocalKey;

/// A configuration with a newly generated `v4.local` key and the defaults.
///
/// # Panics
///
/// When the system's random number generator fails, which a test cannot go on from.
pub fn auth() -> PasetoAuth {
    builder()
        .build()
        .expect("the defaults with a generated key are a valid configuration")
}

/// A builder with a newly generated `v4.local` key, for a test's own settings.
///
/// # Panics
///
/// When the system's random number generator fails.
pub fn builder() -> PasetoAuthBuilder {
    let key = LocalKey::generate().expect("the system random number generator works");
    PasetoAuth::builder().local_key(key)
}

/// Chosen times for a token, for tests: expired, not yet valid, issued long
/// ago. Tokens the service verifies carry them as issued; the verifier's clock
/// and leeway decide.
pub trait TokenTimes: Sized {
    /// Issues the token as if now were `at`: its `iat` and `nbf`, and its
    /// expiry counted from there (`issued_at(now - 1 hour)` with the default 15
    /// minutes is an expired token).
    #[must_use]
    fn issued_at(self, at: OffsetDateTime) -> Self;

    /// Sets `nbf`: a moment ahead makes a token not yet valid.
    #[must_use]
    fn not_before(self, at: OffsetDateTime) -> Self;

    /// Sets `exp` outright, even in the past.
    #[must_use]
    fn expires_at(self, at: OffsetDateTime) -> Self;
}

impl<K> TokenTimes for TokenBuilder<'_, K> {
    fn issued_at(mut self, at: OffsetDateTime) -> Self {
        self.times.issued_at = Some(at);
        self
    }

    fn not_before(mut self, at: OffsetDateTime) -> Self {
        self.times.not_before = Some(at);
        self
    }

    fn expires_at(mut self, at: OffsetDateTime) -> Self {
        self.expiry = Expiry::At(at);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AuthError;
    use crate::kind::Access;
    use time::Duration;

    #[tokio::test]
    async fn chosen_times_give_each_time_rejection() {
        let auth = auth();
        let now = OffsetDateTime::now_utc();
        let old = auth
            .access_token("a")
            .issued_at(now - Duration::hours(1))
            .issue()
            .unwrap();
        assert_eq!(
            auth.verify::<Access>(&old).await.unwrap_err(),
            AuthError::Expired
        );
        let future = auth
            .access_token("a")
            .issued_at(now + Duration::hours(1))
            .not_before(now)
            .issue()
            .unwrap();
        assert_eq!(
            auth.verify::<Access>(&future).await.unwrap_err(),
            AuthError::IssuedInFuture
        );
        let long_ago = auth
            .access_token("a")
            .issued_at(now - Duration::days(1))
            .expires_at(now + Duration::minutes(1))
            .issue()
            .unwrap();
        let claims = auth.verify::<Access>(&long_ago).await.unwrap();
        assert_eq!(
            claims.issued_at().map(|t| (now - t).whole_hours()),
            Some(24)
        );
    }
}
