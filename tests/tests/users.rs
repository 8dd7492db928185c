//! The application's own user in handlers: `CurrentUser<U>` with the app's one
//! loader, with and without the attributes, under the router layer, loaded
//! once per request; a user that is gone is 401, a loader that fails is 503.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use paseto_runtime::{Access, Claims, CurrentUser, LoadUser, PasetoAuth, paseto_required};
use paseto_tests::{auth, send, send_token};

#[derive(Clone, Debug)]
struct User {
    name: String,
}

/// A user store the test changes while the app runs, and counts the loader's calls.
#[derive(Clone, Default)]
struct Users {
    names: Arc<Mutex<HashMap<String, String>>>,
    down: Arc<Mutex<bool>>,
    loads: Arc<AtomicUsize>,
}

impl Users {
    fn with(subject: &str, name: &str) -> Self {
        let users = Self::default();
        users.add(subject, name);
        users
    }

    fn add(&self, subject: &str, name: &str) {
        let mut names = self.names.lock().unwrap();
        names.insert(subject.to_owned(), name.to_owned());
    }

    fn remove(&self, subject: &str) {
        self.names.lock().unwrap().remove(subject);
    }
}

impl LoadUser for User {
    type State = Users;
    type Error = String;

    async fn load(claims: &Claims, users: &Users) -> Result<Option<Self>, String> {
        users.loads.fetch_add(1, Ordering::SeqCst);
        if *users.down.lock().unwrap() {
            return Err("the user database is down".to_owned());
        }
        let names = users.names.lock().unwrap();
        Ok(names
            .get(claims.subject())
            .map(|name| Self { name: name.clone() }))
    }
}

#[derive(Clone)]
struct AppState {
    auth: PasetoAuth,
    users: Users,
}

impl FromRef<AppState> for PasetoAuth {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl FromRef<AppState> for Users {
    fn from_ref(state: &AppState) -> Self {
        state.users.clone()
    }
}

async fn me(CurrentUser(user): CurrentUser<User>) -> String {
    user.name
}

async fn maybe(user: Option<CurrentUser<User>>) -> String {
    user.map_or_else(|| "anonymous".to_owned(), |CurrentUser(user)| user.name)
}

#[paseto_required]
async fn guarded(claims: Claims, CurrentUser(user): CurrentUser<User>) -> String {
    format!("{} is {}", claims.subject(), user.name)
}

#[paseto_required]
async fn without_claims(CurrentUser(user): CurrentUser<User>) -> String {
    user.name
}

/// Two extractors that both ask for the user.
async fn twice(CurrentUser(one): CurrentUser<User>, CurrentUser(two): CurrentUser<User>) -> String {
    format!("{} {}", one.name, two.name)
}

fn app(users: &Users) -> Router {
    let auth = auth();
    let layered = Router::new()
        .route("/layered", get(me))
        .route("/layered-guarded", get(guarded))
        .route_layer(auth.require::<Access>());
    Router::new()
        .route("/me", get(me))
        .route("/maybe", get(maybe))
        .route("/guarded", get(guarded))
        .route("/without-claims", get(without_claims))
        .route("/twice", get(twice))
        .merge(layered)
        .with_state(AppState {
            auth,
            users: users.clone(),
        })
}

#[tokio::test]
async fn a_handler_takes_the_apps_own_user() {
    let users = Users::with("alice", "Alice Liddell");
    let app = app(&users);
    let token = auth().access_token("alice").issue().unwrap();
    for path in ["/me", "/maybe", "/without-claims", "/layered"] {
        send_token(&app, path, &token)
            .await
            .assert_ok("Alice Liddell");
    }
    for path in ["/guarded", "/layered-guarded"] {
        send_token(&app, path, &token)
            .await
            .assert_ok("alice is Alice Liddell");
    }
}

#[tokio::test]
async fn the_user_is_loaded_once_per_request() {
    let users = Users::with("alice", "Alice");
    let app = app(&users);
    let token = auth().access_token("alice").issue().unwrap();
    for (path, body) in [
        ("/twice", "Alice Alice"),
        ("/layered", "Alice"),
        ("/layered-guarded", "alice is Alice"),
    ] {
        users.loads.store(0, Ordering::SeqCst);
        send_token(&app, path, &token).await.assert_ok(body);
        assert_eq!(users.loads.load(Ordering::SeqCst), 1, "{path}");
    }
}

#[tokio::test]
async fn a_deleted_account_stops_its_unexpired_tokens_at_once() {
    let users = Users::with("alice", "Alice");
    let app = app(&users);
    let token = auth().access_token("alice").issue().unwrap();
    send_token(&app, "/me", &token).await.assert_ok("Alice");
    users.remove("alice");
    for path in ["/me", "/maybe", "/guarded", "/layered"] {
        send_token(&app, path, &token).await.assert_rejected(
            401,
            r#"Bearer error="invalid_token""#,
            "User not found",
        );
    }
}

#[tokio::test]
async fn a_loader_that_cannot_answer_fails_closed_with_503() {
    let users = Users::with("alice", "Alice");
    let app = app(&users);
    *users.down.lock().unwrap() = true;
    let token = auth().access_token("alice").issue().unwrap();
    let request = axum::http::Request::get("/me")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app, request).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    assert!(response.headers().get("www-authenticate").is_none());
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(&body[..], br#"{"detail":"User store is unavailable"}"#);
}

#[tokio::test]
async fn no_token_is_401_or_none_and_a_bad_token_never_reaches_the_loader() {
    let users = Users::with("alice", "Alice");
    let app = app(&users);
    send(&app, "/me", &[]).await.assert_rejected(
        401,
        "Bearer",
        "PASETO Authorization Token required",
    );
    send(&app, "/maybe", &[]).await.assert_ok("anonymous");
    let refresh = auth().refresh_token("alice").issue().unwrap();
    send_token(&app, "/me", &refresh).await.assert_rejected(
        401,
        r#"Bearer error="invalid_token""#,
        "Access token required but refresh provided",
    );
    send_token(&app, "/maybe", "v4.local.garbage")
        .await
        .assert_rejected(401, r#"Bearer error="invalid_token""#, "Malformed token");
    assert_eq!(users.loads.load(Ordering::SeqCst), 0);
}
