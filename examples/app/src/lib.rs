//! fastapi-paseto's "Refresh Tokens" example, ported to axum: log in for an access
//! and a refresh token, exchange the refresh token for new access tokens, and
//! reach protected routes, one of them only with a fresh token. Beyond it: log out
//! (revocation), refresh-token rotation with reuse detection, and a WebSocket that
//! closes when its token expires or is revoked; an admin route that requires
//! the `admin` scope; the app's own users (`GET /me`, `DELETE /me`) and
//! sessions; its key set for services that only verify, token introspection
//! and revocation for other services; and the app's OpenAPI document, which
//! names the guards.
//!
//! Copy this crate to start: the handlers are what an application writes.

mod users;

use std::sync::OnceLock;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{FromRef, Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use paseto_runtime::{
    Claims, CurrentUser, Duration, IssueError, PasetoAuth, Refresh, RevokeError, TokenPair,
    config::PasetoAuthBuilder,
    cookies::SetCookies,
    fresh_paseto_required,
    introspection::TokenRequest,
    keyset::{KeySet, KeySetError, WELL_KNOWN_PATH},
    openapi::PasetoSecurity,
    paseto_required, public,
};
use serde::Deserialize;
use serde_json::{Value, json};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

/// The app's OpenAPI document: the routes a client calls, and the `paseto`
/// scheme the guarded ones require.
#[derive(OpenApi)]
#[openapi(
    paths(
        login, refresh, rotate, protected, protected_fresh, logout, logout_all, admin, me, delete_me,
        sessions, end_session, health
    ),
    modifiers(&PasetoSecurity)
)]
struct ApiDoc;

pub use users::{LoggedIn, User, Users};

/// What a failed start prints: the error, then each cause beneath it, as
/// sentences an operator can act on, never a `Debug` struct.
pub fn report(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// The router's state: the token configuration and the user store.
#[derive(Clone)]
pub struct AppState {
    auth: PasetoAuth,
    users: Users,
}

impl FromRef<AppState> for PasetoAuth {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl FromRef<AppState> for Users {
    fn from_ref(state: &AppState) -> Self {
        state.users.clone()
    }
}

/// Where this app's clients send tokens. Browsers cannot set headers on a
/// WebSocket: `/ws` also takes `?token=`; and the `/cookie/*` routes keep
/// tokens in `HttpOnly` cookies with CSRF checks, named `__Host-…` so that no
/// sibling subdomain can set or shadow them.
pub fn transport(config: PasetoAuthBuilder) -> PasetoAuthBuilder {
    config
        .websocket_query(true)
        .cookie_tokens(true)
        .cookie_host_prefix(true)
}

/// The routes, over `auth` and a user store of this process.
pub fn router(auth: PasetoAuth) -> Router {
    router_with(auth, Users::default())
}

/// The routes, over `auth` and `users`.
pub fn router_with(auth: PasetoAuth, users: Users) -> Router {
    // Counting starts with the first router, before its first request.
    let _ = prometheus();
    // These two also take the refresh token in a JSON body, {"refresh_token": "..."}.
    let refreshing = Router::new()
        .route("/refresh", post(refresh))
        .route("/rotate", post(rotate))
        .route_layer(auth.json_body_layer());
    Router::new()
        .route("/login", post(login))
        .route("/protected", get(protected))
        .route("/protected-fresh", get(protected_fresh))
        .route("/admin", get(admin))
        .route("/me", get(me).delete(delete_me))
        .route("/openapi.json", get(openapi))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/logout", post(logout))
        .route("/logout-all", post(logout_all))
        .route("/sessions", get(sessions))
        .route("/sessions/{id}", delete(end_session))
        .route("/ws", get(websocket))
        .route("/", get(page))
        .route(WELL_KNOWN_PATH, get(key_set))
        .route("/introspect", post(|request: TokenRequest| request.introspect()))
        .route("/revoke", post(|request: TokenRequest| request.revoke()))
        .route("/cookie/login", post(cookie_login))
        .route("/cookie/refresh", post(cookie_refresh))
        .route("/cookie/logout", post(cookie_logout))
        .merge(refreshing)
        // A browser's session slides: an access cookie within five minutes of its
        // expiry is renewed on the response of any request it authenticates.
        .layer(auth.sliding_session_layer(Duration::minutes(5)))
        // Requests are logged by method and path only: a WebSocket token may be in
        // the query string (RFC 6750 §2.3), and logs must not keep it.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(AppState { auth, users })
}

/// An error response in the shape every rejection of this app takes.
fn detail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "detail": message }))).into_response()
}

