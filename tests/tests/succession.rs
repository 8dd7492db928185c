//! A token's own claims survive what succeeds it: the access token a refresh
//! endpoint issues, and both tokens of a rotation, carry the refresh token's
//! custom claims; a handler can still replace them.

use axum::routing::{get, post};
use axum::{Json, Router, extract::State};
use paseto_runtime::denylist::MemoryDenylist;
use paseto_runtime::{Claims, IssueError, PasetoAuth, RevokeError, TokenPair, paseto_required};
use paseto_tests::{key, post as post_with, send_token};
use serde_json::{Map, Value, json};

#[paseto_required(refresh)]
async fn refresh(claims: Claims, State(auth): State<PasetoAuth>) -> Result<String, IssueError> {
    auth.refresh_access(&claims).issue()
}

#[paseto_required(refresh)]
async fn narrowed(claims: Claims, State(auth): State<PasetoAuth>) -> Result<String, IssueError> {
    auth.refresh_access(&claims)
        .claims(&json!({ "role": "viewer" }))
        .issue()
}

#[paseto_required(refresh)]
async fn rotate(
    claims: Claims,
    State(auth): State<PasetoAuth>,
) -> Result<Json<TokenPair>, RevokeError> {
    Ok(Json(auth.rotate(&claims).await?))
}

/// The user's own claims, whatever they are.
type Own = Map<String, Value>;

#[paseto_required]
async fn whoami(claims: Claims<Own>) -> Json<Value> {
    Json(json!({ "sub": claims.subject(), "claims": claims.extra() }))
}

#[paseto_required(refresh)]
async fn whoami_refresh(claims: Claims<Own>) -> Json<Value> {
    Json(json!({ "sub": claims.subject(), "claims": claims.extra() }))
}

fn app() -> (Router, PasetoAuth) {
    let auth = PasetoAuth::builder()
        .local_key(key())
        .denylist(MemoryDenylist::new())
        .build()
        .unwrap();
    let router = Router::new()
        .route("/refresh", post(refresh))
        .route("/narrowed", post(narrowed))
        .route("/rotate", post(rotate))
        .route("/whoami", get(whoami))
        .route("/whoami-refresh", get(whoami_refresh))
        .with_state(auth.clone());
    (router, auth)
}

fn bearer(token: &str) -> [(&'static str, String); 1] {
    [("authorization", format!("Bearer {token}"))]
}

async fn custom_claims(app: &Router, path: &str, token: &str) -> Value {
    let reply = send_token(app, path, token).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["claims"].clone()
}

#[tokio::test]
async fn custom_claims_survive_refresh_and_rotation() {
    let (app, auth) = app();
    let mine = json!({ "role": "editor", "tenant": "acme" });
    let refresh_token = auth
        .refresh_token("alice")
        .claims(&mine)
        .scopes(["docs:read"])
        .issue()
        .unwrap();

    let [(name, value)] = bearer(&refresh_token);
    let refreshed = post_with(&app, "/refresh", &[(name, &value)], "").await;
    assert_eq!(refreshed.status, 200, "{refreshed:?}");
    let access = refreshed.body.as_str().unwrap().to_owned();
    assert_eq!(custom_claims(&app, "/whoami", &access).await, mine);

    let narrowed = post_with(&app, "/narrowed", &[(name, &value)], "").await;
    let access = narrowed.body.as_str().unwrap().to_owned();
    assert_eq!(
        custom_claims(&app, "/whoami", &access).await,
        json!({ "role": "viewer", "tenant": "acme" })
    );

    let rotated = post_with(&app, "/rotate", &[(name, &value)], "").await;
    assert_eq!(rotated.status, 200, "{rotated:?}");
    let access = rotated.body["access_token"].as_str().unwrap();
    let refresh = rotated.body["refresh_token"].as_str().unwrap();
    assert_eq!(custom_claims(&app, "/whoami", access).await, mine);
    assert_eq!(custom_claims(&app, "/whoami-refresh", refresh).await, mine);
    let scopes: Vec<String> = auth
        .verify::<paseto_runtime::Access>(access)
        .await
        .unwrap()
        .scopes()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        scopes,
        ["docs:read"],
        "the scope claim is carried as scopes, not as a custom claim"
    );

    // A second rotation, from the rotated refresh token, keeps them too.
    let [(name, value)] = bearer(refresh);
    let again = post_with(&app, "/rotate", &[(name, &value)], "").await;
    let access = again.body["access_token"].as_str().unwrap();
    assert_eq!(custom_claims(&app, "/whoami", access).await, mine);
}
