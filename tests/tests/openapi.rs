//! The example app's OpenAPI document over TCP, read back into utoipa's OpenAPI
//! 3.1 types, with the security the guard attributes gave each route; and the
//! admin route's scope, as a client meets it.

use paseto_runtime::{Claims, openapi::PasetoSecurity, paseto_required};
use paseto_tests::{App, auth, read};
use reqwest::StatusCode;
use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa::openapi::security::SecurityScheme;
use utoipa::openapi::{HttpMethod, OpenApiVersion};

/// The document the app serves, parsed as OpenAPI 3.1 (utoipa refuses what does
/// not fit its model), and as JSON for comparing.
async fn document(app: &App) -> (utoipa::openapi::OpenApi, Value) {
    let url = format!("http://{}/openapi.json", app.addr);
    let (status, _, body) = read(app.client.get(url)).await;
    assert_eq!(status, StatusCode::OK);
    let parsed: utoipa::openapi::OpenApi =
        serde_json::from_value(body.clone()).expect("an OpenAPI document");
    (parsed, body)
}

#[tokio::test]
async fn the_document_names_the_paseto_scheme_on_every_guarded_route() {
    let app = App::start(auth()).await;
    let (parsed, json) = document(&app).await;
    assert!(matches!(parsed.openapi, OpenApiVersion::Version31));
    assert_eq!(json["openapi"], "3.1.0");
    let schemes = parsed.components.expect("components").security_schemes;
    let Some(SecurityScheme::Http(http)) = schemes.get("paseto") else {
        panic!("an HTTP scheme named paseto")
    };
    assert_eq!(http.bearer_format.as_deref(), Some("PASETO"));
    assert_eq!(
        json["components"]["securitySchemes"]["paseto"]["scheme"],
        "bearer"
    );
    for (path, method, security) in [
        (
            "/protected",
            HttpMethod::Get,
            Some(json!([{ "paseto": [] }])),
        ),
        (
            "/protected-fresh",
            HttpMethod::Get,
            Some(json!([{ "paseto": [] }])),
        ),
        (
            "/refresh",
            HttpMethod::Post,
            Some(json!([{ "paseto": [] }])),
        ),
        ("/rotate", HttpMethod::Post, Some(json!([{ "paseto": [] }]))),
        ("/logout", HttpMethod::Post, Some(json!([{ "paseto": [] }]))),
        (
            "/logout-all",
            HttpMethod::Post,
            Some(json!([{ "paseto": [] }])),
        ),
        (
            "/admin",
            HttpMethod::Get,
            Some(json!([{ "paseto": ["admin"] }])),
        ),
        ("/me", HttpMethod::Get, Some(json!([{ "paseto": [] }]))),
        ("/me", HttpMethod::Delete, Some(json!([{ "paseto": [] }]))),
        ("/login", HttpMethod::Post, Some(json!([]))),
        ("/health", HttpMethod::Get, Some(json!([]))),
    ] {
        let item = &parsed.paths.paths[path];
        let operation = match method {
            HttpMethod::Get => item.get.as_ref(),
            HttpMethod::Delete => item.delete.as_ref(),
            _ => item.post.as_ref(),
        }
        .unwrap_or_else(|| panic!("{path}: the operation"));
        let written = operation
            .security
            .as_ref()
            .map(|security| serde_json::to_value(security).unwrap());
        assert_eq!(written, security, "{path}");
        let statuses: Vec<&str> = operation
            .responses
            .responses
            .keys()
            .map(String::as_str)
            .collect();
        let guarded = security != Some(json!([]));
        assert_eq!(
            statuses.contains(&"401"),
            guarded || path == "/login",
            "{path}: {statuses:?}"
        );
        assert_eq!(
            statuses.contains(&"403"),
            path == "/admin",
            "{path}: {statuses:?}"
        );
    }
}

/// Every operation of the example app says its security: a requirement, or
/// `[]` for one open on purpose (`#[public]`).
#[tokio::test]
async fn every_operation_says_its_security() {
    let app = App::start(auth()).await;
    let (_, json) = document(&app).await;
    let paths = json["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("a path item") {
            operations += 1;
            assert!(
                operation.get("security").is_some_and(Value::is_array),
                "{method} {path} says no security"
            );
        }
    }
    assert!(operations >= 13, "{operations} operations");
}

#[paseto_required(optional)]
#[utoipa::path(get, path = "/greet", responses((status = 200, description = "A greeting")))]
async fn greet(claims: Option<Claims>) -> String {
    claims.map_or_else(|| "hello".to_owned(), |c| format!("hello {}", c.subject()))
}

#[paseto_required(scopes = ["orders:write"])]
#[utoipa::path(
    post,
    path = "/orders",
    responses((status = 201, description = "Created"), (status = 401, description = "Log in first")),
    security(("paseto" = ["orders:write"]), ("api_key" = []))
)]
async fn create_order(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[derive(OpenApi)]
#[openapi(paths(greet, create_order), modifiers(&PasetoSecurity))]
struct Doc;

/// An optional guard documents security as optional; what a handler writes
/// itself (its own 401, its own `security`) is kept. The handlers still guard.
#[tokio::test]
async fn optional_guards_and_the_handler_own_words() {
    let app = axum::Router::new()
        .route("/greet", axum::routing::get(greet))
        .route("/orders", axum::routing::get(create_order))
        .with_state(auth());
    paseto_tests::send(&app, "/greet", &[])
        .await
        .assert_ok("hello");
    let token = auth().access_token("alice").issue().unwrap();
    let reply = paseto_tests::send_token(&app, "/orders", &token).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let json = serde_json::to_value(Doc::openapi()).unwrap();
    let greet = &json["paths"]["/greet"]["get"];
    assert_eq!(greet["security"], json!([{}, { "paseto": [] }]));
    let orders = &json["paths"]["/orders"]["post"];
    assert_eq!(
        orders["security"],
        json!([{ "paseto": ["orders:write"] }, { "api_key": [] }])
    );
    assert_eq!(orders["responses"]["401"]["description"], "Log in first");
    assert!(orders["responses"]["403"].is_object(), "{orders}");
}

/// `admin` / `admin` logs in with the `admin` scope; `test` does not have it.
#[tokio::test]
async fn the_admin_route_requires_the_admin_scope() {
    let app = App::start(auth()).await;
    let login = |user: &str| {
        app.client
            .post(format!("http://{}/login", app.addr))
            .json(&json!({ "username": user, "password": user }))
    };
    let (status, _, body) = read(login("admin")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (admin_access, admin_refresh) = paseto_tests::pair(&body);
    let answer = app.get("/admin", &admin_access).await;
    assert_eq!(
        (answer.0, answer.2),
        (StatusCode::OK, json!({ "user": "admin" }))
    );
    // A refreshed access token keeps the scope.
    let refreshed = app.post("/refresh", &admin_refresh, None).await;
    let access = refreshed.2["access_token"].as_str().unwrap();
    assert_eq!(app.get("/admin", access).await.0, StatusCode::OK);

    let (test_access, _) = app.login().await;
    let answer = app.get("/admin", &test_access).await;
    assert_eq!(answer.0, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.1.as_deref(),
        Some(r#"Bearer error="insufficient_scope", scope="admin""#)
    );
    assert_eq!(answer.2, json!({ "detail": "Insufficient scope" }));
    let (status, _, _) = read(
        app.client
            .post(format!("http://{}/login", app.addr))
            .json(&json!({ "username": "admin", "password": "test" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
