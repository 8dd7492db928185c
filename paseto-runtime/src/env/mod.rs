//! Reading a configuration from `PASETO_*` environment variables.

use std::env::VarError;

use time::Duration;

use crate::auth::PasetoAuth;
use crate::builder::PasetoAuthBuilder;
use crate::clients::Clients;
use crate::settings::{ConfigError, MAX_DURATION, MAX_ROTATION_GRACE};

mod keys;

impl PasetoAuth {
    /// Builds a configuration from `PASETO_*` environment variables; see
    /// [`PasetoAuthBuilder::env`] for the variables.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::builder().env()?.build()
    }
}

impl PasetoAuthBuilder {
    /// Applies the `PASETO_*` environment variables that are set; unset ones leave
    /// the builder as it was.
    ///
    /// The variables, with the builder method each sets, are listed in
    /// [the guide](crate::guide::configuration).
    ///
    /// A value that cannot be used is an error naming the variable; the value itself
    /// is never repeated, since it may be a secret.
    pub fn env(self) -> Result<Self, ConfigError> {
        self.vars(|name| match std::env::var(name) {
            Ok(value) => Ok(Some(value)),
            Err(VarError::NotPresent) => Ok(None),
            Err(VarError::NotUnicode(_)) => Err(()),
        })
    }

