//! The feature `metrics`: rejections counted by kind, security events by name,
//! refresh reuse on its own, through whatever recorder the app installs. Its
//! own test binary, so that no other test moves the process-wide counters.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use paseto_runtime::denylist::MemoryDenylist;
use paseto_runtime::keys::LocalKey;
use paseto_runtime::{Claims, PasetoAuth, RevokeError, paseto_required};
use paseto_tests::{key, post as post_with, send, send_token};

#[paseto_required]
async fn protected(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[paseto_required(refresh)]
async fn rotate(claims: Claims, State(auth): State<PasetoAuth>) -> Result<String, RevokeError> {
    Ok(auth.rotate(&claims).await?.refresh_token)
}

fn app(auth: &PasetoAuth) -> Router {
    Router::new()
        .route("/protected", get(protected))
        .route("/rotate", post(rotate))
        .with_state(auth.clone())
}

/// Counters by name and labels, as an exporter would keep them.
#[derive(Default)]
struct Counters(Mutex<HashMap<String, Arc<AtomicU64>>>);

impl Counters {
    fn value(&self, key: &str) -> u64 {
        let counters = self.0.lock().unwrap();
        counters
            .get(key)
            .map_or(0, |count| count.load(Ordering::SeqCst))
    }
}

struct Cell(Arc<AtomicU64>);

impl metrics::CounterFn for Cell {
    fn increment(&self, value: u64) {
        self.0.fetch_add(value, Ordering::SeqCst);
    }

    fn absolute(&self, value: u64) {
        self.0.fetch_max(value, Ordering::SeqCst);
    }
}

impl Recorder for &'static Counters {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let labels: Vec<String> = key
            .labels()
            .map(|label| format!("{}={}", label.key(), label.value()))
            .collect();
        let name = format!("{}{{{}}}", key.name(), labels.join(","));
        let mut counters = self.0.lock().unwrap();
        Counter::from_arc(Arc::new(Cell(Arc::clone(
            counters.entry(name).or_default(),
        ))))
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

#[tokio::test]
async fn rejections_and_events_are_counted() {
    let counters: &'static Counters = Box::leak(Box::default());
    metrics::set_global_recorder(counters).expect("the only recorder of this test binary");
    let auth = PasetoAuth::builder()
        .local_key(key())
        .denylist(MemoryDenylist::new())
        .build()
        .unwrap();
    let router = app(&auth);
    let missing = "paseto_rejections_total{kind=missing_token}";
    let unknown_key = "paseto_security_events_total{event=unknown_key_id}";
    send(&router, "/protected", &[]).await;
    send(&router, "/protected", &[]).await;
    let foreign = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .build()
        .unwrap()
        .access_token("mallory")
        .issue()
        .unwrap();
    send_token(&router, "/protected", &foreign).await;
    assert_eq!(counters.value(missing), 2);
    assert_eq!(counters.value(unknown_key), 1);
    assert_eq!(
        counters.value("paseto_rejections_total{kind=unknown_key_id}"),
        1
    );

    let pair = auth.login_tokens("alice").await.unwrap();
    let value = bearer(&pair.refresh_token);
    let strict = PasetoAuth::builder()
        .local_key(key())
        .denylist(MemoryDenylist::new())
        .rotation_grace(paseto_runtime::Duration::ZERO)
        .build()
        .unwrap();
    let strict = app(&strict);
    assert_eq!(
        post_with(&strict, "/rotate", &[("authorization", &value)], "")
            .await
            .status,
        200
    );
    assert_eq!(
        post_with(&strict, "/rotate", &[("authorization", &value)], "")
            .await
            .status,
        401
    );
    assert_eq!(counters.value("paseto_refresh_reuse_total{}"), 1);
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
