use axum::{Router, routing::post};
use paseto_runtime::{Claims, PasetoAuth, keys::LocalKey, paseto_required};

#[paseto_required(refresh)]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {
    let auth = PasetoAuth::builder().local_key(LocalKey::generate().unwrap()).build().unwrap();
    let _: Router = Router::new().route("/", post(handler)).with_state(auth);
}
