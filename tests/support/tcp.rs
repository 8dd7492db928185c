//! The example app over a real TCP socket, and a real HTTP client for it.

use http::StatusCode;
use paseto_runtime::PasetoAuth;
use serde_json::{Value, json};

use super::challenge::INVALID_TOKEN;
use super::router::Reply;

/// Serves the example app with `auth` on a free loopback port, in this process,
/// over a real TCP socket.
pub async fn serve(auth: PasetoAuth) -> std::net::SocketAddr {
    serve_router(example_app::router(auth)).await
}

/// Serves any router on a free loopback port, in this process, over TCP.
pub async fn serve_router(app: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serving") });
    addr
}

/// Sends a request with a real HTTP client and reads what a client would see:
/// status, `WWW-Authenticate`, JSON body. Every answer of the app is JSON.
pub async fn read(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("a response");
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "every answer of the app is JSON"
    );
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.bytes().await.expect("a body");
    let reply = Reply::read(status, &headers, &bytes);
    (reply.status, reply.challenge, reply.body)
}

/// Logs in to the example app as `test`, returning the access and refresh tokens.
pub async fn login(client: &reqwest::Client, addr: std::net::SocketAddr) -> (String, String) {
    login_as(client, addr, "test", "paseto-tests").await
}

/// Logs in to the example app as `username` (whose password is its name) from
/// the client `agent`, returning the access and refresh tokens.
pub async fn login_as(
    client: &reqwest::Client,
    addr: std::net::SocketAddr,
    username: &str,
    agent: &str,
) -> (String, String) {
    let (status, _, body) = read(
        client
            .post(format!("http://{addr}/login"))
            .header(http::header::USER_AGENT, agent)
            .json(&json!({ "username": username, "password": username })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = |name: &str| body[name].as_str().expect("a token").to_owned();
    (token("access_token"), token("refresh_token"))
}

/// What a client reads of an answer over TCP: status, `WWW-Authenticate`, JSON body.
pub type Answer = (StatusCode, Option<String>, Value);

/// The example app served over TCP, and a client for it.
pub struct App {
    /// Where it listens.
    pub addr: std::net::SocketAddr,
    /// The client that talks to it.
    pub client: reqwest::Client,
}

impl App {
    /// Serves the example app with `auth` on a free loopback port.
    pub async fn start(auth: PasetoAuth) -> Self {
        Self {
            addr: serve(auth).await,
            client: reqwest::Client::new(),
        }
    }

    /// `POST /login` as `test`: the access and refresh tokens.
    pub async fn login(&self) -> (String, String) {
        login(&self.client, self.addr).await
    }

    /// `POST /login` as `username` from the client `agent`: the access and
    /// refresh tokens.
    pub async fn login_as(&self, username: &str, agent: &str) -> (String, String) {
        login_as(&self.client, self.addr, username, agent).await
    }

    /// `method path` with `Authorization: Bearer <token>`, answered in JSON.
    pub async fn call(&self, method: http::Method, path: &str, token: &str) -> Answer {
        let url = format!("http://{}{path}", self.addr);
        read(self.client.request(method, url).bearer_auth(token)).await
    }

    /// `GET path` with `Authorization: Bearer <token>`.
    pub async fn get(&self, path: &str, token: &str) -> Answer {
        let url = format!("http://{}{path}", self.addr);
        read(self.client.get(url).bearer_auth(token)).await
    }

    /// `POST path` with `Authorization: Bearer <token>` and, when given, a JSON body.
    pub async fn post(&self, path: &str, token: &str, body: Option<Value>) -> Answer {
        let url = format!("http://{}{path}", self.addr);
        let request = self.client.post(url).bearer_auth(token);
        read(match body {
            Some(body) => request.json(&body),
            None => request,
        })
        .await
    }

    /// `method path` with `Authorization: Bearer <token>`, answered with no
    /// body: the status.
    pub async fn status(&self, method: http::Method, path: &str, token: &str) -> StatusCode {
        let url = format!("http://{}{path}", self.addr);
        let response = self
            .client
            .request(method, url)
            .bearer_auth(token)
            .send()
            .await;
        let response = response.expect("a response");
        let status = response.status();
        assert!(
            response.bytes().await.expect("a body").is_empty(),
            "no body"
        );
        status
    }

    /// `POST /rotate`, which must succeed: the new access and refresh tokens.
    pub async fn rotate(&self, refresh: &str) -> (String, String) {
        let answer = self.post("/rotate", refresh, None).await;
        assert_eq!(answer.0, StatusCode::OK, "{answer:?}");
        pair(&answer.2)
    }
}

/// The access and refresh tokens of a body `{"access_token", "refresh_token"}`.
pub fn pair(body: &Value) -> (String, String) {
    let token = |name: &str| body[name].as_str().expect("a token").to_owned();
    (token("access_token"), token("refresh_token"))
}

/// Asserts the example app's answer to a valid access token of `test`.
#[track_caller]
pub fn ok_user(answer: &Answer) {
    assert_eq!(answer.0, StatusCode::OK, "{answer:?}");
    assert_eq!(answer.2, json!({ "user": "test" }), "{answer:?}");
}

/// Asserts the rejection of a revoked token.
#[track_caller]
pub fn revoked(answer: &Answer) {
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED, "{answer:?}");
    assert_eq!(answer.1.as_deref(), Some(INVALID_TOKEN), "{answer:?}");
    assert_eq!(
        answer.2,
        json!({ "detail": "Token has been revoked" }),
        "{answer:?}"
    );
}

/// Asks until the answer is a refusal as revoked, for at most a second; until
/// then every answer is a success.
pub async fn refused_within_a_second(mut ask: impl AsyncFnMut() -> Answer) {
    let started = std::time::Instant::now();
    loop {
        let reply = ask().await;
        if reply.0 == StatusCode::UNAUTHORIZED {
            return revoked(&reply);
        }
        assert_eq!(reply.0, StatusCode::OK, "{reply:?}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "still accepted a second after its revocation"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}
