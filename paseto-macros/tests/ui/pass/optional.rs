use axum::{Router, routing::get};
use paseto_runtime::{Claims, PasetoAuth, keys::LocalKey, paseto_required};

#[paseto_required(optional)]
async fn handler(claims: Option<Claims>) -> String {
    claims.map_or_else(String::new, |c| c.subject().to_owned())
}

fn main() {
    let auth = PasetoAuth::builder().local_key(LocalKey::generate().unwrap()).build().unwrap();
    let _: Router = Router::new().route("/", get(handler)).with_state(auth);
}
