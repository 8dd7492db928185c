//! Token kinds: which `type` claim a guard requires, whether it must be fresh, and
//! which of the user's own claims it carries.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::token_type::{ACCESS, REFRESH};

/// What a guard requires of a token: its `type` claim, its freshness, and the
/// type its custom claims deserialize into.
///
/// The library provides [`Access`], [`FreshAccess`] and [`Refresh`]. A custom
/// token type, like fastapi-paseto's `create_token(type=...)`, is a marker type:
///
/// ```
/// use paseto_runtime::TokenKind;
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct EmailClaims {
///     email: String,
/// }
///
/// enum EmailVerify {}
///
/// impl TokenKind for EmailVerify {
///     const TOKEN_TYPE: &'static str = "email-verify";
///     type Extra = EmailClaims;
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a token kind",
    label = "expected `Access`, `FreshAccess`, `Refresh` or a type that implements `TokenKind`",
    note = "a custom token type is a marker type with `impl TokenKind for {Self}`"
)]
pub trait TokenKind: 'static {
    /// The value the token's `type` claim must have.
    const TOKEN_TYPE: &'static str;
    /// Whether the token must carry `"fresh": true`.
    const FRESH: bool = false;
    /// The user's own claims, read from the token's top-level fields
    /// (`()` when there are none).
    type Extra: DeserializeOwned + Send;
}

/// An access token (`"type": "access"`), fresh or not; `T` holds the user's own claims.
pub struct Access<T = ()>(PhantomData<fn() -> T>);

/// An access token minted by a credential check (`"fresh": true`), for high-risk operations.
pub struct FreshAccess<T = ()>(PhantomData<fn() -> T>);

/// A refresh token (`"type": "refresh"`), exchanged for new access tokens.
pub struct Refresh<T = ()>(PhantomData<fn() -> T>);

impl<T: DeserializeOwned + Send + 'static> TokenKind for Access<T> {
    const TOKEN_TYPE: &'static str = ACCESS;
    type Extra = T;
}

impl<T: DeserializeOwned + Send + 'static> TokenKind for FreshAccess<T> {
    const TOKEN_TYPE: &'static str = ACCESS;
    const FRESH: bool = true;
    type Extra = T;
}

impl<T: DeserializeOwned + Send + 'static> TokenKind for Refresh<T> {
    const TOKEN_TYPE: &'static str = REFRESH;
    type Extra = T;
}
