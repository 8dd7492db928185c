//! Revocation through the example app over TCP: logout, rotation, reuse
//! detection. One suite, run against the memory denylist and against a real
//! `redis-server`, then what only Redis does: share revocations between
//! instances, expire entries at the token's `exp`, fail closed and recover.

use paseto_runtime::{
    Access, AuthError, Claims, Duration, PasetoAuth, Refresh, RevokeError, denylist::RedisDenylist,
};
use paseto_tests::{App, Backend, RedisServer, key, ok_user, refused_within_a_second, revoked};
use reqwest::StatusCode;
use serde_json::json;

async fn logout_revokes_the_access_token(backend: Backend) {
    let app = App::start(backend.auth()).await;
    let (access, refresh) = app.login().await;
    ok_user(&app.get("/protected", &access).await);
    let reply = app.post("/logout", &access, None).await;
    assert_eq!(
        (reply.0, reply.2),
        (StatusCode::OK, json!({ "revoked": ["access_token"] }))
    );
    revoked(&app.get("/protected", &access).await);
    revoked(&app.post("/logout", &access, None).await);
    let reply = app.post("/refresh", &refresh, None).await;
    assert_eq!(
        reply.0,
        StatusCode::OK,
        "the refresh token was not in the body: {reply:?}"
    );
}

async fn logout_with_a_refresh_token_revokes_both(backend: Backend) {
    let app = App::start(backend.auth()).await;
    let (access, refresh) = app.login().await;
    let body = json!({ "refresh_token": refresh });
    let reply = app.post("/logout", &access, Some(body)).await;
    assert_eq!(
        (reply.0, reply.2),
        (
            StatusCode::OK,
            json!({ "revoked": ["access_token", "refresh_token"] })
        )
    );
    revoked(&app.get("/protected", &access).await);
    revoked(&app.post("/refresh", &refresh, None).await);
    revoked(&app.post("/rotate", &refresh, None).await);
}

async fn rotation_issues_a_working_pair_and_spends_the_old_token(backend: Backend) {
    let auth = backend.auth();
    let app = App::start(auth.clone()).await;
    let (_, refresh) = app.login().await;
    let old = auth.verify::<Refresh>(&refresh).await.unwrap();
    let (status, _, pair) = app.post("/rotate", &refresh, None).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    let (access, next) = (
        pair["access_token"].as_str().unwrap(),
        pair["refresh_token"].as_str().unwrap(),
    );
    ok_user(&app.get("/protected", access).await);
    let claims = auth.verify::<Access>(access).await.unwrap();
    assert!(!claims.is_fresh(), "rotation is not a credential check");
    let family = old.family();
    assert!(family.is_some(), "login tokens start a family");
    assert_eq!(
        claims.family(),
        family,
        "the new tokens join the old token's family"
    );
    assert_eq!(auth.verify::<Refresh>(next).await.unwrap().family(), family);
    let (status, _, body) = app.post("/refresh", next, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn without_grace_reuse_of_a_rotated_refresh_token_revokes_the_family(backend: Backend) {
    let auth = backend
        .builder()
        .rotation_grace(Duration::ZERO)
        .build()
        .unwrap();
    let app = App::start(auth).await;
    let (login_access, stolen) = app.login().await;
    let (_, _, pair) = app.post("/rotate", &stolen, None).await;
    let (access, next) = (
        pair["access_token"].as_str().unwrap(),
        pair["refresh_token"].as_str().unwrap(),
    );
    ok_user(&app.get("/protected", access).await);

    revoked(&app.post("/rotate", &stolen, None).await);
    revoked(&app.post("/rotate", next, None).await);
    revoked(&app.post("/refresh", next, None).await);
    revoked(&app.get("/protected", access).await);
    revoked(&app.get("/protected", &login_access).await);
}

async fn without_grace_concurrent_rotations_of_one_token_let_exactly_one_through(backend: Backend) {
    let auth = backend
        .builder()
        .rotation_grace(Duration::ZERO)
        .build()
        .unwrap();
    let token = auth.refresh_token("test").issue().unwrap();
    let claims = auth.verify::<Refresh>(&token).await.unwrap();
    let (first, second) = tokio::join!(auth.rotate(&claims), auth.rotate(&claims));
    let outcomes = [first, second];
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, Err(e) if e.auth_error() == Some(&AuthError::Reused))),
        "{outcomes:?}"
    );
    for pair in outcomes.into_iter().flatten() {
        let refresh = auth.verify::<Refresh>(&pair.refresh_token).await;
        assert!(
            matches!(refresh, Err(AuthError::Revoked)),
            "the family was revoked on reuse: {refresh:?}"
        );
    }
}

