//! The builder that checks settings and makes a [`PasetoAuth`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use axum_core::response::Response;
use http::HeaderName;
use http::header::AUTHORIZATION as AUTHORIZATION_HEADER;
use time::Duration;

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::denylist::Denylist;
use crate::error::AuthError;
use crate::keys::{LocalKey, PublicKey, SecretKey};
use crate::settings::{
    AUTHORIZATION, Check, ConfigError, HeaderSpec, KeyMaterial, MAX_DURATION, MAX_ROTATION_GRACE,
    Opaque, Options, Renderer, Revocation, Settings,
};

/// Builds a [`PasetoAuth`]. Defaults, as fastapi-paseto's: access tokens live 15
/// minutes, refresh and custom tokens 30 days, leeway 0, header `Authorization`
/// with scheme `Bearer`, tokens without `exp` rejected. Beyond it: a token that
/// names an audience is rejected by a service that requires none, and a rotated
/// refresh token may be presented again for 10 seconds (a client's retry).
#[must_use = "a builder does nothing until `build` is called"]
#[derive(Default)]
pub struct PasetoAuthBuilder {
    local: Option<LocalKey>,
    secret: Option<SecretKey>,
    public: Option<PublicKey>,
    options: Options,
    renderer: Option<Renderer>,
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
            .field("secret", &self.secret)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl PasetoAuthBuilder {
    /// Uses `v4.local` tokens (encrypted, one shared key).
    pub fn local_key(mut self, key: LocalKey) -> Self {
        self.local = Some(key);
        self
    }

    /// Uses `v4.public` tokens (signed), issuing with this key and verifying with its public half.
    pub fn secret_key(mut self, key: SecretKey) -> Self {
        self.secret = Some(key);
        self
    }

    /// Uses `v4.public` tokens, verifying with this key. Without a secret key the
    /// service only verifies; issuing is then an error.
    pub fn public_key(mut self, key: PublicKey) -> Self {
        self.public = Some(key);
        self
    }

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

    /// A footer written into issued tokens and required, byte for byte, on every token verified.
    pub fn footer(mut self, footer: impl Into<Vec<u8>>) -> Self {
        self.options.footer = Some(Opaque(footer.into()));
        self
    }

    /// An implicit assertion (bound into the MAC or signature but not carried in the
    /// token) used when issuing and required when verifying.
    pub fn implicit_assertion(mut self, assertion: impl Into<Vec<u8>>) -> Self {
        self.options.implicit_assertion = Some(Opaque(assertion.into()));
        self
    }

    /// Replaces how every rejection of this configuration's extractors is rendered.
    ///
    /// ```
    /// use axum::Json;
    /// use axum::response::IntoResponse;
    /// use paseto_runtime::{LocalKey, PasetoAuth};
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
    /// use paseto_runtime::{Claims, LocalKey, PasetoAuth};
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

    /// Whether a key of either purpose has been given.
    pub fn has_key(&self) -> bool {
        self.local.is_some() || self.secret.is_some() || self.public.is_some()
    }

    /// Lifetimes, leeway and grace within their ranges; no empty footer.
    fn check(options: &Options) -> Result<(), ConfigError> {
        let invalid = |setting, expected| Err(ConfigError::InvalidSetting { setting, expected });
        for (setting, ttl) in [
            ("access_ttl", options.access_ttl),
            ("refresh_ttl", options.refresh_ttl),
            ("custom_ttl", options.custom_ttl),
        ] {
            if !ttl.is_positive() || ttl > MAX_DURATION {
                return invalid(setting, "a positive duration of at most 100 years");
            }
        }
        if !within(options.leeway, MAX_DURATION) {
            return invalid("leeway", "a duration of zero or more, of at most 100 years");
        }
        if !within(options.rotation_grace, MAX_ROTATION_GRACE) {
            return invalid(
                "rotation_grace",
                "a duration of zero or more, of at most 5 minutes",
            );
        }
        if options
            .footer
            .as_ref()
            .is_some_and(|footer| footer.0.is_empty())
        {
            return invalid(
                "footer",
                "non-empty; leave it out for tokens without a footer",
            );
        }
        if !options.scheme.bytes().all(|b| b.is_ascii_graphic()) {
            return invalid("scheme", "empty, or visible ASCII without spaces");
        }
        Ok(())
    }

    /// Checks the settings and builds the configuration.
    pub fn build(self) -> Result<PasetoAuth, ConfigError> {
        Self::check(&self.options)?;
        let keys = key_material(self.local, self.secret, self.public)?;
        let header = header_spec(&self.options)?;
        let revocation =
            (self.denylist.is_some() || self.revocation_check.is_some()).then(|| Revocation {
                denylist: self.denylist,
                check: self.revocation_check,
                token_types: self.options.denylist_token_types.clone(),
                outage: AtomicBool::new(false),
            });
        Ok(PasetoAuth {
            settings: Arc::new(Settings {
                keys,
                options: self.options,
                header,
                renderer: self.renderer,
                revocation,
            }),
        })
    }
}

/// A duration from zero to `max`.
fn within(duration: Duration, max: Duration) -> bool {
    !duration.is_negative() && duration <= max
}

/// The keys of one purpose, checked to belong together.
fn key_material(
    local: Option<LocalKey>,
    secret: Option<SecretKey>,
    public: Option<PublicKey>,
) -> Result<KeyMaterial, ConfigError> {
    match (local, secret, public) {
        (Some(local), None, None) => Ok(KeyMaterial::Local(local)),
        (Some(_), _, _) => Err(ConfigError::ConflictingKeys),
        (None, Some(secret), public) => {
            let derived = secret.public_key();
            if public.is_some_and(|public| public != derived) {
                return Err(ConfigError::KeyMismatch);
            }
            Ok(KeyMaterial::Public {
                secret: Some(secret),
                public: derived,
            })
        }
        (None, None, Some(public)) => Ok(KeyMaterial::Public {
            secret: None,
            public,
        }),
        (None, None, None) => Err(ConfigError::NoKey),
    }
}

/// The configured header, parsed, with the names its messages use.
fn header_spec(options: &Options) -> Result<HeaderSpec, ConfigError> {
    let name = HeaderName::from_bytes(options.header.as_bytes()).map_err(|_| {
        ConfigError::InvalidSetting {
            setting: "header",
            expected: "a valid HTTP header name",
        }
    })?;
    let form = if options.scheme.is_empty() {
        "<PASETO>".into()
    } else {
        format!("{} <PASETO>", options.scheme).into()
    };
    let label = if name == AUTHORIZATION_HEADER {
        AUTHORIZATION.into()
    } else {
        options.header.as_str().into()
    };
    Ok(HeaderSpec { name, label, form })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> PasetoAuthBuilder {
        PasetoAuth::builder().local_key(LocalKey::generate().unwrap())
    }

    #[test]
    fn a_key_is_required() {
        assert_eq!(
            PasetoAuth::builder().build().unwrap_err(),
            ConfigError::NoKey
        );
    }

    #[test]
    fn one_purpose_only() {
        let error = local()
            .secret_key(SecretKey::generate().unwrap())
            .build()
            .unwrap_err();
        assert_eq!(error, ConfigError::ConflictingKeys);
    }

    #[test]
    fn public_key_must_match_secret_key() {
        let error = PasetoAuth::builder()
            .secret_key(SecretKey::generate().unwrap())
            .public_key(SecretKey::generate().unwrap().public_key())
            .build()
            .unwrap_err();
        assert_eq!(error, ConfigError::KeyMismatch);
    }

    #[test]
    fn durations_out_of_range_are_rejected() {
        for builder in [
            local().access_ttl(Duration::ZERO),
            local().refresh_ttl(Duration::seconds(-1)),
            local().custom_ttl(Duration::days(40_000)),
            local().leeway(Duration::seconds(-1)),
            local().rotation_grace(Duration::minutes(6)),
            local().footer(""),
        ] {
            assert!(matches!(
                builder.build(),
                Err(ConfigError::InvalidSetting { .. })
            ));
        }
    }

    #[test]
    fn header_and_scheme_are_checked() {
        assert!(local().header("bad header").build().is_err());
        assert!(local().scheme("Bear er").build().is_err());
        assert!(local().header("X-Token").scheme("").build().is_ok());
    }

    #[test]
    fn debug_shows_no_secret() {
        let key = LocalKey::generate().unwrap();
        let secret = key.to_paserk();
        let auth = PasetoAuth::builder()
            .local_key(key)
            .footer("kid-1")
            .build()
            .unwrap();
        let shown = format!("{auth:?}");
        assert!(!shown.contains(&secret["k4.local.".len()..]));
        assert!(!shown.contains("kid-1"));
    }
}
