use paseto_runtime::{Access, Verified};

#[derive(Clone)]
struct AppState;

#[axum::debug_handler(state = AppState)]
async fn me(Verified(claims): Verified<Access>) -> String {
    claims.subject().to_owned()
}

fn main() {}
