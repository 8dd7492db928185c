//! Token introspection (RFC 7662) and revocation (RFC 7009) over TCP, as a
//! gateway calls them: client authentication, the exact answers for active
//! and inactive tokens, the denylist's view, revoking a session.

use axum::Router;
use axum::routing::post;
use paseto_runtime::denylist::MemoryDenylist;
use paseto_runtime::introspection::{Clients, TokenRequest};
use paseto_runtime::keys::LocalKey;
use paseto_runtime::testing::{OffsetDateTime, TokenTimes};
use paseto_runtime::{Duration, PasetoAuth};
use paseto_tests::{key, serve_router};
use reqwest::StatusCode;
use serde_json::{Value, json};

const GATEWAY: (&str, &str) = ("gateway", "s3cret-s3cret-s3cret");

fn issuer() -> PasetoAuth {
    PasetoAuth::builder()
        .local_key(key())
        .issuer("https://auth.example")
        .require_issuer("https://auth.example")
        // It issues for several APIs: introspection reports the audience.
        .allow_any_audience(true)
        .denylist(MemoryDenylist::new())
        .introspection_clients(
            Clients::parse("gateway:s3cret-s3cret-s3cret,billing:other-other-other").unwrap(),
        )
        .build()
        .unwrap()
}

async fn serve(auth: PasetoAuth) -> std::net::SocketAddr {
    let router = Router::new()
        .route(
            "/introspect",
            post(|request: TokenRequest| request.introspect()),
        )
        .route("/revoke", post(|request: TokenRequest| request.revoke()))
        .with_state(auth);
    serve_router(router).await
}

/// `POST path` with the form `token=…` and, when given, Basic credentials.
async fn send(
    addr: std::net::SocketAddr,
    path: &str,
    token: &str,
    client: Option<(&str, &str)>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "token={}&token_type_hint=access_token",
            urlencode(token)
        ));
    if let Some((name, secret)) = client {
        request = request.basic_auth(name, Some(secret));
    }
    request.send().await.unwrap()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn introspect(addr: std::net::SocketAddr, token: &str) -> Value {
    let response = send(addr, "/introspect", token, Some(GATEWAY)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_active_token_is_described_and_anything_else_is_only_inactive() {
    let auth = issuer();
    let addr = serve(auth.clone()).await;
    let token = auth
        .access_token("alice")
        .scopes(["orders:read", "orders:write"])
        .audience("https://api.example")
        .issue()
        .unwrap();
    let claims = auth.verify_any_type(&token).await.unwrap();
    let described = introspect(addr, &token).await;
    let exp = claims.expires_at().unwrap().unix_timestamp();
    let iat = claims.issued_at().unwrap().unix_timestamp();
    assert_eq!(
        described,
        json!({
            "active": true, "sub": "alice", "token_type": "access", "jti": claims.token_id(),
            "exp": exp, "iat": iat, "nbf": iat, "scope": "orders:read orders:write",
            "iss": "https://auth.example", "aud": ["https://api.example"],
        })
    );

    let expired = auth
        .access_token("alice")
        .expires_at(OffsetDateTime::now_utc() - Duration::minutes(1))
        .issue()
        .unwrap();
    let other_key = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .build()
        .unwrap()
        .access_token("alice")
        .issue()
        .unwrap();
    let revoked = auth.access_token("alice").issue().unwrap();
    auth.revoke(&auth.verify_any_type(&revoked).await.unwrap())
        .await
        .unwrap();
    for inactive in [
        "garbage",
        "v4.local.AAAA",
        expired.as_str(),
        &other_key,
        &revoked,
    ] {
        assert_eq!(
            introspect(addr, inactive).await,
            json!({ "active": false }),
            "{inactive}"
        );
    }
}

#[tokio::test]
async fn callers_must_authenticate_as_a_listed_client() {
    let auth = issuer();
    let addr = serve(auth.clone()).await;
    let token = auth.access_token("alice").issue().unwrap();
    for path in ["/introspect", "/revoke"] {
        for client in [
            None,
            Some(("gateway", "wrong")),
            Some(("nobody", "s3cret-s3cret-s3cret")),
            Some(("gateway", "")),
        ] {
            let response = send(addr, path, &token, client).await;
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{path} {client:?}"
            );
            assert_eq!(
                response.headers()["www-authenticate"],
                r#"Basic realm="paseto""#
            );
            let body: Value = response.json().await.unwrap();
            assert_eq!(body, json!({ "error": "invalid_client" }));
        }
    }
    assert!(
        auth.verify_any_type(&token).await.is_ok(),
        "nothing was revoked"
    );
    // Another listed client, and a request that is not a form, or has no token.
    let billing = send(
        addr,
        "/introspect",
        &token,
        Some(("billing", "other-other-other")),
    )
    .await;
    assert_eq!(billing.status(), StatusCode::OK);
    let client = reqwest::Client::new();
    let not_form = client
        .post(format!("http://{addr}/introspect"))
        .basic_auth("gateway", Some("s3cret-s3cret-s3cret"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(not_form.status(), StatusCode::BAD_REQUEST);
    let no_token = send(addr, "/introspect", "", Some(GATEWAY)).await;
    assert_eq!(no_token.status(), StatusCode::BAD_REQUEST);
    let body: Value = no_token.json().await.unwrap();
    assert_eq!(body, json!({ "error": "invalid_request" }));
}

#[tokio::test]
async fn revocation_answers_200_for_any_token_and_a_refresh_token_ends_its_session() {
    let auth = issuer();
    let addr = serve(auth.clone()).await;
    let pair = auth
        .login("alice")
        .user_agent("Phone/1.0")
        .tokens()
        .await
        .unwrap();
    let access = auth.access_token("alice").issue().unwrap();

    let response = send(addr, "/revoke", &access, Some(GATEWAY)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.unwrap().is_empty());
    assert_eq!(introspect(addr, &access).await, json!({ "active": false }));

    assert_eq!(introspect(addr, &pair.access_token).await["active"], true);
    let response = send(addr, "/revoke", &pair.refresh_token, Some(GATEWAY)).await;
    assert_eq!(response.status(), StatusCode::OK);
    for token in [&pair.refresh_token, &pair.access_token] {
        assert_eq!(introspect(addr, token).await, json!({ "active": false }));
    }
    assert!(
        auth.sessions("alice").await.unwrap().is_empty(),
        "the session ended"
    );

    for token in ["garbage", &access] {
        let response = send(addr, "/revoke", token, Some(GATEWAY)).await;
        assert_eq!(response.status(), StatusCode::OK, "{token}");
    }
}

#[tokio::test]
async fn without_listed_clients_the_endpoints_are_not_there() {
    let addr = serve(paseto_tests::auth()).await;
    let response = send(addr, "/introspect", "anything", Some(GATEWAY)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_a_denylist_revocation_is_unsupported_for_every_token() {
    let auth = PasetoAuth::builder()
        .local_key(key())
        .introspection_clients(Clients::parse("gateway:s3cret-s3cret-s3cret").unwrap())
        .build()
        .unwrap();
    let addr = serve(auth.clone()).await;
    let valid = auth.access_token("alice").issue().unwrap();
    for token in ["garbage", valid.as_str()] {
        let response = send(addr, "/revoke", token, Some(GATEWAY)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{token}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body,
            json!({ "error": "unsupported_token_type" }),
            "the same for both"
        );
    }
}
