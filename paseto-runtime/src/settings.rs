//! What a configuration holds: key material, the options with their defaults,
//! and what is derived from them when it is built. Everything above reads it;
//! it reads nothing above it.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use http::HeaderName;
use time::Duration;

use crate::claims::Claims;
use crate::clients::Clients;
use crate::denylist::{BoxFuture, Denylist};
use crate::error::AuthError;
use crate::events::EventHook;
use crate::footer::FooterSpec;
use crate::grant::GrantHook;
use crate::keys::{PublicKey, SecretKey};
use crate::kind::{ACCESS, REFRESH, TokenType};
use crate::rejection::{AuthRejection, Renderer, reject};
use crate::ring::Ring;
use crate::secret_cipher::Prepared;

/// A configuration that cannot be used, found when it is built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No key was given.
    #[error(
        "no key configured: give a v4.local key, or an Ed25519 secret or public key for v4.public"
    )]
    NoKey,
    /// A v4.local key and Ed25519 keys were both given.
    #[error("both a v4.local key and Ed25519 keys are configured: choose one purpose")]
    ConflictingKeys,
    /// The Ed25519 public key is not the one derived from the secret key.
    #[error("the Ed25519 public key does not belong to the secret key")]
    KeyMismatch,
    /// A setting is out of its range.
    #[error("{setting} must be {expected}")]
    InvalidSetting {
        /// The setting.
        setting: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// An environment variable holds a value that cannot be used.
    #[error("environment variable {var}: expected {expected}")]
    Env {
        /// The variable's name.
        var: &'static str,
        /// What it must hold.
        expected: String,
    },
}

/// The longest TTL or leeway accepted: a hundred years. Anything longer is a typo,
/// and keeping times this small means adding them to "now" cannot overflow.
pub(crate) const MAX_DURATION: Duration = Duration::days(36_525);

/// The shortest revocation poll accepted: each poll is a store round trip.
pub(crate) const MIN_REVOCATION_POLL: Duration = Duration::milliseconds(100);

/// The longest rotation grace accepted: a window for retries, not a second lifetime.
pub(crate) const MAX_ROTATION_GRACE: Duration = Duration::minutes(5);

/// Bytes a configuration holds that `Debug` does not show (an implicit
/// assertion): only their length.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Opaque(pub(crate) Vec<u8>);

