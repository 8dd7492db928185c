use paseto_runtime::{Claims, fresh_paseto_required};

#[fresh_paseto_required(optional)]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {}
