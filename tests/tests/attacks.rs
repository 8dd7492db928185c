//! The attacker's view of revocation and of the JSON body layer, over the
//! example app on a real TCP socket (memory and a real `redis-server`): replay
//! after logout and after rotation, inside the leeway and around the rotation
//! grace window, floods of rotations, bodies that try to read past a route's
//! limit.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use paseto_runtime::{Duration, PasetoAuth, denylist::RedisDenylist};
use paseto_tests::challenge::{INVALID_REQUEST, INVALID_TOKEN};
use paseto_tests::{App, Backend, RedisServer, key, ok_user, pair, revoked};
use reqwest::StatusCode;
use serde_json::json;

async fn sleep(seconds: f64) {
    tokio::time::sleep(StdDuration::from_secs_f64(seconds)).await;
}

/// A spent refresh token stays spent after its `exp`, while the leeway still
/// lets it verify: its reuse revokes the family.
async fn replay_after_rotation_inside_the_leeway(backend: Backend) {
    let auth = backend
        .builder()
        .leeway(Duration::seconds(60))
        // Long enough for the login and its rotation on a loaded machine.
        .refresh_ttl(Duration::seconds(3))
        .rotation_grace(Duration::ZERO)
        .build()
        .unwrap();
    let app = App::start(auth).await;
    let (_, spent) = app.login().await;
    let (access, _) = app.rotate(&spent).await;
    sleep(3.1).await;
    revoked(&app.post("/rotate", &spent, None).await);
    revoked(&app.post("/rotate", &spent, None).await);
    revoked(&app.get("/protected", &access).await);
}

/// A logged-out access token stays revoked after its `exp`, inside the leeway.
async fn replay_after_logout_inside_the_leeway(backend: Backend) {
    let auth = backend
        .builder()
        .leeway(Duration::seconds(60))
        .access_ttl(Duration::seconds(1))
        .build()
        .unwrap();
    let app = App::start(auth).await;
    let (access, _) = app.login().await;
    let reply = app.post("/logout", &access, None).await;
    assert_eq!(reply.0, StatusCode::OK, "{reply:?}");
    sleep(2.1).await;
    revoked(&app.get("/protected", &access).await);
}

/// An unspent refresh token past its `exp` is not renewed by the leeway.
async fn an_expired_refresh_token_is_not_rotated_inside_the_leeway(backend: Backend) {
    let auth = backend
        .builder()
        .leeway(Duration::seconds(60))
        .refresh_ttl(Duration::seconds(1))
        .build()
        .unwrap();
    let app = App::start(auth).await;
    let (_, refresh) = app.login().await;
    sleep(1.1).await;
    let reply = app.post("/rotate", &refresh, None).await;
    assert_eq!(reply.0, StatusCode::UNAUTHORIZED, "{reply:?}");
    assert_eq!(reply.2, json!({ "detail": "Token expired" }), "{reply:?}");
}

/// The access token `/refresh` mints joins the refresh token's family, so reuse
/// detection reaches it.
async fn a_refreshed_access_token_falls_with_its_family(backend: Backend) {
    let auth = backend
        .builder()
        .rotation_grace(Duration::ZERO)
        .build()
        .unwrap();
    let app = App::start(auth).await;
    let (_, stolen) = app.login().await;
    let reply = app.post("/refresh", &stolen, None).await;
    assert_eq!(reply.0, StatusCode::OK, "{reply:?}");
    let refreshed = reply.2["access_token"].as_str().unwrap().to_owned();
    ok_user(&app.get("/protected", &refreshed).await);
    app.rotate(&stolen).await;
    revoked(&app.post("/rotate", &stolen, None).await);
    revoked(&app.get("/protected", &refreshed).await);
}

/// A client that sends `/rotate` twice at once (a retry) keeps its session:
/// both answers hold working pairs.
async fn a_retried_rotation_keeps_the_session(backend: Backend) {
    let auth = backend.builder().build().unwrap();
    let app = App::start(auth).await;
    let (_, refresh) = app.login().await;
    let (first, second) = tokio::join!(
        app.post("/rotate", &refresh, None),
        app.post("/rotate", &refresh, None)
    );
    for reply in [&first, &second] {
        assert_eq!(reply.0, StatusCode::OK, "{first:?} {second:?}");
    }
    for reply in [first, second] {
        let (access, refresh) = pair(&reply.2);
        ok_user(&app.get("/protected", &access).await);
        app.rotate(&refresh).await;
    }
}

