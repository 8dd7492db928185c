use axum::Router;
use axum::routing::get;
use paseto_runtime::{Claims, paseto_required};

#[derive(Clone)]
struct AppState;

#[paseto_required]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {
    let _app: Router = Router::new()
        .route("/", get(handler))
        .with_state(AppState);
}
