//! What the request targets share: a configuration under a known key, and a
//! runtime to drive the extractor on.

use std::sync::OnceLock;

use paseto_runtime::{LocalKey, PasetoAuth};

/// The configured key, so a target can encrypt payloads under it.
pub const KEY: [u8; 32] = *b"an-example-key-of-32-bytes-long!";

/// Built once per fuzzing process.
pub struct Fixture {
    /// The v4.local configuration over [`KEY`], with the defaults.
    pub auth: PasetoAuth,
    /// A single-threaded runtime.
    pub runtime: tokio::runtime::Runtime,
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
