//! Scopes and the handler's own checks (403 `insufficient_scope`, RFC 6750
//! §3.1), and the router-wide layer: through a real router, as a client sees them.

#![allow(clippy::unused_async, reason = "axum handlers are async functions")]

use axum::Router;
use axum::routing::get;
use paseto_runtime::{
    Access, Claims, FreshAccess, PasetoAuth, Refresh, Verified, fresh_paseto_required,
    paseto_required,
};
use paseto_tests::challenge::{BEARER, INVALID_TOKEN};
use paseto_tests::{access_claims, auth, forge_json, key, post_json, send, send_token, with};
use serde::Deserialize;
use serde_json::json;

const ORDERS_WRITE: &str = r#"Bearer error="insufficient_scope", scope="orders:write""#;
const BOTH: &str = r#"Bearer error="insufficient_scope", scope="orders:read orders:write""#;
const NO_SCOPE: &str = r#"Bearer error="insufficient_scope""#;

#[paseto_required(scopes = ["orders:write"])]
async fn write_order(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[paseto_required(scopes = ["orders:read", "orders:write"])]
async fn both(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[paseto_required(optional, scopes = ["orders:read"])]
async fn maybe(claims: Option<Claims>) -> String {
    claims.map_or_else(|| "anonymous".to_owned(), |c| c.subject().to_owned())
}

#[fresh_paseto_required(scopes = ["admin"])]
async fn fresh_admin(claims: Claims) -> String {
    claims.subject().to_owned()
}

/// The user's own claims a check reads.
#[derive(Deserialize)]
struct Tenant {
    tenant: String,
}

fn in_acme(claims: &Claims<Tenant>) -> bool {
    claims.extra().tenant == "acme"
}

async fn not_banned(claims: &Claims) -> bool {
    tokio::task::yield_now().await;
    claims.subject() != "mallory"
}

#[paseto_required(check = in_acme)]
async fn acme(claims: Claims<Tenant>) -> String {
    claims.into_extra().tenant
}

#[paseto_required(scopes = ["orders:read"], check = not_banned)]
async fn read_unless_banned(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn app(auth: PasetoAuth) -> Router {
    Router::new()
        .route("/write", get(write_order))
        .route("/both", get(both))
        .route("/maybe", get(maybe))
        .route("/fresh-admin", get(fresh_admin))
        .route("/acme", get(acme))
        .route("/read", get(read_unless_banned))
        .with_state(auth)
}

fn token(subject: &str, scopes: &[&str]) -> String {
    auth()
        .access_token(subject)
        .scopes(scopes.iter().copied())
        .issue()
        .unwrap()
}

#[tokio::test]
async fn a_token_without_a_required_scope_is_forbidden_with_the_scopes_named() {
    let app = app(auth());
    send_token(&app, "/write", &token("alice", &["orders:write"]))
        .await
        .assert_ok("alice");
    for scopes in [
        &[][..],
        &["orders:read"],
        &["orders:writer"],
        &["Orders:write"],
    ] {
        send_token(&app, "/write", &token("alice", scopes))
            .await
            .assert_rejected(403, ORDERS_WRITE, "Insufficient scope");
    }
    // Every scope is required; the challenge names them all.
    send_token(&app, "/both", &token("alice", &["orders:write"]))
        .await
        .assert_rejected(403, BOTH, "Insufficient scope");
    send_token(
        &app,
        "/both",
        &token("alice", &["orders:write", "x", "orders:read"]),
    )
    .await
    .assert_ok("alice");
    // Authentication comes first: no token is 401, not 403.
    send(&app, "/write", &[]).await.assert_rejected(
        401,
        BEARER,
        "PASETO Authorization Token required",
    );
}

#[tokio::test]
async fn scopes_combine_with_optional_and_fresh() {
    let app = app(auth());
    send(&app, "/maybe", &[]).await.assert_ok("anonymous");
    send_token(&app, "/maybe", &token("alice", &["orders:read"]))
        .await
        .assert_ok("alice");
    send_token(&app, "/maybe", &token("alice", &[]))
        .await
        .assert_rejected(
            403,
            r#"Bearer error="insufficient_scope", scope="orders:read""#,
            "Insufficient scope",
        );
    let stale = token("root", &["admin"]);
    send_token(&app, "/fresh-admin", &stale)
        .await
        .assert_rejected(
            401,
            r#"Bearer error="insufficient_user_authentication""#,
            "PASETO access token is not fresh",
        );
    let fresh = |scopes: &[&str]| {
        auth()
            .access_token("root")
            .fresh(true)
            .scopes(scopes.iter().copied())
            .issue()
            .unwrap()
    };
    send_token(&app, "/fresh-admin", &fresh(&["admin"]))
        .await
        .assert_ok("root");
    send_token(&app, "/fresh-admin", &fresh(&[]))
        .await
        .assert_rejected(
            403,
            r#"Bearer error="insufficient_scope", scope="admin""#,
            "Insufficient scope",
        );
}

#[tokio::test]
async fn a_check_of_the_handler_own_refuses_with_403() {
    let app = app(auth());
    let tenant = |name: &str| {
        auth()
            .access_token("alice")
            .claims(&json!({ "tenant": name }))
            .issue()
            .unwrap()
    };
    send_token(&app, "/acme", &tenant("acme"))
        .await
        .assert_ok("acme");
    send_token(&app, "/acme", &tenant("globex"))
        .await
        .assert_rejected(403, NO_SCOPE, "Insufficient scope");
    // An async check, after the scopes.
    send_token(&app, "/read", &token("alice", &["orders:read"]))
        .await
        .assert_ok("alice");
    send_token(&app, "/read", &token("mallory", &["orders:read"]))
        .await
        .assert_rejected(
            403,
            r#"Bearer error="insufficient_scope", scope="orders:read""#,
            "Insufficient scope",
        );
}

/// The scope claim as other issuers write it: an array, or under another name.
#[tokio::test]
async fn scopes_are_read_as_a_string_or_an_array_under_the_configured_name() {
    let app = app(auth());
    let forged = |scope| forge_json(&with(access_claims(), "scope", Some(scope)));
    send_token(&app, "/write", &forged(json!(["orders:write"])))
        .await
        .assert_ok("alice");
    send_token(&app, "/write", &forged(json!("a  orders:write ")))
        .await
        .assert_ok("alice");
    for malformed in [json!(1), json!(["orders:write", 2]), json!(["two words"])] {
        send_token(&app, "/write", &forged(malformed))
            .await
            .assert_rejected(401, INVALID_TOKEN, "Token claim 'scope' is malformed");
    }
    let scp = auth_scp();
    let token = scp
        .access_token("alice")
        .scopes(["orders:write"])
        .issue()
        .unwrap();
    let claims = scp.verify::<Access>(&token).await.unwrap();
    assert_eq!(claims.scopes().collect::<Vec<_>>(), ["orders:write"]);
    send_token(&self::app(scp), "/write", &token)
        .await
        .assert_ok("alice");
    // A token that writes the scope under `scope` grants nothing where `scp` is read.
    send_token(
        &self::app(auth_scp()),
        "/write",
        &forged(json!("orders:write")),
    )
    .await
    .assert_rejected(403, ORDERS_WRITE, "Insufficient scope");
}

fn auth_scp() -> PasetoAuth {
    PasetoAuth::builder()
        .local_key(key())
        .scope_claim("scp")
        .build()
        .unwrap()
}

#[tokio::test]
async fn issuing_refuses_what_is_no_scope_token() {
    for bad in ["", "two words", "quo\"te"] {
        assert_eq!(
            auth().access_token("a").scopes([bad]).issue(),
            Err(paseto_runtime::IssueError::InvalidScope)
        );
    }
    assert_eq!(
        auth()
            .access_token("a")
            .claims(&json!({ "scope": "admin" }))
            .issue(),
        Err(paseto_runtime::IssueError::ReservedClaim(
            "scope".to_owned()
        ))
    );
}

/// A layer over a nested router: one verification, the claims handed on.
#[tokio::test]
async fn a_router_wide_layer_guards_every_route_and_hands_on_its_claims() {
    let auth = auth();
    let admin = Router::new()
        .route("/plain", get(|| async { "no extractor" }))
        .route("/write", get(write_order))
        .route(
            "/role",
            get(|Verified(c): Verified<Access<Tenant>>| async move { c.into_extra().tenant }),
        )
        .route(
            "/refresh",
            get(|Verified(c): Verified<Refresh>| async move { c.subject().to_owned() }),
        )
        .route(
            "/fresh",
            get(|Verified(c): Verified<FreshAccess>| async move { c.subject().to_owned() }),
        )
        .route_layer(auth.require::<Access>().scopes(["admin"]).unwrap());
    let app = Router::new().nest("/admin", admin).with_state(auth.clone());
    send(&app, "/admin/plain", &[]).await.assert_rejected(
        401,
        BEARER,
        "PASETO Authorization Token required",
    );
    send_token(&app, "/admin/plain", &token("alice", &["orders:write"]))
        .await
        .assert_rejected(
            403,
            r#"Bearer error="insufficient_scope", scope="admin""#,
            "Insufficient scope",
        );
    let admin_token = token("root", &["admin"]);
    send_token(&app, "/admin/plain", &admin_token)
        .await
        .assert_ok("no extractor");
    // The attribute below still makes its own checks on the layer's claims.
    send_token(&app, "/admin/write", &admin_token)
        .await
        .assert_rejected(403, ORDERS_WRITE, "Insufficient scope");
    send_token(
        &app,
        "/admin/write",
        &token("root", &["admin", "orders:write"]),
    )
    .await
    .assert_ok("root");
    let with_tenant = auth
        .access_token("root")
        .scopes(["admin"])
        .claims(&json!({ "tenant": "acme" }))
        .issue()
        .unwrap();
    send_token(&app, "/admin/role", &with_tenant)
        .await
        .assert_ok("acme");
    send_token(&app, "/admin/role", &admin_token)
        .await
        .assert_rejected(
            401,
            INVALID_TOKEN,
            "Token claims do not match what this endpoint expects",
        );
    send_token(&app, "/admin/fresh", &admin_token)
        .await
        .assert_rejected(
            401,
            r#"Bearer error="insufficient_user_authentication""#,
            "PASETO access token is not fresh",
        );
    // A refresh token is not what the layer accepts.
    let refresh = auth.refresh_token("root").issue().unwrap();
    send_token(&app, "/admin/refresh", &refresh)
        .await
        .assert_rejected(
            401,
            INVALID_TOKEN,
            "Access token required but refresh provided",
        );
}

/// Below the layer, the token is not read again: with the header removed after
/// the layer, the handler's extractor still has the layer's claims.
#[tokio::test]
async fn extractors_below_the_layer_take_its_claims_without_verifying_again() {
    let auth = auth();
    let strip = axum::middleware::map_request(|mut request: axum::extract::Request| async move {
        request.headers_mut().remove("authorization");
        request
    });
    let app = Router::new()
        .route("/write", get(write_order))
        .route_layer(strip)
        .route_layer(auth.require::<Access>())
        .with_state(auth.clone());
    send_token(&app, "/write", &token("alice", &["orders:write"]))
        .await
        .assert_ok("alice");
}

#[tokio::test]
async fn a_pass_through_layer_lets_anonymous_requests_in_but_not_bad_tokens() {
    let auth = auth();
    let app = Router::new()
        .route("/maybe", get(maybe))
        .route_layer(auth.require::<Access>().pass_through(true))
        .with_state(auth.clone());
    send(&app, "/maybe", &[]).await.assert_ok("anonymous");
    send_token(&app, "/maybe", &token("alice", &["orders:read"]))
        .await
        .assert_ok("alice");
    send_token(&app, "/maybe", "v4.local.AAAA")
        .await
        .assert_rejected(401, INVALID_TOKEN, "Malformed token");
}

#[paseto_required(optional)]
async fn maybe_anyone(claims: Option<Claims>) -> String {
    claims.map_or_else(|| "anonymous".to_owned(), |c| c.subject().to_owned())
}

#[paseto_required(refresh)]
async fn renew(claims: Claims) -> String {
    claims.subject().to_owned()
}

/// A pass-through layer's scopes hold for whatever token an extractor below it
/// finds, even one the layer could not see: here the JSON body layer sits
/// inside it, so the layer lets the request through as anonymous and the
/// handler's extractor finds the token in the body. Without admin it is the
/// same 403 as in the header. A token of another type (a refresh token for a
/// refresh route) is not what the layer is for, and needs none of its scopes.
#[tokio::test]
async fn a_pass_through_layers_scopes_hold_below_it() {
    let auth = auth();
    let app = Router::new()
        .route("/maybe", axum::routing::post(maybe_anyone))
        .route("/renew", axum::routing::post(renew))
        .route_layer(auth.json_body_layer())
        .route_layer(
            auth.require::<Access>()
                .scopes(["admin"])
                .unwrap()
                .pass_through(true),
        )
        .with_state(auth.clone());
    let admin_scope = r#"Bearer error="insufficient_scope", scope="admin""#;
    let user = token("bob", &["orders:read"]);
    let bearer = format!("Bearer {user}");
    post_json(&app, "/maybe", Some(&bearer), "{}")
        .await
        .assert_rejected(403, admin_scope, "Insufficient scope");
    let body = json!({ "access_token": user }).to_string();
    post_json(&app, "/maybe", None, &body)
        .await
        .assert_rejected(403, admin_scope, "Insufficient scope");
    let body = json!({ "access_token": token("alice", &["admin"]) }).to_string();
    post_json(&app, "/maybe", None, &body)
        .await
        .assert_ok("alice");
    post_json(&app, "/maybe", None, "{}")
        .await
        .assert_ok("anonymous");
    let refresh = auth.refresh_token("bob").issue().unwrap();
    let body = json!({ "refresh_token": refresh }).to_string();
    post_json(&app, "/renew", None, &body)
        .await
        .assert_ok("bob");
}

#[test]
fn a_layer_refuses_what_is_no_scope_token() {
    assert!(auth().require::<Access>().scopes(["two words"]).is_err());
    assert!(auth().require::<Access>().scopes([""]).is_err());
}
