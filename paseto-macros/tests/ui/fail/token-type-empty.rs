use paseto_runtime::{Claims, paseto_required};

#[paseto_required(token_type = "")]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {}
