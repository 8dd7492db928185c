//! Runs the example app on `127.0.0.1:$PORT` (default 3000), configured from
//! `PASETO_*` environment variables; revocations go to Redis when `REDIS_URL`,
//! `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES` is set, else stay in memory.

use std::error::Error;
use std::process::ExitCode;

use example_app::Users;
use paseto_runtime::{
    PasetoAuth, SecurityEvent,
    denylist::{MemoryDenylist, RedisDenylist},
    keys::LocalKey,
};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", example_app::report(error.as_ref()));
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    // `RUST_LOG` takes `target=level` directives; by default requests are logged
    // at info and each rejection, with its kind, at debug.
    let filter: Targets = std::env::var("RUST_LOG")
        .unwrap_or_else(|_| "info,tower_http=debug,paseto_runtime=debug".to_owned())
        .parse()?;
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .finish()
        .with(filter)
        .init();

    let mut config = example_app::transport(PasetoAuth::builder().env()?)
        // What a security team wants to see: reuse of a refresh token, revoked
        // tokens presented, keys nobody here holds, store outages. Subjects and
        // session ids only, never a token.
        .on_event(|event| match event {
            SecurityEvent::RefreshReuse { subject, session } => {
                tracing::warn!(%subject, %session, "refresh token reused: session revoked");
            }
            other => tracing::info!(event = other.name(), "security event"),
        });
    if !config.has_key() {
        eprintln!(
            "PASETO_SECRET_KEY is not set: generated a key for this run; tokens stop verifying when the process exits"
        );
        config = config.local_key(LocalKey::generate()?);
    }
    // Revocations: in Redis when several instances share them, else in memory.
    // So are the accounts removed, as a shared database would.
    // One server (`REDIS_URL`), Sentinel (`REDIS_SENTINELS`,
    // `REDIS_SENTINEL_MASTER`) or Cluster (`REDIS_CLUSTER_NODES`), with
    // `REDIS_CA_CERT`, `REDIS_CLIENT_CERT`/`_KEY` for TLS and `REDIS_REPLICAS`:
    // see the guide's Redis page.
    let users = if let Some(denylist) = RedisDenylist::from_env()? {
        // `connect` checks at start that Redis cannot evict revocations.
        let denylist = denylist.connect().await?;
        let users = Users::shared(&denylist);
        config = config.denylist(denylist);
        users
    } else {
        config = config.denylist(MemoryDenylist::new());
        Users::default()
    };
    let auth = config.build()?;

    let port = match std::env::var("PORT") {
        Ok(port) => port
            .parse::<u16>()
            .map_err(|_| "PORT must be a port number")?,
        Err(_) => 3000,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, example_app::router_with(auth, users))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
