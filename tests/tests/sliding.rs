//! Sliding sessions: the layer renews an access cookie close to expiry on a
//! cookie-authenticated request's response, and only what a refresh would
//! renew: a success, an unexpired and unrevoked token, within the session's
//! lifetime.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use http::StatusCode;
use paseto_runtime::{
    Access, Claims, Duration, PasetoAuth, Refresh, cookies::SetCookies, layer::SlidingSessionLayer,
};
use paseto_tests::browser::{builder, cookie_header, get_with_cookie, login, send};
use paseto_tests::{App, serve_router};
use serde_json::json;

async fn who(claims: Claims) -> String {
    claims.subject().to_owned()
}

/// A guarded handler that fails after authenticating.
async fn fail(_claims: Claims) -> StatusCode {
    StatusCode::SERVICE_UNAVAILABLE
}

async fn bye(State(auth): State<PasetoAuth>, _claims: Claims) -> (SetCookies, &'static str) {
    (auth.clear_cookies(), "bye")
}

/// `/who`, a logout and a failing route under a sliding session of `window`,
/// served over TCP.
async fn sliding(auth: PasetoAuth, window: Duration) -> SocketAddr {
    let layer = auth.sliding_session_layer(window);
    sliding_with(auth, layer).await
}

/// The routes of [`sliding`] under `layer`.
async fn sliding_with(auth: PasetoAuth, layer: SlidingSessionLayer) -> SocketAddr {
    let router = Router::new()
        .route("/who", get(who))
        .route("/fail", get(fail))
        .route("/bye", axum::routing::post(bye))
        .layer(layer)
        .with_state(auth);
    serve_router(router).await
}

#[tokio::test]
async fn a_sliding_session_renews_the_access_cookie_inside_the_window_only() {
    let auth = builder().access_ttl(Duration::seconds(60)).build().unwrap();
    let app = App::start(auth.clone()).await;
    let cookies = login(&app).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let inside = sliding(auth.clone(), Duration::seconds(120)).await;
    let seen = get_with_cookie(&app, format!("http://{inside}/who"), &header).await;
    assert_eq!(seen.status, StatusCode::OK);
    let mut names: Vec<_> = seen.cookies.keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["access_token_cookie", "csrf_access_token"]);
    let renewed = cookie_header(&seen.cookies, &["access_token_cookie"]);
    let again = get_with_cookie(&app, format!("http://{inside}/who"), renewed).await;
    assert_eq!(again.status, StatusCode::OK, "the renewed cookie works");

    let outside = sliding(auth, Duration::seconds(10)).await;
    let seen = get_with_cookie(&app, format!("http://{outside}/who"), &header).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.cookies.is_empty(), "not yet within the window");
}

#[tokio::test]
async fn a_sliding_session_never_resets_a_cookie_a_response_clears() {
    let auth = builder().access_ttl(Duration::seconds(60)).build().unwrap();
    let app = App::start(auth.clone()).await;
    let cookies = login(&app).await;
    let addr = sliding(auth, Duration::seconds(120)).await;
    let seen = send(
        app.client
            .post(format!("http://{addr}/bye"))
            .header("cookie", cookie_header(&cookies, &["access_token_cookie"]))
            .header("x-csrf-token", cookies["csrf_access_token"].value()),
    )
    .await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.cookies.len(), 4, "only the four cleared cookies");
    assert!(
        seen.cookies
            .values()
            .all(|cookie| cookie.value().is_empty())
    );
}

#[tokio::test]
async fn a_header_token_is_not_renewed_by_the_sliding_session() {
    let auth = builder().access_ttl(Duration::seconds(60)).build().unwrap();
    let app = App::start(auth.clone()).await;
    let (access, _) = app.login().await;
    let addr = sliding(auth, Duration::seconds(120)).await;
    let seen = send(
        app.client
            .get(format!("http://{addr}/who"))
            .bearer_auth(access),
    )
    .await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.cookies.is_empty());
}

/// A browser session that logs out through `POST /logout` (the access cookie
/// and its CSRF header) stays logged out: the logout's response carries no new
/// access cookie, although the token was within the renewal window, and the
/// revoked cookie is refused from then on.
#[tokio::test]
async fn a_logout_is_never_renewed() {
    let auth = builder().access_ttl(Duration::seconds(60)).build().unwrap();
    let app = App::start(auth).await;
    let cookies = login(&app).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let seen = send(
        app.client
            .post(format!("http://{}/logout", app.addr))
            .header("cookie", &header)
            .header("x-csrf-token", cookies["csrf_access_token"].value()),
    )
    .await;
    assert_eq!(
        (seen.status, seen.body),
        (StatusCode::OK, json!({ "revoked": ["access_token"] }))
    );
    assert!(
        !seen.cookies.contains_key("access_token_cookie"),
        "a revoked session renewed: {:?}",
        seen.cookies.keys()
    );
    let seen = get_with_cookie(&app, format!("http://{}/protected", app.addr), &header).await;
    assert_eq!(
        (seen.status, seen.body),
        (
            StatusCode::UNAUTHORIZED,
            json!({ "detail": "Token has been revoked" })
        )
    );
}

