//! Attribute macros for [`paseto-runtime`](https://docs.rs/paseto-runtime): guard
//! axum handlers so they receive verified `Claims`, and name the requirement of
//! each gRPC method in the same words.
//!
//! Depend on `paseto-runtime`, which re-exports these attributes; the generated
//! code names everything through it.

mod args;
mod diag;
mod expand;
mod grpc;
mod handler;
mod openapi;
mod public;
mod rules;

use proc_macro::TokenStream;

use crate::args::Guard;

/// Requires a valid token before the handler runs, and hands it its claims.
///
/// The handler's `Claims` parameter (`Claims`, `Claims<MyClaims>` or a path
/// ending in `Claims`, with any pattern) receives the verified claims;
/// authentication runs before every other extractor, so an unauthenticated
/// request never has its body read. Without a `Claims` parameter the check still
/// runs. Only the parameter list changes: attributes, generics, the return type
/// and the body stay as written.
///
/// | form | accepts |
/// |---|---|
/// | `#[paseto_required]` | an access token, fresh or not |
/// | `#[paseto_required(refresh)]` | a refresh token |
/// | `#[paseto_required(optional)]` | an access token or none: take `Option<Claims>`; a bad token is still rejected |
/// | `#[paseto_required(token_type = "email-verify")]` | a token of that custom type |
/// | `#[paseto_required(token_type = "...", optional)]` | the same, or none |
/// | `scopes = ["orders:write", ...]` | with any but `refresh`: the token must also carry every scope listed, else 403 `insufficient_scope` |
/// | `check = path` | with any: `path(&claims, ..extractors)`, a `fn` or `async fn` taking the claims then up to four extractors (`State<Db>`, `Path<u64>`, headers), runs after verification; `false` is 403 `insufficient_scope`, `Err(e)` of a `Result<(), E: IntoResponse>` answers `e` (404, 403, any rejection) |
/// | `state = AppState` | any of the above; a router state without `PasetoAuth` is an error on this handler; needed by a check that takes `State<…>` |
/// | `crate = "path"` | any of the above, with `paseto-runtime` renamed |
///
/// `refresh` combines with neither `optional` (a refresh endpoint exists to
/// receive its token), `token_type` (a token has one type) nor `scopes`.
/// `token_type`, `scopes` and `check` define a hidden marker type beside the
/// handler, so they apply to free functions, not to associated functions
/// inside an `impl` block.
///
/// With `#[utoipa::path(...)]` written below the attribute, the path gets the
/// `paseto` security requirement (with the scopes; the optional form for
/// `optional`) and its 401 and 403 responses, unless it says them itself.
/// Written above, utoipa expands first and the attribute cannot reach it.
///
/// The router's state must provide a `PasetoAuth` (`PasetoAuth: FromRef<S>`);
/// other parameters may take any sub-state, `State<Db>` or `State<PasetoAuth>`.
/// A `State<_>` parameter may be a sub-state, so the attribute does not read the
/// router state from it: name it with `state = AppState` to have a state without
/// `PasetoAuth` reported on this handler.
///
/// ```
/// use axum::Json;
/// use axum::extract::State;
/// use paseto_runtime::{Claims, IssueError, PasetoAuth, paseto_required};
/// use serde::Deserialize;
/// use serde_json::{Value, json};
///
/// #[paseto_required]
/// async fn protected(claims: Claims) -> Json<Value> {
///     Json(json!({ "user": claims.subject() }))
/// }
///
/// #[paseto_required(refresh)]
/// async fn refresh(
///     claims: Claims,
///     State(auth): State<PasetoAuth>,
/// ) -> Result<Json<Value>, IssueError> {
///     let access = auth.refresh_access(&claims).issue()?;
///     Ok(Json(json!({ "access_token": access })))
/// }
///
/// #[paseto_required(optional)]
/// async fn greet(claims: Option<Claims>) -> String {
///     claims.map_or_else(|| "hello".to_owned(), |c| format!("hello {}", c.subject()))
/// }
///
/// #[derive(Deserialize)]
/// struct Email {
///     email: String,
/// }
///
/// #[paseto_required(token_type = "email-verify")]
/// async fn verify_email(claims: Claims<Email>) -> String {
///     format!("verified {}", claims.extra().email)
/// }
///
/// #[paseto_required]
/// async fn ping() -> &'static str {
///     "authenticated"
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use axum::routing::{get, post};
/// let auth = PasetoAuth::builder().local_key(paseto_runtime::keys::LocalKey::generate()?).build()?;
/// let app: axum::Router = axum::Router::new()
///     .route("/protected", get(protected))
///     .route("/refresh", post(refresh))
///     .route("/greet", get(greet))
///     .route("/verify-email", post(verify_email))
///     .route("/ping", get(ping))
///     .with_state(auth);
/// # Ok(()) }
/// ```
#[proc_macro_attribute]
pub fn paseto_required(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Guard::Required, args.into(), item.into()).into()
}

