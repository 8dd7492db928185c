//! The programs some tests run (`redis-server`, `chromedriver`): on a machine
//! without one, its tests say they were skipped and pass, so `cargo test`
//! works anywhere; `scripts/test` installs them and sets
//! `PASETO_TEST_SERVICES=required`, under which a missing program fails.

use std::io::Write;

/// Whether `program` is on the `PATH`. When it is not, prints that the test
/// (named after its thread, as the harness names it) is skipped, or panics
/// where services are required.
pub fn available(program: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()));
    if !found {
        let required = std::env::var("PASETO_TEST_SERVICES").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "{program} is not on the PATH, and PASETO_TEST_SERVICES=required"
        );
        // Straight to the process's stderr: the test harness captures
        // `eprintln!` of a passing test, and this must be seen.
        let thread = std::thread::current();
        let test = thread.name().unwrap_or("a test");
        let _ = writeln!(
            std::io::stderr(),
            "skipped {test}: {program} is not on the PATH (`scripts/test` installs it)"
        );
    }
    found
}
