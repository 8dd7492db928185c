//! The `WWW-Authenticate` values and the header message the tests expect.

/// `WWW-Authenticate` when no token was sent.
pub const BEARER: &str = "Bearer";
/// `WWW-Authenticate` for a bad, expired, revoked or wrong-type token.
pub const INVALID_TOKEN: &str = r#"Bearer error="invalid_token""#;
/// `WWW-Authenticate` for a malformed header or body token.
pub const INVALID_REQUEST: &str = r#"Bearer error="invalid_request""#;
/// `WWW-Authenticate` for a token that is not fresh where fresh is required.
pub const INSUFFICIENT_USER_AUTHENTICATION: &str =
    r#"Bearer error="insufficient_user_authentication""#;
/// The `detail` of a malformed `Authorization` header.
pub const BAD_HEADER: &str = "Bad Authorization header. Expected value 'Bearer <PASETO>'";
