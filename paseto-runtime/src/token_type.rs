//! Token types: the names the `type` claim takes, and the rule for custom ones.

use std::borrow::Cow;

/// The `type` claim of access tokens.
pub(crate) const ACCESS: &str = "access";
/// The `type` claim of refresh tokens.
pub(crate) const REFRESH: &str = "refresh";

/// What a `type` claim names: one of the library's two types, or a custom one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenClass {
    Access,
    Refresh,
    Custom,
}

impl TokenClass {
    /// The class of the type named `name`.
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
    !name.is_empty() && TokenClass::of(name) == TokenClass::Custom
}

/// A type name as claims keep it: borrowed for the library's own types, so most
/// verifications allocate nothing for it.
pub(crate) fn interned(name: Cow<'_, str>) -> Cow<'static, str> {
    match TokenClass::of(&name) {
        TokenClass::Access => Cow::Borrowed(ACCESS),
        TokenClass::Refresh => Cow::Borrowed(REFRESH),
        TokenClass::Custom => Cow::Owned(name.into_owned()),
    }
}
