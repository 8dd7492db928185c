//! [`PasetoAuth`]: a built configuration, shared by every handler. Issuing,
//! verifying and revoking each add their methods in their own module; the
//! rendering of a rejection is here, as every one of them renders.

use std::fmt;
use std::sync::Arc;

use crate::error::AuthError;
use crate::rejection::AuthRejection;
use crate::settings::Settings;

/// Keys and settings for issuing and verifying tokens; cheap to clone (an `Arc` inside).
///
/// Put it in the router's state (directly, or in a state struct with
/// `impl FromRef<AppState> for PasetoAuth`) so the extractors can find it.
/// `issue` and `verify` also work without axum.
#[derive(Clone)]
pub struct PasetoAuth {
    pub(crate) settings: Arc<Settings>,
}

impl fmt::Debug for PasetoAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.settings.fmt(f)
    }
}

impl PasetoAuth {
    /// The PASERK id (`k4.lid.…`, `k4.pid.…`) of the current key: the key that
    /// issues, or for a service that only verifies `v4.public` tokens, its
    /// public key. `None` for a raw secret, which has no PASERK id.
    pub fn key_id(&self) -> Option<&str> {
        self.settings.keys.current_id()
    }

    /// A rejection of `error`, rendered as this configuration renders every
    /// rejection (see [`PasetoAuthBuilder::on_rejection`](crate::config::PasetoAuthBuilder::on_rejection)):
    /// for handlers that verify or revoke tokens themselves and answer the client.
    pub fn reject(&self, error: AuthError) -> AuthRejection {
        self.settings.reject(error)
    }
}
