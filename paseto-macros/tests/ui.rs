//! Compile tests: what must not compile fails with a message that names the fix,
//! and what must compile does. They live beside the attributes, so trybuild
//! builds only what a handler needs (the runtime, axum, serde).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
