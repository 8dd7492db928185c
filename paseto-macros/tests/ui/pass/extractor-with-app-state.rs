use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use paseto_runtime::{Access, PasetoAuth, Verified, keys::LocalKey};

#[derive(Clone)]
struct AppState {
    auth: PasetoAuth,
}

impl FromRef<AppState> for PasetoAuth {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

#[axum::debug_handler(state = AppState)]
async fn me(Verified(claims): Verified<Access>) -> String {
    claims.subject().to_owned()
}

fn main() {
    let auth = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .build()
        .unwrap();
    let _app: Router = Router::new()
        .route("/me", get(me))
        .with_state(AppState { auth });
}
