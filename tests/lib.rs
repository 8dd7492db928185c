//! Helpers for the end-to-end tests: a router with one route per guard, handlers
//! under each attribute, a way to send requests and read what a client would
//! see, and a way to forge tokens with arbitrary payloads under a known key.

#![allow(
    clippy::missing_panics_doc,
    reason = "test helpers panic on a broken fixture, which fails the test as it should"
)]

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use paseto_runtime::{Access, FreshAccess, LocalKey, PasetoAuth, Refresh, TokenKind, Verified};
use pasetors::keys::SymmetricKey;
use pasetors::version4::{LocalToken, V4};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tower::ServiceExt;

/// The raw bytes of the test key, so tests can forge tokens under it.
pub const KEY: [u8; 32] = *b"an-example-key-of-32-bytes-long!";

/// The test key.
pub fn key() -> LocalKey {
    LocalKey::from_bytes(&KEY).expect("32 bytes")
}

/// A configuration over the test key with the defaults.
pub fn auth() -> PasetoAuth {
    PasetoAuth::builder()
        .local_key(key())
        .build()
        .expect("valid configuration")
}

/// The user's own claims of the `/role` route.
#[derive(Debug, Deserialize)]
pub struct Role {
    /// The user's role.
    pub role: String,
}

/// A custom token type, as fastapi-paseto's `create_token(type="email-verify")`.
pub enum EmailVerify {}

/// The claims an email-verification token carries.
#[derive(Debug, Deserialize)]
pub struct Email {
    /// The address being verified.
    pub email: String,
}

impl TokenKind for EmailVerify {
    const TOKEN_TYPE: &'static str = "email-verify";
    type Extra = Email;
}

/// Handlers under each attribute form, each answering with what it verified.
pub mod guarded {
    #![allow(clippy::unused_async, reason = "axum handlers are async functions")]

    use axum::Json;
    use paseto_runtime::{Claims, fresh_paseto_required, paseto_required};
    use serde::Deserialize;

    use crate::Email;

    /// Any access token.
    #[paseto_required]
    pub async fn access(claims: Claims) -> String {
        claims.subject().to_owned()
    }

    /// A refresh token.
    #[paseto_required(refresh)]
    pub async fn refresh(claims: Claims) -> String {
        claims.subject().to_owned()
    }

    /// A fresh access token.
    #[fresh_paseto_required]
    pub async fn fresh(claims: Claims) -> String {
        claims.subject().to_owned()
    }

    /// An access token or none.
    #[paseto_required(optional)]
    pub async fn optional(claims: Option<Claims>) -> String {
        claims.map_or_else(|| "anonymous".to_owned(), |c| c.subject().to_owned())
    }

    /// An email-verification token, answering with its address.
    #[paseto_required(token_type = "email-verify")]
    pub async fn email(claims: Claims<Email>) -> String {
        claims.into_extra().email
    }

    /// A JSON body read by the handler.
    #[derive(Deserialize)]
    pub struct Note {
        /// The note.
        pub text: String,
    }

    /// An access token and a JSON body, answering `<subject>: <text>`.
    #[paseto_required]
    pub async fn with_body(claims: Claims, Json(note): Json<Note>) -> String {
        format!("{}: {}", claims.subject(), note.text)
    }
}

/// A router with one route per guard, each answering with what it verified.
pub fn app(auth: PasetoAuth) -> Router {
    Router::new()
        .route(
            "/access",
            get(|Verified(c): Verified<Access>| async move { c.subject().to_owned() }),
        )
        .route(
            "/refresh",
            get(|Verified(c): Verified<Refresh>| async move { c.subject().to_owned() }),
        )
        .route(
            "/fresh",
            get(|Verified(c): Verified<FreshAccess>| async move { c.subject().to_owned() }),
        )
        .route(
            "/optional",
            get(|c: Option<Verified<Access>>| async move {
                c.map_or_else(
                    || "anonymous".to_owned(),
                    |Verified(c)| c.subject().to_owned(),
                )
            }),
        )
        .route(
            "/role",
            get(|Verified(c): Verified<Access<Role>>| async move { c.extra().role.clone() }),
        )
        .route(
            "/email",
            get(|Verified(c): Verified<EmailVerify>| async move { c.extra().email.clone() }),
        )
        .with_state(auth)
}

/// What a client sees of a response.
#[derive(Debug)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The `WWW-Authenticate` header, if any.
    pub challenge: Option<String>,
    /// The body, as JSON where it is JSON, else as a JSON string.
    pub body: Value,
}

