//! A real browser: headless Chromium (Debian's `chromium` and `chromium-driver`,
//! which `scripts/test` installs) driven through `chromedriver` loads the example
//! app's page, logs in, sees the user, refreshes, receives a WebSocket message
//! and logs out; it lists the user's sessions, ends another device's and logs
//! out everywhere; the page's script never sees the token cookies. The test saves
//! a screenshot to `target/browser-session.png`.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration as StdDuration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use paseto_runtime::{PasetoAuth, denylist::MemoryDenylist};
use paseto_tests::{key, serve};
use serde_json::{Map, Value, json};

/// A `chromedriver` on a free loopback port, stopped when dropped.
struct Driver {
    process: Child,
    port: u16,
}

impl Driver {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let driver = Self {
            process: Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver on the PATH: run `scripts/test`, which installs it"),
            port,
        };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return driver;
            }
            std::thread::sleep(StdDuration::from_millis(50));
        }
        panic!("chromedriver did not listen on port {port}");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Headless Chromium, with nothing that reaches beyond this machine.
async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let options = json!({
        "binary": "/usr/bin/chromium",
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=900,1000",
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    let mut capabilities = Map::new();
    capabilities.insert("goog:chromeOptions".to_owned(), options);
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session")
}

/// Waits until the element's text satisfies `ok`; its last text otherwise.
async fn wait_for(client: &Client, id: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(element) = client.find(Locator::Id(id)).await {
            last = element.text().await.unwrap_or_default();
            if ok(&last) {
                return last;
            }
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    panic!("#{id} never matched; it read {last:?}");
}

async fn click(client: &Client, id: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn document_cookie(client: &Client) -> String {
    match client
        .execute("return document.cookie", vec![])
        .await
        .unwrap()
    {
        Value::String(cookies) => cookies,
        other => panic!("document.cookie was {other}"),
    }
}

#[tokio::test]
async fn a_browser_session_through_the_page() {
    if !paseto_tests::services::available("chromedriver") {
        return;
    }
    let auth = PasetoAuth::builder()
        .local_key(key())
        .denylist(MemoryDenylist::new())
        .websocket_query(true)
        .cookie_tokens(true)
        .cookie_host_prefix(true)
        .build()
        .unwrap();
    let addr = serve(auth).await;
    let driver = Driver::start();
    let profile = std::env::temp_dir().join(format!("paseto-chromium-{}", std::process::id()));
    let client = browser(&driver, &profile).await;

    // Another device of the same user, logged in before the page.
    let phone = reqwest::Client::new();
    let (phone_token, _) = paseto_tests::login_as(&phone, addr, "test", "Phone/1.0").await;

    client
        .goto(&format!("http://localhost:{}/", addr.port()))
        .await
        .unwrap();
    assert_eq!(wait_for(&client, "user", |t| !t.is_empty()).await, "nobody");
    for (id, text) in [("username", "test"), ("password", "test")] {
        let input = client.find(Locator::Id(id)).await.unwrap();
        input.send_keys(text).await.unwrap();
    }
    click(&client, "login").await;
    wait_for(&client, "user", |t| t == "test").await;

    let cookies = document_cookie(&client).await;
    assert!(cookies.contains("__Host-csrf_access_token="), "{cookies}");
    assert!(cookies.contains("__Host-csrf_refresh_token="), "{cookies}");
    assert!(!cookies.contains("access_token_cookie"), "{cookies}");
    assert!(!cookies.contains("refresh_token_cookie"), "{cookies}");

    click(&client, "refresh").await;
    wait_for(&client, "status", |t| t.starts_with("Refreshed")).await;
    let sessions = wait_for(&client, "sessions", |t| t.contains("Phone/1.0")).await;
    assert!(sessions.contains("this browser"), "{sessions}");

    click(&client, "socket").await;
    let messages = wait_for(&client, "messages", |t| t.contains("hello from the page")).await;
    assert!(messages.contains(r#"{"user":"test"}"#), "{messages}");

    let screenshot = client.screenshot().await.unwrap();
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("browser-session.png"), screenshot).unwrap();

    // End the phone's session from the page: its token stops working.
    let end = "//li[contains(., 'Phone/1.0')]//button";
    client
        .find(Locator::XPath(end))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&client, "status", |t| t == "Session ended").await;
    wait_for(&client, "sessions", |t| !t.contains("Phone/1.0")).await;
    let url = format!("http://{addr}/protected");
    let refused = phone
        .get(url)
        .bearer_auth(&phone_token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);

    click(&client, "logout").await;
    wait_for(&client, "status", |t| t == "Logged out").await;
    wait_for(&client, "user", |t| t == "nobody").await;
    let cookies = document_cookie(&client).await;
    assert!(
        !cookies.contains("csrf_access_token="),
        "cleared: {cookies}"
    );
    assert!(!cookies.contains("access_token_cookie"), "{cookies}");

    // Log in again, and out everywhere.
    click(&client, "login").await;
    wait_for(&client, "sessions", |t| t.contains("this browser")).await;
    click(&client, "logout-all").await;
    wait_for(&client, "status", |t| t == "Logged out everywhere").await;
    wait_for(&client, "user", |t| t == "nobody").await;

    client.close().await.unwrap();
    let _ = std::fs::remove_dir_all(profile);
}
