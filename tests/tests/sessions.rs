//! Sessions through the example app over TCP, with the memory denylist and a
//! real `redis-server`, two instances sharing the store: each login is a
//! session the user lists (`GET /sessions`) and ends (`DELETE /sessions/{id}`);
//! ending one stops its tokens everywhere, and nobody ends another's.

use http::Method;
use paseto_tests::{App, Backend, ok_user, refused_within_a_second, revoked};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The sessions `GET /sessions` lists for `token`.
async fn listed(app: &App, token: &str) -> Vec<Value> {
    let (status, _, body) = app.get("/sessions", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["sessions"].as_array().expect("a list").clone()
}

/// The listed session whose user agent is `agent`.
fn by_agent<'a>(sessions: &'a [Value], agent: &str) -> &'a Value {
    sessions
        .iter()
        .find(|session| session["user_agent"] == agent)
        .unwrap_or_else(|| panic!("no session from {agent} in {sessions:?}"))
}

fn time(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().expect("a time"), &Rfc3339).expect("RFC 3339")
}

async fn a_user_lists_their_sessions_and_ends_one_everywhere(backend: Backend) {
    let (one, two) = (
        App::start(backend.auth()).await,
        App::start(backend.auth()).await,
    );
    let (phone, _) = one.login_as("test", "Phone/1.0").await;
    let (laptop, laptop_refresh) = two.login_as("test", "Laptop/2.0").await;
    let (admin, _) = one.login_as("admin", "Admin/1.0").await;

    let sessions = listed(&two, &phone).await;
    assert_eq!(
        sessions.len(),
        2,
        "the admin's session is not test's: {sessions:?}"
    );
    let (on_phone, on_laptop) = (
        by_agent(&sessions, "Phone/1.0"),
        by_agent(&sessions, "Laptop/2.0"),
    );
    assert_eq!(on_phone["current"], true);
    assert_eq!(on_laptop["current"], false);
    for session in [on_phone, on_laptop] {
        let keys: Vec<&str> = session
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for key in ["id", "created_at", "refreshed_at", "user_agent", "current"] {
            assert!(keys.contains(&key), "{key} in {session}");
        }
        assert_eq!(
            session["created_at"], session["refreshed_at"],
            "not refreshed yet"
        );
    }
    assert!(
        time(&on_phone["created_at"]) <= time(&on_laptop["created_at"]),
        "oldest first"
    );
    let from_laptop = listed(&one, &laptop).await;
    assert_eq!(by_agent(&from_laptop, "Laptop/2.0")["current"], true);

    // A rotation moves the session's refresh time, not its id.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (laptop, laptop_refresh) = one.rotate(&laptop_refresh).await;
    let sessions = listed(&two, &phone).await;
    let rotated = by_agent(&sessions, "Laptop/2.0");
    assert_eq!(rotated["id"], on_laptop["id"]);
    assert!(
        time(&rotated["refreshed_at"]) > time(&rotated["created_at"]),
        "{rotated}"
    );

    // Another user's session is not found, and stays open.
    let admins = listed(&one, &admin).await;
    let admin_session = admins[0]["id"].as_str().unwrap().to_owned();
    let answer = one
        .call(
            Method::DELETE,
            &format!("/sessions/{admin_session}"),
            &phone,
        )
        .await;
    assert_eq!(answer.0, StatusCode::NOT_FOUND, "{answer:?}");
    assert_eq!(answer.2, json!({ "detail": "Session not found" }));
    assert_eq!(listed(&two, &admin).await.len(), 1);

    // The phone ends the laptop's session on one instance: both its tokens
    // stop on the other.
    let laptop_id = on_laptop["id"].as_str().unwrap();
    let path = format!("/sessions/{laptop_id}");
    assert_eq!(
        one.status(Method::DELETE, &path, &phone).await,
        StatusCode::NO_CONTENT
    );
    revoked(&one.get("/protected", &laptop).await);
    refused_within_a_second(async || two.get("/protected", &laptop).await).await;
    refused_within_a_second(async || two.post("/refresh", &laptop_refresh, None).await).await;
    ok_user(&two.get("/protected", &phone).await);
    let left = listed(&two, &phone).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["user_agent"], "Phone/1.0");
    let again = one.call(Method::DELETE, &path, &phone).await;
    assert_eq!(again.0, StatusCode::NOT_FOUND, "ended once: {again:?}");
    let unknown = one
        .call(Method::DELETE, "/sessions/no-such-session", &phone)
        .await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND, "{unknown:?}");
}

