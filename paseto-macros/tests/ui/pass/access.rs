use axum::{Router, routing::get};
use paseto_runtime::{Claims, PasetoAuth, keys::LocalKey, paseto_required};

#[paseto_required]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {
    let auth = PasetoAuth::builder().local_key(LocalKey::generate().unwrap()).build().unwrap();
    let _: Router = Router::new().route("/", get(handler)).with_state(auth);
}
