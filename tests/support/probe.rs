//! What a failover test watches: a condition awaited, and a prober that
//! sends a revoked token and a valid one throughout.

use reqwest::StatusCode;

use super::tcp::App;

/// Waits until `ready` holds, for at most `within`: whether it did.
pub async fn until(within: std::time::Duration, mut ready: impl AsyncFnMut() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < within {
        if ready().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    false
}

/// Sends the revoked token, then the valid one, of `tokens` to each instance
/// every 20 ms until `stop`: panics if the revoked one is ever accepted; when
/// each answer to the valid one came, and its status.
pub fn probe(
    instances: &[App],
    tokens: (String, String),
    started: std::time::Instant,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> impl Future<Output = Vec<(std::time::Duration, StatusCode)>> + use<> {
    let apps: Vec<(std::net::SocketAddr, reqwest::Client)> = instances
        .iter()
        .map(|app| (app.addr, app.client.clone()))
        .collect();
    async move {
        let (revoked_token, valid) = tokens;
        let mut timeline = Vec::new();
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            for (addr, client) in &apps {
                let get = |token: &str| {
                    client
                        .get(format!("http://{addr}/protected"))
                        .bearer_auth(token)
                        .send()
                };
                let bad = get(&revoked_token).await.unwrap().status();
                assert_ne!(bad, StatusCode::OK, "a revoked token was accepted");
                let good = get(&valid).await.unwrap().status();
                timeline.push((started.elapsed(), good));
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        timeline
    }
}
