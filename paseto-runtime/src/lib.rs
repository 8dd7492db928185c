//! PASETO access and refresh tokens for axum, in the manner of Python's
//! `fastapi-paseto`: issue tokens, guard handlers, reject with errors a client
//! can act on.
//!
//! # Map of the crate
//!
//! A request's path: `source` finds the token (the header, the query of a
//! WebSocket upgrade, a JSON body that `json_body` read, a cookie) → `verify`
//! opens it (`untrusted` decodes, `footer` reads the `kid` by which `ring`
//! chooses the key, `secret_cipher` checks the MAC and decrypts, `signature`
//! checks a signature) and
//! applies the claim rules (`verify::rules`, reading the payload through
//! `wire`) → `revoke` asks the `denylist` → `csrf` checks a cookie's request →
//! `extract` hands the handler its [`Claims`], or `rejection` renders the
//! [`AuthError`].
//!
//! | module | holds |
//! |---|---|
//! | `settings` | every option with its default, key material, what a build derives |
//! | `auth` | [`PasetoAuth`] alone; the modules below add their methods to it |
//! | `builder`, `env` | [`PasetoAuthBuilder`]; the `PASETO_*` variables |
//! | `keys`, `ring`, `footer` | keys; the key ring; the footer and its `kid` |
//! | `secret_cipher`, `signature`, `pae` | v4.local on orion's primitives; v4.public signatures on curve25519-dalek (pasetors signs and, under keys, encrypts); the pre-authentication encoding both hash |
//! | `token_type`, `kind` | type names and their rule; [`TokenKind`] |
//! | `claims`, `wire` | [`Claims`]; the payload as read and as written, times |
//! | `issue` | [`TokenBuilder`] |
//! | `source`, `json_body` | where a token comes from |
//! | `cookies`, `csrf`, `sliding` | browser cookies, their CSRF and origin checks, sliding sessions |
//! | `verify` | [`PasetoAuth::verify`] and the claim rules |
//! | `scope`, `require` | scopes and their 403; [`RequireLayer`] |
//! | `openapi`, `testing` | `PasetoSecurity` (feature `utoipa`); test helpers (feature `testing`) |
//! | `revoke`, `denylist` | revocation and rotation; [`Denylist`] and its stores |
//! | `watch` | [`PasetoAuth::until_invalid`], for sockets that outlive their request |
//! | `extract`, `rejection`, `error` | [`Verified`]; rendering; [`AuthError`] |
//!
//! Dependencies point one way: `settings` and the leaves (`keys`, `ring`,
//! `footer`, `token_type`, `wire`, `claims`, `error`, `denylist`) import nothing
//! above them. A new
//! setting is one line in `settings`' `options!`, a setter in `builder`, and a
//! range check in `builder::build` if it has a range.
//!
//! # Getting started
//!
//! Build a [`PasetoAuth`] (keys and settings), put it in the router's state, and
//! mark each protected handler with an attribute; its [`Claims`] parameter
//! receives the verified claims:
//!
//! ```
//! use axum::{Json, Router, extract::State, routing::{get, post}};
//! use paseto_runtime::{
//!     Claims, IssueError, LocalKey, PasetoAuth, TokenPair, fresh_paseto_required, paseto_required,
//! };
//! use serde_json::{Value, json};
//!
//! async fn login(State(auth): State<PasetoAuth>) -> Result<Json<TokenPair>, IssueError> {
//!     // ...check the user's credentials first...
//!     Ok(Json(auth.login_tokens("alice")?)) // a fresh access token and a refresh token
//! }
//!
//! #[paseto_required(refresh)]
//! async fn refresh(claims: Claims, State(auth): State<PasetoAuth>) -> Result<Json<Value>, IssueError> {
//!     let access = auth.refresh_access(&claims).issue()?; // not fresh, in the refresh token's family
//!     Ok(Json(json!({ "access_token": access })))
//! }
//!
//! #[paseto_required]
//! async fn protected(claims: Claims) -> Json<Value> {
//!     Json(json!({ "user": claims.subject() }))
//! }
//!
//! #[fresh_paseto_required]
//! async fn change_password(claims: Claims) -> Json<Value> {
//!     Json(json!({ "changed": claims.subject() }))
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?;
//! let app: Router = Router::new()
//!     .route("/login", post(login))
//!     .route("/refresh", post(refresh))
//!     .route("/protected", get(protected))
//!     .route("/password", post(change_password))
//!     .with_state(auth);
//! # Ok(()) }
//! ```
//!
//! Without the attributes, take a [`Verified`] argument instead:
//! `Verified(claims): Verified<Access>`.
//!
//! In production, load the key instead of generating it:
//! [`PasetoAuth::from_env`] reads `PASETO_SECRET_KEY` and the other `PASETO_*`
//! variables.
//!
//! # Rotating keys
//!
//! Every token under a key names its PASERK id in its footer's `kid` (unless
//! [`PasetoAuthBuilder::kid_footer`] leaves it out, for peers that refuse
//! footers).
//! [`PasetoAuthBuilder::verify_key`] adds keys that only verify, so a new key
//! can be deployed before it issues and an old one kept until its tokens
//! expire; a token naming a key the service does not hold is refused
//! ([`AuthError::UnknownKeyId`]), and a token without `kid` goes to one key,
//! [`PasetoAuthBuilder::untagged_key`]. [`Claims::key_id`] tells which key
//! verified a token.
//!
//! # Token kinds
//!
//! [`Verified<Access>`](Access) accepts access tokens, fresh or not;
//! [`Verified<FreshAccess>`](FreshAccess) only fresh ones (minted by a credential
//! check); [`Verified<Refresh>`](Refresh) only refresh tokens. Each takes the
//! user's own claims as a type parameter, `Verified<Access<MyClaims>>`, and a
//! custom token type is a [`TokenKind`].
//!
//! # Scopes, checks and whole routers
//!
//! `#[paseto_required(scopes = ["orders:write"], check = path)]` also requires
//! scopes granted with [`TokenBuilder::scopes`] and a check of your own; a valid
//! token that fails either gets 403 `insufficient_scope`.
//! [`PasetoAuth::require`] is a [`RequireLayer`] for a whole router, whose
//! verified claims the extractors below it reuse. With the feature `utoipa`,
//! `PasetoSecurity` and the attributes document the guards in OpenAPI; with
//! the feature `testing`, the `testing` module helps test guarded handlers.
//!
//! # Tokens in JSON bodies
//!
//! [`PasetoAuth::json_body_layer`] makes the same extractors and attributes also
//! find a token in a JSON body, `{"access_token": "..."}` or
//! `{"refresh_token": "..."}`, when the request has no header; see
//! [`JsonBodyLayer`].
//!
//! # WebSocket upgrades
//!
//! The guards work on handlers that take a `WebSocketUpgrade`: a bad handshake
//! gets the HTTP rejection, never an upgrade.
//! [`PasetoAuthBuilder::websocket_query`] lets browsers send the token as
//! `?token=` on upgrade requests, and [`PasetoAuth::until_invalid`] tells a
//! socket's task when its token expires or is revoked.
//!
//! # Browsers
//!
//! [`PasetoAuthBuilder::cookie_tokens`] lets the guards read tokens from
//! `HttpOnly` cookies set by [`PasetoAuth::login_cookies`], with CSRF double
//! submit for state-changing methods and an `Origin` check for WebSocket
//! upgrades; [`PasetoAuthBuilder::cookie_host_prefix`] names them `__Host-`;
//! [`PasetoAuth::sliding_session_layer`] renews access cookies near expiry,
//! within the session's lifetime.
//!
//! # Revocation
//!
//! [`PasetoAuthBuilder::denylist`] takes a [`Denylist`]: [`MemoryDenylist`] for
//! one process, `RedisDenylist` (feature `redis`) for many, or your own store.
//! [`PasetoAuth::revoke`] logs a token out until it could no longer verify (its
//! `exp` plus twice the leeway), [`PasetoAuth::rotate`] trades a refresh token for a
//! new pair and detects reuse (RFC 9700 §4.14), with a short
//! [grace period](PasetoAuthBuilder::rotation_grace) for a client's retry, and
//! [`PasetoAuthBuilder::revocation_check`] adds a check of your own. The store
//! holds one record per revoked token and one per rotated session, never one per
//! request.
//!
//! # Errors on the wire
//!
//! Every rejection is a JSON body `{"detail": "..."}` with a `WWW-Authenticate`
//! challenge (RFC 6750, RFC 9470):
//!
//! | situation | status | `WWW-Authenticate` |
//! |---|---|---|
//! | no token, or another scheme such as `Basic` | 401 | `Bearer` |
//! | malformed header (no scheme, extra parts, non-ASCII, sent twice) | 400 | `Bearer error="invalid_request"` |
//! | bad, expired, wrong-type, wrong issuer or audience token | 401 | `Bearer error="invalid_token"` |
//! | a token that is not fresh where fresh is required | 401 | `Bearer error="insufficient_user_authentication"` |
//! | revoked, or a spent refresh token presented again | 401 | `Bearer error="invalid_token"` |
//! | a valid token without a required scope, or refused by the handler's check | 403 | `Bearer error="insufficient_scope", scope="…"` |
//! | the denylist cannot answer | 503, `Retry-After: 5` | none |
//! | a JSON body's token key holds no string | 400 | `Bearer error="invalid_request"` |
//! | a body read for its token is over the limit, or ends early | 413, 400 | none |
//!
//! [`PasetoAuthBuilder::on_rejection`] replaces that rendering in one place,
//! including for [`RevokeError::Rejected`] and [`PasetoAuth::reject`].
//! Each rejection also emits a `tracing` debug event naming its [`AuthError::kind`];
//! no token, key or claim value is ever logged.

