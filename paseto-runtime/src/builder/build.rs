//! Building: every setting checked, the key material assembled, what the
//! settings imply derived once.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use http::HeaderName;
use http::header::AUTHORIZATION as AUTHORIZATION_HEADER;
use time::Duration;

use super::PasetoAuthBuilder;
use crate::auth::PasetoAuth;
use crate::footer::{self, FooterSpec};
use crate::keys::{LocalCipher, LocalKey, PublicKey, SecretKey, VerifyKey};
use crate::ring::{Ring, RingError};
use crate::secret_cipher::Prepared;
use crate::settings::{
    AUTHORIZATION, ConfigError, HeaderSpec, KeyMaterial, MAX_DURATION, MAX_ROTATION_GRACE,
    MIN_REVOCATION_POLL, Options, QuerySpec, Revocation, Settings,
};
use crate::wire::RESERVED;

impl PasetoAuthBuilder {
    /// Lifetimes, leeway and grace within their ranges, cookie names and paths,
    /// sources, schemes.
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
        if options.revocation_poll < MIN_REVOCATION_POLL {
            return invalid("revocation_poll", "at least 100 milliseconds");
        }
        let cookie_names = [
            &options.access_cookie,
            &options.refresh_cookie,
            &options.csrf_access_cookie,
            &options.csrf_refresh_cookie,
        ];
        if !cookie_names.iter().all(|name| is_token(name)) {
            return invalid(
                "cookie names",
                "non-empty RFC 6265 tokens, such as `access_token_cookie`",
            );
        }
        let paths = [&options.access_cookie_path, &options.refresh_cookie_path];
        if !paths.iter().all(|path| {
            path.starts_with('/') && path.bytes().all(|b| b.is_ascii_graphic() && b != b';')
        }) {
            return invalid(
                "cookie paths",
                "paths starting with `/`, of visible ASCII without `;`",
            );
        }
        // A browser drops a prefixed cookie that breaks its prefix's rules:
        // logins would seem to work and every next request be anonymous.
        let prefixed = |prefix: &str| {
            cookie_names.iter().any(|name| {
                name.get(..prefix.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
            })
        };
        if (prefixed(HOST_PREFIX) || prefixed("__Secure-")) && !options.cookie_secure {
            return invalid(
                "cookie_secure",
                "`true` for cookies named `__Host-` or `__Secure-`",
            );
        }
        if prefixed(HOST_PREFIX) && !paths.iter().all(|path| *path == "/") {
            return invalid("cookie paths", "`/` for cookies named `__Host-`");
        }
        let sources = &options.token_sources;
        if sources
            .iter()
            .enumerate()
            .any(|(i, s)| sources[..i].contains(s))
        {
            return invalid("token_sources", "each source at most once");
        }
        if options.cookie_same_site == cookie::SameSite::None && !options.cookie_secure {
            return invalid(
                "cookie_same_site",
                "`Lax` or `Strict` unless cookies are `Secure`",
            );
        }
        if options.scope_claim.is_empty() || RESERVED.contains(&options.scope_claim.as_str()) {
            return invalid(
                "scope_claim",
                "a claim name that the library does not write itself",
            );
        }
        if options.websocket_query_key.is_empty() {
            return invalid("websocket_query_key", "a non-empty query parameter name");
        }
        if !options.scheme.bytes().all(|b| b.is_ascii_graphic())
            || !options
                .websocket_query_scheme
                .bytes()
                .all(|b| b.is_ascii_graphic())
        {
            return invalid("scheme", "empty, or visible ASCII without spaces");
        }
        Ok(())
    }

    /// Checks the settings and builds the configuration.
    pub fn build(mut self) -> Result<PasetoAuth, ConfigError> {
        if self.options.cookie_host_prefix {
            let options = &mut self.options;
            for name in [
                &mut options.access_cookie,
                &mut options.refresh_cookie,
                &mut options.csrf_access_cookie,
                &mut options.csrf_refresh_cookie,
            ] {
                if !name.starts_with(HOST_PREFIX) {
                    name.insert_str(0, HOST_PREFIX);
                }
            }
        }
        Self::check(&self.options)?;
        let keys = self.keys()?;
        let members = match self.options.footer.clone() {
            None => None,
            Some(value) => Some(footer::members(value).ok_or(ConfigError::InvalidSetting {
                setting: "footer",
                expected: "a JSON object without a `kid` member",
            })?),
        };
        if members.is_some() && !self.options.kid_footer {
            return Err(ConfigError::InvalidSetting {
                setting: "footer",
                expected: "left unset with `kid_footer(false)`, which is for peers that \
                           refuse any footer (fastapi-paseto 0.7)",
            });
        }
        if !self.options.kid_footer && !keys.verifies_untagged_issued() {
            return Err(ConfigError::InvalidSetting {
                setting: "untagged_key",
                expected: "the current key with `kid_footer(false)`, whose tokens name no \
                           key and so go to the untagged key",
            });
        }
        let kid = keys.current_id().filter(|_| self.options.kid_footer);
        let footer = FooterSpec::new(kid, members);
        let header = header_spec(&self.options)?;
        let csrf_header =
            HeaderName::from_bytes(self.options.csrf_header.as_bytes()).map_err(|_| {
                ConfigError::InvalidSetting {
                    setting: "csrf_header",
                    expected: "a valid HTTP header name",
                }
            })?;
        let query = self.options.websocket_query.then(|| QuerySpec {
            key: self.options.websocket_query_key.as_str().into(),
            form: token_form(&self.options.websocket_query_scheme),
        });
        let revocation =
            (self.denylist.is_some() || self.revocation_check.is_some()).then(|| Revocation {
                denylist: self.denylist,
                check: self.revocation_check,
                outage: AtomicBool::new(false),
                events: self.events.clone(),
            });
        Ok(PasetoAuth {
            settings: Arc::new(Settings {
                keys,
                footer,
                options: self.options,
                header,
                query,
                csrf_header,
                renderer: self.renderer,
                events: self.events,
                grant: self.grant,
                introspection: self.introspection,
                revocation,
            }),
        })
    }

