//! Key sets: the public keys of a `v4.public` issuer, as published for
//! services that only verify (`GET /.well-known/paserk`) and read back by them.

use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::error::detail_response;

/// Where an issuer publishes its key set, by convention.
pub const WELL_KNOWN_PATH: &str = "/.well-known/paserk";

/// How long a verifier may keep a published key set, in seconds, by default.
pub const DEFAULT_MAX_AGE: u32 = 300;

/// The public keys that verify this service's tokens, as published:
/// `{"keys": [{"kid": "k4.pid.…", "key": "k4.public.…"}, …]}`, the key that
/// issues first, then the keys that only verify. Never a secret key.
/// As a response: 200, JSON, `Cache-Control: public, max-age=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySet {
    /// The keys, each with its PASERK id.
    pub keys: Vec<PublishedKey>,
    /// How long a verifier may keep the set, in seconds.
    #[serde(skip)]
    pub max_age: u32,
}

/// One key of a [`KeySet`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedKey {
    /// The key's PASERK id, `k4.pid.…`: what a token's footer names.
    pub kid: String,
    /// The public key, `k4.public.…`.
    pub key: String,
}

/// Why a service has no key set to publish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeySetError {
    /// Its tokens are `v4.local`: verifying them takes the symmetric key,
    /// which is never published.
    #[error(
        "this service's tokens are v4.local: only the symmetric key verifies them, and it is never published; use v4.public keys to let other services verify"
    )]
    Local,
    /// It verifies with keys it fetches: their issuer publishes them.
    #[error("this service verifies with keys it fetches from their issuer, who publishes them")]
    Remote,
}

/// A 404 `{"detail": "No key set is published here"}`: nothing to find.
impl IntoResponse for KeySetError {
    fn into_response(self) -> Response {
        detail_response(StatusCode::NOT_FOUND, "No key set is published here")
    }
}

impl IntoResponse for KeySet {
    fn into_response(self) -> Response {
        let cache = format!("public, max-age={}", self.max_age);
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = (StatusCode::OK, body).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Ok(value) = HeaderValue::from_str(&cache) {
            headers.insert(CACHE_CONTROL, value);
        }
        response
    }
}
