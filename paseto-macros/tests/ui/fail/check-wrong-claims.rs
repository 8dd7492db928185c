use paseto_runtime::{Claims, paseto_required};
use serde::Deserialize;

#[derive(Deserialize)]
struct Tenant {
    tenant: String,
}

fn in_acme(claims: &Claims<Tenant>) -> bool {
    claims.extra().tenant == "acme"
}

#[paseto_required(check = in_acme)]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {}
