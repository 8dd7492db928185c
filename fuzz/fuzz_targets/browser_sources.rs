//! The sources added for browsers and sockets, and the footer's `kid`, as the
//! extractor meets them. The first byte picks: a raw `Cookie` header with a raw
//! CSRF header on a `POST` (or a `GET`); a WebSocket upgrade with a raw query
//! string; a valid token under the configured key with a raw footer, which the
//! key ring reads before any cryptography; or a valid token in its cookie with a
//! raw CSRF header. Never a panic; every rejection a 4xx.
#![no_main]

use http::{HeaderValue, Method, Request};
use libfuzzer_sys::fuzz_target;
use paseto_fuzz::{KEY, browser_fixture};
use pasetors::keys::SymmetricKey;
use pasetors::version4::{LocalToken, V4};

/// A valid access-token payload, for the modes that need the MAC to pass.
const CLAIMS: &[u8] = br#"{"sub":"a","jti":"j","type":"access","iat":"2026-01-01T00:00:00Z","exp":"2999-01-01T00:00:00Z"}"#;

fn token(footer: &[u8]) -> Option<String> {
    let key = SymmetricKey::<V4>::from(&KEY).unwrap();
    LocalToken::encrypt(&key, CLAIMS, Some(footer).filter(|f| !f.is_empty()), None).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (first, second) = rest.split_at(rest.len() / 2);
    let mut request = Request::new(());
    let header = |bytes: &[u8]| HeaderValue::from_bytes(bytes).ok();
    match mode % 4 {
        0 => {
            *request.method_mut() = if mode & 4 == 0 {
                Method::POST
            } else {
                Method::GET
            };
            let (Some(cookie), Some(csrf)) = (header(first), header(second)) else {
                return;
            };
            request.headers_mut().insert("cookie", cookie);
            request.headers_mut().insert("x-csrf-token", csrf);
        }
        1 => {
            let Ok(query) = std::str::from_utf8(rest) else {
                return;
            };
            let Ok(uri) = format!("/ws?{query}").parse() else {
                return;
            };
            *request.uri_mut() = uri;
            request
                .headers_mut()
                .insert("connection", HeaderValue::from_static("upgrade"));
            request
                .headers_mut()
                .insert("upgrade", HeaderValue::from_static("websocket"));
        }
        2 => {
            let Some(token) = token(rest) else {
                return;
            };
            let value = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
            request.headers_mut().insert("authorization", value);
        }
        _ => {
            *request.method_mut() = Method::POST;
            let Some(token) = token(b"") else {
                return;
            };
            let cookie = HeaderValue::from_str(&format!("access_token_cookie={token}")).unwrap();
            let Some(csrf) = header(rest) else {
                return;
            };
            request.headers_mut().insert("cookie", cookie);
            request.headers_mut().insert("x-csrf-token", csrf);
        }
    }
    let fixture = browser_fixture();
    fixture.extract(request);
});
