//! The test key, configurations over it, and a router with one route per guard.

use axum::Router;
use axum::routing::get;
use paseto_runtime::{
    Access, FreshAccess, PasetoAuth, Refresh, TokenKind, Verified, keys::LocalKey,
};
use serde::Deserialize;

/// The raw bytes of the test key, so tests can forge tokens under it.
pub const KEY: [u8; 32] = *b"an-example-key-of-32-bytes-long!";

/// The test key.
pub fn key() -> LocalKey {
    LocalKey::from_bytes(&KEY).expect("32 bytes")
}

/// A configuration over the test key with the defaults.
pub fn auth() -> PasetoAuth {
    PasetoAuth::builder()
        .local_key(key())
        .build()
        .expect("valid configuration")
}

/// The user's own claims of the `/role` route.
#[derive(Debug, Deserialize)]
pub struct Role {
    /// The user's role.
    pub role: String,
}

/// A custom token type, as fastapi-paseto's `create_token(type="email-verify")`.
pub enum EmailVerify {}

/// The claims an email-verification token carries.
#[derive(Debug, Deserialize)]
pub struct Email {
    /// The address being verified.
    pub email: String,
}

impl TokenKind for EmailVerify {
    const TOKEN_TYPE: &'static str = "email-verify";
    type Extra = Email;
}

/// Handlers under each attribute form, each answering with what it verified.
pub mod guarded {
    #![allow(clippy::unused_async, reason = "axum handlers are async functions")]

    use axum::Json;
    use paseto_runtime::{Claims, fresh_paseto_required, paseto_required};
    use serde::Deserialize;

    use crate::Email;

    /// Any access token.
    #[paseto_required]
    pub async fn access(claims: Claims) -> String {
        claims.subject().to_owned()
    }

    /// A refresh token.
    #[paseto_required(refresh)]
    pub async fn refresh(claims: Claims) -> String {
        claims.subject().to_owned()
    }

    /// A fresh access token.
    #[fresh_paseto_required]
    pub async fn fresh(claims: Claims) -> String {
        claims.subject().to_owned()
    }

    /// An access token or none.
    #[paseto_required(optional)]
    pub async fn optional(claims: Option<Claims>) -> String {
        claims.map_or_else(|| "anonymous".to_owned(), |c| c.subject().to_owned())
    }

    /// An email-verification token, answering with its address.
    #[paseto_required(token_type = "email-verify")]
    pub async fn email(claims: Claims<Email>) -> String {
        claims.into_extra().email
    }

    /// A JSON body read by the handler.
    #[derive(Deserialize)]
    pub struct Note {
        /// The note.
        pub text: String,
    }

    /// An access token and a JSON body, answering `<subject>: <text>`.
    #[paseto_required]
    pub async fn with_body(claims: Claims, Json(note): Json<Note>) -> String {
        format!("{}: {}", claims.subject(), note.text)
    }
}

/// A router with one route per guard, each answering with what it verified.
pub fn app(auth: PasetoAuth) -> Router {
    Router::new()
        .route(
            "/access",
            get(|Verified(c): Verified<Access>| async move { c.subject().to_owned() }),
        )
        .route(
            "/refresh",
            get(|Verified(c): Verified<Refresh>| async move { c.subject().to_owned() }),
        )
        .route(
            "/fresh",
            get(|Verified(c): Verified<FreshAccess>| async move { c.subject().to_owned() }),
        )
        .route(
            "/optional",
            get(|c: Option<Verified<Access>>| async move {
                c.map_or_else(
                    || "anonymous".to_owned(),
                    |Verified(c)| c.subject().to_owned(),
                )
            }),
        )
        .route(
            "/role",
            get(|Verified(c): Verified<Access<Role>>| async move { c.extra().role.clone() }),
        )
        .route(
            "/email",
            get(|Verified(c): Verified<EmailVerify>| async move { c.extra().email.clone() }),
        )
        .with_state(auth)
}