/// Requires a fresh access token: one minted by a credential check, not by a
/// refresh. For high-risk operations such as changing a password.
///
/// A valid token that is not fresh gets 401 with
/// `WWW-Authenticate: Bearer error="insufficient_user_authentication"` (RFC 9470),
/// telling the client to ask the user to log in again. Takes only
/// `scopes = [...]`, `check = path`, `state = AppState` and `crate = "path"`.
///
/// ```
/// use axum::Json;
/// use axum::http::StatusCode;
/// use paseto_runtime::{Claims, fresh_paseto_required};
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct NewPassword {
///     password: String,
/// }
///
/// #[fresh_paseto_required]
/// async fn change_password(claims: Claims, Json(body): Json<NewPassword>) -> StatusCode {
///     let _ = (claims.subject(), body.password);
///     StatusCode::NO_CONTENT
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let auth = paseto_runtime::PasetoAuth::builder().local_key(paseto_runtime::keys::LocalKey::generate()?).build()?;
/// let app: axum::Router = axum::Router::new()
///     .route("/password", axum::routing::post(change_password))
///     .with_state(auth);
/// # Ok(()) }
/// ```
#[proc_macro_attribute]
pub fn fresh_paseto_required(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Guard::FreshRequired, args.into(), item.into()).into()
}

/// Marks a handler open on purpose: anyone may call it, without a token. It
/// says so to the reader; to OpenAPI: with `#[utoipa::path(...)]` written
/// below it, the operation gets an explicit empty requirement, `security: []`,
/// unless it says its own; and to `paseto_runtime::routes::table` and the
/// route audit of `paseto_runtime::testing`, through an extractor it adds
/// before the handler's parameters, which lets every request through. Beside
/// `#[paseto_required]` or `#[fresh_paseto_required]` it is a compile error:
/// a handler is either open or guarded. `#[public(crate = "path")]` names the
/// runtime where it is re-exported, as the guards' `crate` does.
///
/// ```
/// use paseto_runtime::public;
///
/// #[public]
/// async fn health() -> &'static str {
///     "ok"
/// }
///
/// let app: axum::Router = axum::Router::new().route("/health", axum::routing::get(health));
/// # let _ = app;
/// ```
#[proc_macro_attribute]
pub fn public(args: TokenStream, item: TokenStream) -> TokenStream {
    public::expand(&args.into(), item.into()).into()
}

/// The requirement of each gRPC method, in the attributes' words, checked when
/// it compiles: for `GrpcGuardBuilder::methods` (`paseto_runtime::layer`).
///
/// Each entry is a method path, `"/package.Service/Method"`, then `=>` and one
/// of `paseto_required` (an access token), `paseto_required(refresh)`,
/// `fresh_paseto_required` or `public` (no token). The first and the third take
/// `scopes = [...]`. A path that is not a method's, a method named twice, a
/// malformed scope, and the attributes' HTTP-only arguments (`optional`,
/// `token_type`, `check`, `state`) are compile errors on the token at fault.
///
/// ```
/// use paseto_runtime::layer::grpc_methods;
/// use paseto_runtime::{PasetoAuth, keys::LocalKey};
///
/// let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?;
/// let guard = auth
///     .grpc_guard()
///     .methods(grpc_methods! {
///         "/paseto.example.v1.Greeter/Admin" => paseto_required(scopes = ["admin"]),
///         "/paseto.example.v1.Greeter/Rotate" => paseto_required(refresh),
///         "/paseto.example.v1.Greeter/Password" => fresh_paseto_required,
///         "/grpc.health.v1.Health/Check" => public,
///     })
///     .build()?;
/// # let _ = guard;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[proc_macro]
pub fn grpc_methods(input: TokenStream) -> TokenStream {
    grpc::expand(input.into()).into()
}
