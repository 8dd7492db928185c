//! Browsers: tokens in `HttpOnly` cookies with CSRF double submit, over the
//! example app's `/cookie/*` routes on a real socket, and the checks a
//! cookie-authenticated request must pass for each method (WebSocket upgrades:
//! `upgrades.rs`; sliding sessions: `sliding.rs`).

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use cookie::SameSite;
use http::StatusCode;
use paseto_runtime::{Claims, PasetoAuth, paseto_required};
use paseto_tests::browser::{builder, cookie_header, forbidden, login, send};
use paseto_tests::challenge::INVALID_TOKEN;
use paseto_tests::{App, serve_router};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn login_sets_four_cookies_with_their_attributes() {
    let app = App::start(builder().build().unwrap()).await;
    let cookies = login(&app).await;
    let mut names: Vec<_> = cookies.keys().cloned().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "access_token_cookie",
            "csrf_access_token",
            "csrf_refresh_token",
            "refresh_token_cookie"
        ]
    );
    for (name, http_only, max_age) in [
        ("access_token_cookie", true, 900),
        ("refresh_token_cookie", true, 30 * 24 * 3600),
        ("csrf_access_token", false, 900),
        ("csrf_refresh_token", false, 30 * 24 * 3600),
    ] {
        let cookie = &cookies[name];
        assert_eq!(cookie.http_only(), Some(http_only).filter(|&h| h), "{name}");
        assert_eq!(cookie.secure(), Some(true), "{name}");
        assert_eq!(cookie.same_site(), Some(SameSite::Lax), "{name}");
        assert_eq!(cookie.path(), Some("/"), "{name}");
        let seconds = cookie.max_age().map(time::Duration::whole_seconds);
        assert_eq!(seconds, Some(max_age), "{name}");
    }
    assert!(
        cookies["access_token_cookie"]
            .value()
            .starts_with("v4.local.")
    );
    assert_eq!(cookies["csrf_access_token"].value().len(), 64);
    assert_ne!(
        cookies["csrf_access_token"].value(),
        cookies["csrf_refresh_token"].value()
    );
}

#[tokio::test]
async fn cookie_attributes_follow_the_configuration() {
    let auth = builder()
        .cookie_paths("/", "/cookie/refresh")
        .cookie_same_site(SameSite::Strict)
        .cookie_max_age(false)
        .build()
        .unwrap();
    let app = App::start(auth).await;
    let cookies = login(&app).await;
    let refresh = &cookies["refresh_token_cookie"];
    assert_eq!(refresh.path(), Some("/cookie/refresh"));
    assert_eq!(refresh.same_site(), Some(SameSite::Strict));
    assert_eq!(refresh.max_age(), None, "a session cookie");
}

#[tokio::test]
async fn bad_credentials_set_no_cookie() {
    let app = App::start(builder().build().unwrap()).await;
    let url = format!("http://{}/cookie/login", app.addr);
    let body = json!({ "username": "test", "password": "wrong" });
    let seen = send(app.client.post(url).json(&body)).await;
    assert_eq!(seen.status, StatusCode::UNAUTHORIZED);
    assert!(seen.cookies.is_empty());
}

#[tokio::test]
async fn a_get_with_the_access_cookie_needs_no_csrf_header() {
    let app = App::start(builder().build().unwrap()).await;
    let cookies = login(&app).await;
    let url = format!("http://{}/protected", app.addr);
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let seen = send(app.client.get(url).header("cookie", header)).await;
    assert_eq!(
        (seen.status, seen.body),
        (StatusCode::OK, json!({ "user": "test" }))
    );
}

#[tokio::test]
async fn refresh_needs_the_refresh_csrf_value() {
    let app = App::start(builder().build().unwrap()).await;
    let cookies = login(&app).await;
    let url = format!("http://{}/cookie/refresh", app.addr);
    let header = cookie_header(&cookies, &["refresh_token_cookie"]);
    let post = || app.client.post(&url).header("cookie", &header);
    forbidden(&send(post()).await, "Missing CSRF token");
    let wrong = cookies["csrf_access_token"].value();
    forbidden(
        &send(post().header("x-csrf-token", wrong)).await,
        "CSRF double submit tokens do not match",
    );
    let right = cookies["csrf_refresh_token"].value();
    let seen = send(post().header("x-csrf-token", right)).await;
    assert_eq!(
        (seen.status, &seen.body),
        (StatusCode::OK, &json!({ "refresh": true }))
    );
    let mut names: Vec<_> = seen.cookies.keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["access_token_cookie", "csrf_access_token"]);
    let protected = format!("http://{}/protected", app.addr);
    let header = cookie_header(&seen.cookies, &["access_token_cookie"]);
    let seen = send(app.client.get(protected).header("cookie", header)).await;
    assert_eq!(seen.status, StatusCode::OK);
}

