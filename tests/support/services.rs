//! The programs some tests run (`redis-server`, `chromedriver`): on a machine
//! without one, its tests say they were skipped and pass, so `cargo test`
//! works anywhere; `scripts/test` installs them and sets
//! `PASETO_TEST_SERVICES=required`, under which a missing program fails.

/// Whether `program` is on the `PATH`. When it is not, prints that `test` is
/// skipped (or panics, where services are required).
pub fn available(program: &str, test: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()));
    if !found {
        let required = std::env::var("PASETO_TEST_SERVICES").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "{program} is not on the PATH, and PASETO_TEST_SERVICES=required"
        );
        eprintln!("skipped {test}: {program} is not on the PATH (`scripts/test` installs it)");
    }
    found
}
