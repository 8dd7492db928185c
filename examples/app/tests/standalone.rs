//! The README's "Start your own app": `src` copied into a crate outside the
//! workspace with the `Cargo.toml` the README shows, built, run on a free port,
//! and walked through login, protected and refresh, as a new user would.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The first `toml` block of the README's "Start your own app", with the
/// runtime's path filled in.
fn readme_manifest(root: &Path) -> String {
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("## Start your own app")
        .nth(1)
        .expect("the README has the section");
    let block = section
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block");
    let runtime = root.join("paseto-runtime");
    block.replace("/path/to/paseto-runtime", runtime.to_str().unwrap())
}

/// Copies `from` into `to`, recursively.
fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// One HTTP/1.1 request with `Connection: close`: the status and the body.
fn request(port: u16, method: &str, path: &str, bearer: Option<&str>, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

/// A token field of a JSON body.
fn field(body: &str, name: &str) -> String {
    let body: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
    body[name].as_str().expect(name).to_owned()
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_copy_of_the_example_builds_and_serves_outside_the_workspace() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let crate_dir = std::env::temp_dir().join(format!("paseto-standalone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&crate_dir);
    copy(&root.join("examples/app/src"), &crate_dir.join("src"));
    std::fs::write(crate_dir.join("Cargo.toml"), readme_manifest(&root)).unwrap();
    // The workspace's lock: the same versions, and no index lookups.
    std::fs::copy(root.join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();
    let target = root.join("target/standalone");
    let built = Command::new(env!("CARGO"))
        .args(["build", "--quiet"])
        .current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", &target)
        // A build to run, not to debug: it links faster without debug information.
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .status()
        .unwrap();
    assert!(built.success(), "the copied app builds");

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(target.join("debug/example-app"))
        .env("PORT", port.to_string())
        .env(
            "PASETO_SECRET_KEY",
            "k4.local.YW4tZXhhbXBsZS1rZXktb2YtMzItYnl0ZXMtbG9uZyE",
        )
        .env_remove("REDIS_URL")
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let _app = Running(child);
    std::thread::spawn(move || BufReader::new(stderr).lines().for_each(drop));
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the app listens");
        std::thread::sleep(Duration::from_millis(100));
    }

    let (status, body) = request(
        port,
        "POST",
        "/login",
        None,
        r#"{"username":"test","password":"test"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (access, refresh) = (field(&body, "access_token"), field(&body, "refresh_token"));
    let (status, body) = request(port, "GET", "/protected", Some(&access), "");
    assert_eq!((status, body.as_str()), (200, r#"{"user":"test"}"#));
    let (status, body) = request(port, "POST", "/refresh", Some(&refresh), "");
    assert_eq!(status, 200, "{body}");
    let refreshed = field(&body, "access_token");
    let (status, body) = request(port, "GET", "/protected", Some(&refreshed), "");
    assert_eq!((status, body.as_str()), (200, r#"{"user":"test"}"#));
    let (status, _) = request(port, "GET", "/protected-fresh", Some(&refreshed), "");
    assert_eq!(status, 401);
    std::fs::remove_dir_all(&crate_dir).unwrap();
}
