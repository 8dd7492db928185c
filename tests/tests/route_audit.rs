//! The route table and the audit: every route guarded or public on purpose,
//! as a reviewer and a test suite see them.

#![allow(clippy::unused_async, reason = "axum handlers are async functions")]

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header::AUTHORIZATION};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use paseto_runtime::layer::PublicLayer;
use paseto_runtime::routes::{self, Requirement};
use paseto_runtime::testing::{self, AuditError, Problem};
use paseto_runtime::{Access, Claims, PasetoAuth, fresh_paseto_required, paseto_required, public};

#[paseto_required]
async fn me(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[fresh_paseto_required(scopes = ["admin"])]
async fn admin(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[paseto_required(refresh)]
async fn refresh(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[paseto_required(optional)]
async fn greet(claims: Option<Claims>) -> String {
    claims.map_or_else(|| "stranger".to_owned(), |c| c.subject().to_owned())
}

fn not_mallory(claims: &Claims) -> bool {
    claims.subject() != "mallory"
}

#[paseto_required(check = not_mallory, scopes = ["orders:read"])]
async fn orders(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[public]
async fn health() -> &'static str {
    "ok"
}

#[public]
async fn item(axum::extract::Path(id): axum::extract::Path<u32>) -> String {
    id.to_string()
}

/// An export someone forgot to guard.
async fn export() -> &'static str {
    "every customer's data"
}

/// The export, guarded.
#[paseto_required]
async fn guarded_export(_claims: Claims) -> &'static str {
    "every customer's data"
}

/// An export that is public on purpose.
#[public]
async fn public_export() -> &'static str {
    "the public catalogue"
}

/// A route that checks tokens by its own code, and forgets their kind.
async fn sloppy(headers: HeaderMap) -> StatusCode {
    match headers.get(AUTHORIZATION) {
        Some(value) if value.as_bytes().starts_with(b"Bearer v4.") => StatusCode::OK,
        _ => StatusCode::UNAUTHORIZED,
    }
}

/// The routes every test starts from: guarded or public, all of them.
fn guarded(auth: &PasetoAuth) -> Router<PasetoAuth> {
    Router::new()
        .route("/me", get(me).delete(me))
        .route("/admin", get(admin))
        .route("/greet", get(greet))
        .route("/orders", get(orders))
        .route("/items/{id}", get(item))
        .route("/health", get(health))
        .merge(
            Router::new()
                .route("/refresh", post(refresh))
                .route_layer(auth.json_body_layer()),
        )
        .merge(
            Router::new()
                .route("/robots.txt", get(|| async { "User-agent: *\n" }))
                .route_layer(PublicLayer),
        )
        .merge(
            Router::new()
                .route("/reports", get(|| async { "reports" }))
                .route_layer(auth.require::<Access>()),
        )
}

#[tokio::test]
async fn the_table_lists_each_method_and_path_with_what_it_requires() {
    let auth = testing::builder().cookie_tokens(true).build().unwrap();
    let app = guarded(&auth).with_state(auth.clone());
    let table = routes::table(&app).await.unwrap();
    assert_eq!(
        table.to_string(),
        "\
| method | path | requires | scopes | check | sources | CSRF |
|---|---|---|---|---|---|---|
| GET | `/admin` | fresh access | admin |  | header, cookie |  |
| GET | `/greet` | optional access |  |  | header, cookie |  |
| GET | `/health` | public |  |  |  |  |
| GET | `/items/{id}` | public |  |  |  |  |
| GET | `/me` | access |  |  | header, cookie |  |
| DELETE | `/me` | access |  |  | header, cookie | yes |
| GET | `/orders` | access | orders:read | yes | header, cookie |  |
| POST | `/refresh` | refresh |  |  | header, JSON body, cookie | yes |
| GET | `/reports` | access |  |  | header, cookie |  |
| GET | `/robots.txt` | public |  |  |  |  |
"
    );
    let refresh = &table.routes()[7];
    assert_eq!(
        (refresh.method.as_str(), refresh.path.as_str()),
        ("POST", "/refresh")
    );
    assert_eq!(refresh.anonymous, StatusCode::UNAUTHORIZED);
    let json = serde_json::to_value(&table).unwrap();
    assert_eq!(
        json[7],
        serde_json::json!({
            "method": "POST",
            "path": "/refresh",
            "requires": "token",
            "guards": [{
                "token_type": "refresh",
                "fresh": false,
                "optional": false,
                "layer": false,
                "scopes": [],
                "check": false,
                "sources": ["header", "json_body", "cookie"],
                "csrf": true,
            }],
            "anonymous": 401,
        })
    );
    assert_eq!(
        json[2],
        serde_json::json!({"method": "GET", "path": "/health", "requires": "public", "anonymous": 200})
    );
}