/// Outside the grace window, a spent refresh token is reuse: the family falls,
/// with the pair its rotation issued.
async fn replay_after_the_grace_window_revokes_the_family(backend: Backend) {
    let auth = backend
        .builder()
        .rotation_grace(Duration::seconds(1))
        .build()
        .unwrap();
    let app = App::start(auth).await;
    let (login_access, spent) = app.login().await;
    let (access, next) = app.rotate(&spent).await;
    sleep(1.2).await;
    revoked(&app.post("/rotate", &spent, None).await);
    revoked(&app.get("/protected", &access).await);
    revoked(&app.get("/protected", &login_access).await);
    revoked(&app.post("/rotate", &next, None).await);
}

/// Inside the grace window, the retry's pair and the first pair both work; once
/// one of them is rotated and the window has passed, the other is reuse.
async fn replay_inside_the_grace_window_gets_a_pair_of_the_same_family(backend: Backend) {
    let auth = backend
        .builder()
        .rotation_grace(Duration::seconds(1))
        .build()
        .unwrap();
    let app = App::start(auth).await;
    let (_, spent) = app.login().await;
    let (first_access, first) = app.rotate(&spent).await;
    let (retry_access, retry) = app.rotate(&spent).await;
    ok_user(&app.get("/protected", &first_access).await);
    ok_user(&app.get("/protected", &retry_access).await);
    let (third_access, _) = app.rotate(&retry).await;
    sleep(1.2).await;
    revoked(&app.post("/rotate", &first, None).await);
    revoked(&app.get("/protected", &third_access).await);
}

/// A logged-in client looping `/rotate` keeps the store at one entry per session.
async fn a_flood_of_rotations_keeps_one_entry_per_session(backend: Backend) {
    let auth = backend.builder().build().unwrap();
    let app = App::start(auth).await;
    let (_, mut refresh) = app.login().await;
    for _ in 0..200 {
        refresh = app.rotate(&refresh).await.1;
    }
    let entries = backend.records().await;
    assert!(
        entries <= 1,
        "200 rotations of one session left {entries} entries"
    );
}

paseto_tests::on_both_backends!(
    replay_after_rotation_inside_the_leeway,
    replay_after_logout_inside_the_leeway,
    an_expired_refresh_token_is_not_rotated_inside_the_leeway,
    replay_after_the_grace_window_revokes_the_family,
    replay_inside_the_grace_window_gets_a_pair_of_the_same_family,
    a_refreshed_access_token_falls_with_its_family,
    a_retried_rotation_keeps_the_session,
    a_flood_of_rotations_keeps_one_entry_per_session,
);

/// A route that lowers axum's `DefaultBodyLimit` bounds what the body layer
/// reads before authentication.
#[tokio::test]
async fn the_route_body_limit_bounds_the_body_layer() {
    use axum::Router;
    use axum::extract::DefaultBodyLimit;
    use axum::routing::post;
    use paseto_runtime::{Claims, paseto_required};

    #[paseto_required(refresh)]
    async fn refresh(claims: Claims) -> String {
        claims.subject().to_owned()
    }

    let auth = PasetoAuth::builder().local_key(key()).build().unwrap();
    let token = auth.refresh_token("test").issue().unwrap();
    let app = Router::new()
        .route("/refresh", post(refresh))
        .route_layer(auth.json_body_layer())
        .layer(DefaultBodyLimit::max(64))
        .with_state(auth);
    let body = json!({ "refresh_token": token }).to_string();
    assert!(body.len() > 64);
    let reply = paseto_tests::post_json(&app, "/refresh", None, &body).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{reply:?}");
    assert_eq!(reply.challenge, None, "{reply:?}");
    assert_eq!(reply.body, json!({ "detail": "Request body is too large" }));
}

/// A body whose token key holds a huge array is rejected, without the array
/// being built (the peak memory this saves is measured by `scripts/body-memory`).
#[tokio::test]
async fn an_array_under_the_token_key_is_rejected() {
    let auth = PasetoAuth::builder().local_key(key()).build().unwrap();
    let app = example_app::router(auth);
    let zeros = vec!["0"; 700_000].join(",");
    let body = format!(r#"{{"refresh_token": [{zeros}]}}"#);
    let reply = paseto_tests::post_json(&app, "/refresh", None, &body).await;
    reply.assert_rejected(
        400,
        INVALID_REQUEST,
        "Bad 'refresh_token' in the JSON body. Expected value '<PASETO>'",
    );
}

/// The configuration's renderer draws every authentication failure: those of
/// rotation and revocation inside handlers too.
#[tokio::test]
async fn every_failure_goes_through_on_rejection() {
    let Some(mut server) = RedisServer::start().await else {
        return;
    };
    let auth = PasetoAuth::builder()
        .local_key(key())
        .denylist(RedisDenylist::new(&server.url()).unwrap())
        .refresh_ttl(Duration::seconds(1))
        .leeway(Duration::seconds(60))
        .on_rejection(|error| {
            let body = axum::Json(json!({ "error": error.kind() }));
            axum::response::IntoResponse::into_response((error.status(), body))
        })
        .build()
        .unwrap();
    let app = App::start(auth).await;
    let (access, refresh) = app.login().await;
    sleep(1.1).await;
    let reply = app.post("/rotate", &refresh, None).await;
    assert_eq!(
        (reply.0, reply.2),
        (StatusCode::UNAUTHORIZED, json!({ "error": "expired" })),
        "rotation of an expired refresh token"
    );
    server.stop();
    let reply = app.post("/logout", &access, None).await;
    assert_eq!(
        (reply.0, reply.2),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "error": "revocation_unavailable" })
        ),
        "logout while the store is down"
    );
}

