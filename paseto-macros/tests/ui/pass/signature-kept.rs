//! Attributes, doc comments, visibility, generics, where clauses, the return
//! type and the body stay as written.
use axum::response::IntoResponse;
use axum::{Router, routing::get};
use paseto_runtime::{Claims, PasetoAuth, keys::LocalKey, paseto_required};

mod handlers {
    use super::*;

    /// Greets the caller.
    #[paseto_required]
    #[allow(clippy::unused_async)]
    pub(crate) async fn greet<T>(claims: Claims) -> impl IntoResponse
    where
        T: Default + std::fmt::Debug,
    {
        if claims.subject().is_empty() {
            return format!("{:?}", T::default());
        }
        let parsed: Result<u8, _> = claims.subject().parse();
        match parsed {
            Ok(n) => return format!("{n}"),
            Err(_) => {}
        }
        claims.subject().to_owned()
    }
}

fn main() {
    let auth = PasetoAuth::builder().local_key(LocalKey::generate().unwrap()).build().unwrap();
    let _: Router = Router::new()
        .route("/", get(handlers::greet::<u8>))
        .with_state(auth);
}
