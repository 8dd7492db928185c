use paseto_runtime::{Claims, paseto_required};

const ADMIN: &str = "admin";

#[paseto_required(scopes = ["orders write", "", ADMIN, "orders:read", "orders:read"])]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {}
