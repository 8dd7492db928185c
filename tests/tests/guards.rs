//! What each guard accepts, and the configuration options a client can observe.

use axum::Json;
use axum::response::IntoResponse;
use paseto_runtime::{Access, IssueError, PasetoAuth, keys::SecretKey};
use paseto_tests::challenge::INVALID_TOKEN;
use paseto_tests::{
    access_claims, app, auth, forge_json, key, send, send_authorization, send_token, with,
};
use serde_json::json;

#[tokio::test]
async fn each_guard_accepts_its_own_token() {
    let auth = auth();
    let app = app(auth.clone());
    let access = auth.access_token("alice").issue().unwrap();
    let fresh = auth.access_token("alice").fresh(true).issue().unwrap();
    let refresh = auth.refresh_token("alice").issue().unwrap();
    send_token(&app, "/access", &access)
        .await
        .assert_ok("alice");
    send_token(&app, "/access", &fresh).await.assert_ok("alice");
    send_token(&app, "/fresh", &fresh).await.assert_ok("alice");
    send_token(&app, "/refresh", &refresh)
        .await
        .assert_ok("alice");
}

#[tokio::test]
async fn scheme_is_matched_case_insensitively() {
    let token = auth().access_token("alice").issue().unwrap();
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let value = format!("{scheme}  {token}");
        send_authorization(&app(auth()), "/access", value)
            .await
            .assert_ok("alice");
    }
}

#[tokio::test]
async fn optional_guard_without_a_token_gives_none() {
    let app = app(auth());
    send(&app, "/optional", &[]).await.assert_ok("anonymous");
    let token = auth().access_token("bob").issue().unwrap();
    send_token(&app, "/optional", &token).await.assert_ok("bob");
}

#[tokio::test]
async fn users_own_claims_reach_the_handler() {
    let auth = auth();
    let token = auth
        .access_token("alice")
        .claims(&json!({ "role": "admin" }))
        .issue()
        .unwrap();
    send_token(&app(auth), "/role", &token)
        .await
        .assert_ok("admin");
}

#[tokio::test]
async fn custom_token_type() {
    let auth = auth();
    let app = app(auth.clone());
    let token = auth
        .token("alice", "email-verify")
        .claims(&json!({ "email": "alice@example.com" }))
        .issue()
        .unwrap();
    send_token(&app, "/email", &token)
        .await
        .assert_ok("alice@example.com");
    send_token(&app, "/access", &token).await.assert_rejected(
        401,
        INVALID_TOKEN,
        "Access token required but email-verify provided",
    );
    let access = auth.access_token("alice").issue().unwrap();
    send_token(&app, "/email", &access).await.assert_rejected(
        401,
        INVALID_TOKEN,
        "Email-verify token required but access provided",
    );
}

#[tokio::test]
async fn tokens_without_expiry_where_allowed() {
    let lenient = PasetoAuth::builder()
        .local_key(key())
        .allow_missing_expiry(true)
        .build()
        .unwrap();
    let token = lenient
        .access_token("alice")
        .never_expires()
        .issue()
        .unwrap();
    send_token(&app(lenient), "/access", &token)
        .await
        .assert_ok("alice");
    assert_eq!(
        auth().access_token("alice").never_expires().issue(),
        Err(IssueError::ExpiryRequired)
    );
}

#[tokio::test]
async fn public_tokens_verify_in_a_service_that_holds_only_the_public_key() {
    let secret = SecretKey::generate().unwrap();
    let issuer = PasetoAuth::builder()
        .secret_key(secret.clone())
        .build()
        .unwrap();
    let verifier = PasetoAuth::builder()
        .public_key(secret.public_key())
        .build()
        .unwrap();
    let token = issuer.access_token("alice").issue().unwrap();
    assert!(token.starts_with("v4.public."));
    send_token(&app(verifier.clone()), "/access", &token)
        .await
        .assert_ok("alice");
    assert_eq!(
        verifier.access_token("alice").issue(),
        Err(IssueError::NoSigningKey)
    );
}

