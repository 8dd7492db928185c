//! What a failover test watches: a condition awaited, and a prober that
//! sends a revoked token and a valid one throughout.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::tcp::App;

/// Waits until `ready` holds, for at most `within`: whether it did.
pub async fn until(within: Duration, mut ready: impl AsyncFnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < within {
        if ready().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    false
}

/// A prober: sends a revoked token, then a valid one, to each instance every
/// 20 ms until it is finished, and panics if the revoked one is ever accepted.
pub struct Prober {
    started: Instant,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Vec<StatusCode>>,
}

impl Prober {
    /// Starts probing `instances` with `(revoked, valid)`.
    pub fn start(instances: &[App], (revoked, valid): (String, String)) -> Self {
        let apps: Vec<(std::net::SocketAddr, reqwest::Client)> = instances
            .iter()
            .map(|app| (app.addr, app.client.clone()))
            .collect();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let task = tokio::spawn(async move {
            let mut answers = Vec::new();
            while !stopped.load(Ordering::SeqCst) {
                for (addr, client) in &apps {
                    let get = |token: &str| {
                        client
                            .get(format!("http://{addr}/protected"))
                            .bearer_auth(token)
                            .send()
                    };
                    let bad = get(&revoked).await.unwrap().status();
                    assert_ne!(bad, StatusCode::OK, "a revoked token was accepted");
                    answers.push(get(&valid).await.unwrap().status());
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            answers
        });
        Self {
            started: Instant::now(),
            stop,
            task,
        }
    }

    /// How long it has been probing.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Once a replica is promoted: waits for `app` to serve `valid` again (at
    /// most 5 s, else the test fails), stops probing, and prints the
    /// failover's timeline under `name`, from the primary `killed` at.
    pub async fn served_again(self, name: &str, killed: Duration, app: &App, valid: &str) {
        let promoted = self.elapsed();
        let served = until(Duration::from_secs(5), async || {
            app.get("/protected", valid).await.0 == StatusCode::OK
        });
        assert!(served.await, "no request served after the promotion");
        let served_at = self.elapsed();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (refused, answers) = self.finish().await;
        eprintln!(
            "{name}: primary killed at {killed:?}, replica promoted by {promoted:?}, \
             served again by {served_at:?}; {refused} of {answers} valid probes refused meanwhile"
        );
    }

    /// Stops probing, and fails the test if the revoked token was ever
    /// accepted: how many answers to the valid token were refusals, of how many.
    pub async fn finish(self) -> (usize, usize) {
        self.stop.store(true, Ordering::SeqCst);
        let answers = self
            .task
            .await
            .expect("the prober never accepted a revoked token");
        let refused = answers.iter().filter(|s| **s != StatusCode::OK).count();
        (refused, answers.len())
    }
}
