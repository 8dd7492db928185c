//! Every route of the app guarded or public on purpose: the audit a test suite
//! runs, and the table a reviewer reads (`ROUTES.md`).

use axum::body::Body;
use axum::http::Request;
use paseto_runtime::denylist::MemoryDenylist;
use paseto_runtime::routes::Requirement;
use paseto_runtime::{PasetoAuth, routes, testing};
use serde_json::Value;
use tower::ServiceExt;

/// The app's configuration, as `main` makes it, with a generated key.
fn auth() -> PasetoAuth {
    let config = example_app::transport(testing::builder());
    config.denylist(MemoryDenylist::new()).build().unwrap()
}

#[tokio::test]
async fn every_route_refuses_requests_without_a_token_or_is_public() {
    let auth = auth();
    testing::audit(&example_app::router(auth.clone()), &auth)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_route_table_is_the_one_in_routes_md() {
    let table = routes::table(&example_app::router(auth())).await.unwrap();
    let written = include_str!("../ROUTES.md");
    let (_, listed) = written.split_once("\n\n").unwrap();
    assert_eq!(
        table.to_string(),
        listed,
        "regenerate examples/app/ROUTES.md:\n{table}"
    );
}

#[tokio::test]
async fn the_table_and_the_openapi_document_agree_on_every_documented_operation() {
    let app = example_app::router(auth());
    let table = routes::table(&app).await.unwrap();
    let request = Request::get("/openapi.json").body(Body::empty()).unwrap();
    let response = app.oneshot(request).await.unwrap();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let document: Value = serde_json::from_slice(&body).unwrap();
    let mut documented = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let route = (table.routes().iter())
                .find(|route| route.path == *path && route.method.as_str() == method.to_uppercase())
                .unwrap_or_else(|| panic!("{method} {path} is documented, not routed"));
            let security = operation["security"].as_array().unwrap();
            match &route.requirement {
                Requirement::Public => assert!(security.is_empty(), "{method} {path}"),
                Requirement::Token(guards) => {
                    let scopes: Vec<&str> = guards
                        .iter()
                        .flat_map(|g| &g.scopes)
                        .map(String::as_str)
                        .collect();
                    assert_eq!(
                        security[0]["paseto"],
                        serde_json::json!(scopes),
                        "{method} {path}"
                    );
                }
                other => panic!("{method} {path} is {other:?}"),
            }
            documented += 1;
        }
    }
    assert_eq!(documented, 13);
}