#[tokio::test]
async fn logout_revokes_the_session_and_clears_the_cookies() {
    let app = App::start(builder().build().unwrap()).await;
    let cookies = login(&app).await;
    let url = format!("http://{}/cookie/logout", app.addr);
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let csrf = cookies["csrf_access_token"].value();
    let seen = send(
        app.client
            .post(url)
            .header("cookie", &header)
            .header("x-csrf-token", csrf),
    )
    .await;
    assert_eq!(
        (seen.status, &seen.body),
        (StatusCode::OK, &json!({ "logout": true }))
    );
    assert_eq!(seen.cookies.len(), 4);
    for cookie in seen.cookies.values() {
        assert_eq!(cookie.value(), "", "{}", cookie.name());
        assert_eq!(cookie.max_age().map(time::Duration::whole_seconds), Some(0));
    }
    let protected = format!("http://{}/protected", app.addr);
    let seen = send(app.client.get(protected).header("cookie", &header)).await;
    assert_eq!(seen.status, StatusCode::UNAUTHORIZED);
    assert_eq!(seen.challenge.as_deref(), Some(INVALID_TOKEN));
    assert_eq!(seen.body, json!({ "detail": "Token has been revoked" }));
    let refresh = format!("http://{}/cookie/refresh", app.addr);
    let seen = send(
        app.client
            .post(refresh)
            .header("cookie", cookie_header(&cookies, &["refresh_token_cookie"]))
            .header("x-csrf-token", cookies["csrf_refresh_token"].value()),
    )
    .await;
    assert_eq!(seen.body, json!({ "detail": "Token has been revoked" }));
}

#[tokio::test]
async fn a_token_in_the_header_needs_no_csrf_header() {
    let app = App::start(builder().build().unwrap()).await;
    let (access, _) = app.login().await;
    let url = format!("http://{}/cookie/logout", app.addr);
    let seen = send(app.client.post(url).bearer_auth(access)).await;
    assert_eq!(seen.status, StatusCode::OK, "{:?}", seen.body);
}

#[paseto_required]
async fn who(claims: Claims) -> String {
    claims.subject().to_owned()
}

/// Every method on one guarded route, served over TCP.
async fn every_method(auth: PasetoAuth) -> SocketAddr {
    let route = get(who)
        .post(who)
        .put(who)
        .patch(who)
        .delete(who)
        .options(who);
    serve_router(Router::new().route("/who", route).with_state(auth)).await
}

#[tokio::test]
async fn the_csrf_header_is_required_for_each_protected_method_only() {
    let auth = builder().build().unwrap();
    let app = App::start(auth.clone()).await;
    let cookies = login(&app).await;
    let addr = every_method(auth).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let csrf = cookies["csrf_access_token"].value();
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let request = || {
            app.client
                .request(method.clone(), format!("http://{addr}/who"))
                .header("cookie", &header)
        };
        forbidden(&send(request()).await, "Missing CSRF token");
        forbidden(
            &send(request().header("x-csrf-token", "0".repeat(64))).await,
            "CSRF double submit tokens do not match",
        );
        let seen = send(request().header("x-csrf-token", csrf)).await;
        assert_eq!(seen.status, StatusCode::OK, "{method}");
    }
    for method in [Method::GET, Method::OPTIONS] {
        let request = app
            .client
            .request(method.clone(), format!("http://{addr}/who"))
            .header("cookie", &header);
        assert_eq!(send(request).await.status, StatusCode::OK, "{method}");
    }
}

#[tokio::test]
async fn sources_are_tried_in_the_configured_order() {
    use paseto_runtime::TokenSource::{Cookie as FromCookie, Header};
    let auth = builder().build().unwrap();
    let app = App::start(auth.clone()).await;
    let cookies = login(&app).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let request = |addr: SocketAddr| {
        app.client
            .get(format!("http://{addr}/who"))
            .header("cookie", &header)
            .bearer_auth("v4.local.not-a-token")
    };
    let header_first = every_method(auth).await;
    let seen = send(request(header_first)).await;
    assert_eq!(
        seen.body,
        json!({ "detail": "Malformed token" }),
        "by default the header decides"
    );
    let cookie_first = builder()
        .token_sources([FromCookie, Header])
        .build()
        .unwrap();
    let seen = send(request(every_method(cookie_first).await)).await;
    assert_eq!(seen.status, StatusCode::OK, "{:?}", seen.body);
    let repeated = builder().token_sources([Header, Header]).build();
    assert!(repeated.is_err());
}

#[tokio::test]
async fn options_is_never_guarded_even_when_configured() {
    let auth = builder()
        .csrf_methods([Method::OPTIONS, Method::POST])
        .build()
        .unwrap();
    let app = App::start(auth.clone()).await;
    let cookies = login(&app).await;
    let addr = every_method(auth).await;
    let request = app
        .client
        .request(Method::OPTIONS, format!("http://{addr}/who"))
        .header("cookie", cookie_header(&cookies, &["access_token_cookie"]));
    assert_eq!(send(request).await.status, StatusCode::OK);
}
