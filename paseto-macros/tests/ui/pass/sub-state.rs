use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::get;
use paseto_runtime::{Claims, PasetoAuth, keys::LocalKey, paseto_required};

#[derive(Clone)]
struct Db;

#[derive(Clone, FromRef)]
struct AppState {
    auth: PasetoAuth,
    db: Db,
}

#[paseto_required]
async fn handler(claims: Claims, State(_db): State<Db>) -> String {
    claims.subject().to_owned()
}

fn main() {
    let auth = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .build()
        .unwrap();
    let _app: Router = Router::new()
        .route("/", get(handler))
        .with_state(AppState { auth, db: Db });
}
