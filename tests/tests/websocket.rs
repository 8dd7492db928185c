//! `WebSocket` upgrades: the example app's `GET /ws` over a real socket with a real
//! WebSocket client. A bad handshake gets the ordinary HTTP rejection, never an
//! upgrade; an open socket closes with 1008 when its token expires or is revoked.

use std::net::SocketAddr;
use std::time::Duration as StdDuration;

use futures_util::{SinkExt, StreamExt};
use http::StatusCode;
use paseto_runtime::{Duration, PasetoAuth, config::PasetoAuthBuilder, denylist::MemoryDenylist};
use paseto_tests::challenge::{BEARER, INVALID_REQUEST, INVALID_TOKEN};
use paseto_tests::{App, Reply, capture_logs, key};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The example app's configuration, with WebSocket query tokens, as its `main` has it.
fn builder() -> PasetoAuthBuilder {
    PasetoAuth::builder()
        .local_key(key())
        .denylist(MemoryDenylist::new())
        .websocket_query(true)
}

/// Opens `/ws` with a query string and, when given, an `Authorization` header:
/// the socket, or what the client read of the refused handshake.
async fn connect(addr: SocketAddr, query: &str, header: Option<&str>) -> Result<Socket, Reply> {
    let mut request = format!("ws://{addr}/ws{query}")
        .into_client_request()
        .unwrap();
    if let Some(token) = header {
        let value = format!("Bearer {token}").parse().unwrap();
        request.headers_mut().insert("authorization", value);
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(Error::Http(response)) => {
            let (parts, body) = response.into_parts();
            Err(Reply::read(
                parts.status,
                &parts.headers,
                &body.unwrap_or_default(),
            ))
        }
        Err(error) => panic!("neither a socket nor an HTTP answer: {error}"),
    }
}

/// The next text frame, as JSON where it is JSON.
async fn text(socket: &mut Socket) -> Value {
    let next = tokio::time::timeout(StdDuration::from_secs(5), socket.next()).await;
    match next.expect("a frame within 5 s") {
        Some(Ok(Message::Text(text))) => {
            serde_json::from_str(&text).unwrap_or_else(|_| Value::from(text.as_str()))
        }
        other => panic!("expected a text frame: {other:?}"),
    }
}

/// Waits for the server's close frame: its code and reason.
async fn closed(socket: &mut Socket, within: StdDuration) -> (CloseCode, String) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let next = tokio::time::timeout_at(deadline, socket.next()).await;
        match next.expect("a close frame in time") {
            Some(Ok(Message::Close(Some(frame)))) => return (frame.code, frame.reason.to_string()),
            Some(Ok(_)) => {}
            other => panic!("expected a close frame: {other:?}"),
        }
    }
}

/// The socket says who it serves, then echoes text frames.
async fn assert_opened_for_test(socket: &mut Socket) {
    assert_eq!(text(socket).await, json!({ "user": "test" }));
    socket.send(Message::text("ping")).await.unwrap();
    assert_eq!(text(socket).await, Value::from("ping"));
}

#[tokio::test]
async fn a_header_token_opens_the_socket() {
    let app = App::start(builder().build().unwrap()).await;
    let (access, _) = app.login().await;
    let mut socket = connect(app.addr, "", Some(&access)).await.unwrap();
    assert_opened_for_test(&mut socket).await;
}

#[tokio::test]
async fn a_query_token_opens_the_socket() {
    let app = App::start(builder().build().unwrap()).await;
    let (access, _) = app.login().await;
    let mut socket = connect(app.addr, &format!("?token={access}"), None)
        .await
        .unwrap();
    assert_opened_for_test(&mut socket).await;
}