/// Where access tokens are not checked against the denylist
/// (`denylist_token_checks(["refresh"])`), a stolen access cookie of a session
/// that logged out (`revoke_family`) still verifies until its `exp`, as
/// configured; but a renewal is a refresh, and a refresh of that family is
/// refused, so the layer renews nothing and the session ends at the cookie's
/// `exp`, not at the login's refresh lifetime.
#[tokio::test]
async fn a_family_logged_out_is_not_renewed_where_access_tokens_go_unchecked() {
    let auth = builder()
        .access_ttl(Duration::seconds(60))
        .denylist_token_checks(["refresh"])
        .build()
        .unwrap();
    let app = App::start(auth.clone()).await;
    let cookies = login(&app).await;
    let stolen = cookie_header(&cookies, &["access_token_cookie"]);
    let refresh = auth
        .verify::<Refresh>(cookies["refresh_token_cookie"].value())
        .await
        .unwrap();
    auth.revoke_family(&refresh).await.unwrap();
    let addr = sliding(auth, Duration::seconds(120)).await;
    let seen = get_with_cookie(&app, format!("http://{addr}/who"), &stolen).await;
    assert_eq!(seen.status, StatusCode::OK, "access tokens go unchecked");
    assert!(
        seen.cookies.is_empty(),
        "a logged-out family renewed: {:?}",
        seen.cookies.keys()
    );
}

/// A token revoked before the request (its family logged out elsewhere) is
/// refused by the guard, and so never reaches the layer; one revoked while a
/// request runs (a handler that revokes) is not renewed either, as above. A
/// response that is not a success renews nothing.
#[tokio::test]
async fn only_a_success_renews() {
    let auth = builder().access_ttl(Duration::seconds(60)).build().unwrap();
    let app = App::start(auth.clone()).await;
    let cookies = login(&app).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let addr = sliding(auth, Duration::seconds(120)).await;
    let seen = get_with_cookie(&app, format!("http://{addr}/fail"), &header).await;
    assert_eq!(seen.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(seen.cookies.is_empty(), "{:?}", seen.cookies.keys());
}

/// A token past its `exp` still verifies inside the leeway, but the leeway
/// forgives clock skew; it does not make an expired session renewable.
#[tokio::test]
async fn a_token_past_its_expiry_is_not_renewed() {
    let auth = builder()
        .access_ttl(Duration::seconds(1))
        .leeway(Duration::seconds(60))
        .build()
        .unwrap();
    let app = App::start(auth.clone()).await;
    let cookies = login(&app).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let addr = sliding(auth, Duration::seconds(120)).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let seen = get_with_cookie(&app, format!("http://{addr}/who"), &header).await;
    assert_eq!(seen.status, StatusCode::OK, "inside the leeway");
    assert!(seen.cookies.is_empty(), "{:?}", seen.cookies.keys());
}

/// Renewals end with the session: its login (`auth_time`) plus the refresh
/// lifetime by default, or the layer's `max_lifetime`; a renewed token keeps
/// the login's time and never outlives that end.
#[tokio::test]
async fn renewals_end_with_the_session() {
    let auth = builder()
        .access_ttl(Duration::seconds(60))
        .refresh_ttl(Duration::seconds(1))
        .build()
        .unwrap();
    let app = App::start(auth.clone()).await;
    let cookies = login(&app).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let login_time = auth
        .verify::<Access>(cookies["access_token_cookie"].value())
        .await
        .unwrap()
        .authenticated_at()
        .expect("a login's tokens carry auth_time");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let by_default = sliding(auth.clone(), Duration::seconds(120)).await;
    let seen = get_with_cookie(&app, format!("http://{by_default}/who"), &header).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(
        seen.cookies.is_empty(),
        "past the refresh lifetime: {:?}",
        seen.cookies.keys()
    );

    let layer = auth
        .sliding_session_layer(Duration::seconds(120))
        .max_lifetime(Duration::seconds(30));
    let longer = sliding_with(auth.clone(), layer).await;
    let seen = get_with_cookie(&app, format!("http://{longer}/who"), &header).await;
    let renewed = &seen.cookies["access_token_cookie"];
    let claims = auth.verify::<Access>(renewed.value()).await.unwrap();
    assert_eq!(claims.authenticated_at(), Some(login_time));
    let end = login_time + Duration::seconds(30);
    assert!(
        claims.expires_at().unwrap() <= end,
        "{:?} past {end}",
        claims.expires_at()
    );
    assert!(
        renewed.max_age().unwrap() <= Duration::seconds(30),
        "{:?}",
        renewed.max_age()
    );
}
