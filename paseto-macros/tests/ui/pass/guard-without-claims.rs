use axum::{Router, routing::get};
use paseto_runtime::{PasetoAuth, fresh_paseto_required, keys::LocalKey, paseto_required};

#[paseto_required]
async fn no_parameters() -> &'static str {
    "guarded"
}

#[fresh_paseto_required]
async fn with_parameters(axum::Json(body): axum::Json<String>) -> String {
    body
}

fn main() {
    let auth = PasetoAuth::builder().local_key(LocalKey::generate().unwrap()).build().unwrap();
    let _: Router = Router::new()
        .route("/a", get(no_parameters))
        .route("/b", get(with_parameters))
        .with_state(auth);
}
