//! Runs the verifier on `127.0.0.1:$PORT` (default 3001), with the keys of the
//! key set at `PASETO_KEYS_URL` (the example app publishes its own at
//! `http://127.0.0.1:3000/.well-known/paserk` when `PASETO_PURPOSE=public`).

use std::error::Error;
use std::process::ExitCode;

use paseto_runtime::PasetoAuth;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt::init();
    if std::env::var_os("PASETO_KEYS_URL").is_none() {
        return Err(
            "PASETO_KEYS_URL is not set: the URL of the issuer's key set, such as \
                    http://127.0.0.1:3000/.well-known/paserk"
                .into(),
        );
    }
    let auth = PasetoAuth::builder().env()?.build()?;
    // The issuer may be down: the service starts anyway, answering 503 until
    // its keys arrive.
    if let Err(error) = auth.fetch_keys().await {
        tracing::warn!(%error, "no key set yet; guarded routes answer 503 until one is fetched");
    }
    let port = match std::env::var("PORT") {
        Ok(port) => port
            .parse::<u16>()
            .map_err(|_| "PORT must be a port number")?,
        Err(_) => 3001,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, example_verifier::router(auth))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
