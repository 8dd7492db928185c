//! The `paseto` binary, run as a user runs it: each subcommand, each failure,
//! and the exit codes (0 valid, 1 invalid, 2 usage or configuration error, 3
//! shown but not verified; for `audit-diff`, 0 nothing weaker, 1 something
//! weaker, 2 a document it cannot read).

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// Runs `paseto` with `args`, with only the `PASETO_*` variables given.
fn paseto(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paseto"));
    command.args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PASETO_") {
            command.env_remove(name);
        }
    }
    command.envs(vars.iter().copied());
    command.output().expect("the binary runs")
}

/// Runs `paseto` with `args` and `input` on its standard input.
fn paseto_reading(args: &[&str], vars: &[(&str, &str)], input: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paseto"));
    command.args(args).env_clear().envs(vars.iter().copied());
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary runs");
    let mut stdin = child.stdin.take().unwrap();
    // The binary may stop reading early (input over its limit): a broken pipe.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// The value after `label` on its line of `text`.
fn field<'a>(text: &'a str, label: &str) -> &'a str {
    let value = text.lines().find_map(|line| line.strip_prefix(label));
    value
        .unwrap_or_else(|| panic!("no `{label}` in {text}"))
        .trim()
}

fn local_key() -> String {
    let output = paseto(&["keygen", "local"], &[]);
    assert_eq!(output.status.code(), Some(0));
    field(&stdout(&output), "secret key:").to_owned()
}

#[test]
fn keygen_prints_keys_and_their_ids() {
    let local = stdout(&paseto(&["keygen", "local"], &[]));
    assert!(
        field(&local, "secret key:").starts_with("k4.local."),
        "{local}"
    );
    assert!(field(&local, "id:").starts_with("k4.lid."), "{local}");
    let public = stdout(&paseto(&["keygen", "public"], &[]));
    assert!(
        field(&public, "secret key:").starts_with("k4.secret."),
        "{public}"
    );
    assert!(
        field(&public, "secret id:").starts_with("k4.sid."),
        "{public}"
    );
    assert!(
        field(&public, "public key:").starts_with("k4.public."),
        "{public}"
    );
    assert!(
        field(&public, "public id:").starts_with("k4.pid."),
        "{public}"
    );
    assert_eq!(paseto(&["keygen", "shared"], &[]).status.code(), Some(2));
}

#[test]
fn id_prints_the_paserk_id_or_refuses() {
    let generated = stdout(&paseto(&["keygen", "public"], &[]));
    let output = paseto(&["id", field(&generated, "public key:")], &[]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output).trim(), field(&generated, "public id:"));
    let output = paseto(&["id", "k4.local.short"], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("k4.local."), "{}", stderr(&output));
    assert_eq!(paseto(&["id", "hunter2"], &[]).status.code(), Some(1));
}