/// A tool that shows a spent refresh token (the `paseto inspect` command,
/// through `verify_any_type`) is told it is revoked and changes nothing: the
/// session it belongs to goes on. Only a guard takes the token as reuse.
async fn inspecting_a_spent_refresh_token_leaves_its_family_alone(backend: Backend) {
    let auth = backend
        .builder()
        .rotation_grace(Duration::ZERO)
        .build()
        .unwrap();
    let app = App::start(auth.clone()).await;
    let (_, spent) = app.login().await;
    let (status, _, pair) = app.post("/rotate", &spent, None).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    let shown = auth.verify_any_type(&spent).await;
    assert!(matches!(shown, Err(AuthError::Revoked)), "{shown:?}");
    ok_user(
        &app.get("/protected", pair["access_token"].as_str().unwrap())
            .await,
    );
    let (status, _, next) = app
        .post("/rotate", pair["refresh_token"].as_str().unwrap(), None)
        .await;
    assert_eq!(status, StatusCode::OK, "the session goes on: {next}");
}

async fn only_the_configured_token_types_are_checked(backend: Backend) {
    let auth = backend
        .builder()
        .denylist_token_checks(["refresh"])
        .build()
        .unwrap();
    let app = App::start(auth.clone()).await;
    let (access, refresh) = app.login().await;
    let access_claims = auth.verify::<Access>(&access).await.unwrap();
    for refused in [
        auth.revoke(&access_claims).await,
        auth.revoke_family(&access_claims).await,
    ] {
        let error = refused.unwrap_err();
        assert!(
            matches!(&error, RevokeError::NotChecked(t) if t == "access"),
            "revoking what is never checked is an error, not a silent no-op: {error:?}"
        );
        assert!(
            error.to_string().contains("denylist_token_checks"),
            "{error}"
        );
    }
    ok_user(&app.get("/protected", &access).await);
    auth.revoke(&auth.verify::<Refresh>(&refresh).await.unwrap())
        .await
        .unwrap();
    revoked(&app.post("/refresh", &refresh, None).await);
}

/// Log out everywhere: every session of the user ends on every instance the
/// store reaches; a login right after it works, in the same second.
async fn logging_out_everywhere_ends_every_session_and_not_the_next(backend: Backend) {
    let (one, two) = (
        App::start(backend.auth()).await,
        App::start(backend.auth()).await,
    );
    let (phone, phone_refresh) = one.login().await;
    let (laptop, laptop_refresh) = two.login().await;
    let status = one.status(http::Method::POST, "/logout-all", &phone).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (after, after_refresh) = one.login().await;
    for token in [&phone, &laptop] {
        revoked(&one.get("/protected", token).await);
        refused_within_a_second(async || two.get("/protected", token).await).await;
    }
    for refresh in [&phone_refresh, &laptop_refresh] {
        revoked(&one.post("/refresh", refresh, None).await);
        refused_within_a_second(async || two.post("/refresh", refresh, None).await).await;
    }
    ok_user(&one.get("/protected", &after).await);
    ok_user(&two.get("/protected", &after).await);
    let refreshed = two.post("/refresh", &after_refresh, None).await;
    assert_eq!(refreshed.0, StatusCode::OK, "{refreshed:?}");
    assert_eq!(backend.records().await, 1, "one record for the subject");
}

