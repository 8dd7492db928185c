use paseto_runtime::paseto_required;

struct Claims;

#[paseto_required]
async fn handler(_claims: Claims) -> &'static str {
    "hello"
}

fn main() {}
