use paseto_runtime::{Claims, paseto_required};

#[paseto_required(scopes = "orders:write")]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {}
