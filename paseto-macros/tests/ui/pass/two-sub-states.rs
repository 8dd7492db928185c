use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::post;
use paseto_runtime::{Claims, PasetoAuth, keys::LocalKey, paseto_required};

#[derive(Clone)]
struct Db;

#[derive(Clone)]
struct Mailer;

#[derive(Clone, FromRef)]
struct AppState {
    auth: PasetoAuth,
    db: Db,
    mailer: Mailer,
}

#[paseto_required(refresh)]
async fn handler(State(_db): State<Db>, claims: Claims, State(_mailer): State<Mailer>) -> String {
    claims.subject().to_owned()
}

fn main() {
    let auth = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .build()
        .unwrap();
    let _app: Router = Router::new()
        .route("/", post(handler))
        .with_state(AppState { auth, db: Db, mailer: Mailer });
}
