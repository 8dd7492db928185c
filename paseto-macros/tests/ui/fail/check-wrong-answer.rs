use paseto_runtime::{Claims, paseto_required};

fn role(claims: &Claims) -> String {
    claims.subject().to_owned()
}

#[paseto_required(check = role)]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {}
