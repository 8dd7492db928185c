use paseto_runtime::{Claims, paseto_required};

#[paseto_required]
async fn handler(first: Claims, second: Claims) -> String {
    format!("{} {}", first.subject(), second.subject())
}

fn main() {}
