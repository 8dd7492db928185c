//! Tokens that outlive their request: a WebSocket, a stream. The handler learns
//! when the token it was opened with stops being valid.

use time::OffsetDateTime;

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::error::AuthError;
use crate::revocation::{self, OnReuse};

impl PasetoAuth {
    /// Resolves when the token `claims` came from stops being valid: at its `exp`
    /// plus the leeway ([`AuthError::Expired`]), or when it is revoked, which a
    /// configured denylist or revocation check is asked every
    /// [`revocation_poll`](crate::config::PasetoAuthBuilder::revocation_poll)
    /// ([`AuthError::Revoked`], or [`AuthError::RevocationUnavailable`] when the
    /// store cannot answer: it fails closed). A refresh token its client has
    /// rotated ends the watch as revoked; asking again is not reuse, so its family
    /// stays valid. A token without `exp` and without revocation never resolves.
    ///
    /// For a socket opened under a guard: race it against the socket and close
    /// the socket when it resolves, as the example app does with close code 1008
    /// and the error's message as the reason.
    ///
    /// ```
    /// use axum::extract::State;
    /// use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
    /// use axum::response::Response;
    /// use paseto_runtime::{Claims, PasetoAuth, paseto_required};
    ///
    /// #[paseto_required]
    /// async fn ws(claims: Claims, State(auth): State<PasetoAuth>, upgrade: WebSocketUpgrade) -> Response {
    ///     upgrade.on_upgrade(move |mut socket: WebSocket| async move {
    ///         let error = auth.until_invalid(&claims).await;
    ///         let frame = CloseFrame { code: close_code::POLICY, reason: error.to_string().into() };
    ///         let _ = socket.send(Message::Close(Some(frame))).await;
    ///     })
    /// }
    /// ```
    pub async fn until_invalid<T>(&self, claims: &Claims<T>) -> AuthError {
        let claims = claims.without_extra();
        let options = &self.settings.options;
        let end = claims
            .expires_at()
            .map(|exp| exp.checked_add(options.leeway).unwrap_or(exp));
        let revocable = self.settings.revocation_for(claims.token_type()).is_some();
        loop {
            let now = OffsetDateTime::now_utc();
            let left = end.map(|end| end - now);
            if left.is_some_and(|left| !left.is_positive()) {
                return AuthError::Expired;
            }
            let wait = match (left, revocable) {
                (Some(left), true) => Some(left.min(options.revocation_poll)),
                (Some(left), false) => Some(left),
                (None, true) => Some(options.revocation_poll),
                (None, false) => None,
            };
            match wait.and_then(|wait| std::time::Duration::try_from(wait).ok()) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => std::future::pending::<()>().await,
            }
            if revocable
                && let Err(error) = revocation::consult(
                    &self.settings,
                    &claims,
                    OffsetDateTime::now_utc(),
                    OnReuse::Refuse,
                )
                .await
            {
                return error;
            }
        }
    }
}