impl Reply {
    /// Asserts a rejection: status, `WWW-Authenticate`, a JSON `detail`.
    #[track_caller]
    pub fn assert_rejected(&self, status: u16, challenge: &str, detail: &str) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        assert_eq!(self.challenge.as_deref(), Some(challenge), "{self:?}");
        assert_eq!(self.body, json!({ "detail": detail }), "{self:?}");
    }

    /// Asserts a 200 whose body is `text`.
    #[track_caller]
    pub fn assert_ok(&self, text: &str) {
        assert_eq!(self.status, StatusCode::OK, "{self:?}");
        assert_eq!(self.body, Value::from(text), "{self:?}");
    }
}

/// Sends `GET path` with the given raw headers through the router in-process.
pub async fn send(app: &Router, path: &str, headers: &[(&str, &[u8])]) -> Reply {
    let mut request = Request::get(path);
    for &(name, value) in headers {
        request = request.header(name, value);
    }
    call(app, request.body(Body::empty()).expect("valid request")).await
}

/// Sends `POST path` with a JSON body and, when given, an `Authorization` header.
pub async fn post_json(app: &Router, path: &str, authorization: Option<&str>, body: &str) -> Reply {
    let mut headers = vec![("content-type", "application/json")];
    headers.extend(authorization.map(|value| ("authorization", value)));
    post(app, path, &headers, body).await
}

/// Sends `POST path` with the given headers and body through the router in-process.
pub async fn post(app: &Router, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut request = Request::post(path);
    for &(name, value) in headers {
        request = request.header(name, value);
    }
    call(
        app,
        request
            .body(Body::from(body.to_owned()))
            .expect("valid request"),
    )
    .await
}

/// Runs one request through the router and reads what a client would see.
async fn call(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().expect("ASCII challenge").to_owned());
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(&bytes).into_owned()));
    Reply {
        status,
        challenge,
        body,
    }
}

/// Sends `GET path` with this `Authorization` header value.
pub async fn send_authorization(app: &Router, path: &str, value: impl AsRef<[u8]>) -> Reply {
    send(app, path, &[("authorization", value.as_ref())]).await
}

/// Sends `GET path` with `Authorization: Bearer <token>`.
pub async fn send_token(app: &Router, path: &str, token: &str) -> Reply {
    send_authorization(app, path, format!("Bearer {token}")).await
}

/// A time `seconds` from now (negative: in the past), as an RFC 3339 claim value.
pub fn at(seconds: i64) -> Value {
    let time = OffsetDateTime::now_utc() + time::Duration::seconds(seconds);
    Value::from(time.format(&Rfc3339).expect("formattable"))
}

/// A valid access-token payload for `alice`, as fastapi-paseto lays it out.
pub fn access_claims() -> Value {
    json!({
        "sub": "alice",
        "iat": at(0),
        "nbf": at(0),
        "exp": at(900),
        "jti": "6f1c1a6e-2f7a-4d59-9d1e-6a1f0b0c2d3e",
        "type": "access",
        "fresh": false,
    })
}

/// `payload` with `name` set to `value`, or removed when `value` is `None`.
pub fn with(mut payload: Value, name: &str, value: Option<Value>) -> Value {
    let map = payload.as_object_mut().expect("an object payload");
    match value {
        Some(value) => map.insert(name.to_owned(), value),
        None => map.remove(name),
    };
    payload
}

/// Encrypts any payload bytes as a v4.local token under the test key.
pub fn forge(payload: &[u8]) -> String {
    forge_with(payload, None)
}

/// Encrypts any payload bytes, with a footer, as a v4.local token under the test key.
pub fn forge_with(payload: &[u8], footer: Option<&[u8]>) -> String {
    let key = SymmetricKey::<V4>::from(&KEY).expect("32 bytes");
    LocalToken::encrypt(&key, payload, footer, None).expect("encryptable")
}

/// Encrypts a JSON payload as a v4.local token under the test key.
pub fn forge_json(payload: &Value) -> String {
    forge(payload.to_string().as_bytes())
}

/// Serves the example app with `auth` on a free loopback port, in this process,
/// over a real TCP socket.
pub async fn serve(auth: PasetoAuth) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let addr = listener.local_addr().expect("bound");
    let app = example_app::router(auth);
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serving") });
    addr
}

/// Sends a request with a real HTTP client and reads what a client would see:
/// status, `WWW-Authenticate`, JSON body. Every answer of the app is JSON.
pub async fn read(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("a response");
    let status = StatusCode::from_u16(response.status().as_u16()).expect("a status");
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().expect("ASCII challenge").to_owned());
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "every answer of the app is JSON"
    );
    (
        status,
        challenge,
        response.json().await.expect("a JSON body"),
    )
}

