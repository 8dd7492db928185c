//! Security events: what an application may act on as it happens (alert,
//! lock an account, count), raised where it happens and handed to the hook the
//! configuration names, and with the feature `metrics`, counted.

use std::sync::Arc;

/// Something worth knowing beyond one rejected request. No event carries a
/// token, a key or a claim other than the subject and the session (the refresh
/// family's id).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecurityEvent {
    /// A rotated refresh token was presented again (RFC 9700 §4.14): stolen, or
    /// replayed. The session is now revoked everywhere.
    RefreshReuse {
        /// The token's subject.
        subject: String,
        /// The session (refresh family) now revoked.
        session: String,
    },
    /// A revoked token was presented.
    RevokedToken {
        /// The token's subject.
        subject: String,
        /// The token's session (refresh family).
        session: String,
    },
    /// A token named a key this service does not hold: another service's, or
    /// one retired.
    UnknownKeyId,
    /// The revocation store stopped answering; requests that need it get 503
    /// until it answers again. Raised once an outage.
    StoreOutage {
        /// The store's error, with its causes.
        cause: String,
    },
    /// The revocation store answers again.
    StoreRecovered,
    /// A valid token named a user the application's loader does not find.
    UserNotFound {
        /// The token's subject.
        subject: String,
    },
}

impl SecurityEvent {
    /// A stable `snake_case` name, for logs and metrics labels.
    pub fn name(&self) -> &'static str {
        match self {
            Self::RefreshReuse { .. } => "refresh_reuse",
            Self::RevokedToken { .. } => "revoked_token",
            Self::UnknownKeyId => "unknown_key_id",
            Self::StoreOutage { .. } => "store_outage",
            Self::StoreRecovered => "store_recovered",
            Self::UserNotFound { .. } => "user_not_found",
        }
    }
}

/// The application's hook for security events.
pub(crate) type EventHook = Arc<dyn Fn(&SecurityEvent) + Send + Sync>;

/// Hands `event` to the hook, if any, and counts it (feature `metrics`):
/// `paseto_security_events_total{event}`, and `paseto_refresh_reuse_total`.
/// The event is only built when something takes it.
pub(crate) fn raise(hook: Option<&EventHook>, event: impl FnOnce() -> SecurityEvent) {
    #[cfg(feature = "metrics")]
    let counted = true;
    #[cfg(not(feature = "metrics"))]
    let counted = false;
    if hook.is_none() && !counted {
        return;
    }
    let event = event();
    #[cfg(feature = "metrics")]
    {
        metrics::counter!("paseto_security_events_total", "event" => event.name()).increment(1);
        if matches!(event, SecurityEvent::RefreshReuse { .. }) {
            metrics::counter!("paseto_refresh_reuse_total").increment(1);
        }
    }
    if let Some(hook) = hook {
        hook(&event);
    }
}
