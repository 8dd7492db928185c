//! Requests through a router in-process, and what a client reads of the answer.

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// What a client sees of a response.
#[derive(Debug)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The `WWW-Authenticate` header, if any.
    pub challenge: Option<String>,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// The body, as JSON where it is JSON, else as a JSON string.
    pub body: Value,
}

impl Reply {
    /// What a client reads of a response's status, headers and body: the one
    /// reader behind every request helper, in-process or over TCP.
    pub fn read(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let challenge = headers
            .get("www-authenticate")
            .map(|v| v.to_str().expect("ASCII challenge").to_owned());
        let retry_after = headers
            .get("retry-after")
            .map(|v| v.to_str().expect("ASCII Retry-After").to_owned());
        let body = serde_json::from_slice(body)
            .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(body).into_owned()));
        Self {
            status,
            challenge,
            retry_after,
            body,
        }
    }

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
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    Reply::read(parts.status, &parts.headers, &bytes)
}

/// Sends `GET path` with this `Authorization` header value.
pub async fn send_authorization(app: &Router, path: &str, value: impl AsRef<[u8]>) -> Reply {
    send(app, path, &[("authorization", value.as_ref())]).await
}

/// Sends `GET path` with `Authorization: Bearer <token>`.
pub async fn send_token(app: &Router, path: &str, token: &str) -> Reply {
    send_authorization(app, path, format!("Bearer {token}")).await
}
