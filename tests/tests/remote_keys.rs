//! Services that only verify, over TCP: an issuer publishes its key set at
//! `/.well-known/paserk`; a verifier configured with its URL fetches it, fails
//! closed (503) until it has one, follows a key rotation without a restart,
//! fetches at most once a second under a flood of unknown `kid`s, and keeps
//! the last good set when the issuer serves a bad one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use paseto_runtime::keys::SecretKey;
use paseto_runtime::keyset::WELL_KNOWN_PATH;
use paseto_runtime::{Claims, PasetoAuth, paseto_required};
use paseto_tests::{read, serve_router};
use serde_json::json;

/// What the issuer's key set URL answers, as the test sets it.
#[derive(Clone, Copy)]
enum Serving {
    /// The issuer's key set.
    Keys,
    /// Not a key set.
    Malformed,
    /// A body over the limit.
    TooLarge,
    /// An answer that takes longer than the fetch may wait.
    Slow,
}

/// The issuer as a verifier sees it: a key set URL whose answer the test
/// chooses, counting the fetches.
#[derive(Clone)]
struct Issuer {
    auth: Arc<Mutex<PasetoAuth>>,
    serving: Arc<Mutex<Serving>>,
    fetches: Arc<AtomicUsize>,
}

impl Issuer {
    fn new(auth: PasetoAuth) -> Self {
        Self {
            auth: Arc::new(Mutex::new(auth)),
            serving: Arc::new(Mutex::new(Serving::Keys)),
            fetches: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn auth(&self) -> PasetoAuth {
        self.auth.lock().unwrap().clone()
    }

    fn serve(&self, serving: Serving) {
        *self.serving.lock().unwrap() = serving;
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

async fn key_set(State(issuer): State<Issuer>) -> Response {
    issuer.fetches.fetch_add(1, Ordering::SeqCst);
    let serving = *issuer.serving.lock().unwrap();
    match serving {
        Serving::Keys => issuer.auth().key_set().into_response(),
        Serving::Malformed => json!({ "keys": [{ "kid": "k4.pid.x", "key": "k4.local.x" }] })
            .to_string()
            .into_response(),
        Serving::TooLarge => "x".repeat(100 * 1024).into_response(),
        Serving::Slow => {
            tokio::time::sleep(Duration::from_secs(8)).await;
            issuer.auth().key_set().into_response()
        }
    }
}

fn issuer(key: &SecretKey) -> PasetoAuth {
    PasetoAuth::builder()
        .secret_key(key.clone())
        .build()
        .unwrap()
}

#[paseto_required]
async fn protected(claims: Claims) -> axum::Json<serde_json::Value> {
    axum::Json(json!({ "user": claims.subject() }))
}

/// A verifier of the key set at `url`, served over TCP.
async fn verifier(url: String) -> (std::net::SocketAddr, PasetoAuth) {
    let auth = PasetoAuth::builder().remote_keys(url).build().unwrap();
    let router = Router::new()
        .route("/protected", get(protected))
        .with_state(auth.clone());
    (serve_router(router).await, auth)
}

/// `GET /protected` at `addr` with `token`: status, body, `Retry-After`.
async fn call(
    addr: std::net::SocketAddr,
    token: &str,
) -> (StatusCode, serde_json::Value, Option<String>) {
    let response = reqwest::Client::new()
        .get(format!("http://{addr}/protected"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let status = response.status();
    (status, response.json().await.unwrap(), retry)
}

/// Asks until `addr` accepts `token` as `user`, for at most `within`.
async fn accepted_within(addr: std::net::SocketAddr, token: &str, within: Duration) {
    let started = Instant::now();
    loop {
        let (status, body, _) = call(addr, token).await;
        if status == StatusCode::OK {
            assert_eq!(body, json!({ "user": "alice" }));
            return;
        }
        assert!(started.elapsed() < within, "still refused: {status} {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn serve_issuer(issuer: &Issuer) -> String {
    let router = Router::new()
        .route(WELL_KNOWN_PATH, get(key_set))
        .with_state(issuer.clone());
    format!("http://{}{WELL_KNOWN_PATH}", serve_router(router).await)
}

#[tokio::test]
async fn an_issuer_publishes_its_public_keys_and_never_a_secret() {
    let (current, retired) = (
        SecretKey::generate().unwrap(),
        SecretKey::generate().unwrap(),
    );
    let auth = PasetoAuth::builder()
        .secret_key(current.clone())
        .verify_key(retired.public_key())
        .build()
        .unwrap();
    let router = Router::new()
        .route(
            WELL_KNOWN_PATH,
            get(|State(auth): State<PasetoAuth>| async move { auth.key_set() }),
        )
        .with_state(auth);
    let addr = serve_router(router).await;
    let response = reqwest::get(format!("http://{addr}{WELL_KNOWN_PATH}"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "public, max-age=300"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    let expected = json!({ "keys": [
        { "kid": current.public_key().id(), "key": current.public_key().to_paserk() },
        { "kid": retired.public_key().id(), "key": retired.public_key().to_paserk() },
    ] });
    assert_eq!(body, expected);
    assert!(!body.to_string().contains("k4.secret"), "{body}");

    let local = paseto_tests::auth();
    let router = Router::new()
        .route(
            WELL_KNOWN_PATH,
            get(|State(auth): State<PasetoAuth>| async move { auth.key_set() }),
        )
        .with_state(local);
    let addr = serve_router(router).await;
    let answer = read(reqwest::Client::new().get(format!("http://{addr}{WELL_KNOWN_PATH}"))).await;
    assert_eq!(answer.0, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.2,
        json!({ "detail": "No key set is published here" })
    );
}

#[tokio::test]
async fn a_verifier_fails_closed_until_the_issuer_is_up_then_follows_it() {
    // The issuer's port, reserved and not yet served.
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = reserved.local_addr().unwrap().port();
    drop(reserved);
    let url = format!("http://127.0.0.1:{port}{WELL_KNOWN_PATH}");
    let (addr, verifier) = verifier(url).await;
    assert!(verifier.fetch_keys().await.is_err(), "nobody answers yet");
    let key = SecretKey::generate().unwrap();
    let token = issuer(&key).access_token("alice").issue().unwrap();
    let (status, body, retry) = call(addr, &token).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body,
        json!({ "detail": "Token verification keys are unavailable" })
    );
    assert_eq!(retry.as_deref(), Some("5"));

    let issuer = Issuer::new(self::issuer(&key));
    let router = Router::new()
        .route(WELL_KNOWN_PATH, get(key_set))
        .with_state(issuer.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    accepted_within(addr, &token, Duration::from_secs(5)).await;

    // The issuer rotates: a new key issues, the old one only verifies. The
    // verifier takes the new tokens without a restart, and the old ones.
    let next = SecretKey::generate().unwrap();
    *issuer.auth.lock().unwrap() = PasetoAuth::builder()
        .secret_key(next.clone())
        .verify_key(key.public_key())
        .build()
        .unwrap();
    let new_token = self::issuer(&next).access_token("alice").issue().unwrap();
    accepted_within(addr, &new_token, Duration::from_secs(3)).await;
    accepted_within(addr, &token, Duration::from_secs(1)).await;
}

#[tokio::test]
async fn a_flood_of_unknown_key_ids_fetches_at_most_once_a_second() {
    let key = SecretKey::generate().unwrap();
    let issuer = Issuer::new(self::issuer(&key));
    let (addr, verifier) = verifier(serve_issuer(&issuer).await).await;
    verifier.fetch_keys().await.unwrap();
    let before = issuer.fetches();
    let started = Instant::now();
    let strangers: Vec<String> = (0..5)
        .map(|_| {
            self::issuer(&SecretKey::generate().unwrap())
                .access_token("mallory")
                .issue()
                .unwrap()
        })
        .collect();
    let mut answers = Vec::new();
    for round in 0..300 {
        answers.push(call(addr, &strangers[round % strangers.len()]).await.0);
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let fetched = issuer.fetches() - before;
    assert!(
        answers
            .iter()
            .all(|status| *status == StatusCode::UNAUTHORIZED),
        "never a 5xx: {answers:?}"
    );
    // One a second at the most: the whole seconds elapsed, started and ended.
    let bound = usize::try_from(elapsed.as_secs()).unwrap() + 2;
    assert!(fetched <= bound, "{fetched} fetches in {elapsed:?}");
    assert!(fetched >= 1, "an unknown kid asks for the set again");
    let good = self::issuer(&key).access_token("alice").issue().unwrap();
    assert_eq!(call(addr, &good).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_bad_key_set_keeps_the_last_good_one() {
    let key = SecretKey::generate().unwrap();
    let issuer = Issuer::new(self::issuer(&key));
    let (addr, verifier) = verifier(serve_issuer(&issuer).await).await;
    verifier.fetch_keys().await.unwrap();
    let token = self::issuer(&key).access_token("alice").issue().unwrap();
    let stranger = self::issuer(&SecretKey::generate().unwrap())
        .access_token("mallory")
        .issue()
        .unwrap();
    for bad in [Serving::Malformed, Serving::TooLarge, Serving::Slow] {
        issuer.serve(bad);
        let before = issuer.fetches();
        assert!(verifier.fetch_keys().await.is_err());
        assert!(issuer.fetches() > before, "fetched");
        // An unknown kid asks again; the answer is still bad; the set stays.
        assert_eq!(call(addr, &stranger).await.0, StatusCode::UNAUTHORIZED);
        let (status, body, _) = call(addr, &token).await;
        assert_eq!((status, body), (StatusCode::OK, json!({ "user": "alice" })));
    }
}

#[tokio::test]
async fn remote_keys_are_configured_alone_and_only_verify() {
    let url = "https://issuer.example/.well-known/paserk";
    let both = PasetoAuth::builder()
        .remote_keys(url)
        .secret_key(SecretKey::generate().unwrap())
        .build();
    assert_eq!(
        both.unwrap_err(),
        paseto_runtime::config::ConfigError::ConflictingKeys
    );
    let untagged = PasetoAuth::builder()
        .remote_keys(url)
        .untagged_key(SecretKey::generate().unwrap().public_key().id())
        .build();
    assert_eq!(
        untagged.unwrap_err(),
        paseto_runtime::config::ConfigError::ConflictingKeys
    );
    // Plain HTTP only to this machine; no credentials in the URL.
    for bad in [
        "ftp://issuer.example/keys",
        "not a url",
        "file:///etc/passwd",
        "http://issuer.example/.well-known/paserk",
        "https://user:password@issuer.example/.well-known/paserk",
    ] {
        let error = PasetoAuth::builder().remote_keys(bad).build().unwrap_err();
        assert_eq!(
            error.to_string(),
            "remote_keys must be an https URL, or http to a loopback host, without credentials",
            "{bad}"
        );
    }
    for good in [
        "http://127.0.0.1:3000/k",
        "http://[::1]:3000/k",
        "http://localhost/k",
    ] {
        assert!(
            PasetoAuth::builder().remote_keys(good).build().is_ok(),
            "{good}"
        );
    }
    let verifier = PasetoAuth::builder().remote_keys(url).build().unwrap();
    assert_eq!(
        verifier.access_token("alice").issue().unwrap_err(),
        paseto_runtime::IssueError::NoSigningKey
    );
    assert_eq!(
        verifier.key_set(),
        Err(paseto_runtime::keyset::KeySetError::Remote)
    );
}

#[tokio::test]
async fn the_example_verifier_takes_the_example_apps_tokens_with_keys_it_fetched() {
    let key = SecretKey::generate().unwrap();
    let app = PasetoAuth::builder()
        .secret_key(key)
        .denylist(paseto_runtime::denylist::MemoryDenylist::new())
        .introspection_clients(
            paseto_runtime::introspection::Clients::parse("gateway:s3cret-s3cret-s3cret").unwrap(),
        )
        .build()
        .unwrap();
    let app_addr = paseto_tests::serve(app).await;
    let url = format!("http://{app_addr}{WELL_KNOWN_PATH}");
    let verifier = PasetoAuth::builder().remote_keys(url).build().unwrap();
    verifier.fetch_keys().await.unwrap();
    let verifier_addr = serve_router(example_verifier::router(verifier)).await;

    let client = reqwest::Client::new();
    let (access, _) = paseto_tests::login(&client, app_addr).await;
    let answer = read(
        client
            .get(format!("http://{verifier_addr}/protected"))
            .bearer_auth(&access),
    )
    .await;
    assert_eq!(
        (answer.0, answer.2),
        (StatusCode::OK, json!({ "user": "test" }))
    );
    let health = read(client.get(format!("http://{verifier_addr}/health"))).await;
    assert_eq!(health.2, json!({ "status": "ok" }));

    // The app also answers other services about its tokens.
    let introspected = client
        .post(format!("http://{app_addr}/introspect"))
        .basic_auth("gateway", Some("s3cret-s3cret-s3cret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={access}"))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = introspected.json().await.unwrap();
    assert_eq!(
        (body["active"].clone(), body["sub"].clone()),
        (json!(true), json!("test"))
    );
}