/// A logout with a bad refresh token still revokes the access token, and says
/// which token it could not revoke and why.
#[tokio::test]
async fn logout_revokes_what_it_can_and_says_what() {
    let backend = Backend::Memory(Arc::default());
    let app = App::start(backend.builder().build().unwrap()).await;
    let (access, _) = app.login().await;
    let body = json!({ "refresh_token": "v4.local.not-a-token" });
    let reply = app.post("/logout", &access, Some(body)).await;
    assert_eq!(
        (reply.0, reply.2),
        (
            StatusCode::OK,
            json!({
                "revoked": ["access_token"],
                "not_revoked": { "refresh_token": "Malformed token" },
            })
        )
    );
    revoked(&app.get("/protected", &access).await);
}

/// A token addressed to another service is refused by a service that requires
/// no audience (RFC 7519 §4.1.3), unless it opts out.
#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let billing = PasetoAuth::builder()
        .local_key(key())
        .require_audience("billing")
        .build()
        .unwrap();
    let token = billing
        .access_token("test")
        .audience("billing")
        .issue()
        .unwrap();
    let strict = paseto_tests::app(PasetoAuth::builder().local_key(key()).build().unwrap());
    paseto_tests::send_token(&strict, "/access", &token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Invalid audience");
    let lenient = PasetoAuth::builder()
        .local_key(key())
        .allow_any_audience(true)
        .build()
        .unwrap();
    paseto_tests::send_token(&paseto_tests::app(lenient), "/access", &token)
        .await
        .assert_ok("test");
}

/// A footer that is no JSON object cannot hold the `kid`, and one that sets
/// `kid` itself would name another key: both are refused when configuring and
/// when issuing.
#[test]
fn a_footer_that_is_no_object_or_names_a_kid_is_refused_up_front() {
    let someone_else = paseto_runtime::keys::LocalKey::generate().unwrap().id();
    for footer in [json!(""), json!("key-1"), json!({ "kid": someone_else })] {
        let error = PasetoAuth::builder()
            .local_key(key())
            .footer(&footer)
            .build()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "footer must be a JSON object without a `kid` member"
        );
        let auth = PasetoAuth::builder().local_key(key()).build().unwrap();
        assert_eq!(
            auth.access_token("test").footer(&footer).issue(),
            Err(paseto_runtime::IssueError::InvalidFooter)
        );
    }
}

/// A Redis outage is logged once, by `Display`, and so is the recovery; every
/// refused request gets 503 with `Retry-After`.
#[tokio::test]
async fn a_redis_outage_is_logged_once_and_answered_with_retry_after() {
    let (logs, _guard) = paseto_tests::capture_logs();
    let Some(mut server) = RedisServer::start().await else {
        return;
    };
    let auth = PasetoAuth::builder()
        .local_key(key())
        .denylist(RedisDenylist::new(&server.url()).unwrap())
        .build()
        .unwrap();
    let app = App::start(auth).await;
    let (access, _) = app.login().await;
    server.stop();
    for _ in 0..3 {
        let url = format!("http://{}/protected", app.addr);
        let response = app
            .client
            .get(url)
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()["retry-after"], "5");
        assert!(!response.headers().contains_key("www-authenticate"));
    }
    server.restart().await;
    let mut answered = false;
    for _ in 0..50 {
        if app.get("/protected", &access).await.0 == StatusCode::OK {
            answered = true;
            break;
        }
        sleep(0.1).await;
    }
    assert!(answered, "requests recover once Redis is back");
    let text = logs.text();
    let errors: Vec<_> = text
        .lines()
        .filter(|l| l.contains(" ERROR ") && l.contains("paseto_runtime"))
        .collect();
    assert_eq!(errors.len(), 1, "one error per outage:\n{text}");
    assert!(
        errors[0].contains("the denylist is unavailable: "),
        "the cause, by Display: {}",
        errors[0]
    );
    assert!(
        !errors[0].contains("Some("),
        "no Debug output: {}",
        errors[0]
    );
    let recoveries = text.matches("the revocation store answers again").count();
    assert_eq!(recoveries, 1, "{text}");
}

