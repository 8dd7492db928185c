//! The app's start-up errors, as an operator reads them.

use std::process::Command;

/// Starts the app with only `vars` among the variables it reads.
fn start(vars: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_example-app"));
    for (name, _) in std::env::vars_os() {
        let name_text = name.to_string_lossy();
        if name_text.starts_with("PASETO_")
            || name_text.starts_with("REDIS_")
            || name_text == "PORT"
        {
            command.env_remove(name);
        }
    }
    command.envs(vars.iter().copied());
    command.output().expect("the app runs")
}

#[test]
fn a_bad_key_is_a_sentence_naming_the_variable() {
    let output = start(&[("PASETO_SECRET_KEY", "hunter2"), ("PORT", "0")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: environment variable PASETO_SECRET_KEY: expected "),
        "{stderr}"
    );
    assert!(!stderr.contains("Env {"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn a_bad_port_is_a_sentence() {
    let output = start(&[("PORT", "http")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("error: PORT must be a port number"),
        "{stderr}"
    );
}

/// The app's error output, after it exits with 1.
fn failed(vars: &[(&str, &str)]) -> String {
    let output = start(vars);
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn redis_deployments_are_said_once_and_whole() {
    let key = (
        "PASETO_SECRET_KEY",
        "k4.local.YW4tZXhhbXBsZS1rZXktb2YtMzItYnl0ZXMtbG9uZyE",
    );
    let both = failed(&[
        key,
        ("REDIS_URL", "redis://127.0.0.1:1"),
        ("REDIS_CLUSTER_NODES", "redis://127.0.0.1:1"),
    ]);
    assert!(
        both.contains("set one of REDIS_URL, REDIS_SENTINELS and REDIS_CLUSTER_NODES"),
        "{both}"
    );
    let unnamed = failed(&[key, ("REDIS_SENTINELS", "redis://127.0.0.1:1")]);
    assert!(
        unnamed.contains("REDIS_SENTINELS needs REDIS_SENTINEL_MASTER"),
        "{unnamed}"
    );
}

#[test]
fn an_unreachable_cluster_stops_the_start_without_its_password() {
    let stderr = failed(&[
        (
            "PASETO_SECRET_KEY",
            "k4.local.YW4tZXhhbXBsZS1rZXktb2YtMzItYnl0ZXMtbG9uZyE",
        ),
        (
            "REDIS_CLUSTER_NODES",
            "redis://paseto:hunter2@127.0.0.1:1,redis://paseto:hunter2@127.0.0.1:2",
        ),
    ]);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
