use paseto_runtime::paseto_required;

struct Service;

#[paseto_required]
impl Service {
    async fn handler() {}
}

fn main() {}