    /// The configured keys, checked to belong together: fetched from a key
    /// set's URL, or a ring of the current key and those that only verify.
    fn keys(&mut self) -> Result<KeyMaterial, ConfigError> {
        let secrets = self.verify_keys.iter().filter_map(|key| match key {
            VerifyKey::Secret(secret) => Some(secret),
            _ => None,
        });
        for secret in self.local_secret.iter().chain(secrets) {
            if secret.0.len() < LocalKey::LEN {
                tracing::warn!(
                    "paseto: a weak raw secret of {} bytes is configured (opted in); \
                     generate a key with `paseto keygen local` and move to it (the guide: \
                     Running beside a fastapi-paseto service)",
                    secret.0.len()
                );
            }
        }
        #[cfg(feature = "remote-keys")]
        let remote = self.remote.take();
        let local = match (self.local.take(), self.local_secret.take()) {
            (Some(_), Some(_)) => return Err(ConfigError::ConflictingKeys),
            (Some(key), None) => Some(LocalCipher::Key(key)),
            (None, Some(secret)) => Some(LocalCipher::Secret(secret)),
            (None, None) => None,
        };
        Ok(match () {
            #[cfg(feature = "remote-keys")]
            () if remote.is_some() => {
                let configured = local.is_some() || self.secret.is_some() || self.public.is_some();
                let ring = !self.verify_keys.is_empty() || self.options.untagged_key.is_some();
                if configured || ring {
                    return Err(ConfigError::ConflictingKeys);
                }
                let url = remote.unwrap_or_default();
                let remote =
                    crate::remote::RemoteKeys::new(url).ok_or(ConfigError::InvalidSetting {
                        setting: "remote_keys",
                        expected: "an https URL, or http to a loopback host, without credentials",
                    })?;
                KeyMaterial::Remote(remote)
            }
            () => key_material(
                local,
                self.secret.take(),
                self.public.take(),
                std::mem::take(&mut self.verify_keys),
                self.options.untagged_key.as_deref(),
            )?,
        })
    }
}

/// The cookie name prefix that binds a cookie to its host (RFC 6265bis).
const HOST_PREFIX: &str = "__Host-";

/// An RFC 6265 cookie name: visible ASCII without separators.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// A duration from zero to `max`.
fn within(duration: Duration, max: Duration) -> bool {
    !duration.is_negative() && duration <= max
}

/// The keys of one purpose, checked to belong together, in a ring with the
/// keys that only verify.
fn key_material(
    local: Option<LocalCipher>,
    secret: Option<SecretKey>,
    public: Option<PublicKey>,
    verify_only: Vec<VerifyKey>,
    untagged: Option<&str>,
) -> Result<KeyMaterial, ConfigError> {
    match (local, secret, public) {
        (Some(local), None, None) => {
            let others = of_purpose(verify_only, |key| match key {
                VerifyKey::Local(key) => Some(LocalCipher::Key(key)),
                VerifyKey::Secret(secret) => Some(LocalCipher::Secret(secret)),
                VerifyKey::Public(_) => None,
            })?;
            // No key type holds a secret BLAKE2b cannot key; were one to, it is refused.
            let prepared = |cipher: LocalCipher| {
                let key =
                    Prepared::new(cipher.secret()).map_err(|_| ConfigError::InvalidSetting {
                        setting: "local_key",
                        expected: "a key or secret of 1 to 64 bytes",
                    })?;
                Ok::<_, ConfigError>((cipher.id(), key))
            };
            let others = others
                .into_iter()
                .map(prepared)
                .collect::<Result<Vec<_>, _>>()?;
            let ring = Ring::new("k4.lid.", prepared(local)?, others, untagged);
            ring.map(KeyMaterial::Local).map_err(ring_error)
        }
        (Some(_), _, _) => Err(ConfigError::ConflictingKeys),
        (None, None, None) => Err(ConfigError::NoKey),
        (None, secret, public) => {
            let current = match (&secret, public) {
                (Some(secret), Some(public)) if public != secret.public_key() => {
                    return Err(ConfigError::KeyMismatch);
                }
                (Some(secret), _) => secret.public_key(),
                (None, public) => public.ok_or(ConfigError::NoKey)?,
            };
            let others = of_purpose(verify_only, |key| match key {
                VerifyKey::Public(key) => Some(key),
                VerifyKey::Local(_) | VerifyKey::Secret(_) => None,
            })?;
            let others = others.into_iter().map(|key| (Some(key.id()), key));
            let ring = Ring::new("k4.pid.", (Some(current.id()), current), others, untagged);
            let ring = ring.map_err(ring_error)?;
            let secret = secret.map(Box::new);
            Ok(KeyMaterial::Public { secret, ring })
        }
    }
}