#[tokio::test]
async fn the_audit_passes_a_router_whose_routes_are_all_guarded_or_public() {
    let auth = testing::auth();
    let app = guarded(&auth).with_state(auth.clone());
    let table = testing::audit(&app, &auth).await.unwrap();
    assert_eq!(table.routes().len(), 10);
}

#[tokio::test]
async fn the_audit_names_a_forgotten_route_and_passes_once_it_is_guarded_or_public() {
    let auth = testing::auth();
    let forgotten = guarded(&auth)
        .route("/export", get(export))
        .route("/exports/{id}", post(export))
        .with_state(auth.clone());
    let failure = testing::audit(&forgotten, &auth).await.unwrap_err();
    assert_eq!(
        failure.to_string(),
        "2 routes failed the audit:\n  \
         GET /export answered 200 to a request without a token: guard it, or mark it public\n  \
         POST /exports/{id} answered 200 to a request without a token: guard it, or mark it public"
    );
    let AuditError::Findings(findings) = failure else {
        panic!("findings expected");
    };
    assert_eq!(findings[0].problem, Problem::Open(StatusCode::OK));
    let fixed = guarded(&auth)
        .route("/export", get(guarded_export))
        .route("/exports/{id}", post(public_export))
        .with_state(auth.clone());
    testing::audit(&fixed, &auth).await.unwrap();
    let layered = guarded(&auth)
        .merge(
            Router::new()
                .route("/export", get(export))
                .route_layer(PublicLayer),
        )
        .with_state(auth.clone());
    testing::audit(&layered, &auth).await.unwrap();
}

#[tokio::test]
async fn the_audit_sends_a_refresh_token_where_only_access_tokens_belong() {
    let auth = testing::auth();
    let app = guarded(&auth)
        .route("/sloppy", get(sloppy))
        .with_state(auth.clone());
    let failure = testing::audit(&app, &auth).await.unwrap_err();
    assert_eq!(
        failure.to_string(),
        "1 route failed the audit:\n  \
         GET /sloppy answered 200 to a refresh token, the wrong kind: its guard must refuse it"
    );
}

#[tokio::test]
async fn public_and_guarded_is_a_finding() {
    let auth = testing::auth();
    let app = guarded(&auth)
        .merge(
            Router::new()
                .route("/account", get(me))
                .route_layer(PublicLayer),
        )
        .with_state(auth.clone());
    let table = routes::table(&app).await.unwrap();
    let account = table
        .routes()
        .iter()
        .find(|route| route.path == "/account")
        .unwrap();
    assert!(matches!(
        account.requirement,
        Requirement::PublicAndGuarded(_)
    ));
    let failure = testing::audit(&app, &auth).await.unwrap_err();
    assert_eq!(
        failure.to_string(),
        "1 route failed the audit:\n  \
         GET /account is marked public and guarded: remove the mark, or the guard"
    );
}

/// The audit's findings, one a line.
async fn findings(app: &Router, auth: &PasetoAuth) -> Vec<String> {
    match testing::audit(app, auth).await {
        Ok(_) => Vec::new(),
        Err(AuditError::Findings(findings)) => findings.iter().map(ToString::to_string).collect(),
        Err(other) => panic!("{other}"),
    }
}

