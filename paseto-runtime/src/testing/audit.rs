//! The audit: every route of a router refuses a request without a token and a
//! token of the wrong kind, unless it is public on purpose.

use std::convert::Infallible;
use std::fmt;

use axum_core::body::Body;
use axum_core::response::Response;
use http::header::{CONNECTION, CONTENT_TYPE, COOKIE, UPGRADE};
use http::{Method, Request, StatusCode};
use tower_service::Service;

use crate::auth::PasetoAuth;
use crate::describe::Guard;
use crate::issue::IssueError;
use crate::kind::REFRESH;
use crate::routes::{self, FALLBACK, Requirement, RouteTable, TableError, refusal, send};
use crate::settings::{Settings, TokenSource};

/// Audits `router`: sends each of its [routes](crate::routes) a request
/// without a token, then a token of the wrong kind, issued by `auth`: an
/// access token to a refresh guard, a refresh token to any other guard, where
/// the guard reads tokens, and to a route that checks tokens by its own code,
/// in the header. Each must answer 401 or 403 (for gRPC, `grpc-status` 16 or
/// 7), unless the route is public on purpose (`#[public]`,
/// [`PublicLayer`](crate::layer::PublicLayer)). The handler's own optional
/// guard lets the request without a token through, but not the wrong token (a
/// pass-through `RequireLayer` alone lets nothing through: it says nothing of
/// the handler); an introspection endpoint may answer 404 while no clients are
/// configured, and the application's fallback 404 to anything. Path
/// parameters get a digit (`1`, or the first that reaches no other route): a
/// guard runs before the path is parsed, as the attributes place it.
///
/// ```
/// use axum::{Router, routing::get};
/// use paseto_runtime::{Claims, paseto_required, testing};
///
/// #[paseto_required]
/// async fn me(claims: Claims) -> String {
///     claims.subject().to_owned()
/// }
///
/// async fn forgotten() -> &'static str {
///     "anyone gets this"
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let auth = testing::auth();
/// let app: Router = Router::new()
///     .route("/me", get(me))
///     .route("/export", get(forgotten))
///     .with_state(auth.clone());
/// let failure = testing::audit(&app, &auth).await.unwrap_err();
/// assert_eq!(
///     failure.to_string(),
///     "1 route failed the audit:\n  \
///      GET /export answered 200 to a request without a token: guard it, or mark it public"
/// );
/// # }
/// ```
///
/// # Errors
///
/// [`AuditError::Findings`] naming each offending route;
/// [`AuditError::Routes`] when `router` is not an axum 0.8 `Router`;
/// [`AuditError::Issue`] when `auth` cannot issue tokens (a service that only
/// verifies: audit it with the issuer's configuration).
pub async fn audit<R>(router: &R, auth: &PasetoAuth) -> Result<RouteTable, AuditError>
where
    R: fmt::Debug + Clone + Service<Request<Body>, Response = Response, Error = Infallible>,
{
    let table = routes::table(router).await.map_err(AuditError::Routes)?;
    let access = auth
        .access_token("paseto-audit")
        .issue()
        .map_err(AuditError::Issue)?;
    let refresh = auth
        .refresh_token("paseto-audit")
        .issue()
        .map_err(AuditError::Issue)?;
    let mut findings = Vec::new();
    for route in table.routes() {
        let finding = |problem| Finding {
            method: route.method.clone(),
            path: route.path.clone(),
            problem,
        };
        let guards = match &route.requirement {
            Requirement::Public => continue,
            Requirement::PublicAndGuarded(_) => {
                findings.push(finding(Problem::PublicAndGuarded));
                continue;
            }
            Requirement::ClientCredentials if route.anonymous == StatusCode::NOT_FOUND => continue,
            // Nothing found is nothing served.
            _ if route.path == FALLBACK && route.anonymous == StatusCode::NOT_FOUND => continue,
            Requirement::Token(guards) => guards.as_slice(),
            Requirement::ClientCredentials | Requirement::Unmarked => &[],
        };
        // An optional guard of the handler's own says anonymous requests are
        // welcome; a pass-through layer alone says nothing of the handler.
        let anonymous_allowed =
            guards.iter().all(|guard| guard.optional) && guards.iter().any(|guard| !guard.layer);
        if !anonymous_allowed && !route.refused {
            findings.push(finding(Problem::Open(route.anonymous)));
            continue;
        }
        if route.requirement == Requirement::ClientCredentials {
            continue;
        }
        // The guard a token must pass; a route that guards itself by its own
        // code gets a refresh token in the header.
        let guard = guards
            .iter()
            .find(|guard| !guard.optional)
            .or(guards.first());
        let (sent, token) = match guard {
            Some(guard) if guard.token_type == REFRESH => ("access", &access),
            _ => ("refresh", &refresh),
        };
        let request = carrying(&auth.settings, guard, &route.method, &route.probe, token)
            .map_err(|_| AuditError::Routes(TableError::Unreachable(route.path.clone())))?;
        let response = send(router, request).await;
        if !refusal(&response) {
            let status = response.status();
            findings.push(finding(Problem::WrongKind { sent, status }));
        }
    }
    if findings.is_empty() {
        Ok(table)
    } else {
        Err(AuditError::Findings(findings))
    }
}

