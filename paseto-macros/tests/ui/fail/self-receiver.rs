use paseto_runtime::{Claims, paseto_required};

struct Service;

impl Service {
    #[paseto_required]
    async fn handler(&self, claims: Claims) -> String {
        claims.subject().to_owned()
    }
}

fn main() {}
