//! Issuing access, refresh and custom-type tokens, and a login's pair.

mod grant;
mod login;
mod pair;

use std::borrow::Cow;
use std::marker::PhantomData;

use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use pasetors::version4::PublicToken;
use serde::Serialize;
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::error::{AuthError, detail_response};
use crate::footer;
use crate::kind::{ACCESS, REFRESH, TokenType, is_custom_name};
use crate::kind::{Access, Refresh};
use crate::rejection::AuthRejection;
use crate::scope::is_scope_token;
use crate::secret_cipher;
use crate::settings::KeyMaterial;
use crate::wire::{IssuedPayload, RESERVED, format_time, token_id};

pub use crate::grant::{Grant, Occasion};
pub use login::Login;
pub use pair::TokenPair;

/// A token that could not be issued. These are the server's mistakes, so the
/// response is a 500 whose body does not explain them; the message is for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The configuration holds only a public key: it verifies tokens but cannot issue them.
    #[error("this service has only a public key: it can verify tokens but not issue them")]
    NoSigningKey,
    /// The user's claims use a name the library writes itself.
    #[error("claim name `{0}` is reserved")]
    ReservedClaim(String),
    /// The user's claims do not serialize to a JSON object.
    #[error("custom claims must serialize to a JSON object")]
    ClaimsNotObject,
    /// A custom token type that is empty, or is `access` or `refresh`.
    #[error("a custom token type must be non-empty and not `access` or `refresh`")]
    InvalidTokenType,
    /// A token without expiry, which this configuration's verifier would reject.
    #[error("tokens without `exp` are not allowed by this configuration")]
    ExpiryRequired,
    /// An expiry that is not positive, or so far away that the time overflows.
    #[error("the token's lifetime must be positive and end before the year 10000")]
    InvalidExpiry,
    /// A footer that is not a JSON object, or that sets `kid`, which names the
    /// issuing key.
    #[error("a footer must be a JSON object without a `kid` member")]
    InvalidFooter,
    /// A scope that is not one RFC 6749 scope token: empty, or holding a space,
    /// `"`, `\` or a character that is not visible ASCII.
    #[error("a scope must be visible ASCII without spaces, `\"` or `\\`")]
    InvalidScope,
    /// A token of a refresh family set to outlive the family's revocation, which
    /// covers the longest configured access or refresh lifetime.
    #[error("a token in a refresh family cannot live longer than the access and refresh lifetimes")]
    OutlivesFamily,
    /// Encryption or signing failed.
    #[error("the token could not be encrypted or signed")]
    Crypto,
    /// The grant hook refused the tokens, or the session could not be kept:
    /// renders as the configuration's rejections do.
    #[error("{}", .0.error())]
    Rejected(AuthRejection),
}

impl IntoResponse for IssueError {
    fn into_response(self) -> Response {
        if let Self::Rejected(rejection) = self {
            return rejection.into_response();
        }
        tracing::error!(error = %self, "paseto: could not issue a token");
        detail_response(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
    }
}

/// Marks a builder for a custom-type token; see [`PasetoAuth::token`].
pub enum Custom {}

pub(crate) enum Expiry {
    Default,
    In(Duration),
    /// A moment given outright, even a past one: for tests (`testing`).
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    At(OffsetDateTime),
    Never,
}

/// Moments a test sets instead of the clock's (`testing::TokenTimes`).
#[derive(Default)]
pub(crate) struct Times {
    /// The moment the token is issued at, instead of now.
    pub(crate) issued_at: Option<OffsetDateTime>,
    /// Its `nbf`, instead of the moment it is issued at.
    pub(crate) not_before: Option<OffsetDateTime>,
}

/// Builds one token; finish with [`issue`](Self::issue). `K` is [`Access`],
/// [`Refresh`] or [`Custom`]: only access tokens can be marked fresh.
#[must_use = "a token builder does nothing until `issue` is called"]
pub struct TokenBuilder<'a, K> {
    auth: &'a PasetoAuth,
    subject: String,
    token_type: Cow<'static, str>,
    fresh: Option<bool>,
    pub(crate) expiry: Expiry,
    pub(crate) times: Times,
    issuer: Option<String>,
    audience: Vec<String>,
    extra: Map<String, Value>,
    error: Option<IssueError>,
    footer: Option<Map<String, Value>>,
    implicit_assertion: Option<Vec<u8>>,
    family: Option<String>,
    generation: u64,
    csrf: Option<String>,
    authenticated_at: Option<OffsetDateTime>,
    scopes: Vec<String>,
    kind: PhantomData<K>,
}

