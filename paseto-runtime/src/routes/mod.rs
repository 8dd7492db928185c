//! Every route of a router with what it requires, for reviews, tests and
//! tools: [`table`] lists them, as data ([`RouteTable::routes`], or JSON
//! through `serde`) and as a readable table (`Display`, in Markdown).
//!
//! ```
//! use axum::{Router, routing::get};
//! use paseto_runtime::{Claims, PasetoAuth, keys::LocalKey, paseto_required, public};
//! use paseto_runtime::routes::{self, Requirement};
//!
//! #[paseto_required]
//! async fn me(claims: Claims) -> String {
//!     claims.subject().to_owned()
//! }
//!
//! #[public]
//! async fn health() -> &'static str {
//!     "ok"
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?;
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .route("/health", get(health))
//!     .with_state(auth);
//! let table = routes::table(&app).await?;
//! assert_eq!(table.routes()[0].path, "/health");
//! assert_eq!(table.routes()[0].requirement, Requirement::Public);
//! println!("{table}");
//! # Ok(()) }
//! ```
//!
//! Each route says what it requires to a request that asks, which only code
//! in the same process can send: `table` sends every route, for each method
//! it serves, a request without a token. Guarded routes refuse it before
//! their handler runs; the handlers of public and unmarked routes run, as for
//! any anonymous client. The methods of a route come from axum's `Allow`
//! header; the paths from the router's `Debug` output, since axum has no
//! other listing: an unknown output is [`TableError::UnknownRouter`], never
//! an empty table.

mod paths;
mod render;

#[cfg(feature = "testing")]
pub(crate) use paths::placeholder;

use std::convert::Infallible;
use std::fmt;
use std::future::poll_fn;

use axum_core::body::Body;
use axum_core::response::Response;
use http::header::ALLOW;
use http::{Method, Request, StatusCode};
use serde::{Serialize, Serializer};
use tower_service::Service;

pub use crate::describe::Guard;
use crate::describe::{Describe, Mark, MethodProbe};

/// The methods probed on a route that does not list its own in an `Allow` header.
const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// A router's routes, one per method and path, by path then method.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    /// The routes, by path then method.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }
}

/// One method on one path, and what it requires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Route {
    /// The method.
    #[serde(serialize_with = "as_str")]
    pub method: Method,
    /// The path as the router was given it (`/sessions/{id}`).
    pub path: String,
    /// What a request must carry.
    #[serde(flatten)]
    pub requirement: Requirement,
    /// The status a request without a token got.
    #[serde(serialize_with = "as_code")]
    pub anonymous: StatusCode,
}

/// What a route requires of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "requires", content = "guards", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Requirement {
    /// Nothing, on purpose: `#[public]` or [`PublicLayer`](crate::layer::PublicLayer).
    Public,
    /// A token, for each guard on the way (a layer, then the handler's own).
    Token(Vec<Guard>),
    /// HTTP Basic client credentials: an introspection or revocation endpoint.
    ClientCredentials,
    /// Nothing, and nothing says it is on purpose: a route to guard or mark public.
    Unmarked,
    /// Marked public, yet guarded: one of the two is a mistake.
    PublicAndGuarded(Vec<Guard>),
}

/// Why a router's routes could not be listed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// The router's `Debug` output is not the one of axum 0.8's `Router`.
    #[error("the router's routes could not be read: its `Debug` output is not axum 0.8's `Router`")]
    UnknownRouter,
}

/// Lists the routes of `router` (an axum `Router` with its state given) with
/// what each requires; see the [module](self).
///
/// # Errors
///
/// [`TableError::UnknownRouter`] when `router` is not an axum 0.8 `Router`.
pub async fn table<R>(router: &R) -> Result<RouteTable, TableError>
where
    R: fmt::Debug + Clone + Service<Request<Body>, Response = Response, Error = Infallible>,
{
    let mut rows = Vec::new();
    for path in paths::of(router).ok_or(TableError::UnknownRouter)? {
        let uri = paths::placeholder(&path);
        for method in methods(router, &uri).await {
            let describe = Describe::default();
            let mut request = Request::builder().method(method.clone()).uri(&uri);
            if let Some(extensions) = request.extensions_mut() {
                extensions.insert(describe.clone());
            }
            let Ok(request) = request.body(Body::empty()) else {
                continue;
            };
            let anonymous = send(router, request).await.status();
            let marks = describe.marks();
            if anonymous == StatusCode::METHOD_NOT_ALLOWED && marks.is_empty() {
                continue;
            }
            rows.push(Route {
                method,
                path: paths::shown(&path),
                requirement: requirement(marks),
                anonymous,
            });
        }
    }
    rows.sort_by(|a, b| (&a.path, rank(&a.method)).cmp(&(&b.path, rank(&b.method))));
    Ok(RouteTable { routes: rows })
}

/// The methods a route at `uri` serves: those of its `Allow` header, which
/// axum sends for a method it does not serve (a [`RequireLayer`] lets this
/// request through to it), else all of [`METHODS`] (for a service that takes
/// any method, or a layer of the application's that answers first).
///
/// [`RequireLayer`]: crate::layer::RequireLayer
async fn methods<R>(router: &R, uri: &str) -> Vec<Method>
where
    R: Clone + Service<Request<Body>, Response = Response, Error = Infallible>,
{
    let unknown = Method::from_bytes(b"PASETO-ROUTES");
    let request =
        unknown.map(|method| (Request::builder().method(method).uri(uri)).extension(MethodProbe));
    let Ok(Ok(request)) = request.map(|request| request.body(Body::empty())) else {
        return METHODS.to_vec();
    };
    let response = send(router, request).await;
    let allowed = (response.status() == StatusCode::METHOD_NOT_ALLOWED)
        .then(|| response.headers().get(ALLOW)?.to_str().ok())
        .flatten();
    match allowed {
        Some(allowed) => (allowed.split(','))
            .filter_map(|method| Method::from_bytes(method.trim().as_bytes()).ok())
            .filter(|method| *method != Method::HEAD)
            .collect(),
        None => METHODS.to_vec(),
    }
}

/// The requirement the `marks` of one request add up to.
fn requirement(marks: Vec<Mark>) -> Requirement {
    let mut public = false;
    let mut client = false;
    let mut guards = Vec::new();
    for mark in marks {
        match mark {
            Mark::Public => public = true,
            Mark::Client => client = true,
            Mark::Guard(guard) => guards.push(guard),
            Mark::Body(_) => {}
        }
    }
    match (public, client, guards.is_empty()) {
        (true, false, true) => Requirement::Public,
        (true, _, _) => Requirement::PublicAndGuarded(guards),
        (false, _, false) => Requirement::Token(guards),
        (false, true, true) => Requirement::ClientCredentials,
        (false, false, true) => Requirement::Unmarked,
    }
}

/// Sends `request` through a clone of `router`.
pub(crate) async fn send<R>(router: &R, request: Request<Body>) -> Response
where
    R: Clone + Service<Request<Body>, Response = Response, Error = Infallible>,
{
    let mut service = router.clone();
    let Ok(()) = poll_fn(|cx| service.poll_ready(cx)).await;
    let Ok(response) = service.call(request).await;
    response
}

/// The order of methods in the table: the common ones first, in [`METHODS`]' order.
fn rank(method: &Method) -> (usize, &str) {
    let index = METHODS.iter().position(|known| known == method);
    (index.unwrap_or(METHODS.len()), method.as_str())
}

fn as_str<S: Serializer>(method: &Method, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's `serialize_with` passes a reference"
)]
fn as_code<S: Serializer>(status: &StatusCode, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u16(status.as_u16())
}