#[test]
fn issue_then_inspect_with_the_key_shows_the_claims() {
    let key = local_key();
    let env = [("PASETO_SECRET_KEY", key.as_str())];
    let issued = paseto(
        &[
            "issue",
            "alice",
            "--fresh",
            "--claim",
            "role=admin",
            "--claim",
            "level=3",
        ],
        &env,
    );
    assert_eq!(issued.status.code(), Some(0), "{}", stderr(&issued));
    let token = stdout(&issued).trim().to_owned();
    assert!(token.starts_with("v4.local."));
    let shown = paseto(&["inspect", &token], &env);
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(text.starts_with("valid v4.local token"), "{text}");
    for expected in [
        r#""sub": "alice""#,
        r#""fresh": true"#,
        r#""role": "admin""#,
        r#""level": 3"#,
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(text.contains("expires in 14 minutes"), "{text}");
    let id = stdout(&paseto(&["id", &key], &[])).trim().to_owned();
    assert!(text.contains(&format!("kid: {id}")), "{text}");
}

#[test]
fn inspect_verifies_with_the_keys_of_a_rotation() {
    let (old, new) = (local_key(), local_key());
    let token = stdout(&paseto(&["issue", "dave"], &[("PASETO_SECRET_KEY", &old)]))
        .trim()
        .to_owned();
    let rotated = [
        ("PASETO_SECRET_KEY", new.as_str()),
        ("PASETO_VERIFY_KEYS", old.as_str()),
    ];
    let output = paseto(&["inspect", &token], &rotated);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let old_id = stdout(&paseto(&["id", &old], &[])).trim().to_owned();
    assert!(stdout(&output).contains(&format!("kid: {old_id}")));
}

#[test]
fn issue_takes_a_type_and_a_lifetime() {
    let key = local_key();
    let env = [("PASETO_SECRET_KEY", key.as_str())];
    for (args, expected) in [
        (
            vec!["issue", "bob", "--type", "refresh"],
            r#""type": "refresh""#,
        ),
        (
            vec!["issue", "bob", "--type", "email-verify", "--ttl", "120"],
            r#""type": "email-verify""#,
        ),
    ] {
        let token = stdout(&paseto(&args, &env)).trim().to_owned();
        let text = stdout(&paseto(&["inspect", &token], &env));
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let output = paseto(&["issue", "bob", "--type", "refresh", "--fresh"], &env);
    assert_eq!(output.status.code(), Some(2));
    let output = paseto(&["issue", "bob", "--claim", "sub=mallory"], &env);
    assert_eq!(output.status.code(), Some(2), "a reserved claim");
    assert!(stderr(&output).contains("reserved"), "{}", stderr(&output));
}

#[test]
fn issue_without_a_key_is_a_usage_error() {
    let output = paseto(&["issue", "alice"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("PASETO_SECRET_KEY"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn inspect_gives_the_reason_a_service_gives() {
    let key = local_key();
    let env = [("PASETO_SECRET_KEY", key.as_str())];
    let token = stdout(&paseto(&["issue", "alice", "--ttl", "1"], &env))
        .trim()
        .to_owned();
    let other = local_key();
    let mut tampered = token.clone().into_bytes();
    tampered[30] = if tampered[30] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for (token, vars, reason) in [
        (tampered, env, "Invalid token"),
        (format!("{token}x"), env, "Malformed token"),
        ("v4.local.%%%".to_owned(), env, "Malformed token"),
        (
            "v2.local.AAAA".to_owned(),
            env,
            "Unsupported token version or purpose",
        ),
        (
            token.clone(),
            [("PASETO_SECRET_KEY", other.as_str())],
            "Unknown key id",
        ),
    ] {
        let output = paseto(&["inspect", &token], &vars);
        assert_eq!(output.status.code(), Some(1), "{reason}");
        assert_eq!(stderr(&output).trim(), format!("invalid: {reason}"));
    }
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let output = paseto(&["inspect", &token], &env);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output).trim(), "invalid: Token expired");
}

#[test]
fn inspect_without_a_key_shows_what_the_token_shows_unverified() {
    let generated = stdout(&paseto(&["keygen", "public"], &[]));
    let secret = field(&generated, "secret key:");
    let env = [("PASETO_PURPOSE", "public"), ("PASETO_PRIVATE_KEY", secret)];
    let token = stdout(&paseto(&["issue", "carol"], &env)).trim().to_owned();
    let output = paseto(&["inspect", &token], &[]);
    assert_eq!(output.status.code(), Some(3), "shown, not verified");
    let text = stdout(&output);
    assert!(text.contains("NOT VERIFIED"), "{text}");
    assert!(text.contains("payload (unverified)"), "{text}");
    assert!(text.contains(r#""sub": "carol""#), "{text}");
    assert!(text.contains("kid: k4.pid."), "{text}");
    let local = local_key();
    let env = [("PASETO_SECRET_KEY", local.as_str())];
    let token = stdout(&paseto(&["issue", "carol"], &env)).trim().to_owned();
    let text = stdout(&paseto(&["inspect", &token], &[]));
    assert!(text.contains("payload: encrypted"), "{text}");
    assert!(!text.contains("carol"), "{text}");
}

/// Without a key nothing is verified, so nothing exits 0: a forged token (any
/// bytes under a `v4.local` or `v4.public` header) is shown, exit 3, and one
/// that does not even parse is invalid, exit 1. A script that checks `$?`
/// never takes an unverified token for a valid one.
#[test]
fn inspect_without_a_key_never_exits_0() {
    for forged in [
        "v4.local.Zm9yZ2VkLWJ5LWFuLWF0dGFja2VyLW5vdC1hLXRva2Vu",
        "v4.public.eyJzdWIiOiJhZG1pbiJ9AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let output = paseto(&["inspect", forged], &[]);
        assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
        assert!(
            stdout(&output).contains("NOT VERIFIED"),
            "{}",
            stdout(&output)
        );
    }
    let output = paseto(&["inspect", "garbage"], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output).trim(), "invalid: Malformed token");
}

/// Standard input is read up to 64 KiB: more is refused, never cut short.
#[test]
fn more_standard_input_than_any_key_or_token_is_a_usage_error() {
    let flood = "k".repeat(64 * 1024 + 1);
    for args in [["id", "-"], ["inspect", "-"]] {
        let output = paseto_reading(&args, &[], &flood);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains("more than 64 KiB"),
            "{}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty());
    }
}

/// Keys and tokens can stay out of the shell's history and the process list:
/// `-` reads them from standard input, and `paseto id` without an argument
/// takes the environment's key, from its variable or its `_FILE`.
#[test]
fn keys_and_tokens_come_from_standard_input_or_the_environment() {
    let key = local_key();
    let expected = stdout(&paseto(&["id", &key], &[]));
    let output = paseto_reading(&["id", "-"], &[], &format!("{key}\n"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), expected);
    let output = paseto(&["id"], &[("PASETO_SECRET_KEY", &key)]);
    assert_eq!(
        (output.status.code(), stdout(&output)),
        (Some(0), expected.clone())
    );
    let file = std::env::temp_dir().join(format!("paseto-cli-key-{}", std::process::id()));
    std::fs::write(&file, format!("{key}\n")).unwrap();
    let output = paseto(
        &["id"],
        &[("PASETO_SECRET_KEY_FILE", file.to_str().unwrap())],
    );
    std::fs::remove_file(&file).unwrap();
    assert_eq!((output.status.code(), stdout(&output)), (Some(0), expected));
    let output = paseto(&["id"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("PASETO_SECRET_KEY"),
        "{}",
        stderr(&output)
    );
    let output = paseto(
        &["id"],
        &[(
            "PASETO_SECRET_KEY",
            "an-example-of-a-secret-of-44-characters-long",
        )],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("raw secret"),
        "{}",
        stderr(&output)
    );

    let env = [("PASETO_SECRET_KEY", key.as_str())];
    let token = stdout(&paseto(&["issue", "dave"], &env));
    let output = paseto_reading(&["inspect", "-"], &env, &token);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(r#""sub": "dave""#),
        "{}",
        stdout(&output)
    );
    let output = paseto_reading(&["inspect", "-"], &env, "");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output).trim(), "invalid: Malformed token");
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(paseto(&["frobnicate"], &[]).status.code(), Some(2));
    assert_eq!(paseto(&["issue"], &[]).status.code(), Some(2));
    assert_eq!(
        paseto(&["issue", "a", "--ttl", "soon"], &[]).status.code(),
        Some(2)
    );
}

/// A reader that goes away (`paseto keygen local | head -0`) ends the command
/// quietly, not with a panic.
#[test]
fn a_closed_stdout_is_no_panic() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_paseto"))
        .args(["keygen", "public"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

/// Writes `documents` as files in a new directory: their paths.
fn documents(name: &str, documents: &[(&str, String)]) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("paseto-audit-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    documents
        .iter()
        .map(|(file, text)| {
            let path = dir.join(file);
            std::fs::write(&path, text).unwrap();
            path.to_string_lossy().into_owned()
        })
        .collect()
}

/// An OpenAPI 3.1 document whose `/admin` needs the scopes `admin_scopes`.
fn api(admin_scopes: &str) -> String {
    format!(
        r#"{{"openapi": "3.1.0", "info": {{"title": "app", "version": "1"}}, "paths": {{
            "/admin": {{"get": {{"security": [{{"paseto": [{admin_scopes}]}}], "responses": {{}}}}}},
            "/health": {{"get": {{"security": [], "responses": {{}}}}}}
        }}}}"#
    )
}

#[test]
fn audit_diff_exits_1_for_what_got_weaker_and_0_for_the_rest() {
    let paths = documents(
        "exits",
        &[
            ("old.json", api(r#""admin""#)),
            ("more.json", api(r#""admin", "audit""#)),
            ("less.json", api("")),
        ],
    );
    let [old, more, less] = &paths[..] else {
        unreachable!()
    };
    let same = paseto(&["audit-diff", old, old], &[]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert_eq!(stdout(&same), "no operation got weaker\n");
    let stronger = paseto(&["audit-diff", old, more], &[]);
    assert_eq!(stronger.status.code(), Some(0));
    let weaker = paseto(&["audit-diff", old, less], &[]);
    assert_eq!(weaker.status.code(), Some(1));
    assert_eq!(
        stdout(&weaker),
        "GET /admin: scope `admin` of `paseto` removed\n"
    );
    assert_eq!(stderr(&weaker), "");
}

#[test]
fn audit_diff_exits_2_on_what_it_cannot_read() {
    let paths = documents(
        "unreadable",
        &[
            ("old.json", api(r#""admin""#)),
            ("garbage.json", "{ not json".to_owned()),
            (
                "swagger.json",
                r#"{"swagger": "2.0", "paths": {}}"#.to_owned(),
            ),
        ],
    );
    let [old, garbage, swagger] = &paths[..] else {
        unreachable!()
    };
    for (new, said) in [
        (garbage.as_str(), "is not JSON"),
        (swagger.as_str(), "NEW: a Swagger 2.0 document"),
        ("/nonexistent/new.json", "cannot be read"),
    ] {
        let output = paseto(&["audit-diff", old, new], &[]);
        assert_eq!(output.status.code(), Some(2), "{new}");
        assert!(
            stderr(&output).starts_with("error: "),
            "{}",
            stderr(&output)
        );
        assert!(stderr(&output).contains(said), "{}", stderr(&output));
        assert_eq!(stdout(&output), "");
    }
    assert_eq!(paseto(&["audit-diff", old], &[]).status.code(), Some(2));
}