/// The keys that only verify, each of the purpose `pick` takes.
fn of_purpose<K>(
    keys: Vec<VerifyKey>,
    pick: impl Fn(VerifyKey) -> Option<K>,
) -> Result<Vec<K>, ConfigError> {
    keys.into_iter()
        .map(|key| pick(key).ok_or(ConfigError::ConflictingKeys))
        .collect()
}

/// Why a key ring cannot be made, as a setting to change.
fn ring_error(error: RingError) -> ConfigError {
    let (setting, expected) = match error {
        RingError::UnknownUntagged => (
            "untagged_key",
            "the PASERK id of the current key or of a verify key",
        ),
        RingError::TwoWithoutId => (
            "keys",
            "at most one raw secret: tokens without `kid` go to one key",
        ),
        RingError::WithoutIdNotUntagged => (
            "untagged_key",
            "unset with a raw secret, which is the key for tokens without `kid`",
        ),
    };
    ConfigError::InvalidSetting { setting, expected }
}

/// The form a value carrying a token must have, for messages: `<scheme> <PASETO>`.
fn token_form(scheme: &str) -> Arc<str> {
    if scheme.is_empty() {
        "<PASETO>".into()
    } else {
        format!("{scheme} <PASETO>").into()
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
    let form = token_form(&options.scheme);
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
            local().footer(&"kid-1"),
            local().footer(&serde_json::json!({ "kid": "mine" })),
            local().untagged_key("k4.lid.unknown"),
        ] {
            assert!(matches!(
                builder.build(),
                Err(ConfigError::InvalidSetting { .. })
            ));
        }
    }

    #[test]
    fn footer_members_need_the_kid_footer() {
        let error = local()
            .kid_footer(false)
            .footer(&serde_json::json!({ "app": "billing" }))
            .build()
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("footer must be left unset with `kid_footer(false)`"),
            "{message}"
        );
        assert!(message.contains("refuse any footer"), "{message}");
    }

    /// Without the `kid` footer, the service's own tokens go to its untagged
    /// key: another key there (named, or a raw secret that only verifies)
    /// would refuse every token it issues.
    #[test]
    fn without_the_kid_footer_the_untagged_key_is_the_current_one() {
        let old = LocalKey::generate().unwrap();
        let old_id = old.id();
        let secret = crate::keys::LocalSecret::from_bytes(&[7; 44]).unwrap();
        for builder in [
            local().verify_key(old).untagged_key(old_id),
            local().verify_key(secret),
        ] {
            let message = builder.kid_footer(false).build().unwrap_err().to_string();
            assert!(
                message.starts_with("untagged_key must be the current key"),
                "{message}"
            );
        }
        let current = LocalKey::generate().unwrap();
        let current_id = current.id();
        let auth = PasetoAuth::builder()
            .local_key(current)
            .untagged_key(current_id)
            .kid_footer(false)
            .build();
        assert!(auth.is_ok());
    }

    #[test]
    fn verify_keys_are_of_the_current_key_purpose() {
        let error = local()
            .verify_key(SecretKey::generate().unwrap().public_key())
            .build()
            .unwrap_err();
        assert_eq!(error, ConfigError::ConflictingKeys);
        let error = PasetoAuth::builder()
            .public_key(SecretKey::generate().unwrap().public_key())
            .verify_key(LocalKey::generate().unwrap())
            .build()
            .unwrap_err();
        assert_eq!(error, ConfigError::ConflictingKeys);
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
        let old = LocalKey::generate().unwrap();
        let old_secret = old.to_paserk();
        let auth = PasetoAuth::builder()
            .local_key(key)
            .verify_key(old)
            .implicit_assertion("tenant-1")
            .build()
            .unwrap();
        let shown = format!("{auth:?}");
        assert!(!shown.contains(&secret["k4.local.".len()..]));
        assert!(!shown.contains(&old_secret["k4.local.".len()..]));
        assert!(!shown.contains("tenant-1"));
        assert!(shown.contains("k4.lid."));
    }
}