#[tokio::test]
async fn a_token_pyseto_made_opens_the_socket() {
    let data: Value = serde_json::from_str(include_str!("../interop/pyseto-tokens.json")).unwrap();
    let token = data["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["name"] == "access")
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let app = App::start(builder().build().unwrap()).await;
    let mut socket = connect(app.addr, &format!("?token={token}"), None)
        .await
        .unwrap();
    assert_opened_for_test(&mut socket).await;
}

#[tokio::test]
async fn handshakes_without_a_good_access_token_get_the_http_rejection() {
    let app = App::start(builder().build().unwrap()).await;
    let (_, refresh) = app.login().await;
    let refused = |query: String, header: Option<String>| {
        let addr = app.addr;
        async move {
            match connect(addr, &query, header.as_deref()).await {
                Ok(_) => panic!("upgraded for {query:?} / {header:?}"),
                Err(reply) => reply,
            }
        }
    };
    refused(String::new(), None).await.assert_rejected(
        401,
        BEARER,
        "PASETO Authorization Token required",
    );
    refused(format!("?token={refresh}"), None)
        .await
        .assert_rejected(
            401,
            INVALID_TOKEN,
            "Access token required but refresh provided",
        );
    refused("?token=v4.local.not-a-token".to_owned(), None)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Malformed token");
    refused("?token=a&token=b".to_owned(), None)
        .await
        .assert_rejected(
            400,
            INVALID_REQUEST,
            "Bad 'token' in the query string. Expected value '<PASETO>'",
        );
}

#[tokio::test]
async fn the_header_wins_over_the_query() {
    let app = App::start(builder().build().unwrap()).await;
    let (access, refresh) = app.login().await;
    let reply = connect(app.addr, &format!("?token={access}"), Some(&refresh))
        .await
        .expect_err("the header's refresh token decides, and is refused");
    reply.assert_rejected(
        401,
        INVALID_TOKEN,
        "Access token required but refresh provided",
    );
}

#[tokio::test]
async fn a_query_token_on_a_plain_request_is_no_token() {
    let app = App::start(builder().build().unwrap()).await;
    let (access, _) = app.login().await;
    let url = format!("http://{}/protected?token={access}", app.addr);
    let (status, challenge, body) = paseto_tests::read(app.client.get(url)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge.as_deref(), Some(BEARER));
    assert_eq!(
        body,
        json!({ "detail": "PASETO Authorization Token required" })
    );
}

#[tokio::test]
async fn query_tokens_are_off_unless_allowed() {
    let auth = PasetoAuth::builder().local_key(key()).build().unwrap();
    let app = App::start(auth).await;
    let (access, _) = app.login().await;
    let reply = connect(app.addr, &format!("?token={access}"), None)
        .await
        .expect_err("no upgrade");
    reply.assert_rejected(401, BEARER, "PASETO Authorization Token required");
}

#[tokio::test]
async fn the_socket_closes_with_1008_when_its_token_expires() {
    let auth = builder().access_ttl(Duration::seconds(2)).build().unwrap();
    let app = App::start(auth).await;
    let (access, _) = app.login().await;
    let mut socket = connect(app.addr, "", Some(&access)).await.unwrap();
    assert_opened_for_test(&mut socket).await;
    let (code, reason) = closed(&mut socket, StdDuration::from_secs(5)).await;
    assert_eq!(
        (code, reason.as_str()),
        (CloseCode::Policy, "Token expired")
    );
}

#[tokio::test]
async fn the_socket_closes_with_1008_within_two_seconds_of_a_logout() {
    let app = App::start(builder().build().unwrap()).await;
    let (access, _) = app.login().await;
    let mut socket = connect(app.addr, &format!("?token={access}"), None)
        .await
        .unwrap();
    assert_opened_for_test(&mut socket).await;
    let reply = app.post("/logout", &access, None).await;
    assert_eq!(reply.0, StatusCode::OK, "{reply:?}");
    let (code, reason) = closed(&mut socket, StdDuration::from_secs(2)).await;
    assert_eq!(
        (code, reason.as_str()),
        (CloseCode::Policy, "Token has been revoked")
    );
}

#[tokio::test]
async fn the_query_token_never_reaches_the_log() {
    let (logs, _guard) = capture_logs();
    let app = App::start(builder().build().unwrap()).await;
    let (access, _) = app.login().await;
    let mut socket = connect(app.addr, &format!("?token={access}"), None)
        .await
        .unwrap();
    assert_opened_for_test(&mut socket).await;
    let log = logs.text();
    assert!(log.contains("path=/ws"), "the upgrade is logged: {log}");
    assert!(!log.contains(&access), "{log}");
    assert!(!log.contains("token="), "{log}");
}

/// Watching a refresh token that its client then rotates ends the watch, but is
/// no reuse: the family, and the pair the rotation issued, stay valid.
#[tokio::test]
async fn watching_a_rotated_refresh_token_does_not_revoke_its_family() {
    let auth = builder().rotation_grace(Duration::ZERO).build().unwrap();
    let pair = auth.login_tokens("test").await.unwrap();
    let refresh = auth
        .verify::<paseto_runtime::Refresh>(&pair.refresh_token)
        .await
        .unwrap();
    let next = auth.rotate(&refresh).await.unwrap();
    let ended = tokio::time::timeout(StdDuration::from_secs(3), auth.until_invalid(&refresh))
        .await
        .expect("the watch ends once its token is spent");
    assert_eq!(ended, paseto_runtime::AuthError::Revoked);
    let access = auth
        .verify::<paseto_runtime::Access>(&next.access_token)
        .await;
    assert!(access.is_ok(), "the family survives the watch: {access:?}");
}
