//! The soak driver `scripts/soak` runs against the example app: `connections`
//! clients each looping through a session (login, protected, refresh, rotate, a
//! bad token, logout, the logged-out token) until `seconds` pass. Prints how
//! many answers each step got by status, and exits 1 on any answer other than
//! the one the step expects (a 5xx above all).
//!
//! `soak <base-url> <seconds> <connections>`

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// One step's answers: `(step, status) -> count`.
type Tally = BTreeMap<(&'static str, u16), u64>;

/// Records an answer; `false` when it is not the one the step expects.
fn record(tally: &mut Tally, step: &'static str, status: StatusCode, expected: StatusCode) -> bool {
    *tally.entry((step, status.as_u16())).or_default() += 1;
    status == expected
}

/// The status of an answer; a request that got none counts as 418.
fn status_of(answer: Result<reqwest::Response, reqwest::Error>) -> StatusCode {
    answer.map_or(StatusCode::IM_A_TEAPOT, |answer| answer.status())
}

/// One client's sessions until `deadline`; the tally and the unexpected count.
async fn client(base: String, deadline: Instant) -> (Tally, u64) {
    let http = Client::new();
    let (mut tally, mut unexpected) = (Tally::new(), 0);
    let mut check = |tally: &mut Tally, step, status, expected| {
        if !record(tally, step, status, expected) {
            unexpected += 1;
        }
    };
    while Instant::now() < deadline {
        let Ok(login) = http
            .post(format!("{base}/login"))
            .json(&json!({ "username": "test", "password": "test" }))
            .send()
            .await
        else {
            check(
                &mut tally,
                "login (no answer)",
                StatusCode::IM_A_TEAPOT,
                StatusCode::OK,
            );
            continue;
        };
        check(&mut tally, "login", login.status(), StatusCode::OK);
        let pair: Value = login.json().await.unwrap_or_default();
        let token = |body: &Value, name: &str| body[name].as_str().unwrap_or_default().to_owned();
        let (access, refresh) = (token(&pair, "access_token"), token(&pair, "refresh_token"));
        for _ in 0..5 {
            let status = status_of(
                http.get(format!("{base}/protected"))
                    .bearer_auth(&access)
                    .send()
                    .await,
            );
            check(&mut tally, "protected", status, StatusCode::OK);
        }
        let status = status_of(
            http.post(format!("{base}/refresh"))
                .bearer_auth(&refresh)
                .send()
                .await,
        );
        check(&mut tally, "refresh", status, StatusCode::OK);
        let rotated = http
            .post(format!("{base}/rotate"))
            .bearer_auth(&refresh)
            .send()
            .await;
        let (status, pair) = match rotated {
            Ok(answer) => (
                answer.status(),
                answer.json::<Value>().await.unwrap_or_default(),
            ),
            Err(_) => (StatusCode::IM_A_TEAPOT, Value::Null),
        };
        check(&mut tally, "rotate", status, StatusCode::OK);
        let (access, refresh) = (token(&pair, "access_token"), token(&pair, "refresh_token"));
        let bad = format!("{}A", &access[..access.len().saturating_sub(1)]);
        let status = status_of(
            http.get(format!("{base}/protected"))
                .bearer_auth(&bad)
                .send()
                .await,
        );
        check(&mut tally, "bad token", status, StatusCode::UNAUTHORIZED);
        let status = status_of(
            http.post(format!("{base}/logout"))
                .bearer_auth(&access)
                .json(&json!({ "refresh_token": refresh }))
                .send()
                .await,
        );
        check(&mut tally, "logout", status, StatusCode::OK);
        let status = status_of(
            http.get(format!("{base}/protected"))
                .bearer_auth(&access)
                .send()
                .await,
        );
        check(&mut tally, "logged out", status, StatusCode::UNAUTHORIZED);
    }
    (tally, unexpected)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, seconds, connections] = args.as_slice() else {
        eprintln!("usage: soak <base-url> <seconds> <connections>");
        std::process::exit(2);
    };
    let seconds: u64 = seconds.parse().expect("seconds");
    let connections: usize = connections.parse().expect("connections");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(client(base.clone(), deadline)))
        .collect();
    let (mut total, mut unexpected) = (Tally::new(), 0);
    for task in tasks {
        let (tally, wrong) = task.await.expect("a client");
        unexpected += wrong;
        for (key, count) in tally {
            *total.entry(key).or_default() += count;
        }
    }
    println!("| step | status | answers |");
    println!("|---|---|---|");
    for ((step, status), count) in &total {
        println!("| {step} | {status} | {count} |");
    }
    println!("unexpected answers: {unexpected}");
    std::process::exit(i32::from(unexpected > 0));
}