/// Checks the credentials and issues a fresh access token and a refresh token.
#[public]
#[utoipa::path(post, path = "/login", responses(
    (status = 200, description = "A fresh access token and a refresh token"),
    (status = 401, description = "Bad username or password"),
))]
async fn login(
    State(auth): State<PasetoAuth>,
    headers: HeaderMap,
    user: LoggedIn,
) -> Result<Json<TokenPair>, IssueError> {
    // A fresh access token (it comes from a credential check, not a refresh) and a
    // refresh token, in one family, the session: reusing a rotated refresh token
    // revokes both. Both carry the user's scopes, and so do the tokens refreshed
    // from them. The session keeps the client's `User-Agent`.
    let login = auth.login(&user.0).scopes(user.scopes()).headers(&headers);
    Ok(Json(login.tokens().await?))
}

/// Exchanges a refresh token for a new access token, which is not fresh. The
/// access token joins the refresh token's family, so revoking the family reaches
/// it. This endpoint does not rotate, so it gives up reuse detection: prefer
/// `/rotate`.
#[paseto_required(refresh)]
#[utoipa::path(post, path = "/refresh", responses(
    (status = 200, description = "A new access token, not fresh"),
))]
async fn refresh(
    claims: Claims,
    State(auth): State<PasetoAuth>,
) -> Result<Json<Value>, RevokeError> {
    let access_token = auth.refresh(&claims).await?;
    Ok(Json(json!({ "access_token": access_token })))
}

/// The process's Prometheus recorder, installed on first use; `None` when
/// another recorder was installed first.
fn prometheus() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
        .as_ref()
}

