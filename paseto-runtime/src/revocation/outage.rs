//! Outages of the revocation store: refused with 503, logged once, and the
//! recovery logged once.

use std::fmt;
use std::sync::atomic::Ordering;

use crate::denylist::DenylistError;
use crate::error::AuthError;
use crate::events::{SecurityEvent, raise};
use crate::settings::Revocation;

impl Revocation {
    /// A store's answer: an error is logged once per outage, and the recovery once.
    pub(crate) fn observe<T>(&self, answer: Result<T, DenylistError>) -> Result<T, AuthError> {
        match answer {
            Ok(value) => {
                if self.outage.load(Ordering::Relaxed) && self.outage.swap(false, Ordering::Relaxed)
                {
                    tracing::info!("paseto: the revocation store answers again");
                    raise(self.events.as_ref(), || SecurityEvent::StoreRecovered);
                }
                Ok(value)
            }
            Err(error) => {
                if !self.outage.swap(true, Ordering::Relaxed) {
                    tracing::error!(
                        error = %ErrorChain(&error),
                        "paseto: the revocation store is unavailable; tokens are refused with 503 until it answers"
                    );
                    raise(self.events.as_ref(), || SecurityEvent::StoreOutage {
                        cause: ErrorChain(&error).to_string(),
                    });
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