/// A request to `uri` with `token` where `guard` reads first, else in the header.
fn carrying(
    settings: &Settings,
    guard: Option<&Guard>,
    method: &Method,
    uri: &str,
    token: &str,
) -> Result<Request<Body>, http::Error> {
    let options = &settings.options;
    let scheme = |scheme: &str| {
        if scheme.is_empty() {
            token.to_owned()
        } else {
            format!("{scheme} {token}")
        }
    };
    let request = Request::builder().method(method.clone());
    let refresh = guard.is_some_and(|guard| guard.token_type == REFRESH);
    let first = guard.and_then(|guard| guard.sources.first());
    let body = (guard.and_then(|guard| guard.body.as_deref()))
        .filter(|_| first == Some(&TokenSource::JsonBody));
    match (first, body) {
        (Some(TokenSource::Cookie), _) => {
            let name = if refresh {
                &options.refresh_cookie
            } else {
                &options.access_cookie
            };
            let request = request.uri(uri).header(COOKIE, format!("{name}={token}"));
            request.body(Body::empty())
        }
        (_, Some(keys)) => {
            let key = if refresh { &keys.refresh } else { &keys.access };
            let body = serde_json::json!({ &**key: token }).to_string();
            let request = request.uri(uri).header(CONTENT_TYPE, "application/json");
            request.body(Body::from(body))
        }
        (Some(TokenSource::Query), _) => {
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair(
                    &options.websocket_query_key,
                    &scheme(&options.websocket_query_scheme),
                )
                .finish();
            let request = request.uri(format!("{uri}?{query}"));
            let request = request
                .header(CONNECTION, "upgrade")
                .header(UPGRADE, "websocket");
            request.body(Body::empty())
        }
        _ => {
            let value = scheme(&options.scheme);
            let request = request.uri(uri).header(&settings.header.name, value);
            request.body(Body::empty())
        }
    }
}

/// Why an audit failed.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// Routes that let through what they should refuse.
    #[error("{}", Listing(.0))]
    Findings(Vec<Finding>),
    /// The router's routes could not be listed.
    #[error(transparent)]
    Routes(TableError),
    /// The configuration could not issue the wrong-kind tokens.
    #[error("the audit's tokens could not be issued: {0}")]
    Issue(IssueError),
}

/// Shown as its message, so a test's `unwrap()` prints the offending routes.
impl fmt::Debug for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// One route that failed the audit.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// The method.
    pub method: Method,
    /// The path, as the router was given it.
    pub path: String,
    /// What the route did.
    pub problem: Problem,
}

/// What a route did that it should not have.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// It answered a request without a token with this status, not 401 or 403.
    Open(StatusCode),
    /// It answered a token of the wrong kind with this status, not 401 or 403.
    WrongKind {
        /// The kind sent: `access` or `refresh`.
        sent: &'static str,
        /// The answer.
        status: StatusCode,
    },
    /// It is marked public and guarded.
    PublicAndGuarded,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.method, self.path)?;
        match &self.problem {
            Problem::Open(status) => write!(
                f,
                "answered {} to a request without a token: guard it, or mark it public",
                status.as_u16()
            ),
            Problem::WrongKind { sent, status } => {
                let article = if *sent == "access" { "an" } else { "a" };
                write!(f, "answered {} to {article} {sent} token", status.as_u16())?;
                write!(f, ", the wrong kind: its guard must refuse it")
            }
            Problem::PublicAndGuarded => {
                write!(
                    f,
                    "is marked public and guarded: remove the mark, or the guard"
                )
            }
        }
    }
}

/// The findings, one a line, under a count.
struct Listing<'a>(&'a [Finding]);

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        let routes = if count == 1 { "route" } else { "routes" };
        write!(f, "{count} {routes} failed the audit:")?;
        for finding in self.0 {
            write!(f, "\n  {finding}")?;
        }
        Ok(())
    }
}
