use paseto_runtime::{Claims, paseto_required};

#[paseto_required(check = |claims: &Claims| claims.subject() == "admin")]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {}
