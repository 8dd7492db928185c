//! What the request targets share: a configuration under a known key, and a
//! runtime to drive the extractor on.

use std::sync::OnceLock;

use axum_core::extract::FromRequestParts;
use axum_core::response::IntoResponse;
use http::Request;
use paseto_runtime::{Access, PasetoAuth, Verified, keys::LocalKey};

/// The configured key, so a target can encrypt payloads under it.
pub const KEY: [u8; 32] = *b"an-example-key-of-32-bytes-long!";

/// Built once per fuzzing process.
pub struct Fixture {
    /// The v4.local configuration over [`KEY`], with the defaults.
    pub auth: PasetoAuth,
    /// A single-threaded runtime.
    pub runtime: tokio::runtime::Runtime,
}

impl Fixture {
    /// Runs the access-token extractor on `request`: it verifies, or it
    /// rejects with a 4xx. Never a panic, never a 5xx.
    pub fn extract(&self, request: Request<()>) {
        let (mut parts, ()) = request.into_parts();
        let outcome = self.runtime.block_on(
            <Verified<Access> as FromRequestParts<PasetoAuth>>::from_request_parts(
                &mut parts, &self.auth,
            ),
        );
        if let Err(rejection) = outcome {
            let status = rejection.into_response().status();
            assert!(status.is_client_error(), "a rejection answered {status}");
        }
    }
}

/// The process's fixture for browsers and sockets: tokens also in cookies (with
/// CSRF checks) and in the query string of WebSocket upgrades.
pub fn browser_fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| Fixture {
        auth: PasetoAuth::builder()
            .local_key(LocalKey::from_bytes(&KEY).unwrap())
            .cookie_tokens(true)
            .websocket_query(true)
            .build()
            .unwrap(),
        runtime: tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap(),
    })
}

/// The process's fixture.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| Fixture {
        auth: PasetoAuth::builder()
            .local_key(LocalKey::from_bytes(&KEY).unwrap())
            .build()
            .unwrap(),
        runtime: tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap(),
    })
}