impl PasetoAuth {
    /// Starts an access token for `subject`, not fresh unless marked with [`TokenBuilder::fresh`].
    pub fn access_token(&self, subject: impl Into<String>) -> TokenBuilder<'_, Access> {
        TokenBuilder::new(self, subject.into(), Cow::Borrowed(ACCESS), Some(false))
    }

    /// Starts an access token (not fresh) in the family of a verified refresh
    /// token, with its subject, audiences, scopes and custom claims: the
    /// builder beneath [`refresh`](Self::refresh), for an access token issued
    /// by hand. It runs no [grant hook](crate::config::PasetoAuthBuilder::on_grant)
    /// and records nothing in the session: a refresh endpoint calls `refresh`.
    ///
    /// Revoking the family, or reuse of a rotated refresh token, then reaches this
    /// access token too. A token in a family cannot be set to live longer than
    /// the configured access and refresh lifetimes.
    pub fn refresh_access<T>(&self, refresh: &Claims<T>) -> TokenBuilder<'_, Access> {
        self.access_token(refresh.subject()).successor_of(refresh)
    }

    /// Starts a refresh token for `subject`.
    pub fn refresh_token(&self, subject: impl Into<String>) -> TokenBuilder<'_, Refresh> {
        TokenBuilder::new(self, subject.into(), Cow::Borrowed(REFRESH), None)
    }

    /// Starts a token of a custom type, such as `"email-verify"`, verified with a
    /// [`TokenKind`](crate::TokenKind) whose `TOKEN_TYPE` is that name.
    pub fn token(
        &self,
        subject: impl Into<String>,
        token_type: impl Into<Cow<'static, str>>,
    ) -> TokenBuilder<'_, Custom> {
        let token_type = token_type.into();
        let mut builder = TokenBuilder::new(self, subject.into(), token_type, None);
        if !is_custom_name(&builder.token_type) {
            builder.error = Some(IssueError::InvalidTokenType);
        }
        builder
    }
}

/// The time of a refresh or rotation of `refresh`, when it is a refresh
/// token not past its `exp`: the leeway forgives clock skew, it does not
/// renew an expired credential.
pub(crate) fn refresh_time<T>(refresh: &Claims<T>) -> Result<OffsetDateTime, AuthError> {
    if refresh.token_type() != REFRESH {
        return Err(AuthError::WrongType {
            expected: REFRESH,
            found: refresh.token_type().to_owned(),
        });
    }
    let now = OffsetDateTime::now_utc();
    if refresh.expires_at().is_some_and(|exp| exp <= now) {
        return Err(AuthError::Expired);
    }
    Ok(now)
}

impl TokenBuilder<'_, Access> {
    /// Marks the token fresh: it was minted by a credential check, not a refresh.
    pub fn fresh(mut self, fresh: bool) -> Self {
        self.fresh = Some(fresh);
        self
    }
}

impl<'a, K> TokenBuilder<'a, K> {
    fn new(
        auth: &'a PasetoAuth,
        subject: String,
        token_type: Cow<'static, str>,
        fresh: Option<bool>,
    ) -> Self {
        Self {
            auth,
            subject,
            token_type,
            fresh,
            expiry: Expiry::Default,
            times: Times::default(),
            issuer: None,
            audience: Vec::new(),
            extra: Map::new(),
            error: None,
            footer: None,
            implicit_assertion: None,
            family: None,
            generation: 0,
            csrf: None,
            authenticated_at: None,
            scopes: Vec::new(),
            kind: PhantomData,
        }
    }

    /// Expires the token after `ttl` instead of the configured lifetime.
    pub fn expires_in(mut self, ttl: Duration) -> Self {
        self.expiry = Expiry::In(ttl);
        self
    }

    /// Issues the token without `exp`; allowed only where the configuration accepts such tokens.
    pub fn never_expires(mut self) -> Self {
        self.expiry = Expiry::Never;
        self
    }

