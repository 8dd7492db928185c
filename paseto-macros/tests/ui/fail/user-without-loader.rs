use axum::{Router, routing::get};
use paseto_runtime::{CurrentUser, PasetoAuth, keys::LocalKey, paseto_required};

#[derive(Clone)]
struct Account {
    name: String,
}

#[paseto_required]
async fn me(CurrentUser(account): CurrentUser<Account>) -> String {
    account.name
}

fn main() {
    let auth = PasetoAuth::builder().local_key(LocalKey::generate().unwrap()).build().unwrap();
    let _app: Router = Router::new().route("/me", get(me)).with_state(auth);
}