/// The counters in the Prometheus text format: rejections by kind
/// (`paseto_rejections_total`), security events by name, refresh reuse. A
/// real deployment keeps this route off the public listener.
#[public]
async fn metrics() -> Response {
    match prometheus() {
        Some(handle) => (
            [(CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => detail(StatusCode::SERVICE_UNAVAILABLE, "Metrics are unavailable"),
    }
}

/// An open route: no token needed.
#[public]
#[utoipa::path(get, path = "/health", responses((status = 200, description = "The app is up")))]
async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Any valid access token.
#[paseto_required]
#[utoipa::path(get, path = "/protected", responses((status = 200, description = "The user")))]
async fn protected(claims: Claims) -> Json<Value> {
    Json(json!({ "user": claims.subject() }))
}

/// Only a fresh access token: for high-risk operations.
#[fresh_paseto_required]
#[utoipa::path(get, path = "/protected-fresh", responses((status = 200, description = "The user")))]
async fn protected_fresh(claims: Claims) -> Json<Value> {
    Json(json!({ "user": claims.subject() }))
}

/// Only an access token granted the `admin` scope; others get 403
/// `insufficient_scope`.
#[paseto_required(scopes = ["admin"])]
#[utoipa::path(get, path = "/admin", responses((status = 200, description = "The administrator")))]
async fn admin(claims: Claims) -> Json<Value> {
    Json(json!({ "user": claims.subject() }))
}

/// The user the token names, from the app's user store.
#[paseto_required]
#[utoipa::path(get, path = "/me", responses((status = 200, description = "The user's name and display name")))]
async fn me(CurrentUser(user): CurrentUser<User>) -> Json<User> {
    Json(user)
}

/// Deletes the account, with a fresh token only: the user is gone from the
/// store, and every token of the account is revoked, on every instance.
#[fresh_paseto_required]
#[utoipa::path(delete, path = "/me", responses((status = 204, description = "The account is deleted")))]
async fn delete_me(
    claims: Claims,
    State(auth): State<PasetoAuth>,
    State(users): State<Users>,
) -> Result<StatusCode, Response> {
    if let Err(error) = users.remove(claims.subject()).await {
        tracing::error!(%error, "the user store is unavailable");
        return Err(detail(
            StatusCode::SERVICE_UNAVAILABLE,
            "User store is unavailable",
        ));
    }
    auth.revoke_subject(claims.subject())
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Logs the user out everywhere: every token of the account issued before now,
/// on every instance ("sign out of all devices", a password change). A login
/// after it works at once.
#[paseto_required]
#[utoipa::path(post, path = "/logout-all", responses((status = 204, description = "Every session of the user is ended")))]
async fn logout_all(
    claims: Claims,
    State(auth): State<PasetoAuth>,
) -> Result<StatusCode, RevokeError> {
    auth.revoke_subject(claims.subject()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's open sessions, oldest first: one per login, with the client
/// it came from; `current` marks the one of the token presented.
#[paseto_required]
#[utoipa::path(get, path = "/sessions", responses((status = 200, description = "The user's sessions")))]
async fn sessions(
    claims: Claims,
    State(auth): State<PasetoAuth>,
) -> Result<Json<Value>, RevokeError> {
    let sessions = auth.sessions(claims.subject()).await?;
    let listed: Vec<Value> = sessions
        .iter()
        .map(|session| {
            let mut shown = json!(session);
            shown["current"] = json!(session.id == claims.family_id());
            shown
        })
        .collect();
    Ok(Json(json!({ "sessions": listed })))
}

/// Ends one of the caller's sessions, on every instance: its access and
/// refresh tokens stop working. 404 for an id that is not one of the
/// caller's open sessions.
#[paseto_required]
#[utoipa::path(delete, path = "/sessions/{id}", params(
    ("id" = String, Path, description = "The session's id, as `GET /sessions` lists it"),
), responses(
    (status = 204, description = "The session is ended"),
    (status = 404, description = "The caller has no such session"),
))]
async fn end_session(
    claims: Claims,
    State(auth): State<PasetoAuth>,
    Path(id): Path<String>,
) -> Result<Response, RevokeError> {
    Ok(if auth.end_session(claims.subject(), &id).await? {
        StatusCode::NO_CONTENT.into_response()
    } else {
        detail(StatusCode::NOT_FOUND, "Session not found")
    })
}

/// The public keys of its tokens, for services that only verify them: with
/// `PASETO_PURPOSE=public`; a `v4.local` app has none to publish (404).
#[public]
async fn key_set(State(auth): State<PasetoAuth>) -> Result<KeySet, KeySetError> {
    auth.key_set()
}

/// The app's OpenAPI 3.1 document.
#[public]
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The optional body of `POST /logout`.
#[derive(Deserialize)]
struct Logout {
    refresh_token: Option<String>,
}

/// Revokes the presented access token, then the refresh token in the body if
/// any, and says which were revoked. A refresh token that cannot be revoked (it
/// is invalid, expired, or another user's) leaves the access token revoked and is
/// named under `not_revoked` with the reason.
#[paseto_required]
#[utoipa::path(post, path = "/logout", responses((status = 200, description = "What was revoked")))]
async fn logout(
    claims: Claims,
    State(auth): State<PasetoAuth>,
    body: Option<Json<Logout>>,
) -> Result<Json<Value>, RevokeError> {
    auth.revoke(&claims).await?;
    let Some(token) = body.and_then(|Json(body)| body.refresh_token) else {
        return Ok(Json(json!({ "revoked": ["access_token"] })));
    };
    let refresh = match auth.verify::<Refresh>(&token).await {
        Ok(refresh) if refresh.subject() == claims.subject() => refresh,
        Ok(_) => return Ok(not_revoked("The refresh token belongs to another user")),
        Err(error) => return Ok(not_revoked(&error.to_string())),
    };
    auth.revoke(&refresh).await?;
    Ok(Json(
        json!({ "revoked": ["access_token", "refresh_token"] }),
    ))
}

/// The answer of a logout whose refresh token could not be revoked.
fn not_revoked(reason: &str) -> Json<Value> {
    Json(json!({
        "revoked": ["access_token"],
        "not_revoked": { "refresh_token": reason },
    }))
}

/// Exchanges a refresh token for a new pair; the old one is spent, and presenting
/// it again revokes the whole family.
#[paseto_required(refresh)]
#[utoipa::path(post, path = "/rotate", responses(
    (status = 200, description = "A new pair; the refresh token presented is spent"),
))]
async fn rotate(
    claims: Claims,
    State(auth): State<PasetoAuth>,
) -> Result<Json<TokenPair>, RevokeError> {
    Ok(Json(auth.rotate(&claims).await?))
}

