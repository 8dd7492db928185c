use paseto_runtime::paseto_required;

#[paseto_required]
const HANDLER: fn() -> &'static str = || "hello";

fn main() {}
