//! Token introspection (RFC 7662) and revocation (RFC 7009) for other
//! services: an issuer answers whether a token is active, with the
//! denylist's view, and revokes one on request. Callers authenticate with
//! HTTP Basic client credentials the configuration lists
//! ([`introspection_clients`](crate::config::PasetoAuthBuilder::introspection_clients),
//! `PASETO_INTROSPECTION_CLIENTS`).

pub use crate::clients::{Clients, InvalidClients, MIN_SECRET_LEN};

use std::fmt;

use axum_core::body::Body;
use axum_core::extract::{FromRef, FromRequest, Request};
use axum_core::response::{IntoResponse, Response};
use ct_codecs::{Base64, Decoder};
use http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode};
use http_body_util::{BodyExt, Limited};
use serde_json::{Map, Value, json};

use crate::auth::PasetoAuth;
use crate::describe::{Describe, Mark};
use crate::error::AuthError;
use crate::kind::REFRESH;
use crate::revoke::RevokeError;

/// The largest request body read, in bytes: a form with one token.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// A request of an authenticated client about one token: the `token` field
/// of an `application/x-www-form-urlencoded` body. Extracting it answers a
/// caller without valid client credentials (401 with a `Basic` challenge), a
/// body without `token` (400 `invalid_request`), and a configuration without
/// clients (404) by itself. Route it at `POST /introspect` and answer with
/// [`introspect`](Self::introspect), or at `POST /revoke` with
/// [`revoke`](Self::revoke).
///
/// ```
/// use axum::{Router, routing::post};
/// use paseto_runtime::{PasetoAuth, introspection::{Clients, TokenRequest}, keys::LocalKey};
///
/// let auth = PasetoAuth::builder()
///     .local_key(LocalKey::generate()?)
///     .introspection_clients(Clients::parse("gateway:s3cret-s3cret-s3cret")?)
///     .build()?;
/// let app: Router = Router::new()
///     .route("/introspect", post(|request: TokenRequest| request.introspect()))
///     .route("/revoke", post(|request: TokenRequest| request.revoke()))
///     .with_state(auth);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TokenRequest {
    auth: PasetoAuth,
    token: String,
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest").finish_non_exhaustive()
    }
}

/// The answer to a request an introspection endpoint refuses.
fn oauth_error(status: StatusCode, error: &str) -> Response {
    let mut response = (status, json!({ "error": error }).to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Basic realm="paseto""#),
        );
    }
    response
}

/// The client's name and secret of a `Basic` `Authorization` header (RFC
/// 7617), each form-urlencoded as RFC 6749 §2.3.1 has it.
fn basic_credentials(headers: &HeaderMap) -> Option<(Vec<u8>, Vec<u8>)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") || encoded.len() > 1024 {
        return None;
    }
    let decoded = Base64::decode_to_vec(encoded.trim(), None).ok()?;
    let split = decoded.iter().position(|&b| b == b':')?;
    let unescape = |part: &[u8]| -> Vec<u8> {
        form_urlencoded::parse(&[b"x=", part].concat())
            .next()
            .map(|(_, value)| value.into_owned().into_bytes())
            .unwrap_or_default()
    };
    Some((unescape(&decoded[..split]), unescape(&decoded[split + 1..])))
}

impl<S> FromRequest<S> for TokenRequest
where
    PasetoAuth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        Describe::note(request.extensions(), |_| Mark::Client);
        let auth = PasetoAuth::from_ref(state);
        let Some(clients) = auth.settings.introspection.as_ref() else {
            return Err(oauth_error(StatusCode::NOT_FOUND, "not_found"));
        };
        let (parts, body) = request.into_parts();
        let admitted = basic_credentials(&parts.headers)
            .is_some_and(|(name, secret)| clients.admits(&name, &secret));
        if !admitted {
            return Err(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client"));
        }
        let form = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value.split(';').next().is_some_and(|mime| {
                    mime.trim()
                        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
                })
            });
        if !form {
            return Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_request"));
        }
        let bytes = match Limited::new(Body::new(body), MAX_BODY_BYTES)
            .collect()
            .await
        {
            Ok(collected) => collected.to_bytes(),
            Err(_) => return Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_request")),
        };
        let token = form_urlencoded::parse(&bytes)
            .find(|(name, _)| name == "token")
            .map(|(_, token)| token.into_owned())
            .filter(|token| !token.is_empty());
        match token {
            Some(token) => Ok(Self { auth, token }),
            None => Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_request")),
        }
    }
}

