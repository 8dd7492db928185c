//! Checks that see the request: `check = path` taking the app's state and the
//! path's parameters, answering 404, 403 or any rejection of its own, sync or
//! async; always after the token is verified, so nobody without one learns
//! what exists.

#![allow(clippy::unused_async, reason = "axum handlers are async functions")]

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use paseto_runtime::{Claims, PasetoAuth, paseto_required};
use paseto_tests::challenge::{BEARER, INVALID_TOKEN};
use paseto_tests::{auth, send, send_token};
use serde_json::json;

/// Invoices by id, each with its owner.
#[derive(Clone)]
struct Invoices(Arc<HashMap<u64, String>>);

#[derive(Clone)]
struct AppState {
    auth: PasetoAuth,
    invoices: Invoices,
}

impl FromRef<AppState> for PasetoAuth {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl FromRef<AppState> for Invoices {
    fn from_ref(state: &AppState) -> Self {
        state.invoices.clone()
    }
}

/// May this user touch invoice `id`: 404 when there is none, 403 with a body of
/// the app's own when it is another's.
async fn owns_invoice(
    claims: &Claims,
    State(invoices): State<Invoices>,
    Path(id): Path<u64>,
) -> Result<(), Response> {
    match invoices.0.get(&id) {
        None => Err((
            StatusCode::NOT_FOUND,
            Json(json!({ "detail": "No such invoice" })),
        )
            .into_response()),
        Some(owner) if owner != claims.subject() => Err((
            StatusCode::FORBIDDEN,
            Json(json!({ "detail": "Not your invoice" })),
        )
            .into_response()),
        Some(_) => Ok(()),
    }
}

#[paseto_required(check = owns_invoice, state = AppState)]
async fn invoice(claims: Claims, Path(id): Path<u64>) -> String {
    format!("invoice {id} of {}", claims.subject())
}

/// A sync check of the path alone, which needs no state named: even ids only.
fn even(_claims: &Claims, Path(id): Path<u64>) -> Result<(), StatusCode> {
    if id % 2 == 0 {
        Ok(())
    } else {
        Err(StatusCode::NOT_FOUND)
    }
}

#[paseto_required(check = even)]
async fn even_only(Path(id): Path<u64>) -> String {
    format!("{id} is even")
}

/// A check answering `bool` from the state: refused like a missing scope.
fn has_invoices(claims: &Claims, State(invoices): State<Invoices>) -> bool {
    invoices.0.values().any(|owner| owner == claims.subject())
}

#[paseto_required(scopes = ["invoices:read"], check = has_invoices, state = AppState)]
async fn my_invoices(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn app() -> (Router, PasetoAuth) {
    let auth = auth();
    let invoices = Invoices(Arc::new(HashMap::from([
        (1, "alice".to_owned()),
        (2, "bob".to_owned()),
    ])));
    let router = Router::new()
        .route("/invoices/{id}", get(invoice))
        .route("/even/{id}", get(even_only))
        .route("/mine", get(my_invoices))
        .with_state(AppState {
            auth: auth.clone(),
            invoices,
        });
    (router, auth)
}

#[tokio::test]
async fn a_check_sees_the_state_and_the_path_and_answers_its_own_rejections() {
    let (app, auth) = app();
    let alice = auth.access_token("alice").issue().unwrap();
    send_token(&app, "/invoices/1", &alice)
        .await
        .assert_ok("invoice 1 of alice");
    let other = send_token(&app, "/invoices/2", &alice).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "{other:?}");
    assert_eq!(other.body, json!({ "detail": "Not your invoice" }));
    assert_eq!(other.challenge, None, "the app's own answer");
    let missing = send_token(&app, "/invoices/3", &alice).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{missing:?}");
    assert_eq!(missing.body, json!({ "detail": "No such invoice" }));
    // An extractor of the check that rejects answers for it.
    let bad = send_token(&app, "/invoices/x", &alice).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{bad:?}");
}

#[tokio::test]
async fn the_token_is_verified_before_any_check_runs() {
    let (app, _) = app();
    for path in ["/invoices/2", "/invoices/3", "/even/3"] {
        send(&app, path, &[]).await.assert_rejected(
            401,
            BEARER,
            "PASETO Authorization Token required",
        );
        send_token(&app, path, "v4.local.garbage")
            .await
            .assert_rejected(401, INVALID_TOKEN, "Malformed token");
    }
}

#[tokio::test]
async fn a_check_without_state_takes_other_extractors() {
    let (app, auth) = app();
    let token = auth.access_token("alice").issue().unwrap();
    send_token(&app, "/even/4", &token)
        .await
        .assert_ok("4 is even");
    let odd = send_token(&app, "/even/3", &token).await;
    assert_eq!(odd.status, StatusCode::NOT_FOUND, "{odd:?}");
}

#[tokio::test]
async fn a_check_answering_false_is_403_insufficient_scope_after_the_scopes() {
    let (app, auth) = app();
    let scoped = |sub: &str| {
        auth.access_token(sub)
            .scopes(["invoices:read"])
            .issue()
            .unwrap()
    };
    send_token(&app, "/mine", &scoped("bob"))
        .await
        .assert_ok("bob");
    send_token(&app, "/mine", &scoped("carol"))
        .await
        .assert_rejected(
            403,
            r#"Bearer error="insufficient_scope", scope="invoices:read""#,
            "Insufficient scope",
        );
    let unscoped = auth.access_token("bob").issue().unwrap();
    send_token(&app, "/mine", &unscoped).await.assert_rejected(
        403,
        r#"Bearer error="insufficient_scope", scope="invoices:read""#,
        "Insufficient scope",
    );
}
