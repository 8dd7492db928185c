//! Support for the code `paseto-macros` generates. Not public API: it may change
//! in any release. Generated code reaches it by absolute path only.

mod check;

use std::marker::PhantomData;

use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
pub use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::auth::PasetoAuth;
use crate::authentication::authenticate;
pub use crate::claims::Claims;
use crate::describe::{Describe, Mark, Usage};
pub use crate::extract::Verified;
use crate::kind::TokenKind;
pub use crate::kind::{Access, FreshAccess, Refresh};
pub use crate::rejection::AuthRejection;
use crate::scope;
pub use crate::user::LoadUser;
pub use check::{Answer, CheckFn, Later, Now, Refusal};

/// The extractor behind `Option<Claims>` parameters: `None` without a token,
/// a rejection for a token that is present but bad.
pub struct MaybeVerified<K: TokenKind>(pub Option<Claims<K::Extra>>);

impl<S, K> FromRequestParts<S> for MaybeVerified<K>
where
    PasetoAuth: FromRef<S>,
    S: Send + Sync,
    K: TokenKind,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let verified =
            <Verified<K> as OptionalFromRequestParts<S>>::from_request_parts(parts, state).await?;
        Ok(Self(verified.map(|Verified(claims)| claims)))
    }
}

/// What a guard requires beyond the token's kind, under the router state
/// `S`: the scopes of `scopes = [...]`, and the handler's own `check = path`.
pub trait Requirement<T, S>: 'static {
    /// Every scope the token must carry.
    const SCOPES: &'static [&'static str];
    /// Whether [`check`](Self::check) is the handler's own.
    const CHECK: bool = false;

    /// The handler's own check of the verified claims: the refusal, if any.
    fn check<'a>(
        claims: &'a Claims<T>,
        parts: &'a mut Parts,
        state: &'a S,
    ) -> impl Future<Output = Option<Refusal>> + Send + 'a {
        let _ = (claims, parts, state);
        std::future::ready(None)
    }
}

/// The extractor of a guard with scopes or a check: a verified token of kind
/// `K` that also meets `R`.
pub struct Guarded<K: TokenKind, R>(pub Claims<K::Extra>, pub PhantomData<fn() -> R>);

impl<S, K, R> FromRequestParts<S> for Guarded<K, R>
where
    PasetoAuth: FromRef<S>,
    S: Send + Sync,
    K: TokenKind,
    K::Extra: Sync,
    R: Requirement<K::Extra, S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = PasetoAuth::from_ref(state);
        let found = guard::<K, R, S>(&auth, parts, state, false).await?;
        match auth.settings.required(found) {
            Ok(claims) => Ok(Self(claims, PhantomData)),
            Err(rejection) => Err(rejection.into_response()),
        }
    }
}

/// [`Guarded`] for `Option<Claims>`: `None` without a token; a token that is
/// present must be valid and meet `R`.
pub struct MaybeGuarded<K: TokenKind, R>(pub Option<Claims<K::Extra>>, pub PhantomData<fn() -> R>);

impl<S, K, R> FromRequestParts<S> for MaybeGuarded<K, R>
where
    PasetoAuth: FromRef<S>,
    S: Send + Sync,
    K: TokenKind,
    K::Extra: Sync,
    R: Requirement<K::Extra, S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = PasetoAuth::from_ref(state);
        let claims = guard::<K, R, S>(&auth, parts, state, true).await?;
        Ok(Self(claims, PhantomData))
    }
}

/// The request's claims of kind `K` when they meet `R`: its scopes, then its
/// check. A missing scope or a check's `false` is 403 `insufficient_scope`,
/// naming the guard's scopes; any other refusal is the check's own answer.
/// `optional`: the caller lets a request without a token through.
async fn guard<K, R, S>(
    auth: &PasetoAuth,
    parts: &mut Parts,
    state: &S,
    optional: bool,
) -> Result<Option<Claims<K::Extra>>, Response>
where
    K: TokenKind,
    K::Extra: Sync,
    R: Requirement<K::Extra, S>,
{
    let rejected = |error| auth.settings.reject(error).into_response();
    let usage = Usage {
        optional,
        check: R::CHECK,
        layer: false,
    };
    let authenticated = authenticate::<K, K::Extra, _>(auth, parts, R::SCOPES, usage).await;
    let Some(claims) = authenticated.map_err(rejected)? else {
        return Ok(None);
    };
    match R::check(&claims, parts, state).await {
        None => Ok(Some(claims)),
        Some(Refusal::Denied) => Err(rejected(scope::insufficient(R::SCOPES))),
        Some(Refusal::Answered(response)) => Err(response),
    }
}

/// The extractor `#[public]` gives a handler: nothing, except to a request
/// that asks the route what it requires.
pub struct Public;

impl<S: Send + Sync> FromRequestParts<S> for Public {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Describe::note(&parts.extensions, |_| Mark::Public);
        Ok(Self)
    }
}

/// Maps the `Claims<T>` a handler names to its `T`, keeping the user's own
/// spelling of the type in the generated code (so their import stays used, and a
/// different type that happens to be called `Claims` is caught).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `paseto_runtime::Claims`",
    label = "expected `paseto_runtime::Claims<T>`",
    note = "the guard attributes fill the parameter whose type is `paseto_runtime::Claims` (or `Option<Claims>` with `optional`)"
)]
pub trait ClaimsType {
    /// The user's own claims.
    type Extra;
}

impl<T> ClaimsType for Claims<T> {
    type Extra = T;
}

/// The name of a custom token type, given by `token_type = "..."`.
pub trait TypeName: 'static {
    /// The `type` claim.
    const NAME: &'static str;
}

/// The token kind of `token_type = "..."`: the name from `N`, the user's claims `T`.
pub struct CustomKind<N, T>(PhantomData<fn() -> (N, T)>);

impl<N: TypeName, T: DeserializeOwned + Send + 'static> TokenKind for CustomKind<N, T> {
    const TOKEN_TYPE: &'static str = N::NAME;
    type Extra = T;
}

/// Resolves to `E` only when the router state `Self` provides a [`PasetoAuth`], so
/// a handler whose `State<S>` cannot supply one fails to compile where it is written.
#[diagnostic::on_unimplemented(
    message = "the router state `{Self}` does not provide `PasetoAuth`",
    label = "this state has no `PasetoAuth`",
    note = "add `impl FromRef<{Self}> for PasetoAuth` (or `#[derive(FromRef)]` on the state), or use `PasetoAuth` itself as the state"
)]
pub trait ProvidesAuth<E> {
    /// `E`, unchanged.
    type Checked;
}

#[diagnostic::do_not_recommend]
impl<S, E> ProvidesAuth<E> for S
where
    PasetoAuth: FromRef<S>,
{
    type Checked = E;
}

/// `E`, once the state `S` is known to provide a [`PasetoAuth`].
pub type Checked<S, E> = <S as ProvidesAuth<E>>::Checked;
