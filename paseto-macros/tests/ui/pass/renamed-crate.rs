extern crate paseto_runtime as auth;

use auth::{Claims, PasetoAuth, keys::LocalKey, paseto_required};
use axum::{Router, routing::get};

#[paseto_required(crate = "::auth")]
async fn handler(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn main() {
    let auth = PasetoAuth::builder().local_key(LocalKey::generate().unwrap()).build().unwrap();
    let _: Router = Router::new().route("/", get(handler)).with_state(auth);
}