impl std::ops::Deref for Opaque {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Opaque {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

/// Declares [`Options`] once: each setting with its type, its default and its doc.
/// `Debug` is derived, so a new setting is this one line, its setter on
/// `PasetoAuthBuilder`, and its range check in `PasetoAuthBuilder::check` if
/// it has a range.
macro_rules! options {
    ($($(#[doc = $doc:literal])* $name:ident: $type:ty = $default:expr,)*) => {
        /// Every plain setting, as the builder drafts it and verification reads it.
        #[derive(Clone, Debug)]
        pub(crate) struct Options {
            $($(#[doc = $doc])* pub(crate) $name: $type,)*
        }

        impl Default for Options {
            fn default() -> Self {
                Self { $($name: $default,)* }
            }
        }
    };
}

options! {
    /// How long access tokens live.
    access_ttl: Duration = Duration::minutes(15),
    /// How long refresh tokens live.
    refresh_ttl: Duration = Duration::days(30),
    /// How long tokens of custom types live.
    custom_ttl: Duration = Duration::days(30),
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    leeway: Duration = Duration::ZERO,
    /// How long a just-rotated refresh token is taken again, as a retry.
    rotation_grace: Duration = Duration::seconds(10),
    /// The `iss` written into issued tokens.
    issuer: Option<String> = None,
    /// The `iss` a token must carry.
    required_issuer: Option<String> = None,
    /// The audiences a token must name one of.
    audiences: Vec<String> = Vec::new(),
    /// With no audience required, accept tokens addressed to others.
    allow_any_audience: bool = false,
    /// The header that carries the token, as configured.
    header: String = AUTHORIZATION.to_owned(),
    /// The scheme before the token; empty for a bare token.
    scheme: String = "Bearer".to_owned(),
    /// Accept tokens without `exp`.
    allow_missing_expiry: bool = false,
    /// The members of the footer written and required, besides the `kid`.
    footer: Option<serde_json::Value> = None,
    /// Write the issuing key's PASERK id as the footer's `kid`.
    kid_footer: bool = true,
    /// The PASERK id of the key that verifies tokens without a `kid`; the
    /// current key when `None`.
    untagged_key: Option<String> = None,
    /// The implicit assertion bound into every token.
    implicit_assertion: Option<Opaque> = None,
    /// Take tokens from the query string of WebSocket upgrade requests.
    websocket_query: bool = false,
    /// The query parameter that carries a WebSocket token.
    websocket_query_key: String = "token".to_owned(),
    /// The scheme before a query token; empty for a bare token.
    websocket_query_scheme: String = String::new(),
    /// The order in which token sources are tried.
    token_sources: Vec<TokenSource> = TokenSource::DEFAULT_ORDER.to_vec(),
    /// Take tokens from cookies, with CSRF double-submit protection.
    cookie_tokens: bool = false,
    /// The cookie holding the access token.
    access_cookie: String = "access_token_cookie".to_owned(),
    /// The cookie holding the refresh token.
    refresh_cookie: String = "refresh_token_cookie".to_owned(),
    /// The script-readable cookie holding the access token's CSRF value.
    csrf_access_cookie: String = "csrf_access_token".to_owned(),
    /// The script-readable cookie holding the refresh token's CSRF value.
    csrf_refresh_cookie: String = "csrf_refresh_token".to_owned(),
    /// The header a cookie-authenticated request repeats the CSRF value in.
    csrf_header: String = "X-CSRF-TOKEN".to_owned(),
    /// The methods a cookie-authenticated request must send the CSRF header with.
    csrf_methods: Vec<http::Method> = vec![
        http::Method::POST,
        http::Method::PUT,
        http::Method::PATCH,
        http::Method::DELETE,
    ],
    /// Mark cookies `Secure`.
    cookie_secure: bool = true,
    /// The `SameSite` attribute of every cookie.
    cookie_same_site: cookie::SameSite = cookie::SameSite::Lax,
    /// The `Path` of the access cookie.
    access_cookie_path: String = "/".to_owned(),
    /// The `Path` of the refresh cookie, such as the refresh route alone.
    refresh_cookie_path: String = "/".to_owned(),
    /// Give cookies a `Max-Age` of their token's lifetime; else session cookies.
    cookie_max_age: bool = true,
    /// Prefix every cookie name with `__Host-`.
    cookie_host_prefix: bool = false,
    /// Origins a cookie-authenticated WebSocket upgrade may come from; empty:
    /// the request's own host only.
    websocket_origins: Vec<String> = Vec::new(),
    /// How often a watched token's revocation is checked again.
    revocation_poll: Duration = Duration::seconds(1),
    /// The claim that holds a token's scopes.
    scope_claim: String = SCOPE.to_owned(),
    /// The token types revocation applies to.
    denylist_token_types: Vec<String> = vec![ACCESS.to_owned(), REFRESH.to_owned()],
}

/// A place a token may come from; see
/// [`PasetoAuthBuilder::token_sources`](crate::config::PasetoAuthBuilder::token_sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TokenSource {
    /// The configured header, `Authorization: Bearer …` by default.
    Header,
    /// The query string of a WebSocket upgrade, where `websocket_query` allows it.
    Query,
    /// A JSON body, on routes under the body layer.
    JsonBody,
    /// A cookie, where `cookie_tokens` allows it.
    Cookie,
}

impl TokenSource {
    /// Explicit credentials before ambient ones.
    pub(crate) const DEFAULT_ORDER: [Self; 4] =
        [Self::Header, Self::Query, Self::JsonBody, Self::Cookie];
}

/// The claim RFC 8693 and RFC 9068 name for scopes, and the default.
pub(crate) const SCOPE: &str = "scope";

/// The default header's name as written in messages.
pub(crate) const AUTHORIZATION: &str = "Authorization";

impl Options {
    /// The configured lifetime of a token of type `token_type`.
    pub(crate) fn ttl(&self, token_type: TokenType) -> Duration {
        match token_type {
            TokenType::Access => self.access_ttl,
            TokenType::Refresh => self.refresh_ttl,
            TokenType::Custom => self.custom_ttl,
        }
    }

    /// The longest a token of a refresh family lives: the longer of the access
    /// and refresh lifetimes. Revoking a family covers this long.
    pub(crate) fn family_ttl(&self) -> Duration {
        self.access_ttl.max(self.refresh_ttl)
    }
}

/// The key material of one purpose: a ring of v4.local keys, or of v4.public
/// keys with or without the current key's signing half.
#[derive(Debug)]
pub(crate) enum KeyMaterial {
    /// The ring's keys as the cipher uses them: their derivations prepared.
    Local(Ring<Prepared>),
    Public {
        /// Boxed: it holds its public key's decoded point too.
        secret: Option<Box<SecretKey>>,
        ring: Ring<PublicKey>,
    },
    /// `v4.public` keys fetched from an issuer's key set, for verifying only.
    #[cfg(feature = "remote-keys")]
    Remote(Arc<dyn KeySource>),
}

/// Keys that arrive after the configuration is built: fetched from an
/// issuer's key set (feature `remote-keys`).
#[cfg(feature = "remote-keys")]
pub(crate) trait KeySource: fmt::Debug + Send + Sync + std::any::Any {
    /// The keys held now; `None` until any arrived.
    fn ring(&self) -> Option<Arc<Ring<PublicKey>>>;

    /// A token named a `kid` the keys lack: look again soon.
    fn wanted(&self);
}

impl KeyMaterial {
    /// The PASERK id of the key that issues; `None` for a raw secret.
    pub(crate) fn current_id(&self) -> Option<&str> {
        match self {
            Self::Local(ring) => ring.current_id(),
            Self::Public { ring, .. } => ring.current_id(),
            #[cfg(feature = "remote-keys")]
            Self::Remote(_) => None,
        }
    }

    /// Whether the tokens this configuration issues without a `kid` verify
    /// here: the key without a `kid` is the one that issues, or none issues.
    pub(crate) fn verifies_untagged_issued(&self) -> bool {
        match self {
            Self::Local(ring) => ring.untagged_is_current(),
            Self::Public { secret: None, .. } => true,
            #[cfg(feature = "remote-keys")]
            Self::Remote(_) => true,
            Self::Public { ring, .. } => ring.untagged_is_current(),
        }
    }
}

/// The header that carries tokens, parsed once when the configuration is built.
#[derive(Debug)]
pub(crate) struct HeaderSpec {
    pub(crate) name: HeaderName,
    /// The name as configured, for messages.
    pub(crate) label: Arc<str>,
    /// The form the header must have, for messages: `Bearer <PASETO>`.
    pub(crate) form: Arc<str>,
}

/// Where WebSocket upgrades carry tokens in the query string, when allowed.
#[derive(Debug)]
pub(crate) struct QuerySpec {
    pub(crate) key: Arc<str>,
    /// The form the value must have, for messages: `<PASETO>`.
    pub(crate) form: Arc<str>,
}

/// A user-supplied revocation check: `Ok(true)` when the token is revoked.
pub(crate) type Check = Arc<
    dyn Fn(&Claims) -> BoxFuture<'static, Result<bool, Box<dyn std::error::Error + Send + Sync>>>
        + Send
        + Sync,
>;

/// What verification consults, for which token types.
pub(crate) struct Revocation {
    pub(crate) denylist: Option<Arc<dyn Denylist>>,
    pub(crate) check: Option<Check>,
    /// Whether the last call to the store failed: an outage is logged once, as is
    /// the recovery.
    pub(crate) outage: AtomicBool,
    /// The application's hook, told of outages and recoveries.
    pub(crate) events: Option<EventHook>,
}

/// A built configuration: what every check reads.
pub(crate) struct Settings {
    pub(crate) keys: KeyMaterial,
    pub(crate) footer: FooterSpec,
    pub(crate) options: Options,
    pub(crate) header: HeaderSpec,
    pub(crate) query: Option<QuerySpec>,
    /// The CSRF header's name, parsed.
    pub(crate) csrf_header: HeaderName,
    pub(crate) renderer: Option<Renderer>,
    /// The application's hook for security events.
    pub(crate) events: Option<EventHook>,
    /// The application's hook deciding what new tokens carry.
    pub(crate) grant: Option<GrantHook>,
    /// The clients allowed to introspect and revoke tokens.
    pub(crate) introspection: Option<Clients>,
    pub(crate) revocation: Option<Revocation>,
}

impl Settings {
    /// What revokes tokens of `token_type`: the configured revocation, when that
    /// type is among `denylist_token_checks`.
    pub(crate) fn revocation_for(&self, token_type: &str) -> Option<&Revocation> {
        let checked = self
            .options
            .denylist_token_types
            .iter()
            .any(|t| t == token_type);
        self.revocation.as_ref().filter(|_| checked)
    }

    /// A rejection of `error`, rendered as this configuration renders.
    pub(crate) fn reject(&self, error: AuthError) -> AuthRejection {
        reject(self.renderer.as_ref(), error)
    }

    /// A required extractor's answer from its optional one: the value, or the
    /// rejection of a request that carries no token.
    pub(crate) fn required<T>(&self, found: Option<T>) -> Result<T, AuthRejection> {
        found.ok_or_else(|| self.reject(AuthError::MissingToken))
    }

    /// The configured revocation and its denylist, when there is one.
    pub(crate) fn denylist(&self) -> Option<(&Revocation, &dyn Denylist)> {
        let revocation = self.revocation.as_ref()?;
        Some((revocation, revocation.denylist.as_deref()?))
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasetoAuth")
            .field("keys", &self.keys)
            .field("options", &self.options)
            .field("custom_rejection", &self.renderer.is_some())
            .field("revocation", &self.revocation.is_some())
            .finish_non_exhaustive()
    }
}
