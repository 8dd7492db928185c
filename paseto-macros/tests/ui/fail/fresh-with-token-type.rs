use paseto_runtime::{Claims, fresh_paseto_required};

#[fresh_paseto_required(token_type = "email-verify")]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {}
