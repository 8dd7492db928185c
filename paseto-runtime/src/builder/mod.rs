//! The builder that checks settings and makes a [`PasetoAuth`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use axum_core::response::Response;
use cookie::SameSite;
use time::Duration;

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::clients::Clients;
use crate::denylist::Denylist;
use crate::error::AuthError;
use crate::events::{EventHook, SecurityEvent};
use crate::grant::{Grant, GrantHook};
use crate::keys::{LocalKey, LocalSecret, PublicKey, SecretKey, VerifyKey};
use crate::rejection::Renderer;
use crate::settings::{Check, Options, TokenSource};

mod build;
mod keys;

/// Builds a [`PasetoAuth`]. Defaults, as fastapi-paseto's: access tokens live 15
/// minutes, refresh and custom tokens 30 days, leeway 0, header `Authorization`
/// with scheme `Bearer`, tokens without `exp` rejected. Beyond it: a token that
/// names an audience is rejected by a service that requires none, and a rotated
/// refresh token may be presented again for 10 seconds (a client's retry).
#[must_use = "a builder does nothing until `build` is called"]
#[derive(Default)]
pub struct PasetoAuthBuilder {
    local: Option<LocalKey>,
    local_secret: Option<LocalSecret>,
    secret: Option<SecretKey>,
    public: Option<PublicKey>,
    verify_keys: Vec<VerifyKey>,
    /// The URL of the key set to fetch keys from.
    #[cfg(feature = "remote-keys")]
    remote: Option<String>,
    options: Options,
    renderer: Option<Renderer>,
    events: Option<EventHook>,
    grant: Option<GrantHook>,
    introspection: Option<Clients>,
    denylist: Option<Arc<dyn Denylist>>,
    revocation_check: Option<Check>,
}

impl PasetoAuth {
    /// Starts a configuration with fastapi-paseto's defaults.
    pub fn builder() -> PasetoAuthBuilder {
        PasetoAuthBuilder::default()
    }
}

impl fmt::Debug for PasetoAuthBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasetoAuthBuilder")
            .field("local", &self.local)
            .field("local_secret", &self.local_secret)
            .field("secret", &self.secret)
            .field("public", &self.public)
            .field("verify_keys", &self.verify_keys)
            .finish_non_exhaustive()
    }
}

impl PasetoAuthBuilder {
    /// How long access tokens live. Default: 15 minutes.
    pub fn access_ttl(mut self, ttl: Duration) -> Self {
        self.options.access_ttl = ttl;
        self
    }

    /// How long refresh tokens live. Default: 30 days.
    pub fn refresh_ttl(mut self, ttl: Duration) -> Self {
        self.options.refresh_ttl = ttl;
        self
    }

    /// How long tokens of custom types live. Default: 30 days.
    pub fn custom_ttl(mut self, ttl: Duration) -> Self {
        self.options.custom_ttl = ttl;
        self
    }

