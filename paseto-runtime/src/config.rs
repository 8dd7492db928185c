//! `PasetoAuth`: the keys and settings every check reads.

use std::fmt;
use std::sync::Arc;

use axum_core::response::Response;
use http::HeaderName;
use time::Duration;

use crate::builder::PasetoAuthBuilder;
use crate::error::AuthError;
use crate::extract::AuthRejection;
use crate::keys::{LocalKey, PublicKey, SecretKey};
use crate::revoke::Revocation;

/// A configuration that cannot be used, found when it is built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No key was given.
    #[error(
        "no key configured: give a v4.local key, or an Ed25519 secret or public key for v4.public"
    )]
    NoKey,
    /// A v4.local key and Ed25519 keys were both given.
    #[error("both a v4.local key and Ed25519 keys are configured: choose one purpose")]
    ConflictingKeys,
    /// The Ed25519 public key is not the one derived from the secret key.
    #[error("the Ed25519 public key does not belong to the secret key")]
    KeyMismatch,
    /// A setting is out of its range.
    #[error("{setting} must be {expected}")]
    InvalidSetting {
        /// The setting.
        setting: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// An environment variable holds a value that cannot be used.
    #[error("environment variable {var}: expected {expected}")]
    Env {
        /// The variable's name.
        var: &'static str,
        /// What it must hold.
        expected: String,
    },
}

/// Renders every rejection of the application's extractors; see [`PasetoAuthBuilder::on_rejection`].
pub(crate) type Renderer = Arc<dyn Fn(&AuthError) -> Response + Send + Sync>;

/// The key material of one purpose: v4.local, or v4.public with or without the signing half.
#[derive(Debug)]
pub(crate) enum Keys {
    Local(LocalKey),
    Public {
        secret: Option<SecretKey>,
        public: PublicKey,
    },
}

/// The longest TTL or leeway accepted: a hundred years. Anything longer is a typo,
/// and keeping times this small means adding them to "now" cannot overflow.
pub(crate) const MAX_DURATION: Duration = Duration::days(36_525);

/// The longest rotation grace accepted: a window for retries, not a second lifetime.
pub(crate) const MAX_ROTATION_GRACE: Duration = Duration::minutes(5);

pub(crate) struct Settings {
    pub(crate) keys: Keys,
    pub(crate) access_ttl: Duration,
    pub(crate) refresh_ttl: Duration,
    pub(crate) custom_ttl: Duration,
    pub(crate) leeway: Duration,
    pub(crate) rotation_grace: Duration,
    pub(crate) issuer: Option<String>,
    pub(crate) required_issuer: Option<String>,
    pub(crate) audiences: Vec<String>,
    /// Accept tokens whose `aud` names other services when no audience is required.
    pub(crate) allow_any_audience: bool,
    pub(crate) header: HeaderName,
    /// The scheme, or empty for a bare token.
    pub(crate) scheme: String,
    /// The header's name as configured, for messages.
    pub(crate) header_label: Arc<str>,
    /// The form the header must have, for messages: `Bearer <PASETO>`.
    pub(crate) header_form: Arc<str>,
    pub(crate) allow_missing_expiry: bool,
    pub(crate) footer: Option<Vec<u8>>,
    pub(crate) implicit_assertion: Option<Vec<u8>>,
    pub(crate) renderer: Option<Renderer>,
    pub(crate) revocation: Option<Revocation>,
}

impl Settings {
    /// The longest a token of a refresh family lives: the longer of the access
    /// and refresh lifetimes. Revoking a family covers this long.
    pub(crate) fn family_ttl(&self) -> Duration {
        self.access_ttl.max(self.refresh_ttl)
    }
}

/// Keys and settings for issuing and verifying tokens; cheap to clone (an `Arc` inside).
///
/// Put it in the router's state (directly, or in a state struct with
/// `impl FromRef<AppState> for PasetoAuth`) so the extractors can find it.
/// `issue` and `verify` also work without axum.
#[derive(Clone)]
pub struct PasetoAuth {
    pub(crate) settings: Arc<Settings>,
}

impl PasetoAuth {
    /// Starts a configuration with fastapi-paseto's defaults.
    pub fn builder() -> PasetoAuthBuilder {
        PasetoAuthBuilder::default()
    }

    /// Builds a configuration from `PASETO_*` environment variables; see
    /// [`PasetoAuthBuilder::env`] for the variables.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::builder().env()?.build()
    }

    /// A rejection of `error`, rendered as this configuration renders every
    /// rejection (see [`PasetoAuthBuilder::on_rejection`]): for handlers that
    /// verify or revoke tokens themselves and answer the client.
    pub fn reject(&self, error: AuthError) -> AuthRejection {
        crate::extract::reject(&self.settings, error)
    }
}

impl fmt::Debug for PasetoAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("PasetoAuth")
            .field("keys", &s.keys)
            .field("access_ttl", &s.access_ttl)
            .field("refresh_ttl", &s.refresh_ttl)
            .field("custom_ttl", &s.custom_ttl)
            .field("leeway", &s.leeway)
            .field("rotation_grace", &s.rotation_grace)
            .field("issuer", &s.issuer)
            .field("required_issuer", &s.required_issuer)
            .field("audiences", &s.audiences)
            .field("allow_any_audience", &s.allow_any_audience)
            .field("header", &s.header_label)
            .field("scheme", &s.scheme)
            .field("allow_missing_expiry", &s.allow_missing_expiry)
            .field("footer", &s.footer.as_ref().map(|_| ".."))
            .field(
                "implicit_assertion",
                &s.implicit_assertion.as_ref().map(|_| ".."),
            )
            .field("custom_rejection", &s.renderer.is_some())
            .field("revocation", &s.revocation.as_ref().map(|r| &r.token_types))
            .finish()
    }
}
