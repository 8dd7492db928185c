use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::post;
use paseto_runtime::{Claims, IssueError, PasetoAuth, keys::LocalKey, paseto_required};

#[derive(Clone)]
struct Db;

#[derive(Clone, FromRef)]
struct AppState {
    auth: PasetoAuth,
    db: Db,
}

#[paseto_required(refresh)]
async fn handler(claims: Claims, State(auth): State<PasetoAuth>) -> Result<String, IssueError> {
    auth.access_token(claims.subject()).issue()
}

fn main() {
    let auth = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .build()
        .unwrap();
    let _app: Router = Router::new()
        .route("/", post(handler))
        .with_state(AppState { auth, db: Db });
}