/// A WebSocket for any valid access token, in the `Authorization` header or, from
/// a browser, in `?token=`. The first frame is `{"user": "<sub>"}`; every text
/// frame after it comes back unchanged; when the token expires or is revoked the
/// socket closes with 1008 and the reason.
#[paseto_required]
async fn websocket(
    claims: Claims,
    State(auth): State<PasetoAuth>,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade.on_upgrade(move |socket| echo(socket, auth, claims))
}

/// Greets, then echoes text frames until the client leaves or the token ends.
async fn echo(mut socket: WebSocket, auth: PasetoAuth, claims: Claims) {
    let hello = json!({ "user": claims.subject() }).to_string();
    if socket.send(Message::Text(hello.into())).await.is_err() {
        return;
    }
    let invalid = auth.until_invalid(&claims);
    tokio::pin!(invalid);
    loop {
        tokio::select! {
            error = &mut invalid => {
                let frame = CloseFrame { code: close_code::POLICY, reason: error.to_string().into() };
                let _ = socket.send(Message::Close(Some(frame))).await;
                return;
            }
            message = socket.recv() => match message {
                Some(Ok(Message::Text(text))) => {
                    if socket.send(Message::Text(text)).await.is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
        }
    }
}

/// A browser login: the tokens go into `HttpOnly` cookies, their CSRF values into
/// cookies the page's script reads and sends back as `X-CSRF-TOKEN`.
#[public]
async fn cookie_login(
    State(auth): State<PasetoAuth>,
    headers: HeaderMap,
    LoggedIn(username): LoggedIn,
) -> Result<(SetCookies, Json<Value>), IssueError> {
    let cookies = auth.login(&username).headers(&headers).cookies().await?;
    Ok((cookies, Json(json!({ "login": true }))))
}

/// A browser refresh: the refresh cookie and its CSRF header buy a new access cookie.
#[paseto_required(refresh)]
async fn cookie_refresh(
    claims: Claims,
    State(auth): State<PasetoAuth>,
) -> Result<(SetCookies, Json<Value>), RevokeError> {
    let cookies = auth.refresh_cookies(&claims).await?;
    Ok((cookies, Json(json!({ "refresh": true }))))
}

/// A browser logout: revokes the session's tokens and clears the four cookies.
#[paseto_required]
async fn cookie_logout(
    claims: Claims,
    State(auth): State<PasetoAuth>,
) -> Result<(SetCookies, Json<Value>), RevokeError> {
    auth.revoke_family(&claims).await?;
    Ok((auth.clear_cookies(), Json(json!({ "logout": true }))))
}

/// The browser page: logs in with cookies, shows the user, refreshes, opens the
/// socket and logs out. One self-contained file: no CDN, no build step.
#[public]
async fn page() -> Html<&'static str> {
    Html(include_str!("page.html"))
}