#[tokio::test]
async fn issued_tokens_carry_fastapi_paseto_claims() {
    let auth = PasetoAuth::builder()
        .local_key(key())
        .issuer("https://auth.example")
        .require_audience("api")
        .build()
        .unwrap();
    let token = auth
        .access_token("alice")
        .fresh(true)
        .audience("api")
        .issue()
        .unwrap();
    let claims = auth.verify::<Access>(&token).await.unwrap();
    assert_eq!(claims.subject(), "alice");
    assert_eq!(claims.token_type(), "access");
    assert!(claims.is_fresh());
    assert_eq!(claims.issuer(), Some("https://auth.example"));
    assert_eq!(claims.audience(), ["api"]);
    assert_eq!(claims.token_id().len(), 36);
    let (iat, exp) = (claims.issued_at().unwrap(), claims.expires_at().unwrap());
    assert_eq!(claims.not_before(), Some(iat));
    assert_eq!(exp - iat, time::Duration::minutes(15));
}

#[tokio::test]
async fn reserved_claim_names_cannot_be_overwritten() {
    for name in ["sub", "exp", "type", "fresh", "jti"] {
        assert_eq!(
            auth()
                .access_token("alice")
                .claims(&json!({ name: "x" }))
                .issue(),
            Err(IssueError::ReservedClaim(name.to_owned()))
        );
    }
    assert_eq!(
        auth()
            .access_token("alice")
            .claims(&"not an object")
            .issue(),
        Err(IssueError::ClaimsNotObject)
    );
    for token_type in ["access", "refresh", ""] {
        assert_eq!(
            auth().token("alice", token_type).issue(),
            Err(IssueError::InvalidTokenType)
        );
    }
}

#[tokio::test]
async fn an_application_replaces_every_rejection_in_one_place() {
    let custom = PasetoAuth::builder()
        .local_key(key())
        .on_rejection(|error| {
            let body = Json(json!({ "error": error.kind() }));
            let mut response = (error.status(), body).into_response();
            if let Some(challenge) = error.www_authenticate() {
                response.headers_mut().insert("www-authenticate", challenge);
            }
            response
        })
        .build()
        .unwrap();
    let app = app(custom);
    let reply = send(&app, "/access", &[]).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.challenge.as_deref(), Some("Bearer"));
    assert_eq!(reply.body, json!({ "error": "missing_token" }));
    let expired = forge_json(&with(access_claims(), "exp", Some(paseto_tests::at(-5))));
    let reply = send_token(&app, "/access", &expired).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.challenge.as_deref(), Some(INVALID_TOKEN));
    assert_eq!(reply.body, json!({ "error": "expired" }));
}

#[tokio::test]
async fn each_rejection_is_logged_by_kind_and_never_with_the_token() {
    let (logs, _guard) = paseto_tests::capture_logs();

    let expired = forge_json(&with(access_claims(), "exp", Some(paseto_tests::at(-5))));
    send_token(&app(auth()), "/access", &expired).await;
    send(&app(auth()), "/access", &[]).await;

    let log = logs.text();
    assert!(log.contains("DEBUG"), "{log}");
    assert!(log.contains("kind=\"expired\""), "{log}");
    assert!(log.contains("kind=\"missing_token\""), "{log}");
    assert!(!log.contains(&expired), "{log}");
    assert!(!log.contains("alice"), "{log}");
}

#[tokio::test]
async fn verified_claims_can_be_debugged_and_cloned() {
    let auth = auth();
    let token = auth.access_token("alice").issue().unwrap();
    let verified = paseto_runtime::Verified::<Access>(auth.verify::<Access>(&token).await.unwrap());
    let copy = verified.clone();
    assert!(format!("{copy:?}").contains("alice"));
}
