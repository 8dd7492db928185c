use axum::Router;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use axum::routing::get;
use paseto_runtime::{Claims, PasetoAuth, fresh_paseto_required, keys::LocalKey, paseto_required};
use serde::Deserialize;

#[derive(Deserialize)]
struct Room {
    room: String,
}

#[paseto_required]
async fn access(claims: Claims, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |_socket| async move { drop(claims) })
}

#[paseto_required(refresh)]
async fn refresh(_claims: Claims, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(|_socket| async {})
}

#[fresh_paseto_required]
async fn fresh(upgrade: WebSocketUpgrade, claims: Claims, State(auth): State<PasetoAuth>) -> Response {
    upgrade.on_upgrade(move |_socket| async move {
        let _ = auth.until_invalid(&claims).await;
    })
}

#[paseto_required(optional)]
async fn optional(claims: Option<Claims>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |_socket| async move { drop(claims) })
}

#[paseto_required(token_type = "room-invite")]
async fn invite(claims: Claims<Room>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |_socket| async move { drop(claims.into_extra().room) })
}

#[paseto_required]
async fn guard_only(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(|_socket| async {})
}

fn main() {
    let auth = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .websocket_query(true)
        .build()
        .unwrap();
    let _app: Router = Router::new()
        .route("/access", get(access))
        .route("/refresh", get(refresh))
        .route("/fresh", get(fresh))
        .route("/optional", get(optional))
        .route("/invite", get(invite))
        .route("/guard", get(guard_only))
        .with_state(auth);
}
