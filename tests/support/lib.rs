//! Helpers for the end-to-end tests, one job a module: the test key and a router
//! with one route per guard (`fixtures`), forged tokens (`forge`), requests
//! in-process (`router`) and over TCP (`tcp`), a browser's cookies
//! (`browser`), the two revocation backends (`backend`), a real `redis-server`
//! (`redis`, and a Redis Cluster) and certificates for its TLS (`pki`), what
//! a failover test watches (`probe`), captured logs (`logs`), the challenges
//! a client expects (`challenge`), and the programs some tests need
//! (`services`).

#![allow(
    clippy::missing_panics_doc,
    reason = "test helpers panic on a broken fixture, which fails the test as it should"
)]

mod backend;
pub mod browser;
pub mod challenge;
mod fixtures;
mod forge;
mod logs;
mod pki;
mod probe;
mod redis;
mod router;
pub mod services;
mod tcp;

pub use backend::Backend;
pub use fixtures::{Email, EmailVerify, KEY, Role, app, auth, guarded, key};
pub use forge::{access_claims, at, forge, forge_json, forge_with, with};
pub use logs::{Capture, Logs, capture_logs, error_chain};
pub use pki::Pki;
pub use probe::{Prober, until};
pub use redis::{RedisCluster, RedisServer};
pub use router::{Reply, post, post_json, send, send_authorization, send_token};
pub use tcp::{
    Answer, App, login, login_as, ok_user, pair, read, refused_within_a_second, revoked, serve,
    serve_router,
};
