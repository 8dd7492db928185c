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
//! their handler runs; the handlers of public, optional and unmarked routes
//! run, as for any anonymous client. What is listed:
//!
//! - every path of the router, nested routers' under their full path, read
//!   from its `Debug` output since axum has no other listing (an unknown
//!   output is [`TableError::UnknownRouter`], never an empty table); path
//!   parameters get a digit that reaches no other route;
//! - the methods of each path from axum's `Allow` header, asked with a method
//!   no route serves (a [`RequireLayer`](crate::layer::RequireLayer) lets that
//!   request through: beneath it, a handler or service that takes any method
//!   and relies on the layer alone runs, with no claims); a path that takes
//!   any method (a service, `any`) for GET, POST, PUT, PATCH and DELETE;
//!   HEAD where it answers otherwise than GET;
//! - the application's fallback, as [`FALLBACK`], for those five methods.
//!
//! A service nested with `nest_service` is one route however it routes inside.

mod paths;
mod render;

use std::convert::Infallible;
use std::fmt;
use std::future::poll_fn;

use axum_core::body::Body;
use axum_core::response::Response;
use http::header::ALLOW;
use http::{HeaderValue, Method, Request, StatusCode};
use serde::{Serialize, Serializer};
use tower_service::Service;

pub use crate::describe::Guard;
use crate::describe::{Describe, Mark, MethodProbe};
use crate::settings::TokenSource;

/// The path the table shows for the router's fallback.
pub const FALLBACK: &str = "(fallback)";

/// A path no route matches, for the fallback.
const UNMATCHED: &str = "/paseto-routes/unmatched";

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
    /// The request path that reached it.
    #[serde(skip)]
    pub(crate) probe: String,
    /// Whether the answer without a token was a refusal (see [`refusal`]).
    #[serde(skip)]
    pub(crate) refused: bool,
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

impl Requirement {
    /// The requirement without what depends on the method alone: the
    /// WebSocket query source (GET and CONNECT) and CSRF (the configured methods).
    fn methodless(&self) -> Self {
        let strip = |guards: &[Guard]| -> Vec<Guard> {
            let mut guards = guards.to_vec();
            for guard in &mut guards {
                guard.sources.retain(|source| *source != TokenSource::Query);
                guard.csrf = false;
            }
            guards
        };
        match self {
            Self::Token(guards) => Self::Token(strip(guards)),
            Self::PublicAndGuarded(guards) => Self::PublicAndGuarded(strip(guards)),
            other => other.clone(),
        }
    }
}

/// Why a router's routes could not be listed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// The router's `Debug` output is not the one of axum 0.8's `Router`.
    #[error("the router's routes could not be read: its `Debug` output is not axum 0.8's `Router`")]
    UnknownRouter,
    /// No request path reaches this route apart from the router's others.
    #[error("no request reaches the route `{0}` apart from the router's other routes")]
    Unreachable(String),
}

/// Lists the routes of `router` (an axum `Router` with its state given) with
/// what each requires; see the [module](self).
///
/// # Errors
///
/// [`TableError::UnknownRouter`] when `router` is not an axum 0.8 `Router`;
/// [`TableError::Unreachable`] for a path no request can reach apart from the others.
pub async fn table<R>(router: &R) -> Result<RouteTable, TableError>
where
    R: fmt::Debug + Clone + Service<Request<Body>, Response = Response, Error = Infallible>,
{
    let listing = paths::of(router).ok_or(TableError::UnknownRouter)?;
    let mut rows = Vec::new();
    for path in &listing.paths {
        let unreachable = || TableError::Unreachable(paths::shown(path));
        let uri = paths::probe(path, &listing.paths).ok_or_else(unreachable)?;
        let methods = methods(router, &uri).await;
        let mut get = None;
        for method in &methods {
            let route = row(router, method, paths::shown(path), &uri).await?;
            if *method == Method::GET {
                get = Some((route.requirement.methodless(), route.anonymous));
            }
            rows.extend(route.served());
        }
        // HEAD, which axum answers with GET's handler unless a route has its
        // own: listed when it answers otherwise.
        if let Some(get) = get {
            let head = row(router, &Method::HEAD, paths::shown(path), &uri).await?;
            if (head.requirement.methodless(), head.anonymous) != get {
                rows.extend(head.served());
            }
        }
    }
    if listing.fallback {
        for method in &METHODS {
            let route = row(router, method, FALLBACK.to_owned(), UNMATCHED).await?;
            rows.extend(route.served());
        }
    }
    rows.sort_by(|a, b| (&a.path, rank(&a.method)).cmp(&(&b.path, rank(&b.method))));
    Ok(RouteTable { routes: rows })
}

/// What the route at `uri` answers a described request with `method` and no token.
async fn row<R>(router: &R, method: &Method, path: String, uri: &str) -> Result<Route, TableError>
where
    R: Clone + Service<Request<Body>, Response = Response, Error = Infallible>,
{
    let describe = Describe::default();
    let request = Request::builder().method(method.clone()).uri(uri);
    let request = request.extension(describe.clone()).body(Body::empty());
    let request = request.map_err(|_| TableError::Unreachable(path.clone()))?;
    let response = send(router, request).await;
    Ok(Route {
        method: method.clone(),
        path,
        requirement: requirement(describe.marks()),
        anonymous: response.status(),
        probe: uri.to_owned(),
        refused: refusal(&response),
    })
}

/// Whether `response` is a guard's refusal: 401 or 403, or for gRPC (which
/// answers 200) a `grpc-status` of 16, `UNAUTHENTICATED`, or 7, `PERMISSION_DENIED`.
pub(crate) fn refusal(response: &Response) -> bool {
    let status = response.status();
    let grpc = response
        .headers()
        .get("grpc-status")
        .map(HeaderValue::as_bytes);
    status == StatusCode::UNAUTHORIZED
        || status == StatusCode::FORBIDDEN
        || matches!(grpc, Some(b"16" | b"7"))
}

impl Route {
    /// The route, unless the method is not served: axum's 405, which nothing on
    /// the way marked.
    fn served(self) -> Option<Self> {
        let unserved = self.anonymous == StatusCode::METHOD_NOT_ALLOWED
            && self.requirement == Requirement::Unmarked;
        (!unserved).then_some(self)
    }
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
