use paseto_runtime::{Claims, paseto_required, public};

#[public]
#[paseto_required]
async fn above(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[paseto_required]
#[public]
async fn below(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[public(open)]
async fn with_arguments() {}

#[public]
struct NotAHandler;

fn main() {}
