use paseto_runtime::{Claims, fresh_paseto_required};

#[fresh_paseto_required]
async fn handler(claims: Option<Claims>) -> bool {
    claims.is_some()
}

fn main() {}
