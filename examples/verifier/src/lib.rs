//! A service that only verifies: it accepts the example app's `v4.public`
//! tokens with the keys it fetches from the app's published key set
//! (`PASETO_KEYS_URL`), and follows the app's key rotations without a restart.
//! It holds no key of its own and issues nothing.

use axum::routing::get;
use axum::{Json, Router};
use paseto_runtime::{Claims, PasetoAuth, paseto_required};
use serde_json::{Value, json};

/// The routes, over a configuration with remote keys.
pub fn router(auth: PasetoAuth) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/protected", get(protected))
        .with_state(auth)
}

/// An open route: no token needed.
async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Any valid access token of the issuer: 503 until its keys were fetched.
#[paseto_required]
async fn protected(claims: Claims) -> Json<Value> {
    Json(json!({ "user": claims.subject() }))
}
