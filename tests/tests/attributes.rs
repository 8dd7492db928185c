//! The handler attributes through a real `Router`: each form accepts exactly the
//! right token and rejects each wrong one with the documented response.

use axum::extract::{FromRef, Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use paseto_runtime::{Claims, PasetoAuth, fresh_paseto_required, paseto_required};
use paseto_tests::challenge::{BEARER, INSUFFICIENT_USER_AUTHENTICATION, INVALID_TOKEN};
use paseto_tests::guarded::{Note, access, email, fresh, optional, refresh, with_body};
use paseto_tests::{Reply, Role, auth, post_json, send, send_token};
use serde::Deserialize;
use serde_json::json;

#[paseto_required(token_type = "invite", optional)]
async fn invite(claims: Option<Claims<Role>>) -> String {
    claims.map_or_else(|| "no invite".to_owned(), |c| c.extra().role.clone())
}

#[paseto_required]
async fn guard_only() -> &'static str {
    "guarded"
}

#[paseto_required]
async fn guard_before_state(State(state): State<AppState>) -> String {
    state.name.to_owned()
}

#[derive(Deserialize)]
struct Page {
    page: u32,
}

/// Every other extractor, in an order of the user's choosing, with the body last.
#[paseto_required]
async fn mixed(
    Path(id): Path<u32>,
    headers: HeaderMap,
    State(state): State<AppState>,
    claims: paseto_runtime::Claims<Role>,
    Query(page): Query<Page>,
    Json(note): Json<Note>,
) -> String {
    let agent = headers
        .get("x-agent")
        .map_or("-", |v| v.to_str().unwrap_or("?"));
    format!(
        "{} {} {id} {agent} {} {} {}",
        state.name,
        claims.subject(),
        page.page,
        claims.extra().role,
        note.text
    )
}

