//! Cross-site WebSocket hijacking: a WebSocket upgrade that a cookie
//! authenticates must come from an allowed `Origin`, in every form axum
//! upgrades (HTTP/1.1 `GET`, HTTP/2 extended CONNECT), and the default rule
//! binds the scheme as well as the host.

use axum::Router;
use axum::body::Bytes;
use axum::extract::WebSocketUpgrade;
use axum::response::Response;
use axum::routing::any;
use http::{Method, StatusCode};
use http_body_util::{BodyExt as _, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use paseto_runtime::{Claims, PasetoAuth, paseto_required};
use paseto_tests::browser::{builder, cookie_header, forbidden, login, send};
use paseto_tests::{App, serve_router};
use reqwest::RequestBuilder;
use serde_json::{Value, json};

/// A WebSocket upgrade with the handshake headers a browser sends.
fn upgrade(app: &App, header: &str, origin: Option<&str>) -> RequestBuilder {
    upgrade_with(app, header, origin, "upgrade")
}

/// A WebSocket upgrade whose `Connection` header is `connection`.
fn upgrade_with(app: &App, header: &str, origin: Option<&str>, connection: &str) -> RequestBuilder {
    let request = app.client.get(format!("http://{}/ws", app.addr));
    handshake(request, header, origin, connection)
}

/// `request` with a browser's WebSocket handshake headers.
fn handshake(
    request: RequestBuilder,
    header: &str,
    origin: Option<&str>,
    connection: &str,
) -> RequestBuilder {
    let request = request
        .header("cookie", header)
        .header("connection", connection)
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

/// A page on `http://app.example` (plain HTTP, where anyone on the path can
/// write the page) is not the site `https://app.example`: with `Secure`
/// cookies, the default rule takes `https` alone for a host that is not a
/// loopback one. Without `Secure` cookies either scheme passes.
#[tokio::test]
async fn the_default_origin_rule_binds_the_scheme() {
    let app = App::start(builder().build().unwrap()).await;
    let cookies = login(&app).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let at_site =
        |origin: &'static str| upgrade(&app, &header, Some(origin)).header("host", "app.example");
    forbidden(
        &send(at_site("http://app.example")).await,
        "Origin not allowed",
    );
    let seen = send(at_site("https://app.example")).await;
    assert_eq!(seen.status, StatusCode::SWITCHING_PROTOCOLS);
    // A URI that says `http` (the absolute form a client sends to a proxy, or
    // `:scheme` on a TLS-terminating proxy's plain HTTP/2 hop) does not make a
    // plain-HTTP page the site: `Secure` cookies are for `https`.
    let hop = reqwest::Proxy::http(format!("http://{}", app.addr)).unwrap();
    let via_proxy = reqwest::Client::builder().proxy(hop).build().unwrap();
    let request = via_proxy.get("http://app.example/ws");
    forbidden(
        &send(handshake(
            request,
            &header,
            Some("http://app.example"),
            "upgrade",
        ))
        .await,
        "Origin not allowed",
    );

    let plain = App::start(builder().cookie_secure(false).build().unwrap()).await;
    let cookies = login(&plain).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    for origin in ["http://app.example", "https://app.example"] {
        let request = upgrade(&plain, &header, Some(origin)).header("host", "app.example");
        assert_eq!(
            send(request).await.status,
            StatusCode::SWITCHING_PROTOCOLS,
            "{origin}"
        );
    }
}

/// axum takes `Connection` as an upgrade when its first value contains
/// `upgrade` anywhere; so does the origin check.
#[tokio::test]
async fn an_upgrade_axum_takes_is_an_upgrade_to_the_origin_check() {
    let app = App::start(builder().build().unwrap()).await;
    let cookies = login(&app).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    for connection in ["keep-alive, Upgrade", "Upgrade2", "x-upgrade"] {
        let request = upgrade_with(&app, &header, Some("https://evil.example"), connection);
        forbidden(&send(request).await, "Origin not allowed");
    }
}

#[paseto_required]
async fn socket(claims: Claims, upgrade: WebSocketUpgrade) -> Response {
    drop(claims);
    upgrade.on_upgrade(|_socket| async {})
}

/// What an HTTP/2 client reads of an extended CONNECT (RFC 8441) to `/ws`:
/// the WebSocket form axum 0.8 accepts on `any(..)` routes.
async fn connect_over_http2(
    addr: std::net::SocketAddr,
    cookie: &str,
    origin: &str,
) -> (StatusCode, Value) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = http::Request::builder()
        .method(Method::CONNECT)
        .uri(format!("http://{addr}/ws"))
        .extension(hyper::ext::Protocol::from_static("websocket"))
        .header("sec-websocket-version", "13")
        .header("cookie", cookie)
        .header("origin", origin)
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status();
    if status == StatusCode::OK {
        return (status, Value::Null);
    }
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap())
}

/// A cross-site page's WebSocket over HTTP/2 (extended CONNECT, as Chromium
/// sends it to a server that allows it, as `axum::serve` does) gets the same
/// origin check as over HTTP/1.1; the host comes from `:authority`.
#[tokio::test]
async fn a_cookie_websocket_over_http2_gets_the_origin_check() {
    let auth: PasetoAuth = builder().build().unwrap();
    let app = App::start(auth.clone()).await;
    let cookies = login(&app).await;
    let header = cookie_header(&cookies, &["access_token_cookie"]);
    let router = Router::new().route("/ws", any(socket)).with_state(auth);
    let addr = serve_router(router).await;
    let (status, body) = connect_over_http2(addr, &header, "https://evil.example").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            json!({ "detail": "Origin not allowed" })
        )
    );
    let (status, _) = connect_over_http2(addr, &header, &format!("http://{addr}")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the request's own origin, scheme and authority"
    );
}