    /// [`env`](Self::env) over any source of variables: `Ok(None)` for an unset
    /// variable, `Err(())` for one that is not valid Unicode.
    pub(crate) fn vars(
        mut self,
        get: impl Fn(&'static str) -> Result<Option<String>, ()>,
    ) -> Result<Self, ConfigError> {
        let var = |name: &'static str| get(name).map_err(|()| env_error(name, "valid UTF-8"));
        self = keys::apply(self, &var)?;
        if let Some(ttl) = seconds(&var, "PASETO_ACCESS_TTL", 1, MAX_DURATION)? {
            self = self.access_ttl(ttl);
        }
        if let Some(ttl) = seconds(&var, "PASETO_REFRESH_TTL", 1, MAX_DURATION)? {
            self = self.refresh_ttl(ttl);
        }
        if let Some(leeway) = seconds(&var, "PASETO_LEEWAY", 0, MAX_DURATION)? {
            self = self.leeway(leeway);
        }
        if let Some(grace) = seconds(&var, "PASETO_ROTATION_GRACE", 0, MAX_ROTATION_GRACE)? {
            self = self.rotation_grace(grace);
        }
        if let Some(on) = flag(&var, "PASETO_KID_FOOTER")? {
            self = self.kid_footer(on);
        }
        if let Some(issuer) = var("PASETO_ISSUER")?.filter(|s| !s.is_empty()) {
            self = self.issuer(issuer.clone()).require_issuer(issuer);
        }
        for audience in list(var("PASETO_AUDIENCE")?.as_deref()) {
            self = self.require_audience(audience);
        }
        if let Some(clients) = var("PASETO_INTROSPECTION_CLIENTS")?.filter(|s| !s.is_empty()) {
            let clients = Clients::parse(&clients).map_err(|_| {
                env_error(
                    "PASETO_INTROSPECTION_CLIENTS",
                    "`name:secret` pairs separated by commas, a secret of at least 16 bytes",
                )
            })?;
            self = self.introspection_clients(clients);
        }
        if let Some(id) = var("PASETO_UNTAGGED_KEY")?.filter(|s| !s.is_empty()) {
            let id = id.trim();
            if !self.key_ids().any(|known| known == id) {
                return Err(env_error(
                    "PASETO_UNTAGGED_KEY",
                    "the PASERK id of the current key or of one of PASETO_VERIFY_KEYS \
                     (`paseto id <PASERK>` prints it)",
                ));
            }
            self = self.untagged_key(id);
        }
        Ok(self)
    }
}

/// The non-empty items of a comma-separated list.
pub(super) fn list(text: Option<&str>) -> impl Iterator<Item = &str> {
    text.into_iter()
        .flat_map(|text| text.split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

pub(super) fn env_error(var: &'static str, expected: &str) -> ConfigError {
    ConfigError::Env {
        var,
        expected: expected.to_owned(),
    }
}

/// A yes or no: `1` or `true`, `0` or `false`; empty or unset is `None`.
pub(super) fn flag(
    var: &(impl Fn(&'static str) -> Result<Option<String>, ConfigError> + ?Sized),
    name: &'static str,
) -> Result<Option<bool>, ConfigError> {
    match var(name)?.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some("1" | "true") => Ok(Some(true)),
        Some("0" | "false") => Ok(Some(false)),
        Some(_) => Err(env_error(name, "`true` or `false` (or `1`, `0`), or unset")),
    }
}

/// A whole number of seconds from `min` to `max`: the bounds the builder checks,
/// so a value read here never fails there under another name.
fn seconds(
    var: &impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
    name: &'static str,
    min: i64,
    max: Duration,
) -> Result<Option<Duration>, ConfigError> {
    let Some(text) = var(name)? else {
        return Ok(None);
    };
    let max = max.whole_seconds();
    match text.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(Duration::seconds(n))),
        _ => Err(env_error(
            name,
            &format!("a whole number of seconds from {min} to {max}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::keys::{LocalKey, SecretKey};
    use crate::settings::KeyMaterial;

    pub(super) fn from(vars: &[(&'static str, &str)]) -> Result<PasetoAuth, ConfigError> {
        let vars: HashMap<_, _> = vars.iter().map(|&(k, v)| (k, v.to_owned())).collect();
        PasetoAuth::builder()
            .vars(|name| Ok(vars.get(name).cloned()))?
            .build()
    }

    #[test]
    fn raw_32_byte_secret_as_fastapi_paseto_users_have() {
        let auth = from(&[("PASETO_SECRET_KEY", "0123456789abcdef0123456789abcdef")]).unwrap();
        let token = auth.access_token("alice").issue().unwrap();
        assert!(token.starts_with("v4.local."));
    }

    /// What `f` logs, without colours.
    pub(super) fn logged(f: impl FnOnce()) -> String {
        let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = std::sync::Arc::clone(&logs);
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || Writer(std::sync::Arc::clone(&sink)))
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        let text = logs.lock().unwrap().clone();
        String::from_utf8(text).unwrap()
    }

    struct Writer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Writer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_password_as_secret_is_accepted_with_a_warning() {
        let password = "correct horse battery staple 42!";
        let log = logged(|| {
            from(&[("PASETO_SECRET_KEY", password)]).unwrap();
        });
        assert!(log.contains("WARN"), "{log}");
        assert!(log.contains("a password, not a random key"), "{log}");
        assert!(log.contains("openssl rand"), "{log}");
        assert!(!log.contains(password), "{log}");
        let random: String = (0..32u8).map(|i| char::from(i * 7 % 32)).collect();
        let quiet = logged(|| {
            from(&[("PASETO_SECRET_KEY", &random)]).unwrap();
        });
        assert!(quiet.is_empty(), "{quiet}");
    }

    #[test]
    fn short_secret_names_the_variable_and_not_the_value() {
        let error = from(&[("PASETO_SECRET_KEY", "hunter2")]).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("PASETO_SECRET_KEY"), "{message}");
        assert!(message.contains("PASETO_ALLOW_WEAK_SECRET=1"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
        let long = "x".repeat(65);
        let error = from(&[("PASETO_SECRET_KEY", &long)]).unwrap_err();
        assert!(error.to_string().contains("32 to 64 bytes"), "{error}");
    }

    #[test]
    fn public_purpose_reads_paserk_keys() {
        let secret = SecretKey::generate().unwrap();
        let auth = from(&[
            ("PASETO_PURPOSE", "public"),
            ("PASETO_PRIVATE_KEY", &secret.to_paserk()),
            ("PASETO_PUBLIC_KEY", &secret.public_key().to_paserk()),
        ])
        .unwrap();
        assert!(
            auth.access_token("a")
                .issue()
                .unwrap()
                .starts_with("v4.public.")
        );
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let key = LocalKey::generate().unwrap().to_paserk();
        for (name, value) in [
            ("PASETO_PURPOSE", "secret"),
            ("PASETO_ACCESS_TTL", "15m"),
            ("PASETO_REFRESH_TTL", "0"),
            ("PASETO_LEEWAY", "-1"),
            ("PASETO_ROTATION_GRACE", "301"),
            ("PASETO_ACCESS_TTL", "3155760001"),
            ("PASETO_PRIVATE_KEY", "k4.secret.AAAA"),
        ] {
            let error = from(&[("PASETO_SECRET_KEY", &key), (name, value)]).unwrap_err();
            assert!(error.to_string().contains(name), "{name}: {error}");
        }
    }

    #[tokio::test]
    async fn verify_keys_and_the_untagged_key_make_a_ring() {
        let (old, older) = (LocalKey::generate().unwrap(), LocalKey::generate().unwrap());
        let before = from(&[("PASETO_SECRET_KEY", &old.to_paserk())]).unwrap();
        let token = before.access_token("a").issue().unwrap();
        let verify_keys = format!("{}, {}", old.to_paserk(), older.to_paserk());
        let current = LocalKey::generate().unwrap().to_paserk();
        let after = from(&[
            ("PASETO_SECRET_KEY", &current),
            ("PASETO_VERIFY_KEYS", &verify_keys),
            ("PASETO_UNTAGGED_KEY", &older.id()),
        ])
        .unwrap();
        let KeyMaterial::Local(ring) = &after.settings.keys else {
            panic!("a local ring")
        };
        let id_of = |selected| {
            let mut entries = ring.entries();
            entries
                .find(|(_, key)| std::ptr::eq(*key, selected))
                .and_then(|(id, _)| id)
        };
        assert_eq!(
            id_of(ring.select(Some(&old.id())).unwrap()),
            Some(old.id().as_str())
        );
        assert_eq!(id_of(ring.select(None).unwrap()), Some(older.id().as_str()));
        assert_eq!(
            after.settings.keys.current_id(),
            Some(LocalKey::from_paserk(&current).unwrap().id().as_str())
        );
        let claims = after.verify_any_type(&token).await.unwrap();
        assert_eq!(claims.key_id(), Some(old.id().as_str()));
    }

    #[test]
    fn ring_variables_name_themselves_and_not_their_values() {
        let key = LocalKey::generate().unwrap().to_paserk();
        let public = SecretKey::generate().unwrap().public_key().to_paserk();
        for (name, value) in [
            ("PASETO_VERIFY_KEYS", public.as_str()),
            ("PASETO_VERIFY_KEYS", "k4.local.c2VjcmV0"),
            ("PASETO_UNTAGGED_KEY", "k4.lid.AAAA"),
        ] {
            let error = from(&[("PASETO_SECRET_KEY", &key), (name, value)]).unwrap_err();
            let message = error.to_string();
            assert!(message.contains(name), "{name}: {message}");
            assert!(!message.contains(value), "{name}: {message}");
        }
    }

    #[test]
    fn settings_apply() {
        let key = LocalKey::generate().unwrap().to_paserk();
        let auth = from(&[
            ("PASETO_SECRET_KEY", &key),
            ("PASETO_ACCESS_TTL", "60"),
            ("PASETO_LEEWAY", "5"),
            ("PASETO_ISSUER", "https://auth.example"),
            ("PASETO_AUDIENCE", "api, admin"),
        ])
        .unwrap();
        let s = &auth.settings;
        assert_eq!(s.options.access_ttl, Duration::seconds(60));
        assert_eq!(s.options.leeway, Duration::seconds(5));
        assert_eq!(
            s.options.required_issuer.as_deref(),
            Some("https://auth.example")
        );
        assert_eq!(s.options.audiences, ["api", "admin"]);
    }

    #[tokio::test]
    async fn without_the_kid_footer_tokens_carry_no_footer() {
        let key = LocalKey::generate().unwrap();
        let paserk = key.to_paserk();
        let auth = from(&[
            ("PASETO_SECRET_KEY", &paserk),
            ("PASETO_KID_FOOTER", "false"),
        ])
        .unwrap();
        let token = auth.access_token("alice").issue().unwrap();
        // fastapi-paseto 0.7 refuses any token that is not three dot-separated parts.
        assert_eq!(token.split('.').count(), 3, "{token}");
        let claims = auth.verify::<crate::Access>(&token).await.unwrap();
        assert_eq!((claims.subject(), claims.key_id()), ("alice", None));
        // A ring still verifies it with its untagged key, and only with that.
        let ring = from(&[
            (
                "PASETO_SECRET_KEY",
                &LocalKey::generate().unwrap().to_paserk(),
            ),
            ("PASETO_VERIFY_KEYS", &paserk),
            ("PASETO_UNTAGGED_KEY", &key.id()),
        ])
        .unwrap();
        assert!(ring.verify::<crate::Access>(&token).await.is_ok());
        let other = from(&[
            (
                "PASETO_SECRET_KEY",
                &LocalKey::generate().unwrap().to_paserk(),
            ),
            ("PASETO_VERIFY_KEYS", &paserk),
        ])
        .unwrap();
        assert!(other.verify::<crate::Access>(&token).await.is_err());
        let on = from(&[
            ("PASETO_SECRET_KEY", &paserk),
            ("PASETO_KID_FOOTER", "true"),
        ])
        .unwrap();
        assert_eq!(
            on.access_token("alice").issue().unwrap().split('.').count(),
            4
        );
        let error =
            from(&[("PASETO_SECRET_KEY", &paserk), ("PASETO_KID_FOOTER", "no")]).unwrap_err();
        assert!(error.to_string().contains("PASETO_KID_FOOTER"), "{error}");
    }
}
