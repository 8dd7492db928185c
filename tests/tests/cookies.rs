//! Browsers: tokens in `HttpOnly` cookies with CSRF double submit, over the
//! example app's `/cookie/*` routes on a real socket, and the checks a
//! cookie-authenticated request must pass for each method and on WebSocket
//! upgrades.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use cookie::{Cookie, SameSite};
use http::StatusCode;
use paseto_runtime::{
    Claims, Duration, MemoryDenylist, PasetoAuth, PasetoAuthBuilder, SetCookies, paseto_required,
};
use paseto_tests::challenge::INVALID_TOKEN;
use paseto_tests::{App, Reply, key, serve_router};
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

/// The example app's configuration with cookies, as its `main` has it.
fn builder() -> PasetoAuthBuilder {
    PasetoAuth::builder()
        .local_key(key())
        .denylist(MemoryDenylist::new())
        .cookie_tokens(true)
}

/// What a client reads: status, `WWW-Authenticate`, JSON body, and the cookies set.
struct Seen {
    status: StatusCode,
    challenge: Option<String>,
    body: Value,
    cookies: HashMap<String, Cookie<'static>>,
}

async fn send(request: RequestBuilder) -> Seen {
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.bytes().await.unwrap();
    let Reply {
        status,
        challenge,
        body,
    } = Reply::read(status, &headers, &bytes);
    let cookies = headers
        .get_all("set-cookie")
        .iter()
        .map(|value| Cookie::parse(value.to_str().unwrap().to_owned()).unwrap())
        .map(|cookie| (cookie.name().to_owned(), cookie))
        .collect();
    Seen {
        status,
        challenge,
        body,
        cookies,
    }
}

/// A `Cookie` header holding these cookies' values.
fn cookie_header(cookies: &HashMap<String, Cookie<'static>>, names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("{name}={}", cookies[*name].value()))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn login(app: &App) -> HashMap<String, Cookie<'static>> {
    let url = format!("http://{}/cookie/login", app.addr);
    let seen = send(
        app.client
            .post(url)
            .json(&json!({ "username": "test", "password": "test" })),
    )
    .await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.body, json!({ "login": true }));
    seen.cookies
}

fn forbidden(seen: &Seen, detail: &str) {
    assert_eq!(seen.status, StatusCode::FORBIDDEN, "{:?}", seen.body);
    assert_eq!(seen.challenge, None, "a new token would not help");
    assert_eq!(seen.body, json!({ "detail": detail }));
}

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

/// A WebSocket upgrade with the handshake headers a browser sends.
fn upgrade(app: &App, header: &str, origin: Option<&str>) -> RequestBuilder {
    let request = app
        .client
        .get(format!("http://{}/ws", app.addr))
        .header("cookie", header)
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
    match origin {
        Some(origin) => request.header("origin", origin),
        None => request,
    }
}

#[tokio::test]
async fn a_cookie_websocket_from_another_origin_is_refused() {
    let app = App::start(builder().build().unwrap()).await;
    let cookies = login(&app).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    for origin in [Some("http://evil.example"), None] {
        forbidden(
            &send(upgrade(&app, &header, origin)).await,
            "Origin not allowed",
        );
    }
    let own = format!("http://{}", app.addr);
    let seen = send(upgrade(&app, &header, Some(&own))).await;
    assert_eq!(seen.status, StatusCode::SWITCHING_PROTOCOLS);
}

#[tokio::test]
async fn allowed_origins_are_configured() {
    let auth = builder()
        .websocket_origins(["https://app.example"])
        .build()
        .unwrap();
    let app = App::start(auth).await;
    let cookies = login(&app).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let seen = send(upgrade(&app, &header, Some("https://app.example"))).await;
    assert_eq!(seen.status, StatusCode::SWITCHING_PROTOCOLS);
    let own = format!("http://{}", app.addr);
    forbidden(
        &send(upgrade(&app, &header, Some(&own))).await,
        "Origin not allowed",
    );
}

async fn bye(State(auth): State<PasetoAuth>, _claims: Claims) -> (SetCookies, &'static str) {
    (auth.clear_cookies(), "bye")
}

/// `/who` and a logout under a sliding session of `window`, served over TCP.
async fn sliding(auth: PasetoAuth, window: Duration) -> SocketAddr {
    let router = Router::new()
        .route("/who", get(who))
        .route("/bye", axum::routing::post(bye))
        .layer(auth.sliding_session_layer(window))
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
    let seen = send(
        app.client
            .get(format!("http://{inside}/who"))
            .header("cookie", &header),
    )
    .await;
    assert_eq!(seen.status, StatusCode::OK);
    let mut names: Vec<_> = seen.cookies.keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["access_token_cookie", "csrf_access_token"]);
    let renewed = cookie_header(&seen.cookies, &["access_token_cookie"]);
    let again = send(
        app.client
            .get(format!("http://{inside}/who"))
            .header("cookie", renewed),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "the renewed cookie works");

    let outside = sliding(auth, Duration::seconds(10)).await;
    let seen = send(
        app.client
            .get(format!("http://{outside}/who"))
            .header("cookie", &header),
    )
    .await;
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
