//! Why a request was not authenticated, and how that looks on the wire.
//!
//! Every rejection is a JSON body `{"detail": "<message>"}` with a
//! `WWW-Authenticate: Bearer ...` header following RFC 6750 §3 and RFC 9470.

use std::sync::Arc;

use axum_core::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};

/// Why a token or the header carrying it was rejected.
///
/// Messages are safe to show a client: they never reveal a key, a token or
/// which byte failed. [`AuthError::kind`] names the variant for logs and metrics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The request carries no token.
    #[error("PASETO Authorization Token required")]
    MissingToken,
    /// The header uses another authentication scheme, such as `Basic`.
    #[error("Bad {header} header. Expected value '{expected}'")]
    UnsupportedScheme {
        /// The header's name, as configured.
        header: Arc<str>,
        /// The form the header must have, such as `Bearer <PASETO>`.
        expected: Arc<str>,
    },
    /// The header is not `<scheme> <token>`: no scheme, no token, extra parts,
    /// bytes that are not visible ASCII, or the header sent twice.
    #[error("Bad {header} header. Expected value '{expected}'")]
    MalformedHeader {
        /// The header's name, as configured.
        header: Arc<str>,
        /// The form the header must have, such as `Bearer <PASETO>`.
        expected: Arc<str>,
    },
    /// The JSON body's token key holds something other than one string.
    #[error("Bad '{key}' in the JSON body. Expected value '<PASETO>'")]
    MalformedBodyToken {
        /// The key, as configured.
        key: Arc<str>,
    },
    /// The WebSocket query parameter is given twice, or lacks the configured scheme.
    #[error("Bad '{key}' in the query string. Expected value '{expected}'")]
    MalformedQueryToken {
        /// The query parameter, as configured.
        key: Arc<str>,
        /// The form the value must have, such as `<PASETO>`.
        expected: Arc<str>,
    },
    /// The body, read for its token, is longer than the configured limit.
    #[error("Request body is too large")]
    BodyTooLarge,
    /// The body, read for its token, could not be read to its end.
    #[error("Request body could not be read")]
    UnreadableBody,
    /// The token is longer than 8 KiB.
    #[error("Token is too large")]
    TooLarge,
    /// The token is not of the configured version and purpose (`v4.local` or `v4.public`).
    #[error("Unsupported token version or purpose")]
    UnsupportedToken,
    /// The token is not well-formed PASETO: its parts or their base64 are broken.
    #[error("Malformed token")]
    MalformedToken,
    /// The token's authentication tag or signature, footer or implicit assertion does not verify.
    #[error("Invalid token")]
    InvalidToken,
    /// The token's footer names a key (`kid`) this service does not hold: one
    /// retired, or never known.
    #[error("Unknown key id")]
    UnknownKeyId,
    /// The token's payload is not a JSON object.
    #[error("Token payload is not a JSON object")]
    NotJsonObject,
    /// A required claim is missing (`exp`, `sub`, `jti` or `type`).
    #[error("Token has no '{0}' claim")]
    MissingClaim(&'static str),
    /// A claim has the wrong type or format, such as an `exp` that is not an RFC 3339 time.
    #[error("Token claim '{0}' is malformed")]
    MalformedClaim(&'static str),
    /// The user's own claims do not match the type the endpoint expects.
    #[error("Token claims do not match what this endpoint expects")]
    UnexpectedClaims,
    /// The token's `exp` is past, beyond the leeway.
    #[error("Token expired")]
    Expired,
    /// The token's `nbf` is still in the future, beyond the leeway.
    #[error("Token not yet valid")]
    NotYetValid,
    /// The token's `iat` is in the future, beyond the leeway.
    #[error("Token issued in the future")]
    IssuedInFuture,
    /// The token's `iss` is missing or not the required issuer.
    #[error("Invalid issuer")]
    WrongIssuer,
    /// The token's `aud` is missing or names none of the required audiences.
    #[error("Invalid audience")]
    WrongAudience,
    /// The token's `type` is not the one this endpoint requires.
    #[error("{} token required but {found} provided", capitalized(expected))]
    WrongType {
        /// The type the endpoint requires.
        expected: &'static str,
        /// The type the token carries.
        found: String,
    },
    /// The endpoint requires a fresh access token and this one is not.
    #[error("PASETO access token is not fresh")]
    NotFresh,
    /// A valid token that lacks a scope the endpoint requires, or fails the
    /// endpoint's own check: 403, and the challenge names the required scopes.
    #[error("Insufficient scope")]
    InsufficientScope {
        /// The scopes the endpoint requires, space-separated; empty when a check
        /// of the endpoint's own refused the token.
        scope: Arc<str>,
    },
    /// The token was revoked: by a logout, or with its family.
    #[error("Token has been revoked")]
    Revoked,
    /// A refresh token that was already rotated was presented again; its whole
    /// family is now revoked.
    #[error("Token has been revoked")]
    Reused,
    /// The token is valid, but the application's user loader knows no user for
    /// it: the account was deleted or disabled.
    #[error("User not found")]
    UnknownUser,
    /// The application's user loader could not answer; the request is refused
    /// (fail closed) and may be retried.
    #[error("User store is unavailable")]
    UserUnavailable,
    /// A cookie-authenticated request with a state-changing method did not repeat
    /// the CSRF value in the configured header.
    #[error("Missing CSRF token")]
    MissingCsrf,
    /// The CSRF header does not match the token's `csrf` claim.
    #[error("CSRF double submit tokens do not match")]
    CsrfMismatch,
    /// A cookie-authenticated WebSocket upgrade from an origin that is not allowed.
    #[error("Origin not allowed")]
    ForbiddenOrigin,
    /// The revocation state could not be read, so the token is refused (fail closed).
    #[error("Token revocation status is unavailable")]
    RevocationUnavailable,
    /// The keys that verify tokens are fetched from their issuer, and no key
    /// set was fetched yet: the token is refused (fail closed).
    #[error("Token verification keys are unavailable")]
    KeysUnavailable,
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

impl AuthError {
    /// The HTTP status: 400 for a malformed header, body token or body, 413 for a
    /// body over the limit, 403 for a missing scope or a CSRF or origin failure,
    /// 503 when revocation state or the user store is unavailable, 401 for everything else.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MalformedHeader { .. }
            | Self::MalformedBodyToken { .. }
            | Self::MalformedQueryToken { .. }
            | Self::UnreadableBody => StatusCode::BAD_REQUEST,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RevocationUnavailable | Self::UserUnavailable | Self::KeysUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::MissingCsrf
            | Self::CsrfMismatch
            | Self::ForbiddenOrigin
            | Self::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// What the rejection asks of the client: nothing (a failure that no token
    /// answers), a token (`Bearer`), or a better one (`Bearer error="..."`).
    fn challenge(&self) -> Challenge {
        match self {
            Self::RevocationUnavailable
            | Self::UserUnavailable
            | Self::KeysUnavailable
            | Self::BodyTooLarge
            | Self::UnreadableBody
            | Self::MissingCsrf
            | Self::CsrfMismatch
            | Self::ForbiddenOrigin => Challenge::None,
            Self::MissingToken | Self::UnsupportedScheme { .. } => Challenge::Bearer,
            Self::MalformedHeader { .. }
            | Self::MalformedBodyToken { .. }
            | Self::MalformedQueryToken { .. } => Challenge::Error(BearerError::InvalidRequest),
            Self::NotFresh => Challenge::Error(BearerError::InsufficientUserAuthentication),
            Self::InsufficientScope { .. } => Challenge::Error(BearerError::InsufficientScope),
            _ => Challenge::Error(BearerError::InvalidToken),
        }
    }

    /// The RFC 6750 / RFC 9470 error code, or `None` when the request carried no
    /// bearer credentials at all (RFC 6750 §3.1: no error code then) or the
    /// failure is no matter of credentials.
    pub fn bearer_error(&self) -> Option<&'static str> {
        match self.challenge() {
            Challenge::Error(code) => Some(code.code()),
            Challenge::None | Challenge::Bearer => None,
        }
    }

    /// The `WWW-Authenticate` challenge: `Bearer`, or `Bearer error="<code>"`
    /// (with `scope="…"` for a missing scope); none for a 503, nor for a body
    /// that could not be read, which are no challenge to the client.
    pub fn www_authenticate(&self) -> Option<HeaderValue> {
        if let Self::InsufficientScope { scope } = self
            && !scope.is_empty()
        {
            // Scopes are checked to be visible ASCII without `"` or `\`.
            let value = format!(r#"Bearer error="insufficient_scope", scope="{scope}""#);
            return HeaderValue::from_str(&value).ok();
        }
        match self.challenge() {
            Challenge::None => None,
            Challenge::Bearer => Some(HeaderValue::from_static("Bearer")),
            Challenge::Error(code) => Some(HeaderValue::from_static(code.header())),
        }
    }

    /// The `Retry-After` header of a 503: when revocation status or the user
    /// store is unavailable, the client may retry in a few seconds.
    pub fn retry_after(&self) -> Option<HeaderValue> {
        matches!(
            self,
            Self::RevocationUnavailable | Self::UserUnavailable | Self::KeysUnavailable
        )
        .then(|| HeaderValue::from_static(RETRY_AFTER_SECONDS))
    }

    /// A stable `snake_case` name of the variant, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::MissingToken => "missing_token",
            Self::UnsupportedScheme { .. } => "unsupported_scheme",
            Self::MalformedHeader { .. } => "malformed_header",
            Self::MalformedBodyToken { .. } => "malformed_body_token",
            Self::MalformedQueryToken { .. } => "malformed_query_token",
            Self::BodyTooLarge => "body_too_large",
            Self::UnreadableBody => "unreadable_body",
            Self::TooLarge => "too_large",
            Self::UnsupportedToken => "unsupported_token",
            Self::MalformedToken => "malformed_token",
            Self::InvalidToken => "invalid_token",
            Self::UnknownKeyId => "unknown_key_id",
            Self::NotJsonObject => "not_json_object",
            Self::MissingClaim(_) => "missing_claim",
            Self::MalformedClaim(_) => "malformed_claim",
            Self::UnexpectedClaims => "unexpected_claims",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::IssuedInFuture => "issued_in_future",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::WrongType { .. } => "wrong_type",
            Self::NotFresh => "not_fresh",
            Self::Revoked => "revoked",
            Self::Reused => "reused",
            Self::RevocationUnavailable => "revocation_unavailable",
            Self::KeysUnavailable => "keys_unavailable",
            Self::UnknownUser => "unknown_user",
            Self::UserUnavailable => "user_unavailable",
            Self::MissingCsrf => "missing_csrf",
            Self::CsrfMismatch => "csrf_mismatch",
            Self::ForbiddenOrigin => "forbidden_origin",
            Self::InsufficientScope { .. } => "insufficient_scope",
        }
    }
}

