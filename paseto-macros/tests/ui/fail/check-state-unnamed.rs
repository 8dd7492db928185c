use axum::extract::State;
use paseto_runtime::{Claims, paseto_required};

#[derive(Clone)]
struct Db;

fn may_read(_claims: &Claims, State(_db): State<Db>) -> bool {
    true
}

#[paseto_required(check = may_read)]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {}
