//! [`AuthRejection`]: a rejection rendered as the configuration says, the one
//! place every authentication failure passes through on its way to the client.

use std::sync::Arc;

use axum_core::response::{IntoResponse, Response};

use crate::error::AuthError;

/// Renders every rejection of the application's extractors, in place of
/// [`AuthError`]'s rendering; see
/// [`PasetoAuthBuilder::on_rejection`](crate::config::PasetoAuthBuilder::on_rejection).
pub(crate) type Renderer = Arc<dyn Fn(&AuthError) -> Response + Send + Sync>;

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

/// A rejection of `error`, rendered by `renderer` or else as [`AuthError`]
/// renders; logged at debug by its kind.
pub(crate) fn reject(renderer: Option<&Renderer>, error: AuthError) -> AuthRejection {
    tracing::debug!(kind = error.kind(), "paseto: request rejected");
    #[cfg(feature = "metrics")]
    metrics::counter!("paseto_rejections_total", "kind" => error.kind()).increment(1);
    AuthRejection {
        error,
        renderer: renderer.cloned(),
    }
}
