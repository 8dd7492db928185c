//! A browser's view of the example app's cookie routes: the configuration the
//! app's `main` has, requests sent with cookies, and what a client reads back,
//! the cookies set included.

use std::collections::HashMap;
use std::hash::BuildHasher;

use cookie::Cookie;
use http::StatusCode;
use paseto_runtime::{PasetoAuth, config::PasetoAuthBuilder, denylist::MemoryDenylist};
use reqwest::RequestBuilder;
use serde_json::{Value, json};

use crate::{App, Reply, key};

/// The example app's configuration with cookies, as its `main` has it.
pub fn builder() -> PasetoAuthBuilder {
    PasetoAuth::builder()
        .local_key(key())
        .denylist(MemoryDenylist::new())
        .cookie_tokens(true)
}

/// What a client reads: status, `WWW-Authenticate`, JSON body, and the cookies set.
pub struct Seen {
    /// The status.
    pub status: StatusCode,
    /// The `WWW-Authenticate` header, if any.
    pub challenge: Option<String>,
    /// The JSON body.
    pub body: Value,
    /// The cookies set, by name.
    pub cookies: HashMap<String, Cookie<'static>>,
}

/// Sends `request` and reads what a client sees.
pub async fn send(request: RequestBuilder) -> Seen {
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.bytes().await.unwrap();
    let Reply {
        status,
        challenge,
        body,
        ..
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
pub fn cookie_header<S: BuildHasher>(
    cookies: &HashMap<String, Cookie<'static>, S>,
    names: &[&str],
) -> String {
    names
        .iter()
        .map(|name| format!("{name}={}", cookies[*name].value()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A `GET` of `url` with this `Cookie` header.
pub async fn get_with_cookie(
    app: &App,
    url: impl reqwest::IntoUrl,
    cookie: impl AsRef<str>,
) -> Seen {
    send(app.client.get(url).header("cookie", cookie.as_ref())).await
}

/// Logs in as `test` at the app's `/cookie/login`; the cookies it set.
pub async fn login(app: &App) -> HashMap<String, Cookie<'static>> {
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

/// A 403 with `detail` and no challenge.
pub fn forbidden(seen: &Seen, detail: &str) {
    assert_eq!(seen.status, StatusCode::FORBIDDEN, "{:?}", seen.body);
    assert_eq!(seen.challenge, None, "a new token would not help");
    assert_eq!(seen.body, json!({ "detail": detail }));
}