paseto_tests::on_both_backends!(
    logging_out_everywhere_ends_every_session_and_not_the_next,
    logout_revokes_the_access_token,
    logout_with_a_refresh_token_revokes_both,
    rotation_issues_a_working_pair_and_spends_the_old_token,
    without_grace_reuse_of_a_rotated_refresh_token_revokes_the_family,
    without_grace_concurrent_rotations_of_one_token_let_exactly_one_through,
    inspecting_a_spent_refresh_token_leaves_its_family_alone,
    only_the_configured_token_types_are_checked,
);

/// A configuration over `server` whose denylist keeps a local copy, loaded
/// before it answers.
async fn mirrored(server: &RedisServer) -> PasetoAuth {
    let denylist = RedisDenylist::new(&server.url())
        .unwrap()
        .connect()
        .await
        .unwrap();
    PasetoAuth::builder()
        .local_key(key())
        .denylist(denylist)
        .build()
        .unwrap()
}

#[tokio::test]
async fn two_instances_sharing_redis_share_revocations() {
    let Some(server) = RedisServer::start().await else {
        return;
    };
    let (one, two) = (
        App::start(mirrored(&server).await).await,
        App::start(mirrored(&server).await).await,
    );
    let (access, refresh) = one.login().await;
    ok_user(&two.get("/protected", &access).await);
    let body = json!({ "refresh_token": refresh });
    let reply = one.post("/logout", &access, Some(body)).await;
    assert_eq!(reply.0, StatusCode::OK, "{reply:?}");
    revoked(&one.get("/protected", &access).await);
    revoked(&one.post("/refresh", &refresh, None).await);
    refused_within_a_second(async || two.get("/protected", &access).await).await;
    refused_within_a_second(async || two.post("/refresh", &refresh, None).await).await;
}

#[tokio::test]
async fn with_a_local_copy_requests_send_redis_no_command() {
    let Some(server) = RedisServer::start().await else {
        return;
    };
    let app = App::start(mirrored(&server).await).await;
    let (access, _) = app.login().await;
    let before = server.calls("mget").await;
    for _ in 0..100 {
        ok_user(&app.get("/protected", &access).await);
    }
    assert_eq!(server.calls("mget").await, before, "a request read Redis");

    let direct = PasetoAuth::builder()
        .local_key(key())
        .denylist(RedisDenylist::new(&server.url()).unwrap().mirror(false))
        .build()
        .unwrap();
    let app = App::start(direct).await;
    let before = server.calls("mget").await;
    for _ in 0..100 {
        ok_user(&app.get("/protected", &access).await);
    }
    assert_eq!(
        server.calls("mget").await,
        before + 100,
        "without the copy, one read each"
    );
}

