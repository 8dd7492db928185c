use axum::{Router, routing::get};
use paseto_runtime::{PasetoAuth, keys::LocalKey, paseto_required};

#[paseto_required]
async fn wildcard(_: paseto_runtime::Claims) -> &'static str {
    "hello"
}

#[paseto_required]
async fn mutable(mut claims: paseto_runtime::Claims<serde_json::Value>) -> String {
    let subject = claims.subject().to_owned();
    claims = claims.clone();
    format!("{subject} {}", claims.extra())
}

#[paseto_required]
async fn by_reference(ref claims: paseto_runtime::Claims) -> String {
    claims.subject().to_owned()
}

fn main() {
    let auth = PasetoAuth::builder().local_key(LocalKey::generate().unwrap()).build().unwrap();
    let _: Router = Router::new()
        .route("/wildcard", get(wildcard))
        .route("/mutable", get(mutable))
        .route("/ref", get(by_reference))
        .with_state(auth);
}
