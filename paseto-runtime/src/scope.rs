//! Scopes (RFC 6749 §3.3): what a token may do, in its `scope` claim, and the
//! check a guard makes of them.

use std::sync::Arc;

use crate::claims::Claims;
use crate::error::AuthError;

/// Whether `scope` is one RFC 6749 scope token: visible ASCII but `"` and `\`,
/// at least one character. The attribute checks the same rule when it compiles.
pub(crate) fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

/// `Ok` when `claims` carry every scope of `required`; else the 403 whose
/// challenge names them all (RFC 6750 §3.1).
pub(crate) fn must_hold<T, S: AsRef<str>>(
    claims: &Claims<T>,
    required: &[S],
) -> Result<(), AuthError> {
    if required
        .iter()
        .all(|scope| claims.has_scope(scope.as_ref()))
    {
        Ok(())
    } else {
        Err(insufficient(required))
    }
}

/// The 403 for a token that lacks `required`, or fails a check of the handler's
/// own (then `required` may be empty, and the challenge names no scope).
pub(crate) fn insufficient<S: AsRef<str>>(required: &[S]) -> AuthError {
    let scope: Vec<&str> = required.iter().map(AsRef::as_ref).collect();
    AuthError::InsufficientScope {
        scope: Arc::from(scope.join(" ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_tokens_are_visible_ascii_without_quote_or_backslash() {
        for good in [
            "admin",
            "orders:write",
            "https://api.example/read",
            "a!#[]~",
        ] {
            assert!(is_scope_token(good), "{good}");
        }
        for bad in ["", "two words", "quo\"te", "back\\slash", "tab\t", "é"] {
            assert!(!is_scope_token(bad), "{bad:?}");
        }
    }
}
