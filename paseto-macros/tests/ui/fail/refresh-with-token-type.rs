use paseto_runtime::{Claims, paseto_required};

#[paseto_required(refresh, token_type = "email-verify")]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {}
