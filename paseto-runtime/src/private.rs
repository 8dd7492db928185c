//! Support for the code `paseto-macros` generates. Not public API: it may change
//! in any release. Generated code reaches it by absolute path only.

use std::marker::PhantomData;

use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::auth::PasetoAuth;
use crate::claims::Claims;
pub use crate::extract::Verified;
use crate::kind::TokenKind;
pub use crate::kind::{Access, FreshAccess, Refresh};
pub use crate::rejection::AuthRejection;

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
