//! The example app over a real TCP socket with a real HTTP client: the whole
//! login → protected → refresh flow, the fresh rules, and every rejection kind.

use std::net::SocketAddr;

use paseto_runtime::{
    Access, FreshAccess, PasetoAuth, Refresh,
    denylist::{MemoryDenylist, RedisDenylist},
    keys::LocalKey,
};
use paseto_tests::challenge::{
    BAD_HEADER, BEARER, INSUFFICIENT_USER_AUTHENTICATION, INVALID_REQUEST, INVALID_TOKEN,
};
use paseto_tests::{KEY, access_claims, at, forge_json, login, read, with};
use pasetors::keys::{Generate, SymmetricKey};
use pasetors::version2::{LocalToken as V2LocalToken, V2};
use pasetors::version4::{LocalToken, V4};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// Serves the example app with the test key.
async fn serve() -> (SocketAddr, PasetoAuth) {
    let auth = paseto_tests::auth();
    (paseto_tests::serve(auth.clone()).await, auth)
}

#[tokio::test]
async fn login_protected_refresh_and_the_fresh_rules() {
    let (addr, auth) = serve().await;
    let client = Client::new();
    let url = |path: &str| format!("http://{addr}{path}");

    let (access, refresh) = login(&client, addr).await;
    assert!(
        auth.verify::<FreshAccess>(&access).await.is_ok(),
        "login mints a fresh token"
    );

    let (status, _, body) = read(client.get(url("/protected")).bearer_auth(&access)).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "user": "test" })));
    let (status, _, body) = read(client.get(url("/protected-fresh")).bearer_auth(&access)).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "user": "test" })));

    let (status, _, body) = read(client.post(url("/refresh")).bearer_auth(&refresh)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    let refreshed = body["access_token"].as_str().unwrap();
    let claims = auth.verify::<Access>(refreshed).await.unwrap();
    assert!(!claims.is_fresh(), "a refreshed token is not fresh");

    let (status, _, body) = read(client.get(url("/protected")).bearer_auth(refreshed)).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "user": "test" })));
    let (status, challenge, body) =
        read(client.get(url("/protected-fresh")).bearer_auth(refreshed)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge.as_deref(), Some(INSUFFICIENT_USER_AUTHENTICATION));
    assert_eq!(
        body,
        json!({ "detail": "PASETO access token is not fresh" })
    );
}