#[paseto_required]
#[axum::debug_handler(state = AppState)]
async fn debug_below(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[axum::debug_handler(state = AppState)]
#[paseto_required(refresh)]
async fn debug_above(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[axum::debug_handler(state = AppState)]
#[fresh_paseto_required]
async fn debug_above_without_claims(State(state): State<AppState>) -> String {
    state.name.to_owned()
}

mod nested {
    use paseto_runtime::{Claims, paseto_required};

    /// A documented public handler in a module.
    #[paseto_required]
    pub async fn public(_: Claims) -> &'static str {
        "public"
    }
}

#[derive(Clone)]
struct AppState {
    auth: PasetoAuth,
    name: &'static str,
}

impl FromRef<AppState> for PasetoAuth {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

fn app() -> Router {
    Router::new()
        .route("/access", get(access))
        .route("/refresh", get(refresh))
        .route("/fresh", get(fresh))
        .route("/optional", get(optional))
        .route("/email", get(email))
        .route("/invite", get(invite))
        .route("/guard", get(guard_only))
        .route("/state", get(guard_before_state))
        .route("/body", post(with_body))
        .route("/mixed/{id}", post(mixed))
        .route("/debug-below", get(debug_below))
        .route("/debug-above", get(debug_above))
        .route(
            "/debug-above-without-claims",
            get(debug_above_without_claims),
        )
        .route("/nested", get(nested::public))
        .with_state(AppState {
            auth: auth(),
            name: "app",
        })
}

struct Tokens {
    access: String,
    fresh: String,
    refresh: String,
    email: String,
    invite: String,
}

fn tokens() -> Tokens {
    let auth = auth();
    Tokens {
        access: auth.access_token("alice").issue().unwrap(),
        fresh: auth.access_token("alice").fresh(true).issue().unwrap(),
        refresh: auth.refresh_token("alice").issue().unwrap(),
        email: auth
            .token("alice", "email-verify")
            .claims(&json!({ "email": "alice@example.com" }))
            .issue()
            .unwrap(),
        invite: auth
            .token("alice", "invite")
            .claims(&json!({ "role": "editor" }))
            .issue()
            .unwrap(),
    }
}

fn wrong_type(reply: &Reply, expected: &str, found: &str) {
    reply.assert_rejected(
        401,
        INVALID_TOKEN,
        &format!("{expected} token required but {found} provided"),
    );
}

#[tokio::test]
async fn paseto_required_accepts_access_tokens_only() {
    let (app, t) = (app(), tokens());
    send_token(&app, "/access", &t.access)
        .await
        .assert_ok("alice");
    send_token(&app, "/access", &t.fresh)
        .await
        .assert_ok("alice");
    wrong_type(
        &send_token(&app, "/access", &t.refresh).await,
        "Access",
        "refresh",
    );
    wrong_type(
        &send_token(&app, "/access", &t.email).await,
        "Access",
        "email-verify",
    );
    send(&app, "/access", &[]).await.assert_rejected(
        401,
        BEARER,
        "PASETO Authorization Token required",
    );
}

#[tokio::test]
async fn refresh_accepts_refresh_tokens_only() {
    let (app, t) = (app(), tokens());
    send_token(&app, "/refresh", &t.refresh)
        .await
        .assert_ok("alice");
    wrong_type(
        &send_token(&app, "/refresh", &t.access).await,
        "Refresh",
        "access",
    );
    wrong_type(
        &send_token(&app, "/refresh", &t.fresh).await,
        "Refresh",
        "access",
    );
    send(&app, "/refresh", &[]).await.assert_rejected(
        401,
        BEARER,
        "PASETO Authorization Token required",
    );
}

#[tokio::test]
async fn fresh_accepts_fresh_access_tokens_only() {
    let (app, t) = (app(), tokens());
    send_token(&app, "/fresh", &t.fresh)
        .await
        .assert_ok("alice");
    send_token(&app, "/fresh", &t.access).await.assert_rejected(
        401,
        INSUFFICIENT_USER_AUTHENTICATION,
        "PASETO access token is not fresh",
    );
    wrong_type(
        &send_token(&app, "/fresh", &t.refresh).await,
        "Access",
        "refresh",
    );
}

#[tokio::test]
async fn optional_gives_none_without_a_token_and_rejects_a_bad_one() {
    let (app, t) = (app(), tokens());
    send(&app, "/optional", &[]).await.assert_ok("anonymous");
    send_token(&app, "/optional", &t.access)
        .await
        .assert_ok("alice");
    wrong_type(
        &send_token(&app, "/optional", &t.refresh).await,
        "Access",
        "refresh",
    );
    send_token(&app, "/optional", "v4.local.garbage")
        .await
        .assert_rejected(401, INVALID_TOKEN, "Malformed token");
}

#[tokio::test]
async fn custom_token_types() {
    let (app, t) = (app(), tokens());
    send_token(&app, "/email", &t.email)
        .await
        .assert_ok("alice@example.com");
    wrong_type(
        &send_token(&app, "/email", &t.access).await,
        "Email-verify",
        "access",
    );
    wrong_type(
        &send_token(&app, "/email", &t.invite).await,
        "Email-verify",
        "invite",
    );
    send_token(&app, "/invite", &t.invite)
        .await
        .assert_ok("editor");
    send(&app, "/invite", &[]).await.assert_ok("no invite");
    wrong_type(
        &send_token(&app, "/invite", &t.email).await,
        "Invite",
        "email-verify",
    );
}

#[tokio::test]
async fn handlers_without_claims_are_still_guarded() {
    let (app, t) = (app(), tokens());
    send_token(&app, "/guard", &t.access)
        .await
        .assert_ok("guarded");
    send(&app, "/guard", &[]).await.assert_rejected(
        401,
        BEARER,
        "PASETO Authorization Token required",
    );
    send_token(&app, "/state", &t.access).await.assert_ok("app");
    wrong_type(
        &send_token(&app, "/state", &t.refresh).await,
        "Access",
        "refresh",
    );
}

#[tokio::test]
async fn authentication_runs_before_the_body_is_read() {
    let (app, t) = (app(), tokens());
    post_json(&app, "/body", None, "").await.assert_rejected(
        401,
        BEARER,
        "PASETO Authorization Token required",
    );
    let refresh = format!("Bearer {}", t.refresh);
    let reply = post_json(&app, "/body", Some(&refresh), "not json").await;
    wrong_type(&reply, "Access", "refresh");
    let access = format!("Bearer {}", t.access);
    let reply = post_json(&app, "/body", Some(&access), r#"{"text":"hi"}"#).await;
    reply.assert_ok("alice: hi");
}

#[tokio::test]
async fn other_extractors_keep_working_in_any_order() {
    let app = app();
    let token = auth()
        .access_token("alice")
        .claims(&json!({ "role": "admin" }))
        .issue()
        .unwrap();
    let bearer = format!("Bearer {token}");
    let reply = post_json(&app, "/mixed/7?page=2", Some(&bearer), r#"{"text":"hi"}"#).await;
    reply.assert_ok("app alice 7 - 2 admin hi");
    let reply = post_json(&app, "/mixed/7?page=2", None, "garbage").await;
    reply.assert_rejected(401, "Bearer", "PASETO Authorization Token required");
}

#[tokio::test]
async fn attributes_stack_with_debug_handler_in_either_order() {
    let (app, t) = (app(), tokens());
    send_token(&app, "/debug-below", &t.access)
        .await
        .assert_ok("alice");
    wrong_type(
        &send_token(&app, "/debug-below", &t.refresh).await,
        "Access",
        "refresh",
    );
    send_token(&app, "/debug-above", &t.refresh)
        .await
        .assert_ok("alice");
    wrong_type(
        &send_token(&app, "/debug-above", &t.access).await,
        "Refresh",
        "access",
    );
    send_token(&app, "/debug-above-without-claims", &t.fresh)
        .await
        .assert_ok("app");
    send_token(&app, "/debug-above-without-claims", &t.access)
        .await
        .assert_rejected(
            401,
            INSUFFICIENT_USER_AUTHENTICATION,
            "PASETO access token is not fresh",
        );
}

#[tokio::test]
async fn public_handlers_in_modules() {
    let (app, t) = (app(), tokens());
    send_token(&app, "/nested", &t.access)
        .await
        .assert_ok("public");
    send(&app, "/nested", &[]).await.assert_rejected(
        401,
        BEARER,
        "PASETO Authorization Token required",
    );
}
