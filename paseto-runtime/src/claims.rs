//! The verified claims a handler receives, and how a token's payload is read into them.

use std::borrow::Cow;

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::wire::RESERVED;

/// The claims of a verified token: the registered ones (`sub`, `exp`, `iat`, `nbf`,
/// `jti`, `iss`, `aud`), `type` and `fresh`, and the user's own claims `T`, read
/// from the token's top-level fields.
///
/// A `Claims` value can only be obtained from a token that passed every check:
/// there is no public constructor and it does not implement `Deserialize`.
///
/// The guard attributes fill a handler's `Claims` parameter. Taken as an axum
/// extractor on its own, `Claims<T>` accepts access tokens, as
/// `#[paseto_required]` does.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims<T = ()> {
    pub(crate) registered: Registered,
    pub(crate) extra: T,
}

/// Every claim but the user's own, checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Registered {
    pub(crate) subject: String,
    pub(crate) token_id: String,
    /// Borrowed for the library's own types, so most verifications allocate less.
    pub(crate) token_type: Cow<'static, str>,
    pub(crate) fresh: bool,
    pub(crate) issued_at: Option<OffsetDateTime>,
    pub(crate) not_before: Option<OffsetDateTime>,
    pub(crate) expires_at: Option<OffsetDateTime>,
    pub(crate) issuer: Option<String>,
    pub(crate) audience: Vec<String>,
    pub(crate) family: Option<String>,
    /// The `gen` claim of a rotated refresh token; 0 when absent.
    pub(crate) generation: u64,
    /// The `csrf` claim of a token issued for a cookie.
    pub(crate) csrf: Option<String>,
    /// The `auth_time` claim: when the login that started the token's session
    /// took place.
    pub(crate) authenticated_at: Option<OffsetDateTime>,
    /// The token's scopes, each once, separated by single spaces; empty when it
    /// has none.
    pub(crate) scopes: String,
    /// The token's footer, authenticated with it; `None` when it has none.
    pub(crate) footer: Option<String>,
    /// The authenticated payload, as sent: the user's own claims are read from
    /// it (by an extractor below a layer) and carried into a token that
    /// succeeds this one.
    pub(crate) payload: Payload,
}

/// An authenticated payload. `Debug` gives its length only: the user's own
/// claims it holds are the user's to show, through `T`.
#[derive(Clone, PartialEq, Default)]
pub(crate) struct Payload(pub(crate) String);

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

impl<T> Claims<T> {
    /// The `sub` claim: whom the token was issued for.
    pub fn subject(&self) -> &str {
        &self.registered.subject
    }

    /// The `jti` claim: the token's unique id, the key for revocation.
    pub fn token_id(&self) -> &str {
        &self.registered.token_id
    }

    /// The `type` claim: `"access"`, `"refresh"` or a custom type.
    pub fn token_type(&self) -> &str {
        &self.registered.token_type
    }

    /// Whether the token is a fresh access token, minted by a credential check.
    pub fn is_fresh(&self) -> bool {
        self.registered.fresh
    }

    /// The `iat` claim, when the token has one.
    pub fn issued_at(&self) -> Option<OffsetDateTime> {
        self.registered.issued_at
    }

    /// The `auth_time` claim: when the login that started the token's session
    /// took place (RFC 9068 §2.2.1). Tokens of a login
    /// ([`login`](crate::PasetoAuth::login)) carry it, and so do the tokens that descend from them
    /// (`refresh_access`, `rotate`, a sliding session's renewals).
    pub fn authenticated_at(&self) -> Option<OffsetDateTime> {
        self.registered.authenticated_at
    }

    /// The `exp` claim; `None` only where tokens without expiry are allowed.
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.registered.expires_at
    }

    /// The `nbf` claim, when the token has one.
    pub fn not_before(&self) -> Option<OffsetDateTime> {
        self.registered.not_before
    }

    /// The `iss` claim, when the token has one.
    pub fn issuer(&self) -> Option<&str> {
        self.registered.issuer.as_deref()
    }

    /// The `aud` claim: empty when the token has none.
    pub fn audience(&self) -> &[String] {
        &self.registered.audience
    }

    /// The `fam` claim: the refresh family of a token issued by
    /// [`PasetoAuth::rotate`](crate::PasetoAuth::rotate).
    pub fn family(&self) -> Option<&str> {
        self.registered.family.as_deref()
    }

    /// The id that revokes this token's family: the `fam` claim, or for a token
    /// that started a family, its own `jti`.
    pub fn family_id(&self) -> &str {
        self.registered
            .family
            .as_deref()
            .unwrap_or(&self.registered.token_id)
    }

    /// The `gen` claim: how many rotations the refresh token descends from (0
    /// for a login's). Rotation and reuse detection compare it with the family's.
    pub fn generation(&self) -> u64 {
        self.registered.generation
    }

    /// The token's scopes, from the configured scope claim (`scope` unless
    /// [`scope_claim`](crate::config::PasetoAuthBuilder::scope_claim) names another).
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.registered.scopes.split(' ').filter(|s| !s.is_empty())
    }

    /// Whether the token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|have| have == scope)
    }

    /// The token's footer as it was sent, authenticated with the payload: for
    /// tokens issued here, a JSON object with the issuing key's `kid` and the
    /// configured members (fastapi-paseto's `get_token_footer`). `None` when the
    /// token has no footer.
    pub fn footer(&self) -> Option<&str> {
        self.registered.footer.as_deref()
    }

    /// The footer's `kid`: the PASERK id of the key that verified the token,
    /// when the token names it.
    pub fn key_id(&self) -> Option<&str> {
        let footer = self.registered.footer.as_deref()?;
        crate::footer::key_id(footer.as_bytes()).ok().flatten()
    }

    /// The user's own claims.
    pub fn extra(&self) -> &T {
        &self.extra
    }

    /// Takes the user's own claims out.
    pub fn into_extra(self) -> T {
        self.extra
    }

    /// A copy of the registered claims alone, for what outlives the request.
    pub(crate) fn without_extra(&self) -> Claims {
        Claims {
            registered: self.registered.clone(),
            extra: (),
        }
    }

    /// The user's own claims as the token carries them: every member of its
    /// payload but the library's own and the configured scope claim.
    pub(crate) fn custom(&self, scope_claim: &str) -> Map<String, Value> {
        let mut members: Map<String, Value> =
            serde_json::from_str(&self.registered.payload.0).unwrap_or_default();
        members.retain(|name, _| !RESERVED.contains(&name.as_str()) && name != scope_claim);
        members
    }

    /// The same registered claims with `extra` as the user's claims, and the old ones.
    pub(crate) fn replace_extra<U>(self, extra: U) -> (Claims<U>, T) {
        let claims = Claims {
            registered: self.registered,
            extra,
        };
        (claims, self.extra)
    }
}