/// A denylist used without `connect` reads the eviction policy on first use:
/// under `allkeys-lru` it answers nothing, and requests get 503 (fail closed)
/// with the cause logged, until Redis is set to `noeviction`.
#[tokio::test]
async fn redis_that_may_evict_is_refused_without_connect_too() {
    let Some(server) = RedisServer::start_with(&["--maxmemory-policy", "allkeys-lru"]).await else {
        return;
    };
    let (logs, _guard) = paseto_tests::capture_logs();
    let auth = PasetoAuth::builder()
        .local_key(key())
        .denylist(RedisDenylist::new(&server.url()).unwrap())
        .build()
        .unwrap();
    let app = App::start(auth.clone()).await;
    let access = auth.access_token("test").issue().unwrap();
    let login = app.client.post(format!("http://{}/login", app.addr));
    let login = login.json(&json!({ "username": "test", "password": "test" }));
    let unavailable = json!({ "detail": "Token revocation status is unavailable" });
    for answer in [
        app.get("/protected", &access).await,
        paseto_tests::read(login).await,
    ] {
        assert_eq!(answer.0, StatusCode::SERVICE_UNAVAILABLE, "{answer:?}");
        assert_eq!(answer.2, unavailable, "a login keeps its session there");
    }
    assert!(
        logs.text().contains("`maxmemory-policy` is `allkeys-lru`"),
        "{}",
        logs.text()
    );
    let reply = server
        .command(&["CONFIG", "SET", "maxmemory-policy", "noeviction"])
        .await;
    assert_eq!(reply.as_deref(), Some("+OK"));
    ok_user(&app.get("/protected", &access).await);
}

/// Why `connect` refuses `server` with the default settings.
async fn refused_at_connect(server: &RedisServer) -> String {
    let refused = RedisDenylist::new(&server.url())
        .unwrap()
        .connect()
        .await
        .unwrap_err();
    std::error::Error::source(&refused).unwrap().to_string()
}

/// A Redis that may evict revocations is refused at start by default: with
/// `allkeys-lru` (or any policy but `noeviction`) a revocation can be evicted
/// under memory pressure, and the revoked token works again on every instance
/// that starts after. `refuse_eviction(false)` accepts the risk, with a warning.
#[tokio::test]
async fn redis_that_may_evict_revocations_is_refused_by_default() {
    let Some(server) = RedisServer::start().await else {
        return;
    };
    let (logs, _guard) = paseto_tests::capture_logs();
    RedisDenylist::new(&server.url())
        .unwrap()
        .connect()
        .await
        .expect("noeviction, Redis's default, is accepted");
    assert!(!logs.text().contains("WARN"), "{}", logs.text());

    for policy in ["allkeys-lru", "volatile-lru", "volatile-ttl"] {
        let reply = server
            .command(&["CONFIG", "SET", "maxmemory-policy", policy])
            .await;
        assert_eq!(reply.as_deref(), Some("+OK"));
        let cause = refused_at_connect(&server).await;
        assert!(
            cause.contains(&format!("`maxmemory-policy` is `{policy}`")),
            "{cause}"
        );
        assert!(cause.contains("refuse_eviction(false)"), "{cause}");
    }
    RedisDenylist::new(&server.url())
        .unwrap()
        .refuse_eviction(false)
        .connect()
        .await
        .expect("opted out: only a warning");
    assert!(
        logs.text().contains("WARN") && logs.text().contains("maxmemory-policy"),
        "{}",
        logs.text()
    );
}

/// A Redis that will not say its eviction policy (a managed service that hides
/// `INFO`) is refused by default, and only warned about once opted out.
#[tokio::test]
async fn redis_without_info_is_refused_by_default() {
    let Some(server) = RedisServer::start_with(&["--rename-command", "INFO", ""]).await else {
        return;
    };
    let (logs, _guard) = paseto_tests::capture_logs();
    let cause = refused_at_connect(&server).await;
    assert!(cause.contains("does not answer `INFO memory`"), "{cause}");
    RedisDenylist::new(&server.url())
        .unwrap()
        .refuse_eviction(false)
        .connect()
        .await
        .expect("opted out: only a warning");
    assert!(logs.text().contains("WARN"), "{}", logs.text());
}
