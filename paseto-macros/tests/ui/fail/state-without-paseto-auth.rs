use axum::extract::State;
use paseto_runtime::{Claims, paseto_required};

#[derive(Clone)]
struct AppState;

#[paseto_required(state = AppState)]
async fn handler(claims: Claims, State(_state): State<AppState>) -> String {
    claims.subject().to_owned()
}

fn main() {}
