use paseto_runtime::paseto_required;

#[paseto_required(optional)]
async fn handler() -> &'static str {
    "hello"
}

fn main() {}
