//! Runs the gRPC example on `127.0.0.1:$PORT` (default 50051), configured from
//! the same `PASETO_*` variables as the example app, and its Redis variables
//! (`REDIS_URL`, `REDIS_SENTINELS`, `REDIS_CLUSTER_NODES`…) to share its
//! revocations.

use std::error::Error;
use std::process::ExitCode;

use paseto_runtime::PasetoAuth;
use paseto_runtime::denylist::{MemoryDenylist, RedisDenylist};

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
    tracing_subscriber::fmt::init();
    let mut config = PasetoAuth::builder().env()?;
    if !config.has_key() {
        return Err("PASETO_SECRET_KEY is not set: give the example app's key, so that its tokens verify here".into());
    }
    // The example app's Redis variables: one server, Sentinel or Cluster, TLS
    // files, `REDIS_REPLICAS`.
    config = match RedisDenylist::from_env()? {
        Some(denylist) => config.denylist(denylist.connect().await?),
        None => config.denylist(MemoryDenylist::new()),
    };
    let auth = config.build()?;
    let port = match std::env::var("PORT") {
        Ok(port) => port
            .parse::<u16>()
            .map_err(|_| "PORT must be a port number")?,
        Err(_) => 50051,
    };
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    tracing::info!("serving gRPC on {address}");
    tonic::transport::Server::builder()
        .layer(example_grpc::guard(&auth)?)
        .add_service(example_grpc::service(auth))
        .serve_with_shutdown(address, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
