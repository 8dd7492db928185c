//! [`AuthRejection`]: a rejection rendered as the configuration says, the one
//! place every authentication failure passes through on its way to the client.

use axum_core::response::{IntoResponse, Response};

use crate::auth::PasetoAuth;
use crate::error::AuthError;
use crate::settings::{Renderer, Settings};

/// The rejection of [`Verified`](crate::Verified) and of the body layer: the
/// reason, rendered as the configuration says. Two rejections are equal when
/// their reasons are.
#[derive(Clone)]
pub struct AuthRejection {
    error: AuthError,
    renderer: Option<Renderer>,
}

impl AuthRejection {
    /// Why the request was rejected.
    pub fn error(&self) -> &AuthError {
        &self.error
    }

    /// Takes the reason out.
    pub fn into_error(self) -> AuthError {
        self.error
    }
}

impl std::fmt::Debug for AuthRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AuthRejection").field(&self.error).finish()
    }
}

impl PartialEq for AuthRejection {
    fn eq(&self, other: &Self) -> bool {
        self.error == other.error
    }
}

impl Eq for AuthRejection {}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self.renderer {
            Some(render) => render(&self.error),
            None => self.error.into_response(),
        }
    }
}

/// A rejection of `error` under `settings`, logged at debug by its kind.
pub(crate) fn reject(settings: &Settings, error: AuthError) -> AuthRejection {
    tracing::debug!(kind = error.kind(), "paseto: request rejected");
    #[cfg(feature = "metrics")]
    metrics::counter!("paseto_rejections_total", "kind" => error.kind()).increment(1);
    AuthRejection {
        error,
        renderer: settings.renderer.clone(),
    }
}

/// A required extractor's answer from its optional one: the value, or the
/// rejection of a request that carries no token.
pub(crate) fn required<T>(settings: &Settings, found: Option<T>) -> Result<T, AuthRejection> {
    found.ok_or_else(|| reject(settings, AuthError::MissingToken))
}

impl PasetoAuth {
    /// A rejection of `error`, rendered as this configuration renders every
    /// rejection (see [`PasetoAuthBuilder::on_rejection`](crate::config::PasetoAuthBuilder::on_rejection)):
    /// for handlers that verify or revoke tokens themselves and answer the client.
    pub fn reject(&self, error: AuthError) -> AuthRejection {
        reject(&self.settings, error)
    }
}