#[tokio::test]
async fn bad_credentials_and_malformed_login_bodies() {
    let (addr, _) = serve().await;
    let client = Client::new();
    let url = format!("http://{addr}/login");
    let (status, challenge, body) = read(
        client
            .post(&url)
            .json(&json!({ "username": "test", "password": "nope" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge, None);
    assert_eq!(body, json!({ "detail": "Bad username or password" }));

    for (content_type, payload, expected_status, detail) in [
        (
            "application/json",
            "{\"username\": 1}",
            422,
            "Failed to deserialize the JSON body into the target type: username: invalid type: integer `1`, expected a string at line 1 column 14",
        ),
        (
            "application/json",
            "not json",
            400,
            "Failed to parse the request body as JSON: expected ident at line 1 column 2",
        ),
        (
            "text/plain",
            "{}",
            415,
            "Expected request with `Content-Type: application/json`",
        ),
    ] {
        let (status, challenge, body) = read(
            client
                .post(&url)
                .header("content-type", content_type)
                .body(payload),
        )
        .await;
        assert_eq!(
            (status.as_u16(), challenge, body),
            (expected_status, None, json!({ "detail": detail })),
            "for {payload:?}"
        );
    }
}

/// One request and the answer a client must read.
struct Case {
    name: &'static str,
    path: &'static str,
    authorization: Vec<HeaderValue>,
    status: u16,
    challenge: Option<&'static str>,
    detail: &'static str,
}

fn case(
    name: &'static str,
    path: &'static str,
    authorization: Vec<HeaderValue>,
    (status, challenge, detail): (u16, Option<&'static str>, &'static str),
) -> Case {
    Case {
        name,
        path,
        authorization,
        status,
        challenge,
        detail,
    }
}

fn bearer(token: &str) -> Vec<HeaderValue> {
    vec![HeaderValue::from_str(&format!("Bearer {token}")).unwrap()]
}

fn invalid(detail: &'static str) -> (u16, Option<&'static str>, &'static str) {
    (401, Some(INVALID_TOKEN), detail)
}

#[tokio::test]
#[allow(clippy::too_many_lines, reason = "one table of cases, a row each")]
async fn every_rejection_kind_over_the_wire() {
    let (addr, auth) = serve().await;
    let client = Client::new();
    let (access, refresh) = login(&client, addr).await;
    let other_key = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .build()
        .unwrap();
    let untagged_other_key = LocalToken::encrypt(
        &SymmetricKey::<V4>::generate().unwrap(),
        access_claims().to_string().as_bytes(),
        None,
        None,
    )
    .unwrap();
    let v2 = V2LocalToken::encrypt(
        &SymmetricKey::<V2>::from(&KEY).unwrap(),
        access_claims().to_string().as_bytes(),
        None,
    )
    .unwrap();
    let forged = |name: &str, value: Option<Value>| forge_json(&with(access_claims(), name, value));
    let malformed = (400, Some(INVALID_REQUEST), BAD_HEADER);
    let cases = [
        case(
            "no token",
            "/protected",
            vec![],
            (401, Some(BEARER), "PASETO Authorization Token required"),
        ),
        case(
            "refresh on access",
            "/protected",
            bearer(&refresh),
            invalid("Access token required but refresh provided"),
        ),
        case(
            "access on refresh",
            "/refresh",
            bearer(&access),
            invalid("Refresh token required but access provided"),
        ),
        case(
            "expired",
            "/protected",
            bearer(&forged("exp", Some(at(-1)))),
            invalid("Token expired"),
        ),
        case(
            "not yet valid",
            "/protected",
            bearer(&forged("nbf", Some(at(60)))),
            invalid("Token not yet valid"),
        ),
        case(
            "issued in the future",
            "/protected",
            bearer(&forged("iat", Some(at(60)))),
            invalid("Token issued in the future"),
        ),
        case(
            "no type",
            "/protected",
            bearer(&forged("type", None)),
            invalid("Token has no 'type' claim"),
        ),
        case(
            "another service's key, named in the footer",
            "/protected",
            bearer(&other_key.access_token("test").issue().unwrap()),
            invalid("Unknown key id"),
        ),
        case(
            "wrong key, no kid",
            "/protected",
            bearer(&untagged_other_key),
            invalid("Invalid token"),
        ),
        case(
            "v2 token",
            "/protected",
            bearer(&v2),
            invalid("Unsupported token version or purpose"),
        ),
        case(
            "9 KiB",
            "/protected",
            bearer(&format!("v4.local.{}", "A".repeat(9 * 1024))),
            invalid("Token is too large"),
        ),
        case(
            "no scheme",
            "/protected",
            vec![HeaderValue::from_str(&access).unwrap()],
            malformed,
        ),
        case(
            "other scheme",
            "/protected",
            vec![HeaderValue::from_static("Basic dGVzdDp0ZXN0")],
            (401, Some(BEARER), BAD_HEADER),
        ),
        case(
            "extra parts",
            "/protected",
            bearer(&format!("{access} more")),
            malformed,
        ),
        case(
            "non-UTF-8",
            "/protected",
            vec![HeaderValue::from_bytes(b"Bearer v4.local.\xff").unwrap()],
            malformed,
        ),
        case(
            "two headers",
            "/protected",
            [bearer(&access), bearer(&access)].concat(),
            malformed,
        ),
    ];
    for case in cases {
        let url = format!("http://{addr}{}", case.path);
        let mut request = if case.path == "/refresh" {
            client.post(url)
        } else {
            client.get(url)
        };
        for value in case.authorization {
            request = request.header(AUTHORIZATION, value);
        }
        let (status, challenge, body) = read(request).await;
        assert_eq!(status.as_u16(), case.status, "{}: {body}", case.name);
        assert_eq!(challenge.as_deref(), case.challenge, "{}", case.name);
        assert_eq!(body, json!({ "detail": case.detail }), "{}", case.name);
    }
    // The app's key is the one the forged tokens use, so the checks above are the claims'.
    assert!(
        auth.verify::<Access>(&forge_json(&access_claims()))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn the_refresh_token_in_a_json_body() {
    let auth = PasetoAuth::builder()
        .local_key(paseto_tests::key())
        .denylist(MemoryDenylist::new())
        .rotation_grace(paseto_runtime::Duration::ZERO)
        .build()
        .unwrap();
    let addr = paseto_tests::serve(auth.clone()).await;
    let client = Client::new();
    let url = |path: &str| format!("http://{addr}{path}");
    let (_, refresh) = login(&client, addr).await;

    let body = json!({ "refresh_token": refresh });
    let (status, _, reply) = read(client.post(url("/refresh")).json(&body)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let access = reply["access_token"].as_str().unwrap();
    assert!(auth.verify::<Access>(access).await.is_ok());

    let (status, _, pair) = read(client.post(url("/rotate")).json(&body)).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    assert_eq!(pair.as_object().unwrap().len(), 2, "{pair}");
    let next = pair["refresh_token"].as_str().unwrap();
    assert!(auth.verify::<Refresh>(next).await.is_ok(), "{pair}");
    assert!(
        auth.verify::<Access>(pair["access_token"].as_str().unwrap())
            .await
            .is_ok()
    );
    // The body's token was spent by the rotation: sent again (without a grace
    // period for retries), it is reuse.
    let (status, challenge, reply) = read(client.post(url("/rotate")).json(&body)).await;
    assert_eq!(
        (status, challenge.as_deref(), reply),
        (
            StatusCode::UNAUTHORIZED,
            Some(INVALID_TOKEN),
            json!({ "detail": "Token has been revoked" })
        )
    );
}

#[tokio::test]
async fn a_json_body_cut_short_is_a_bad_request() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let (addr, _) = serve().await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"POST /refresh HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
              content-length: 100\r\nconnection: close\r\n\r\n{\"refresh_token\": \"v4",
        )
        .await
        .unwrap();
    stream.shutdown().await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 400 "), "{response}");
    assert!(!response.contains("www-authenticate"), "{response}");
    assert!(
        response.ends_with(r#"{"detail":"Request body could not be read"}"#),
        "{response}"
    );
}

#[tokio::test]
async fn the_apps_own_user_and_a_deleted_account() {
    let auth = PasetoAuth::builder()
        .local_key(paseto_tests::key())
        .denylist(MemoryDenylist::new())
        .build()
        .unwrap();
    let addr = paseto_tests::serve(auth).await;
    let client = Client::new();
    let url = |path: &str| format!("http://{addr}{path}");
    let (access, refresh) = login(&client, addr).await;
    let (other_session, _) = login(&client, addr).await;

    let (status, _, body) = read(client.get(url("/me")).bearer_auth(&access)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({ "username": "test", "display_name": "Test User" })
    );

    // Deleting the account takes a fresh token.
    let (_, _, body) = read(client.post(url("/refresh")).bearer_auth(&refresh)).await;
    let refreshed = body["access_token"].as_str().unwrap();
    let (status, challenge, _) = read(client.delete(url("/me")).bearer_auth(refreshed)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge.as_deref(), Some(INSUFFICIENT_USER_AUTHENTICATION));

    let deleted = client
        .delete(url("/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(deleted.bytes().await.unwrap().is_empty());

    // Every token of the account now fails, this session's and the others',
    // on every route; the account cannot log in again.
    for token in [&access, &other_session] {
        for path in ["/me", "/protected"] {
            let (status, _, body) = read(client.get(url(path)).bearer_auth(token)).await;
            assert_eq!(
                (status, body),
                (
                    StatusCode::UNAUTHORIZED,
                    json!({ "detail": "Token has been revoked" })
                ),
                "{path}"
            );
        }
    }
    let (status, _, body) = read(client.get(url("/protected")).bearer_auth(&access)).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!({ "detail": "Token has been revoked" })
        )
    );
    let (status, _, body) = read(
        client
            .post(url("/login"))
            .json(&json!({ "username": "test", "password": "test" })),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!({ "detail": "Bad username or password" })
        )
    );
}

#[tokio::test]
async fn metrics_count_rejections_by_kind() {
    let (addr, _) = serve().await;
    let client = Client::new();
    let url = |path: &str| format!("http://{addr}{path}");
    for _ in 0..3 {
        let (status, _, _) = read(client.get(url("/protected"))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let response = client.get(url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
    );
    let text = response.text().await.unwrap();
    // Other tests of this process reject too: at least this test's three.
    let count: u64 = text
        .lines()
        .find_map(|line| line.strip_prefix(r#"paseto_rejections_total{kind="missing_token"} "#))
        .unwrap_or_else(|| panic!("a missing_token counter in {text}"))
        .parse()
        .unwrap();
    assert!(count >= 3, "{text}");
    assert!(!text.contains("v4.local"), "no token in the metrics");
}

#[tokio::test]
async fn an_account_deleted_on_one_instance_is_gone_on_every_instance() {
    let Some(server) = paseto_tests::RedisServer::start().await else {
        return;
    };
    let mut instances = Vec::new();
    for _ in 0..2 {
        let auth = PasetoAuth::builder()
            .local_key(paseto_tests::key())
            .denylist(RedisDenylist::new(&server.url()).unwrap())
            .build()
            .unwrap();
        let users = example_app::Users::shared(&RedisDenylist::new(&server.url()).unwrap());
        let router = example_app::router_with(auth, users);
        instances.push(paseto_tests::serve_router(router).await);
    }
    let (one, two) = (instances[0], instances[1]);
    let client = Client::new();
    let (access, _) = login(&client, one).await;
    let me = read(client.get(format!("http://{two}/me")).bearer_auth(&access)).await;
    assert_eq!(me.0, StatusCode::OK, "{me:?}");
    assert_eq!(me.2["display_name"], "Test User");

    let deleted = client
        .delete(format!("http://{two}/me"))
        .bearer_auth(&access);
    assert_eq!(
        deleted.send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let (status, _, body) = read(client.get(format!("http://{one}/me")).bearer_auth(&access)).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!({ "detail": "Token has been revoked" })
        )
    );
    let login_again = client
        .post(format!("http://{one}/login"))
        .json(&json!({ "username": "test", "password": "test" }));
    let (status, _, body) = read(login_again).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!({ "detail": "Bad username or password" })
        ),
        "the other instance knows the account is gone"
    );
}
