//! The app's start-up errors, as an operator reads them.

use std::process::Command;

/// Starts the app with only `vars` among the variables it reads.
fn start(vars: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_example-app"));
    for (name, _) in std::env::vars_os() {
        let name_text = name.to_string_lossy();
        if name_text.starts_with("PASETO_") || name_text == "REDIS_URL" || name_text == "PORT" {
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