mod auth;
mod builder;
mod claims;
mod cookies;
mod csrf;
mod denylist;
mod env;
mod error;
mod extract;
mod footer;
mod issue;
mod json_body;
mod keys;
mod kind;
mod layer;
#[cfg(feature = "utoipa")]
mod openapi;
mod pae;
mod rejection;
mod require;
mod revoke;
mod ring;
mod scope;
mod secret_cipher;
mod settings;
mod signature;
mod sliding;
mod source;
#[cfg(feature = "testing")]
pub mod testing;
mod token_type;
mod untrusted;
#[cfg(test)]
mod vectors;
mod verify;
mod watch;
mod wire;

/// Not public API: what the differential fuzz targets compare with pasetors.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod __fuzz {
    pub use crate::pae::encode as pae;
    pub use crate::secret_cipher::fuzzing::*;
    pub use crate::signature::fuzzing::*;
}

/// Not public API: support for the code `paseto-macros` generates.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use auth::PasetoAuth;
pub use builder::PasetoAuthBuilder;
pub use claims::Claims;
pub use cookie::SameSite;
pub use cookies::SetCookies;
#[cfg(feature = "redis")]
pub use denylist::RedisDenylist;
pub use denylist::{BoxFuture, Denylist, DenylistError, Family, MemoryDenylist, Record, Target};
pub use error::AuthError;
pub use extract::Verified;
pub use issue::{Custom, IssueError, TokenBuilder};
pub use json_body::{JsonBody, JsonBodyLayer};
pub use keys::{KeyError, LocalKey, LocalSecret, PublicKey, SecretKey, VerifyKey};
pub use kind::{Access, FreshAccess, Refresh, TokenKind};
#[cfg(feature = "utoipa")]
pub use openapi::{PasetoSecurity, SECURITY_SCHEME};
pub use paseto_macros::{fresh_paseto_required, paseto_required};
pub use rejection::AuthRejection;
pub use require::{Require, RequireLayer};
pub use revoke::{RevokeError, TokenPair};
pub use settings::{ConfigError, TokenSource};
pub use sliding::{SlidingSession, SlidingSessionLayer};
pub use time::Duration;
pub use untrusted::MAX_TOKEN_LEN;