/// Logs in to the example app as `test`, returning the access and refresh tokens.
pub async fn login(client: &reqwest::Client, addr: std::net::SocketAddr) -> (String, String) {
    let (status, _, body) = read(
        client
            .post(format!("http://{addr}/login"))
            .json(&json!({ "username": "test", "password": "test" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = |name: &str| body[name].as_str().expect("a token").to_owned();
    (token("access_token"), token("refresh_token"))
}

/// What a client reads of an answer over TCP: status, `WWW-Authenticate`, JSON body.
pub type Answer = (StatusCode, Option<String>, Value);

/// Where revocations are kept; each `builder()` is one app instance's configuration.
pub enum Backend {
    /// One in-process denylist, shared by every instance built from this backend.
    Memory(std::sync::Arc<paseto_runtime::MemoryDenylist>),
    /// A real `redis-server`.
    Redis(RedisServer),
}

impl Backend {
    /// A configuration over the test key with this backend's denylist.
    pub fn builder(&self) -> paseto_runtime::PasetoAuthBuilder {
        let builder = PasetoAuth::builder().local_key(key());
        match self {
            Self::Memory(denylist) => builder.denylist(std::sync::Arc::clone(denylist)),
            Self::Redis(server) => builder
                .denylist(paseto_runtime::RedisDenylist::new(&server.url()).expect("a Redis URL")),
        }
    }

    /// [`builder`](Self::builder) with the defaults, built.
    pub fn auth(&self) -> PasetoAuth {
        self.builder().build().expect("valid configuration")
    }

    /// How many records the store holds.
    pub async fn records(&self) -> usize {
        match self {
            Self::Memory(denylist) => denylist.len(),
            Self::Redis(server) => {
                let reply = server.command(&["DBSIZE"]).await.expect("Redis answers");
                reply.trim_start_matches(':').parse().expect("a count")
            }
        }
    }
}

/// Runs each named `async fn(Backend)` as two tests, in modules `memory` and `redis`.
#[macro_export]
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario($crate::Backend::Memory(Default::default())).await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let server = $crate::RedisServer::start().await;
                    super::$scenario($crate::Backend::Redis(server)).await;
                }
            )*
        }
    };
}

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
    assert_eq!(
        answer.1.as_deref(),
        Some(r#"Bearer error="invalid_token""#),
        "{answer:?}"
    );
    assert_eq!(
        answer.2,
        json!({ "detail": "Token has been revoked" }),
        "{answer:?}"
    );
}

/// What the `tracing` subscriber of [`capture_logs`] wrote.
#[derive(Clone, Default)]
pub struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Logs {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures what this thread logs at DEBUG and above, without colours, until the
/// guard is dropped. A `#[tokio::test]` runs the served app on the same thread.
pub fn capture_logs() -> (Logs, tracing::subscriber::DefaultGuard) {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (logs, tracing::subscriber::set_default(subscriber))
}

/// A `redis-server` on a free loopback port, started for one test and stopped
/// when dropped. Nothing is persisted.
pub struct RedisServer {
    port: u16,
    args: Vec<String>,
    process: Option<std::process::Child>,
}

impl RedisServer {
    /// Starts a server and waits until it answers.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts a server with extra command-line arguments, such as
    /// `["--rename-command", "CONFIG", ""]`, and waits until it answers.
    pub async fn start_with(args: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut server = Self {
            port,
            args: args.iter().map(|&arg| arg.to_owned()).collect(),
            process: None,
        };
        server.restart().await;
        server
    }

    /// The URL clients connect to.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops the server; clients then cannot reach it.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }

    /// Starts the server (again) on the same port and waits until it answers.
    pub async fn restart(&mut self) {
        self.stop();
        let process = std::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(&self.args)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server on the PATH: run `scripts/test`, which installs it");
        self.process = Some(process);
        for _ in 0..200 {
            if let Some(process) = &mut self.process
                && let Ok(Some(status)) = process.try_wait()
            {
                panic!("redis-server exited ({status}): port {} taken?", self.port);
            }
            if self.command(&["PING"]).await.as_deref() == Some("+PONG") {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("redis-server did not answer on port {}", self.port);
    }
}

impl RedisServer {
    /// Sends one command and returns the first line of the reply (`+PONG`,
    /// `:42`), or `None` when the server cannot be reached.
    pub async fn command(&self, args: &[&str]) -> Option<String> {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .ok()?;
        let request: String = std::iter::once(format!("*{}\r\n", args.len()))
            .chain(
                args.iter()
                    .map(|arg| format!("${}\r\n{arg}\r\n", arg.len())),
            )
            .collect();
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).await.ok()?;
        Some(line.trim_end().to_owned())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