    /// Overrides the configured issuer for this token.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Adds an audience to the `aud` claim (a string for one, an array for several).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience.push(audience.into());
        self
    }

    /// Adds the user's own claims, written at the top level of the payload. They must
    /// serialize to a JSON object whose names are not reserved (`sub`, `exp`, `type`, ...).
    pub fn claims(mut self, claims: &impl Serialize) -> Self {
        match serde_json::to_value(claims) {
            Ok(Value::Object(map)) => {
                if let Some(name) = map.keys().find(|name| RESERVED.contains(&name.as_str())) {
                    self.error
                        .get_or_insert(IssueError::ReservedClaim(name.clone()));
                }
                self.extra.extend(map);
            }
            _ => {
                self.error.get_or_insert(IssueError::ClaimsNotObject);
            }
        }
        self
    }

    /// Grants scopes, written as one space-separated string in the scope claim
    /// (`scope` unless [`scope_claim`](crate::config::PasetoAuthBuilder::scope_claim)
    /// names another), as RFC 9068 does. Each is an RFC 6749 scope token:
    /// visible ASCII without spaces, `"` or `\`.
    pub fn scopes<I>(mut self, scopes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        for scope in scopes {
            let scope = scope.into();
            if !is_scope_token(&scope) {
                self.error.get_or_insert(IssueError::InvalidScope);
            } else if !self.scopes.contains(&scope) {
                self.scopes.push(scope);
            }
        }
        self
    }

    /// Replaces the configured footer members for this token (visible to its
    /// holder, authenticated): a JSON object without `kid`, which the issuing
    /// key's id fills in. A verifier with a configured footer requires its own.
    pub fn footer(mut self, members: &(impl Serialize + ?Sized)) -> Self {
        match serde_json::to_value(members).ok().and_then(footer::members) {
            Some(members) => self.footer = Some(members),
            None => {
                self.error.get_or_insert(IssueError::InvalidFooter);
            }
        }
        self
    }

    /// Overrides the configured implicit assertion for this token.
    pub fn implicit_assertion(mut self, assertion: impl Into<Vec<u8>>) -> Self {
        self.implicit_assertion = Some(assertion.into());
        self
    }

    /// Puts the token in a refresh family (the `fam` claim).
    pub(crate) fn family(mut self, family: &str) -> Self {
        self.family = Some(family.to_owned());
        self
    }

    /// The CSRF value a cookie's token carries (the `csrf` claim).
    pub(crate) fn csrf(mut self, csrf: &str) -> Self {
        self.csrf = Some(csrf.to_owned());
        self
    }

    /// When the session's login took place (the `auth_time` claim).
    pub(crate) fn authenticated_at(mut self, at: OffsetDateTime) -> Self {
        self.authenticated_at = Some(at);
        self
    }

    /// The rotation generation of a refresh token (the `gen` claim).
    pub(crate) fn generation(mut self, generation: u64) -> Self {
        self.generation = generation;
        self
    }

    /// Takes the audiences, the scopes, the refresh family, the login time and
    /// the user's own claims of the token it replaces; `claims(..)` after it
    /// replaces any of those claims.
    pub(crate) fn successor_of<T>(self, previous: &Claims<T>) -> Self {
        let custom = previous.custom(&self.auth.settings.options.scope_claim);
        let mut builder = previous
            .audience()
            .iter()
            .fold(self, |builder, aud| builder.audience(aud.as_str()))
            .scopes(previous.scopes())
            .family(previous.family_id());
        builder.authenticated_at = previous.authenticated_at();
        builder.extra.extend(custom);
        builder
    }

    /// Encrypts (v4.local) or signs (v4.public) the token.
    pub fn issue(self) -> Result<String, IssueError> {
        let now = self.times.issued_at.unwrap_or_else(OffsetDateTime::now_utc);
        self.issue_at(now)
    }

    pub(crate) fn issue_at(mut self, now: OffsetDateTime) -> Result<String, IssueError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let settings = &self.auth.settings;
        let scope_claim = &settings.options.scope_claim;
        if self.extra.contains_key(scope_claim) {
            return Err(IssueError::ReservedClaim(scope_claim.clone()));
        }
        if !self.scopes.is_empty() {
            self.extra
                .insert(scope_claim.clone(), Value::from(self.scopes.join(" ")));
        }
        let ttl = match self.expiry {
            Expiry::Default => Some(settings.options.ttl(TokenType::of(&self.token_type))),
            Expiry::In(ttl) if ttl.is_positive() => Some(ttl),
            Expiry::In(_) => return Err(IssueError::InvalidExpiry),
            Expiry::At(at) => Some(at - now),
            Expiry::Never if settings.options.allow_missing_expiry => None,
            Expiry::Never => return Err(IssueError::ExpiryRequired),
        };
        if self.family.is_some() && ttl.is_none_or(|ttl| ttl > settings.options.family_ttl()) {
            return Err(IssueError::OutlivesFamily);
        }
        let exp = match ttl {
            Some(ttl) => Some(
                now.checked_add(ttl)
                    .filter(|t| t.year() <= 9999)
                    .ok_or(IssueError::InvalidExpiry)?,
            ),
            None => None,
        };
        // One draw of the system's generator a token: the id's random bits,
        // and a v4.local token's nonce.
        let mut random = [0; token_id::RANDOM_LEN + secret_cipher::NONCE_LEN];
        let local = matches!(settings.keys, KeyMaterial::Local(_));
        let drawn = if local {
            &mut random[..]
        } else {
            &mut random[..token_id::RANDOM_LEN]
        };
        getrandom::fill(drawn).map_err(|_| IssueError::Crypto)?;
        let (id_random, nonce) = random.split_at(token_id::RANDOM_LEN);
        let id_random = id_random.try_into().map_err(|_| IssueError::Crypto)?;
        let now_text = format_time(now);
        let not_before = self.times.not_before.map(format_time);
        let audience = match self.audience.as_slice() {
            [] => None,
            [one] => Some(Value::from(one.as_str())),
            many => Some(Value::from(many)),
        };
        let payload = IssuedPayload {
            sub: &self.subject,
            iat: now_text.as_str(),
            nbf: not_before.as_ref().unwrap_or(&now_text).as_str(),
            exp: exp.map(format_time),
            jti: token_id::new(now, id_random),
            token_type: &self.token_type,
            fresh: self.fresh,
            iss: self
                .issuer
                .as_deref()
                .or(settings.options.issuer.as_deref()),
            aud: audience,
            fam: self.family.as_deref(),
            r#gen: (self.generation > 0).then_some(self.generation),
            csrf: self.csrf.as_deref(),
            auth_time: self.authenticated_at.map(format_time),
            extra: &self.extra,
        };
        let mut message = Vec::with_capacity(384);
        serde_json::to_writer(&mut message, &payload).map_err(|_| IssueError::Crypto)?;
        let own_footer;
        let footer = match &self.footer {
            Some(members) => {
                own_footer = footer::issued(settings.footer.kid.as_deref(), Some(members));
                own_footer.as_slice()
            }
            None => settings.footer.issued.as_slice(),
        };
        let implicit = self
            .implicit_assertion
            .as_deref()
            .or(settings.options.implicit_assertion.as_deref());
        let some_footer = Some(footer).filter(|f| !f.is_empty());
        match &settings.keys {
            KeyMaterial::Local(ring) => {
                let implicit = implicit.unwrap_or_default();
                let nonce = nonce.try_into().map_err(|_| IssueError::Crypto)?;
                secret_cipher::seal(ring.current(), nonce, &message, footer, implicit)
                    .map_err(|_| IssueError::Crypto)
            }
            KeyMaterial::Public {
                secret: Some(key), ..
            } => PublicToken::sign(&key.secret, &message, some_footer, implicit)
                .map_err(|_| IssueError::Crypto),
            KeyMaterial::Public { secret: None, .. } => Err(IssueError::NoSigningKey),
            #[cfg(feature = "remote-keys")]
            KeyMaterial::Remote(_) => Err(IssueError::NoSigningKey),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::keys::LocalKey;
    use crate::{Access, PasetoAuth, untrusted};

    /// Each token draws its own nonce and id; the id's random bits are not
    /// the nonce's.
    #[tokio::test]
    async fn every_token_has_its_own_nonce_and_id() {
        let key = LocalKey::generate().unwrap();
        let auth = PasetoAuth::builder().local_key(key).build().unwrap();
        let mut seen = Vec::new();
        for _ in 0..8 {
            let token = auth.access_token("alice").issue().unwrap();
            let (message, _) = untrusted::split(&token, "v4.local.").unwrap();
            let nonce = message[..32].to_vec();
            let claims = auth.verify::<Access>(&token).await.unwrap();
            let id = uuid::Uuid::parse_str(claims.token_id()).unwrap();
            // A UUID v7's last 8 bytes are random but for the variant's 2 bits.
            let random = &id.as_bytes()[8..];
            assert!(!nonce.windows(random.len()).any(|w| w[1..] == random[1..]));
            seen.push((nonce, id));
        }
        for (i, (nonce, id)) in seen.iter().enumerate() {
            for (other_nonce, other_id) in &seen[i + 1..] {
                assert_ne!(nonce, other_nonce);
                assert_ne!(id, other_id);
            }
        }
    }
}
