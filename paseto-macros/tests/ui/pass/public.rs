use paseto_runtime::public;

/// Open on purpose: the attribute lets every request through.
#[public]
async fn health() -> &'static str {
    "ok"
}

#[paseto_runtime::public(crate = "::paseto_runtime")]
async fn by_path(axum::extract::Path(id): axum::extract::Path<u32>) -> String {
    id.to_string()
}

fn main() {
    let _: axum::Router = axum::Router::new()
        .route("/health", axum::routing::get(health))
        .route("/items/{id}", axum::routing::get(by_path));
}