#[tokio::test]
async fn a_pass_through_layer_does_not_open_the_handlers_beneath_it() {
    let auth = testing::auth();
    let app = Router::new()
        .route("/export", get(export))
        .route("/me", get(me))
        .route_layer(auth.require::<Access>().pass_through(true))
        .with_state(auth.clone());
    assert_eq!(
        findings(&app, &auth).await,
        ["GET /export answered 200 to a request without a token: guard it, or mark it public"]
    );
}

#[tokio::test]
async fn a_fallback_is_audited_and_may_answer_404() {
    let auth = testing::auth();
    let open = guarded(&auth).fallback(export).with_state(auth.clone());
    let found = findings(&open, &auth).await;
    assert_eq!(found.len(), 5, "{found:?}");
    assert_eq!(
        found[0],
        "GET (fallback) answered 200 to a request without a token: guard it, or mark it public"
    );
    let not_found = guarded(&auth)
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(auth.clone());
    assert_eq!(findings(&not_found, &auth).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_route_is_probed_where_no_sibling_route_answers_for_it() {
    let auth = testing::auth();
    // A literal route beside a parameter: each probe must reach its own route.
    let app = Router::new()
        .route("/files/{name}", get(me))
        .route("/files/{{latest}}", get(export))
        .route("/items/1", get(me))
        .route("/items/{id}", get(export))
        .with_state(auth.clone());
    assert_eq!(
        findings(&app, &auth).await,
        [
            "GET /files/{{latest}} answered 200 to a request without a token: guard it, or mark it public",
            "GET /items/{id} answered 200 to a request without a token: guard it, or mark it public",
        ]
    );
}

#[tokio::test]
async fn head_is_listed_where_it_answers_otherwise_than_get() {
    let auth = testing::auth();
    let app = Router::new()
        .route("/me", get(me).head(export))
        .route("/other", get(me))
        .with_state(auth.clone());
    let table = routes::table(&app).await.unwrap();
    let rows: Vec<String> = (table.routes().iter())
        .map(|route| format!("{} {}", route.method, route.path))
        .collect();
    assert_eq!(rows, ["GET /me", "HEAD /me", "GET /other"]);
    assert_eq!(
        findings(&app, &auth).await,
        ["HEAD /me answered 200 to a request without a token: guard it, or mark it public"]
    );
}

/// A service whose `Debug` output is not a router's.
#[derive(Clone, Debug)]
struct NotARouter;

impl tower::Service<axum::extract::Request> for NotARouter {
    type Response = axum::response::Response;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: axum::extract::Request) -> Self::Future {
        std::future::ready(Ok(StatusCode::OK.into_response()))
    }
}

#[tokio::test]
async fn nested_routers_and_services_are_listed_under_their_full_paths() {
    let auth = testing::auth();
    let files = tower::service_fn(|_: axum::extract::Request| async {
        Ok::<_, Infallible>(StatusCode::OK.into_response())
    });
    let app = Router::new()
        .nest("/api", Router::new().route("/me", get(me)))
        .nest_service("/static", tower::Layer::layer(&PublicLayer, files))
        .with_state(auth.clone());
    let table = routes::table(&app).await.unwrap();
    let rows: Vec<(&str, &str, bool)> = (table.routes().iter())
        .map(|route| {
            let public = route.requirement == Requirement::Public;
            (route.method.as_str(), route.path.as_str(), public)
        })
        .collect();
    let mut expected = vec![("GET", "/api/me", false)];
    for path in ["/static", "/static/", "/static/{*rest}"] {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            expected.push((method, path, true));
        }
    }
    assert_eq!(rows, expected);
    testing::audit(&app, &auth).await.unwrap();
}

#[tokio::test]
async fn a_service_that_is_not_a_router_is_refused_not_listed_empty() {
    assert_eq!(
        routes::table(&NotARouter).await.unwrap_err().to_string(),
        "the router's routes could not be read: its `Debug` output is not axum 0.8's `Router`"
    );
    let empty: Router = Router::new();
    assert!(routes::table(&empty).await.unwrap().routes().is_empty());
}
