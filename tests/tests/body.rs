//! Tokens in JSON bodies, through `JsonBodyLayer` and the attributes: found under
//! their keys, the header first, the body still there for the handler, and every
//! bad body answered as a client can act on.

use axum::Router;
use axum::routing::post;
use paseto_runtime::{PasetoAuth, TokenKind, keys::LocalKey, layer::JsonBodyLayer};
use paseto_tests::challenge::{INVALID_REQUEST, INVALID_TOKEN};
use paseto_tests::guarded::{email, fresh, optional, refresh, with_body};
use paseto_tests::{EmailVerify, Reply, auth, post_json};
use serde_json::{Value, json};

fn app(layer: JsonBodyLayer) -> Router {
    Router::new()
        .route("/note", post(with_body))
        .route("/refresh", post(refresh))
        .route("/fresh", post(fresh))
        .route("/greet", post(optional))
        .route("/email", post(email))
        .route_layer(layer)
        .with_state(auth())
}

async fn send(app: &Router, path: &str, body: &Value) -> Reply {
    post_json(app, path, None, &body.to_string()).await
}

#[tokio::test]
async fn an_access_token_in_the_body_and_the_handler_reads_the_same_body() {
    let app = app(auth().json_body_layer());
    let token = auth().access_token("alice").issue().unwrap();
    send(
        &app,
        "/note",
        &json!({ "text": "hi", "access_token": token }),
    )
    .await
    .assert_ok("alice: hi");
}

#[tokio::test]
async fn each_kind_reads_its_own_key() {
    let auth = auth();
    let app = app(auth.json_body_layer());
    let pair = auth.login_tokens("alice").await.unwrap();
    let (access, refresh_token) = (pair.access_token, pair.refresh_token);
    let email = auth
        .token("bob", EmailVerify::TOKEN_TYPE)
        .claims(&json!({ "email": "bob@example.com" }))
        .issue()
        .unwrap();

    send(&app, "/refresh", &json!({ "refresh_token": refresh_token }))
        .await
        .assert_ok("alice");
    send(&app, "/fresh", &json!({ "access_token": access }))
        .await
        .assert_ok("alice");
    send(&app, "/email", &json!({ "access_token": email }))
        .await
        .assert_ok("bob@example.com");
    // A refresh token under the access key is not looked at by a refresh route...
    send(&app, "/refresh", &json!({ "access_token": refresh_token }))
        .await
        .assert_rejected(401, "Bearer", "PASETO Authorization Token required");
    // ...and an access token under the refresh key is checked, and refused.
    send(&app, "/refresh", &json!({ "refresh_token": access }))
        .await
        .assert_rejected(
            401,
            INVALID_TOKEN,
            "Refresh token required but access provided",
        );
}

#[tokio::test]
async fn configured_keys_alike_or_apart() {
    let auth = auth();
    let access = auth.access_token("alice").issue().unwrap();
    let refresh_token = auth.refresh_token("alice").issue().unwrap();
    let app = app(auth
        .json_body_layer()
        .access_key("token")
        .refresh_key("token"));
    send(&app, "/note", &json!({ "token": access, "text": "hi" }))
        .await
        .assert_ok("alice: hi");
    send(&app, "/refresh", &json!({ "token": refresh_token }))
        .await
        .assert_ok("alice");
    send(&app, "/greet", &json!({ "access_token": access }))
        .await
        .assert_ok("anonymous");
}

#[tokio::test]
async fn the_header_wins_and_the_body_is_then_not_read() {
    let auth = auth();
    let app = app(auth.json_body_layer().limit(64));
    let alice = auth.access_token("alice").issue().unwrap();
    let bob = auth.access_token("bob").issue().unwrap();
    let body = json!({ "access_token": bob, "text": "x".repeat(100) }).to_string();
    // Over the limit, yet not refused: with a header the layer leaves the body alone.
    post_json(&app, "/note", Some(&format!("Bearer {alice}")), &body)
        .await
        .assert_ok(&format!("alice: {}", "x".repeat(100)));
}

#[tokio::test]
async fn a_bad_token_in_the_body_is_rejected_even_where_optional() {
    let app = app(auth().json_body_layer());
    let other = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .build()
        .unwrap();
    let foreign = other.access_token("mallory").issue().unwrap();
    send(&app, "/greet", &json!({ "access_token": foreign }))
        .await
        .assert_rejected(401, INVALID_TOKEN, "Unknown key id");
    send(&app, "/greet", &json!({ "access_token": "v4.local.AAAA" }))
        .await
        .assert_rejected(401, INVALID_TOKEN, "Malformed token");
    send(&app, "/greet", &json!({ "name": "no token" }))
        .await
        .assert_ok("anonymous");
}

#[tokio::test]
async fn a_key_holding_anything_but_one_string_is_a_bad_request() {
    let app = app(auth().json_body_layer());
    let token = auth().access_token("alice").issue().unwrap();
    let twice = format!(r#"{{"access_token": "{token}", "access_token": "{token}"}}"#);
    for body in [
        json!({ "access_token": 42 }).to_string(),
        json!({ "access_token": null }).to_string(),
        json!({ "access_token": [token] }).to_string(),
        twice,
    ] {
        post_json(&app, "/greet", None, &body)
            .await
            .assert_rejected(
                400,
                INVALID_REQUEST,
                "Bad 'access_token' in the JSON body. Expected value '<PASETO>'",
            );
    }
}

#[tokio::test]
async fn bodies_that_carry_no_token() {
    let app = app(auth().json_body_layer());
    let token = auth().refresh_token("alice").issue().unwrap();
    let body = json!({ "refresh_token": token }).to_string();
    for (content_type, body) in [
        ("text/plain", body.as_str()),
        ("application/x-www-form-urlencoded", body.as_str()),
        ("application/json", "not json"),
        ("application/json", r#"["refresh_token"]"#),
        ("application/json", &format!("{body} trailing")),
        ("application/json", ""),
        // Only top-level keys count.
        ("application/json", &format!(r#"{{"user": {body}}}"#)),
    ] {
        paseto_tests::post(&app, "/refresh", &[("content-type", content_type)], body)
            .await
            .assert_rejected(401, "Bearer", "PASETO Authorization Token required");
    }
    for content_type in [
        "application/json; charset=utf-8",
        "application/vnd.api+json",
    ] {
        paseto_tests::post(&app, "/refresh", &[("content-type", content_type)], &body)
            .await
            .assert_ok("alice");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_without_a_challenge() {
    let app = app(auth().json_body_layer().limit(64));
    let reply = send(&app, "/greet", &json!({ "padding": "x".repeat(64) })).await;
    assert_eq!(reply.status, 413, "{reply:?}");
    assert_eq!(reply.challenge, None, "{reply:?}");
    assert_eq!(reply.body, json!({ "detail": "Request body is too large" }));
}
