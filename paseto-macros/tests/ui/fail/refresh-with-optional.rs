use paseto_runtime::{Claims, paseto_required};

#[paseto_required(refresh, optional)]
async fn handler(claims: Option<Claims>) -> bool {
    claims.is_some()
}

fn main() {}