async fn sessions_end_with_a_logout_everywhere_and_with_reuse(backend: Backend) {
    let app = App::start(backend.auth()).await;
    let (first, first_refresh) = app.login_as("test", "First/1.0").await;
    let (_, second_refresh) = app.login_as("test", "Second/1.0").await;
    // A refresh token spent two rotations ago (past the grace for a retry)
    // presented again revokes its session: it is no longer listed.
    let (_, next) = app.rotate(&second_refresh).await;
    app.rotate(&next).await;
    revoked(&app.post("/rotate", &second_refresh, None).await);
    let sessions = listed(&app, &first).await;
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0]["user_agent"], "First/1.0");
    // Refreshing moves the refresh time.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let refreshed = app.post("/refresh", &first_refresh, None).await;
    assert_eq!(refreshed.0, StatusCode::OK, "{refreshed:?}");
    let session = &listed(&app, &first).await[0];
    assert!(
        time(&session["refreshed_at"]) > time(&session["created_at"]),
        "{session}"
    );

    let status = app.status(Method::POST, "/logout-all", &first).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (after, _) = app.login_as("test", "After/1.0").await;
    let sessions = listed(&app, &after).await;
    assert_eq!(sessions.len(), 1, "only the login after: {sessions:?}");
    assert_eq!(sessions[0]["user_agent"], "After/1.0");
    assert_eq!(sessions[0]["current"], true);
}

#[tokio::test]
async fn without_a_denylist_there_are_no_sessions_to_list_or_end() {
    let app = App::start(paseto_tests::auth()).await;
    let (access, _) = app.login().await;
    assert_eq!(listed(&app, &access).await, Vec::<Value>::new());
    let answer = app.call(Method::DELETE, "/sessions/any", &access).await;
    assert_eq!(answer.0, StatusCode::INTERNAL_SERVER_ERROR, "{answer:?}");
}

/// The claims of the refresh token `refresh`, verified.
async fn refresh_claims(
    auth: &paseto_runtime::PasetoAuth,
    refresh: &str,
) -> paseto_runtime::Claims {
    auth.verify::<paseto_runtime::Refresh>(refresh)
        .await
        .unwrap()
}

async fn a_rotated_session_lives_as_long_as_its_new_tokens(backend: Backend) {
    let auth = backend
        .builder()
        .access_ttl(paseto_runtime::Duration::seconds(1))
        .refresh_ttl(paseto_runtime::Duration::seconds(4))
        .leeway(paseto_runtime::Duration::ZERO)
        .build()
        .unwrap();
    let pair = auth
        .login("test")
        .user_agent("Phone/1.0")
        .tokens()
        .await
        .unwrap();
    // Times are whole seconds: the login's refresh token lives three to four.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let rotated = auth
        .rotate(&refresh_claims(&auth, &pair.refresh_token).await)
        .await
        .unwrap();
    // Past the login's four seconds: the session is open, as its new tokens
    // are (at least three seconds from the rotation).
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let open = auth.sessions("test").await.unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert!(open[0].refreshed_at > open[0].created_at, "{open:?}");
    assert!(auth.end_session("test", &open[0].id).await.unwrap());
    let refused = auth
        .verify::<paseto_runtime::Refresh>(&rotated.refresh_token)
        .await;
    assert_eq!(refused.unwrap_err(), paseto_runtime::AuthError::Revoked);
}

async fn a_subject_keeps_a_bounded_number_of_sessions(backend: Backend) {
    let auth = backend.auth();
    let max = paseto_runtime::denylist::MAX_SESSIONS;
    let first = auth
        .login("test")
        .user_agent("First")
        .tokens()
        .await
        .unwrap();
    for _ in 0..max {
        auth.login("test").tokens().await.unwrap();
    }
    let open = auth.sessions("test").await.unwrap();
    assert_eq!(open.len(), max);
    assert!(
        open.iter()
            .all(|session| session.user_agent.as_deref() != Some("First"))
    );
    let refused = auth
        .verify::<paseto_runtime::Refresh>(&first.refresh_token)
        .await;
    assert_eq!(
        refused.unwrap_err(),
        paseto_runtime::AuthError::Revoked,
        "the oldest ended"
    );
    let other = auth.login("admin").tokens().await.unwrap();
    assert!(
        auth.verify::<paseto_runtime::Access>(&other.access_token)
            .await
            .is_ok()
    );
}

async fn a_logout_of_the_session_forgets_it(backend: Backend) {
    let auth = backend.auth();
    let kept = auth
        .login("test")
        .user_agent("Kept")
        .tokens()
        .await
        .unwrap();
    let left = auth
        .login("test")
        .user_agent("Left")
        .tokens()
        .await
        .unwrap();
    let claims = auth
        .verify::<paseto_runtime::Access>(&left.access_token)
        .await
        .unwrap();
    auth.revoke_family(&claims).await.unwrap();
    let open = auth.sessions("test").await.unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].user_agent.as_deref(), Some("Kept"));
    assert!(
        !auth.end_session("test", claims.family_id()).await.unwrap(),
        "already over"
    );
    assert!(
        auth.verify::<paseto_runtime::Access>(&kept.access_token)
            .await
            .is_ok()
    );
}

paseto_tests::on_both_backends!(
    a_user_lists_their_sessions_and_ends_one_everywhere,
    sessions_end_with_a_logout_everywhere_and_with_reuse,
    a_rotated_session_lives_as_long_as_its_new_tokens,
    a_subject_keeps_a_bounded_number_of_sessions,
    a_logout_of_the_session_forgets_it,
);