#[tokio::test]
async fn a_revocation_the_copy_has_seen_outlives_its_loss_in_redis() {
    let Some(mut server) = RedisServer::start().await else {
        return;
    };
    let app = App::start(mirrored(&server).await).await;
    let (access, _) = app.login().await;
    let reply = app.post("/logout", &access, None).await;
    assert_eq!(reply.0, StatusCode::OK, "{reply:?}");
    server.stop();
    server.restart().await;
    assert_eq!(server.calls("set").await, 0, "Redis came back empty");
    // A login keeps its session in Redis: it waits for the connection too.
    let login = || {
        let url = format!("http://{}/login", app.addr);
        let body = json!({ "username": "test", "password": "test" });
        app.client.post(url).json(&body).send()
    };
    let started = std::time::Instant::now();
    let fresh = loop {
        let response = login().await.expect("a response");
        if response.status() == StatusCode::OK {
            let body: serde_json::Value = response.json().await.expect("JSON");
            break body["access_token"].as_str().expect("a token").to_owned();
        }
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "fails closed"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "no recovery"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    ok_user(&app.get("/protected", &fresh).await);
    revoked(&app.get("/protected", &access).await);
}

#[tokio::test]
async fn redis_records_expire_once_their_tokens_cannot_verify() {
    let Some(server) = RedisServer::start().await else {
        return;
    };
    let backend = Backend::Redis(server);
    let auth = backend
        .builder()
        .leeway(Duration::seconds(60))
        .build()
        .unwrap();
    let (access, refresh) = {
        let pair = auth.login_tokens("test").await.unwrap();
        let access = auth.verify::<Access>(&pair.access_token).await.unwrap();
        let refresh = auth.verify::<Refresh>(&pair.refresh_token).await.unwrap();
        (access, refresh)
    };
    auth.revoke(&access).await.unwrap();
    auth.rotate(&refresh).await.unwrap();
    let Backend::Redis(server) = &backend else {
        unreachable!()
    };
    let ttl = |key: String| async move {
        let reply = server.command(&["TTL", &key]).await.unwrap();
        reply.trim_start_matches(':').parse::<i64>().unwrap()
    };
    // Redis expires records by its own clock: an instance whose clock is behind
    // Redis's by less than the leeway still accepts the token after its `exp`
    // plus one leeway, so the record stays a leeway longer.
    let token = ttl(format!("paseto:jti:{{test}}:{}", access.token_id())).await;
    assert!(
        (1010..=1021).contains(&token),
        "a 15-minute token with a minute of leeway, twice: {token}"
    );
    let family = ttl(format!("paseto:fam:{{test}}:{}", refresh.family_id())).await;
    let thirty_days = 30 * 24 * 3600;
    assert!(
        (thirty_days + 110..=thirty_days + 121).contains(&family),
        "the family lives as long as its new refresh token, with the leeway twice: {family}"
    );
}

#[tokio::test]
async fn redis_outage_fails_closed_then_recovers() {
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
    ok_user(&app.get("/protected", &access).await);

    server.stop();
    // The local copy answers until its connection is seen to close, which is
    // at once here, and a second at most when Redis vanishes without a word.
    let started = std::time::Instant::now();
    let reply = loop {
        let reply = app.get("/protected", &access).await;
        if reply.0 != StatusCode::OK || started.elapsed() > std::time::Duration::from_secs(2) {
            break reply;
        }
    };
    assert_eq!(reply.0, StatusCode::SERVICE_UNAVAILABLE, "{reply:?}");
    assert_eq!(reply.1, None, "{reply:?}");
    assert_eq!(
        reply.2,
        json!({ "detail": "Token revocation status is unavailable" })
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "failed fast, no hang"
    );

    server.restart().await;
    let mut last = None;
    for _ in 0..50 {
        let reply = app.get("/protected", &access).await;
        if reply.0 == StatusCode::OK {
            ok_user(&reply);
            return;
        }
        last = Some(reply);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("requests did not recover once Redis was back: {last:?}");
}

#[tokio::test]
async fn a_check_of_your_own_like_token_in_denylist_loader() {
    let auth = PasetoAuth::builder()
        .local_key(key())
        .revocation_check(|claims: &Claims| {
            let subject = claims.subject().to_owned();
            async move {
                match subject.as_str() {
                    "banned" => Ok(true),
                    "unreachable" => Err(std::io::Error::other("user store down")),
                    _ => Ok(false),
                }
            }
        })
        .build()
        .unwrap();
    let app = App::start(auth.clone()).await;
    for (subject, status, detail) in [
        ("test", StatusCode::OK, json!({ "user": "test" })),
        (
            "banned",
            StatusCode::UNAUTHORIZED,
            json!({ "detail": "Token has been revoked" }),
        ),
        (
            "unreachable",
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "detail": "Token revocation status is unavailable" }),
        ),
    ] {
        let token = auth.access_token(subject).issue().unwrap();
        let reply = app.get("/protected", &token).await;
        assert_eq!((reply.0, reply.2), (status, detail), "{subject}");
    }
}
