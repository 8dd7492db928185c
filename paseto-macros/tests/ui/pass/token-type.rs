use axum::{Router, routing::get};
use paseto_runtime::{Claims, PasetoAuth, keys::LocalKey, paseto_required};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Email {
    pub email: String,
}

#[paseto_required(token_type = "email-verify")]
pub async fn verify(claims: Claims<Email>) -> String {
    claims.into_extra().email
}

#[paseto_required(token_type = "invite", optional)]
async fn invite(claims: Option<Claims>) -> String {
    claims.map_or_else(String::new, |c| c.subject().to_owned())
}

fn main() {
    let auth = PasetoAuth::builder().local_key(LocalKey::generate().unwrap()).build().unwrap();
    let _: Router = Router::new()
        .route("/verify", get(verify))
        .route("/invite", get(invite))
        .with_state(auth);
}