/// Unix seconds, as RFC 7662 writes times.
fn unix(time: Option<time::OffsetDateTime>) -> Option<i64> {
    time.map(time::OffsetDateTime::unix_timestamp)
}

impl TokenRequest {
    /// RFC 7662: `{"active": true, "sub", "exp", "iat", "nbf", "jti",
    /// "token_type", and "scope", "iss", "aud" when the token has them}`,
    /// times in unix seconds, for a token this service would accept now,
    /// revocation included; anything else (garbage, expired, revoked, another
    /// key's) is exactly `{"active": false}`. A revocation store that cannot
    /// answer is 503, never `active`. The configuration's issuer and audience
    /// rules apply: an issuer of tokens for several APIs sets
    /// [`allow_any_audience(true)`](crate::config::PasetoAuthBuilder::allow_any_audience),
    /// and each API checks the `aud` reported.
    pub async fn introspect(self) -> Response {
        let claims = match self.auth.verify_any_type(&self.token).await {
            Ok(claims) => claims,
            Err(error) if error.status() == StatusCode::SERVICE_UNAVAILABLE => {
                return self.auth.reject(error).into_response();
            }
            Err(_) => return answer(&json!({ "active": false })),
        };
        let mut shown = Map::new();
        shown.insert("active".into(), Value::Bool(true));
        shown.insert("sub".into(), claims.subject().into());
        shown.insert("token_type".into(), claims.token_type().into());
        shown.insert("jti".into(), claims.token_id().into());
        for (name, time) in [
            ("exp", unix(claims.expires_at())),
            ("iat", unix(claims.issued_at())),
            ("nbf", unix(claims.not_before())),
        ] {
            if let Some(time) = time {
                shown.insert(name.into(), time.into());
            }
        }
        let scopes: Vec<&str> = claims.scopes().collect();
        if !scopes.is_empty() {
            shown.insert("scope".into(), scopes.join(" ").into());
        }
        if let Some(issuer) = claims.issuer() {
            shown.insert("iss".into(), issuer.into());
        }
        if !claims.audience().is_empty() {
            shown.insert("aud".into(), claims.audience().into());
        }
        answer(&Value::Object(shown))
    }

    /// RFC 7009: revokes the token when it is one this service would accept
    /// (a refresh token with its whole session), and answers 200 with an
    /// empty body whatever the token was, valid or not. A service without a
    /// denylist answers 400 `unsupported_token_type` for every token, and so
    /// does one for a valid token of a type its denylist does not check (the
    /// caller, a listed client, may introspect it anyway); a revocation store
    /// that cannot answer, 503.
    pub async fn revoke(self) -> Response {
        // Without a denylist nothing can be revoked, whatever the token.
        if self.auth.settings.denylist().is_none() {
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_token_type");
        }
        let claims = match self.auth.verify_any_type(&self.token).await {
            Ok(claims) => claims,
            Err(error) if error.status() == StatusCode::SERVICE_UNAVAILABLE => {
                return self.auth.reject(error).into_response();
            }
            Err(_) => return StatusCode::OK.into_response(),
        };
        let revoked = if claims.token_type() == REFRESH {
            self.auth.revoke_family(&claims).await
        } else {
            self.auth.revoke(&claims).await
        };
        match revoked {
            Err(RevokeError::NoDenylist | RevokeError::NotChecked(_)) => {
                oauth_error(StatusCode::BAD_REQUEST, "unsupported_token_type")
            }
            Err(error) if error.auth_error() == Some(&AuthError::RevocationUnavailable) => {
                error.into_response()
            }
            _ => StatusCode::OK.into_response(),
        }
    }
}

/// A 200 JSON answer, not to be cached (RFC 7662 §2.2).
fn answer(body: &Value) -> Response {
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_decoded_and_unescaped() {
        let mut headers = HeaderMap::new();
        // "my%20client:p%3Ass" → "my client", "p:ss"
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Basic bXklMjBjbGllbnQ6cCUzQXNz"),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some((b"my client".to_vec(), b"p:ss".to_vec()))
        );
        for bad in ["Bearer x", "Basic !!!", "Basic", "Basic bm9jb2xvbg=="] {
            headers.insert(AUTHORIZATION, HeaderValue::from_static(bad));
            assert_eq!(basic_credentials(&headers), None, "{bad}");
        }
    }
}
