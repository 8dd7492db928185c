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
use paseto_tests::browser::{builder, cookie_header, forbidden, get_with_cookie, login, send};
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
    let seen = get_with_cookie(&app, url, header).await;
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
    let seen = get_with_cookie(&app, protected, header).await;
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
    let seen = get_with_cookie(&app, protected, &header).await;
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
    use paseto_runtime::config::TokenSource::{Cookie as FromCookie, Header};
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

/// Cookie tossing: a sibling subdomain (`evil.example.com` beside
/// `app.example.com`) can set a cookie for `Domain=example.com`, which the
/// browser then sends to the app. With plain names, the attacker's own token
/// logs the victim in as the attacker; with `__Host-` names, which a browser
/// never accepts with a `Domain`, the app reads only cookies its own host set.
#[tokio::test]
async fn a_cookie_tossed_from_a_sibling_domain_is_not_read_under_host_prefixed_names() {
    let plain = builder().build().unwrap();
    let tossed = plain.access_token("mallory").issue().unwrap();
    let header = format!("access_token_cookie={tossed}");
    let app = App::start(plain).await;
    let url = format!("http://{}/protected", app.addr);
    let seen = get_with_cookie(&app, &url, &header).await;
    assert_eq!(
        (seen.status, seen.body),
        (StatusCode::OK, json!({ "user": "mallory" })),
        "plain names read the tossed cookie"
    );

    let app = App::start(builder().cookie_host_prefix(true).build().unwrap()).await;
    let url = format!("http://{}/protected", app.addr);
    let seen = get_with_cookie(&app, &url, &header).await;
    assert_eq!(seen.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        seen.body,
        json!({ "detail": "PASETO Authorization Token required" })
    );

    // The prefixed cookies a login sets: `Secure`, `Path=/`, no `Domain`.
    let cookies = login(&app).await;
    let mut names: Vec<_> = cookies.keys().cloned().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "__Host-access_token_cookie",
            "__Host-csrf_access_token",
            "__Host-csrf_refresh_token",
            "__Host-refresh_token_cookie",
        ]
    );
    for cookie in cookies.values() {
        assert_eq!(cookie.secure(), Some(true), "{cookie}");
        assert_eq!(cookie.path(), Some("/"), "{cookie}");
        assert_eq!(cookie.domain(), None, "{cookie}");
    }
    let own = cookie_header(&cookies, &["__Host-access_token_cookie"]);
    let seen = get_with_cookie(&app, &url, &own).await;
    assert_eq!(
        (seen.status, seen.body),
        (StatusCode::OK, json!({ "user": "test" }))
    );
    // Both cookies sent: only the app's own is read.
    let both = format!("{header}; {own}");
    let seen = get_with_cookie(&app, &url, both).await;
    assert_eq!(
        (seen.status, seen.body),
        (StatusCode::OK, json!({ "user": "test" }))
    );
    // Refresh and logout read the prefixed refresh and CSRF cookies.
    let refresh = format!("http://{}/cookie/refresh", app.addr);
    let header = cookie_header(&cookies, &["__Host-refresh_token_cookie"]);
    let csrf = cookies["__Host-csrf_refresh_token"].value();
    let seen = send(
        app.client
            .post(&refresh)
            .header("cookie", header)
            .header("x-csrf-token", csrf),
    )
    .await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.cookies.contains_key("__Host-access_token_cookie"));
}

/// Two cookies of the token's name in one request (one tossed from a sibling
/// domain, one the app set) are refused, not resolved by order.
#[tokio::test]
async fn two_token_cookies_of_one_name_are_malformed() {
    let auth = builder().build().unwrap();
    let tossed = auth.access_token("mallory").issue().unwrap();
    let app = App::start(auth).await;
    let cookies = login(&app).await;
    let own = cookie_header(&cookies, &["access_token_cookie"]);
    let url = format!("http://{}/protected", app.addr);
    for header in [
        format!("access_token_cookie={tossed}; {own}"),
        format!("{own}; access_token_cookie={tossed}"),
    ] {
        let seen = get_with_cookie(&app, &url, header).await;
        assert_eq!(seen.status, StatusCode::UNAUTHORIZED);
        assert_eq!(seen.challenge.as_deref(), Some(INVALID_TOKEN));
        assert_eq!(seen.body, json!({ "detail": "Malformed token" }));
    }
}

#[test]
fn host_prefixed_cookies_need_secure_and_the_root_path() {
    let refused = |builder: paseto_runtime::config::PasetoAuthBuilder| {
        builder.build().unwrap_err().to_string()
    };
    let insecure = refused(builder().cookie_host_prefix(true).cookie_secure(false));
    assert!(insecure.contains("cookie_secure"), "{insecure}");
    assert!(insecure.contains("__Host-"), "{insecure}");
    let scoped = refused(
        builder()
            .cookie_host_prefix(true)
            .cookie_paths("/", "/cookie/refresh"),
    );
    assert!(scoped.contains("cookie paths"), "{scoped}");
    // Names given with a prefix by hand follow the same rules.
    let named = refused(
        builder()
            .token_cookies("__Secure-access", "__Secure-refresh")
            .cookie_secure(false),
    );
    assert!(named.contains("cookie_secure"), "{named}");
}
