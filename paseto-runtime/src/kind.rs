//! Token types and kinds. A token's *type* is its `type` claim: `access`,
//! `refresh` or a custom name. A *kind* is what a guard requires of a token:
//! its type, whether it must be fresh, and which of the user's own claims it
//! carries.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;

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

/// The `type` claim of access tokens.
pub(crate) const ACCESS: &str = "access";
/// The `type` claim of refresh tokens.
pub(crate) const REFRESH: &str = "refresh";

/// What a `type` claim names: one of the library's two types, or a custom one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenType {
    Access,
    Refresh,
    Custom,
}

impl TokenType {
    /// What the type name `name` names.
    pub(crate) fn of(name: &str) -> Self {
        match name {
            ACCESS => Self::Access,
            REFRESH => Self::Refresh,
            _ => Self::Custom,
        }
    }
}

/// Whether `name` may name a custom token type: not empty, and not `access` or
/// `refresh`. The attribute's `token_type = "..."` checks the same rule when it
/// compiles.
pub(crate) fn is_custom_name(name: &str) -> bool {
    !name.is_empty() && TokenType::of(name) == TokenType::Custom
}

/// A type name as claims keep it: borrowed for the library's own types, so most
/// verifications allocate nothing for it.
pub(crate) fn interned(name: Cow<'_, str>) -> Cow<'static, str> {
    match TokenType::of(&name) {
        TokenType::Access => Cow::Borrowed(ACCESS),
        TokenType::Refresh => Cow::Borrowed(REFRESH),
        TokenType::Custom => Cow::Owned(name.into_owned()),
    }
}