    /// Clock skew tolerated when checking `exp`, `nbf` and `iat`. Default: 0.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.options.leeway = leeway;
        self
    }

    /// How long after a rotation the refresh token just spent is still taken, as a
    /// client's retry (a double submit, a lost response): it gets a new pair of the
    /// same family instead of revoking the family. Default: 10 seconds; at most 5
    /// minutes; zero makes every reuse fatal to the family.
    ///
    /// The trade-off: a thief who presents a stolen refresh token within this
    /// window after the client's rotation is not detected then. Detection resumes
    /// at the next rotation, when one of the two pairs becomes spent.
    pub fn rotation_grace(mut self, grace: Duration) -> Self {
        self.options.rotation_grace = grace;
        self
    }

    /// Takes tokens from the query string of WebSocket upgrade requests
    /// (`GET` with `Upgrade: websocket`), for browsers, which cannot set headers
    /// on `new WebSocket(url)`. Default: no. Only upgrade requests are read: a
    /// plain request with `?token=` carries no token. The header wins when both
    /// are sent. Query strings end up in access logs (RFC 6750 §2.3): keep them
    /// out of yours and your proxy's.
    pub fn websocket_query(mut self, allow: bool) -> Self {
        self.options.websocket_query = allow;
        self
    }

    /// The query parameter of WebSocket tokens. Default: `token`.
    pub fn websocket_query_key(mut self, key: impl Into<String>) -> Self {
        self.options.websocket_query_key = key.into();
        self
    }

    /// The scheme a query token starts with, as `?token=Bearer%20v4.local...`,
    /// matched case-insensitively. Default: empty, a bare token.
    pub fn websocket_query_scheme(mut self, scheme: impl Into<String>) -> Self {
        self.options.websocket_query_scheme = scheme.into();
        self
    }

    /// The order in which a request's token sources are tried; the first that
    /// holds a token decides. Default: header, WebSocket query, JSON body,
    /// cookie: explicit credentials before ambient ones. A source left out is
    /// never read; each still needs its own switch (`websocket_query`,
    /// `json_body_layer`, `cookie_tokens`).
    pub fn token_sources(mut self, order: impl IntoIterator<Item = TokenSource>) -> Self {
        self.options.token_sources = order.into_iter().collect();
        self
    }

    /// Takes tokens from cookies, for browsers; see [`Login::cookies`](crate::issue::Login::cookies).
    /// Default: no. A request a cookie authenticates must repeat its CSRF value in
    /// the [`csrf_header`](Self::csrf_header) for the
    /// [`csrf_methods`](Self::csrf_methods) (else 403), and a WebSocket upgrade
    /// must come from an allowed origin (see [`websocket_origins`](Self::websocket_origins)).
    /// A token in the header, the query or a body needs neither.
    pub fn cookie_tokens(mut self, allow: bool) -> Self {
        self.options.cookie_tokens = allow;
        self
    }

    /// The token cookies' names. Default: `access_token_cookie`, `refresh_token_cookie`.
    pub fn token_cookies(mut self, access: impl Into<String>, refresh: impl Into<String>) -> Self {
        self.options.access_cookie = access.into();
        self.options.refresh_cookie = refresh.into();
        self
    }

    /// The CSRF cookies' names. Default: `csrf_access_token`, `csrf_refresh_token`.
    pub fn csrf_cookies(mut self, access: impl Into<String>, refresh: impl Into<String>) -> Self {
        self.options.csrf_access_cookie = access.into();
        self.options.csrf_refresh_cookie = refresh.into();
        self
    }

    /// The header a cookie-authenticated request repeats its CSRF value in.
    /// Default: `X-CSRF-TOKEN`.
    pub fn csrf_header(mut self, name: impl Into<String>) -> Self {
        self.options.csrf_header = name.into();
        self
    }

    /// The methods that need the CSRF header. Default: `POST`, `PUT`, `PATCH`,
    /// `DELETE`. `OPTIONS` is never guarded, even if listed: a CORS preflight
    /// cannot send the header.
    pub fn csrf_methods(mut self, methods: impl IntoIterator<Item = http::Method>) -> Self {
        // A CORS preflight changes nothing, and cannot send the header.
        self.options.csrf_methods = methods
            .into_iter()
            .filter(|method| *method != http::Method::OPTIONS)
            .collect();
        self
    }

    /// Marks cookies `Secure`. Default: yes (browsers accept it on
    /// `http://localhost`).
    pub fn cookie_secure(mut self, secure: bool) -> Self {
        self.options.cookie_secure = secure;
        self
    }

    /// The cookies' `SameSite`. Default: `Lax`; `None` only with `Secure`.
    pub fn cookie_same_site(mut self, same_site: SameSite) -> Self {
        self.options.cookie_same_site = same_site;
        self
    }

    /// The `Path` of the access cookie and of the refresh cookie, such as the
    /// refresh route alone for the latter. Default: `/` for both.
    pub fn cookie_paths(mut self, access: impl Into<String>, refresh: impl Into<String>) -> Self {
        self.options.access_cookie_path = access.into();
        self.options.refresh_cookie_path = refresh.into();
        self
    }

    /// Gives cookies a `Max-Age` of their token's lifetime (`true`, the default),
    /// or makes them session cookies, gone when the browser closes.
    pub fn cookie_max_age(mut self, persistent: bool) -> Self {
        self.options.cookie_max_age = persistent;
        self
    }

    /// Prefixes every cookie name with `__Host-` (`__Host-access_token_cookie`,
    /// …). A browser keeps such a cookie only if it is `Secure`, has `Path=/`
    /// and no `Domain`, so a sibling subdomain can neither set nor shadow it.
    /// Default: no; needs `cookie_secure(true)` and both cookie paths `/`.
    pub fn cookie_host_prefix(mut self, prefix: bool) -> Self {
        self.options.cookie_host_prefix = prefix;
        self
    }

    /// The origins (`https://app.example`) a cookie-authenticated WebSocket
    /// upgrade may come from. Default: none listed, which allows only the
    /// request's own host.
    pub fn websocket_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.options.websocket_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// How often [`PasetoAuth::until_invalid`] asks the revocation store again.
    /// Default: 1 second; at least 100 ms.
    pub fn revocation_poll(mut self, interval: Duration) -> Self {
        self.options.revocation_poll = interval;
        self
    }

    /// The claim that holds a token's scopes: written by
    /// [`TokenBuilder::scopes`](crate::issue::TokenBuilder::scopes), read by the
    /// `scopes = [...]` guards. A space-separated string (RFC 8693, RFC 9068)
    /// or an array of strings is read; a string is written. Default: `scope`;
    /// `scp` is another common name.
    pub fn scope_claim(mut self, name: impl Into<String>) -> Self {
        self.options.scope_claim = name.into();
        self
    }

    /// The `iss` claim written into issued tokens.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.options.issuer = Some(issuer.into());
        self
    }

    /// Rejects tokens whose `iss` is not this issuer.
    pub fn require_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.options.required_issuer = Some(issuer.into());
        self
    }

    /// Rejects tokens whose `aud` names none of the required audiences; call once per audience.
    pub fn require_audience(mut self, audience: impl Into<String>) -> Self {
        self.options.audiences.push(audience.into());
        self
    }

    /// Accepts tokens addressed to any audience when no audience is required.
    /// Default: no: as RFC 7519 §4.1.3 says, a service that requires no audience
    /// rejects a token whose `aud` is set, since it was meant for another service.
    pub fn allow_any_audience(mut self, allow: bool) -> Self {
        self.options.allow_any_audience = allow;
        self
    }

    /// The request header that carries the token. Default: `Authorization`.
    pub fn header(mut self, name: impl Into<String>) -> Self {
        self.options.header = name.into();
        self
    }

    /// The scheme before the token, matched case-insensitively. Default: `Bearer`.
    /// An empty scheme means the header holds the bare token.
    pub fn scheme(mut self, scheme: impl Into<String>) -> Self {
        self.options.scheme = scheme.into();
        self
    }

    /// Accepts tokens without an `exp` claim (and lets `never_expires` issue them). Default: no.
    pub fn allow_missing_expiry(mut self, allow: bool) -> Self {
        self.options.allow_missing_expiry = allow;
        self
    }

    /// Hands every [`SecurityEvent`] to `hook` as it happens: a refresh token
    /// reused, a revoked token presented, an unknown key id, a store outage and
    /// its recovery, a user not found. The hook runs on the request's task:
    /// keep it quick, and spawn what waits.
    ///
    /// ```
    /// use paseto_runtime::{PasetoAuth, SecurityEvent, keys::LocalKey};
    ///
    /// let auth = PasetoAuth::builder()
    ///     .local_key(LocalKey::generate()?)
    ///     .on_event(|event| {
    ///         if let SecurityEvent::RefreshReuse { subject, session } = event {
    ///             tracing::warn!(%subject, %session, "refresh token reused; session revoked");
    ///         }
    ///     })
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_event(mut self, hook: impl Fn(&SecurityEvent) + Send + Sync + 'static) -> Self {
        self.events = Some(Arc::new(hook));
        self
    }

    /// Decides what new tokens carry, from the application's own data: an
    /// async function of the [`Grant`] about to be issued (its subject,
    /// occasion, scopes and custom claims) returning the grant to issue, or an
    /// [`AuthError`](crate::AuthError) that refuses it (say
    /// [`UnknownUser`](crate::AuthError::UnknownUser) for an account gone,
    /// [`UserUnavailable`](crate::AuthError::UserUnavailable) when the user
    /// store is down). It runs at [`login`](crate::PasetoAuth::login),
    /// [`refresh`](crate::PasetoAuth::refresh) and
    /// [`rotate`](crate::PasetoAuth::rotate), and at the renewal of a
    /// [sliding session](crate::PasetoAuth::sliding_session_layer), so a role
    /// change reaches the next refresh; without it, refreshed and rotated tokens carry what their
    /// refresh token carries.
    ///
    /// ```
    /// use paseto_runtime::{PasetoAuth, keys::LocalKey};
    ///
    /// let auth = PasetoAuth::builder()
    ///     .local_key(LocalKey::generate()?)
    ///     .on_grant(|mut grant| async move {
    ///         // Whatever the tokens asked for, only admins keep `admin`.
    ///         let is_admin = grant.subject() == "root";
    ///         grant.scopes.retain(|scope| scope != "admin" || is_admin);
    ///         Ok(grant)
    ///     })
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_grant<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Grant) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Grant, AuthError>> + Send + 'static,
    {
        self.grant = Some(Arc::new(move |grant| Box::pin(hook(grant))));
        self
    }

    /// The clients allowed to call this issuer's token introspection (RFC
    /// 7662) and revocation (RFC 7009) endpoints with HTTP Basic credentials;
    /// see [`TokenRequest`](crate::introspection::TokenRequest). Without
    /// clients, those endpoints answer 404.
    pub fn introspection_clients(mut self, clients: Clients) -> Self {
        self.introspection = Some(clients);
        self
    }

    /// Replaces how every rejection of this configuration's extractors is rendered.
    ///
    /// ```
    /// use axum::Json;
    /// use axum::response::IntoResponse;
    /// use paseto_runtime::{PasetoAuth, keys::LocalKey};
    ///
    /// let auth = PasetoAuth::builder()
    ///     .local_key(LocalKey::generate()?)
    ///     .on_rejection(|error| {
    ///         let body = Json(serde_json::json!({ "error": error.kind(), "message": error.to_string() }));
    ///         let mut response = (error.status(), body).into_response();
    ///         if let Some(challenge) = error.www_authenticate() {
    ///             response.headers_mut().insert("www-authenticate", challenge);
    ///         }
    ///         response
    ///     })
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_rejection(
        mut self,
        render: impl Fn(&AuthError) -> Response + Send + Sync + 'static,
    ) -> Self {
        self.renderer = Some(Arc::new(render));
        self
    }

    /// Consults `denylist` on every verification of the token types named by
    /// [`denylist_token_checks`](Self::denylist_token_checks), and records
    /// [`PasetoAuth::revoke`] and [`PasetoAuth::rotate`] there.
    pub fn denylist(mut self, denylist: impl Denylist) -> Self {
        self.denylist = Some(Arc::new(denylist));
        self
    }

    /// Which token types revocation applies to. Default: `access` and `refresh`,
    /// as fastapi-paseto's `authpaseto_denylist_token_checks`.
    pub fn denylist_token_checks<I>(mut self, token_types: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.options.denylist_token_types = token_types.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a check of your own, like fastapi-paseto's `token_in_denylist_loader`:
    /// an async function of the verified claims answering whether the token is
    /// revoked. An error refuses the request with 503. It runs after the denylist,
    /// for the same token types; its future must own what it needs from the claims.
    ///
    /// ```
    /// use paseto_runtime::{Claims, PasetoAuth, keys::LocalKey};
    ///
    /// let auth = PasetoAuth::builder()
    ///     .local_key(LocalKey::generate()?)
    ///     .revocation_check(|claims: &Claims| {
    ///         let subject = claims.subject().to_owned();
    ///         async move { Ok::<_, std::io::Error>(subject == "banned") }
    ///     })
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn revocation_check<F, Fut, E>(mut self, check: F) -> Self
    where
        F: Fn(&Claims) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<bool, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        self.revocation_check = Some(Arc::new(move |claims: &Claims| {
            let answer = check(claims);
            Box::pin(async move { answer.await.map_err(Into::into) })
        }));
        self
    }
}