/// Seconds a client waits before retrying when revocation status is unavailable:
/// the Redis store's timeout and one reconnection fit in it.
const RETRY_AFTER_SECONDS: &str = "5";

/// What a rejection asks of the client (RFC 6750 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Challenge {
    /// No challenge: no token would help.
    None,
    /// `Bearer`: send a token.
    Bearer,
    /// `Bearer error="..."`: the token sent will not do.
    Error(BearerError),
}

/// The error codes of RFC 6750 §3.1 and RFC 9470 §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BearerError {
    InvalidRequest,
    InvalidToken,
    InsufficientUserAuthentication,
    InsufficientScope,
}

impl BearerError {
    fn code(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientUserAuthentication => "insufficient_user_authentication",
            Self::InsufficientScope => "insufficient_scope",
        }
    }

    /// The whole `WWW-Authenticate` value carrying this code.
    fn header(self) -> &'static str {
        match self {
            Self::InvalidRequest => r#"Bearer error="invalid_request""#,
            Self::InvalidToken => r#"Bearer error="invalid_token""#,
            Self::InsufficientUserAuthentication => {
                r#"Bearer error="insufficient_user_authentication""#
            }
            Self::InsufficientScope => r#"Bearer error="insufficient_scope""#,
        }
    }
}

/// The default rendering: status, `WWW-Authenticate` or `Retry-After`, and
/// `{"detail": "..."}`.
impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let mut response = detail_response(self.status(), &self.to_string());
        if let Some(challenge) = self.www_authenticate() {
            response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
        }
        if let Some(seconds) = self.retry_after() {
            response.headers_mut().insert(RETRY_AFTER, seconds);
        }
        response
    }
}

/// A JSON response `{"detail": message}`, the shape every error of this crate takes.
pub(crate) fn detail_response(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "detail": message }).to_string();
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_type_reads_like_fastapi_paseto() {
        let error = AuthError::WrongType {
            expected: "access",
            found: "refresh".into(),
        };
        assert_eq!(
            error.to_string(),
            "Access token required but refresh provided"
        );
    }

    #[test]
    fn challenges_follow_rfc_6750_and_rfc_9470() {
        let malformed = AuthError::MalformedHeader {
            header: "Authorization".into(),
            expected: "Bearer <PASETO>".into(),
        };
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
        let challenge = |error: AuthError| error.www_authenticate().unwrap();
        assert_eq!(challenge(malformed), r#"Bearer error="invalid_request""#);
        assert_eq!(challenge(AuthError::MissingToken), "Bearer");
        assert_eq!(
            challenge(AuthError::Expired),
            r#"Bearer error="invalid_token""#
        );
        assert_eq!(
            challenge(AuthError::NotFresh),
            r#"Bearer error="insufficient_user_authentication""#
        );
        assert_eq!(AuthError::RevocationUnavailable.status(), 503);
        assert_eq!(AuthError::RevocationUnavailable.www_authenticate(), None);
    }
}
