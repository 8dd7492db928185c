//! The key variables: the purpose, the current key (inline or from a file, as
//! Docker secrets give it), the keys that only verify.

use super::{env_error, list};
use crate::builder::PasetoAuthBuilder;
use crate::keys::{LocalCipher, LocalKey, LocalSecret, PublicKey, SecretKey};
use crate::settings::ConfigError;

/// Reads a variable: `Ok(None)` when unset.
pub(super) type Var<'a> = dyn Fn(&'static str) -> Result<Option<String>, ConfigError> + 'a;

/// Applies `PASETO_PURPOSE` and the key variables to `builder`.
pub(super) fn apply(
    mut builder: PasetoAuthBuilder,
    var: &Var<'_>,
) -> Result<PasetoAuthBuilder, ConfigError> {
    let purpose = var("PASETO_PURPOSE")?;
    let public = match purpose.as_deref() {
        None | Some("local") => false,
        Some("public") => true,
        Some(_) => return Err(env_error("PASETO_PURPOSE", "`local` or `public`")),
    };
    let secret = inline_or_file(var, "PASETO_SECRET_KEY", "PASETO_SECRET_KEY_FILE")?;
    let private = inline_or_file(var, "PASETO_PRIVATE_KEY", "PASETO_PRIVATE_KEY_FILE")?;
    let public_key = inline_or_file(var, "PASETO_PUBLIC_KEY", "PASETO_PUBLIC_KEY_FILE")?;
    let verify_keys = var("PASETO_VERIFY_KEYS")?;
    let keys_url = var("PASETO_KEYS_URL")?;
    // Fetched keys are v4.public ones, and the only keys.
    if let Some(url) = keys_url.filter(|url| !url.is_empty()) {
        if purpose.as_deref() == Some("local") {
            return Err(env_error(
                "PASETO_KEYS_URL",
                "it unset when PASETO_PURPOSE is `local`",
            ));
        }
        let others = [&secret, &private, &public_key]
            .iter()
            .any(|key| key.is_some());
        if others
            || verify_keys
                .as_deref()
                .is_some_and(|keys| !keys.trim().is_empty())
        {
            return Err(env_error(
                "PASETO_KEYS_URL",
                "it unset beside PASETO_SECRET_KEY, PASETO_PRIVATE_KEY, PASETO_PUBLIC_KEY \
                 or PASETO_VERIFY_KEYS: fetched keys are the only keys",
            ));
        }
        return remote(builder, url);
    }
    if public {
        if let Some((name, _)) = secret {
            return Err(env_error(
                name,
                "it unset when PASETO_PURPOSE is `public` (use PASETO_PRIVATE_KEY)",
            ));
        }
        if let Some((name, text)) = private {
            let key = if is_pem(&text) {
                SecretKey::from_pem(&text)
            } else {
                SecretKey::from_paserk(&text)
            };
            builder = builder.secret_key(key.map_err(|e| env_error(name, &e.to_string()))?);
        }
        if let Some((name, text)) = public_key {
            let key = if is_pem(&text) {
                PublicKey::from_pem(&text)
            } else {
                PublicKey::from_paserk(&text)
            };
            builder = builder.public_key(key.map_err(|e| env_error(name, &e.to_string()))?);
        }
        for text in list(verify_keys.as_deref()) {
            let key = PublicKey::from_paserk(text)
                .map_err(|e| env_error("PASETO_VERIFY_KEYS", &e.to_string()))?;
            builder = builder.verify_key(key);
        }
    } else {
        if let Some((name, _)) = private.as_ref().or(public_key.as_ref()) {
            return Err(env_error(
                name,
                "it unset unless PASETO_PURPOSE is `public`",
            ));
        }
        let weak = super::flag(var, "PASETO_ALLOW_WEAK_SECRET")?.unwrap_or(false);
        if let Some((name, text)) = secret {
            builder = match local(name, &text, weak)? {
                LocalCipher::Key(key) => builder.local_key(key),
                LocalCipher::Secret(secret) => builder.local_secret(secret),
            };
        }
        // A raw secret here is the one a fastapi-paseto service had: it keeps
        // verifying the tokens without `kid` while they live.
        for text in list(verify_keys.as_deref()) {
            builder = match local("PASETO_VERIFY_KEYS", text, weak)? {
                LocalCipher::Key(key) => builder.verify_key(key),
                LocalCipher::Secret(secret) => builder.verify_key(secret),
            };
        }
    }
    Ok(builder)
}

/// `PASETO_KEYS_URL`: keys fetched from the issuer's key set (feature
/// `remote-keys`).
#[cfg(feature = "remote-keys")]
#[allow(
    clippy::unnecessary_wraps,
    reason = "the same shape without the feature"
)]
fn remote(builder: PasetoAuthBuilder, url: String) -> Result<PasetoAuthBuilder, ConfigError> {
    Ok(builder.remote_keys(url))
}

/// `PASETO_KEYS_URL` without the feature that reads it.
#[cfg(not(feature = "remote-keys"))]
fn remote(_: PasetoAuthBuilder, _: String) -> Result<PasetoAuthBuilder, ConfigError> {
    Err(env_error(
        "PASETO_KEYS_URL",
        "it unset: this build lacks the `remote-keys` feature",
    ))
}

/// Whether a key variable holds a PEM document rather than a PASERK.
fn is_pem(text: &str) -> bool {
    text.trim_start().starts_with("-----BEGIN")
}

/// A key given inline in `name`, or in the file `file` names (one trailing
/// newline trimmed), with the variable it came from; both set is an error.
fn inline_or_file(
    var: &Var<'_>,
    name: &'static str,
    file: &'static str,
) -> Result<Option<(&'static str, String)>, ConfigError> {
    match (var(name)?, var(file)?) {
        (Some(_), Some(_)) => Err(env_error(
            file,
            &format!("it unset when {name} is set: give the key one way"),
        )),
        (Some(text), None) => Ok(Some((name, text))),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(&path).map_err(|error| {
                env_error(
                    file,
                    &format!("the path of a readable UTF-8 file ({error})"),
                )
            })?;
            let text = text.strip_suffix('\n').unwrap_or(&text);
            let text = text.strip_suffix('\r').unwrap_or(text);
            Ok(Some((file, text.to_owned())))
        }
        (None, None) => Ok(None),
    }
}

/// How to make a real key, for the warning about a password as key.
const MAKE_A_KEY: &str = "echo \"k4.local.$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')\" (or `paseto keygen local`)";

/// A local key variable (`PASETO_SECRET_KEY`, an item of `PASETO_VERIFY_KEYS`):
/// a `k4.local.` PASERK; or a raw secret as a
/// fastapi-paseto service has it: 32 bytes are a key, 33 to 64 bytes (its
/// guide's 44 characters of `openssl rand -base64 32`) a raw secret, a shorter
/// one only when `weak` says so.
fn local(name: &'static str, text: &str, weak: bool) -> Result<LocalCipher, ConfigError> {
    if text.starts_with("k4.") {
        let key = LocalKey::from_paserk(text).map_err(|e| env_error(name, &e.to_string()))?;
        return Ok(LocalCipher::Key(key));
    }
    let bytes = text.as_bytes();
    let length = bytes.len();
    if length == LocalKey::LEN {
        if text.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            tracing::warn!(
                "paseto: {name} is 32 printable characters: a password, not a random key; \
                 generate a key with: {MAKE_A_KEY}"
            );
        }
        let key = LocalKey::from_bytes(bytes).map_err(|e| env_error(name, &e.to_string()))?;
        return Ok(LocalCipher::Key(key));
    }
    // A weak one is reported when the configuration is built.
    let secret = if length < LocalKey::LEN && weak {
        LocalSecret::from_weak_bytes(bytes)
    } else {
        LocalSecret::from_bytes(bytes)
    };
    let secret = secret.map_err(|_| {
        env_error(
            name,
            "a `k4.local.` PASERK, or a raw secret of 32 to 64 bytes \
             (a shorter one is weak: set PASETO_ALLOW_WEAK_SECRET=1 to accept it)",
        )
    })?;
    Ok(LocalCipher::Secret(secret))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{from, logged};

    /// A secret as fastapi-paseto's guide makes one: `openssl rand -base64 32`.
    const FASTAPI_SECRET: &str = "vCgL1kbwpbGkSzqQQDwmXZQxrqlb4oZa1sWf0S1uZ2Q=";
    use crate::keys::{LocalKey, SecretKey};

    /// A key in a file, as Docker secrets give it: one trailing newline is not
    /// part of the key; the file and the variable both set is an error.
    #[test]
    fn keys_are_read_from_files() {
        let dir = std::env::temp_dir().join(format!("paseto-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = LocalKey::generate().unwrap();
        let path = dir.join("secret_key");
        std::fs::write(&path, format!("{}\n", key.to_paserk())).unwrap();
        let path = path.to_str().unwrap();
        let auth = from(&[("PASETO_SECRET_KEY_FILE", path)]).unwrap();
        assert_eq!(auth.settings.keys.current_id(), Some(key.id().as_str()));
        let signing = SecretKey::generate().unwrap();
        let pem_path = dir.join("private_key");
        std::fs::write(&pem_path, format!("{}\r\n", signing.to_paserk())).unwrap();
        let auth = from(&[
            ("PASETO_PURPOSE", "public"),
            ("PASETO_PRIVATE_KEY_FILE", pem_path.to_str().unwrap()),
        ])
        .unwrap();
        assert_eq!(
            auth.settings.keys.current_id(),
            Some(signing.public_key().id().as_str())
        );
        let both = from(&[
            ("PASETO_SECRET_KEY", &key.to_paserk()),
            ("PASETO_SECRET_KEY_FILE", path),
        ]);
        assert!(
            both.unwrap_err()
                .to_string()
                .contains("PASETO_SECRET_KEY_FILE")
        );
        let missing = from(&[("PASETO_SECRET_KEY_FILE", "/nonexistent/key")]).unwrap_err();
        assert!(
            missing.to_string().contains("PASETO_SECRET_KEY_FILE"),
            "{missing}"
        );
        std::fs::write(dir.join("short"), "hunter2\n").unwrap();
        let short = dir.join("short");
        let error = from(&[("PASETO_SECRET_KEY_FILE", short.to_str().unwrap())]).unwrap_err();
        assert!(
            error.to_string().contains("PASETO_SECRET_KEY_FILE"),
            "{error}"
        );
        assert!(!error.to_string().contains("hunter2"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// fastapi-paseto's public keys: PEM, inline or in files, as OpenSSL writes them.
    #[test]
    fn pem_keys_as_fastapi_paseto_takes_them() {
        let pem = |name: &str| format!("{}/tests/pem/{name}.pem", env!("CARGO_MANIFEST_DIR"));
        let private = std::fs::read_to_string(pem("ed25519-private")).unwrap();
        let public_path = pem("ed25519-public");
        let auth = from(&[
            ("PASETO_PURPOSE", "public"),
            ("PASETO_PRIVATE_KEY", &private),
            ("PASETO_PUBLIC_KEY_FILE", &public_path),
        ])
        .unwrap();
        assert!(
            auth.access_token("a")
                .issue()
                .unwrap()
                .starts_with("v4.public.")
        );
        let rsa = std::fs::read_to_string(pem("rsa-private")).unwrap();
        let error = from(&[("PASETO_PURPOSE", "public"), ("PASETO_PRIVATE_KEY", &rsa)]);
        let message = error.unwrap_err().to_string();
        assert!(message.contains("PASETO_PRIVATE_KEY"), "{message}");
        assert!(message.contains("RSA"), "{message}");
        assert!(!message.contains("BEGIN"), "{message}");
    }

    /// fastapi-paseto's secrets as its guide and examples make them: the 44
    /// characters of `openssl rand -base64 32`, 64 hex characters, and with the
    /// opt-in, a weak `"secret"`, with a warning naming its length.
    #[tokio::test]
    async fn raw_secrets_as_fastapi_paseto_services_have_them() {
        for secret in [
            FASTAPI_SECRET,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ] {
            let auth = from(&[("PASETO_SECRET_KEY", secret)]).unwrap();
            let token = auth.access_token("a").issue().unwrap();
            let claims = auth.verify::<crate::kind::Access>(&token).await.unwrap();
            assert_eq!(
                (claims.subject(), claims.key_id(), claims.footer()),
                ("a", None, None)
            );
        }
        let log = logged(|| {
            let weak = [
                ("PASETO_SECRET_KEY", "secret"),
                ("PASETO_ALLOW_WEAK_SECRET", "1"),
            ];
            from(&weak).unwrap();
        });
        assert!(log.contains("a weak raw secret of 6 bytes"), "{log}");
        assert!(!log.contains("\"secret\""), "{log}");
        // Moving off it: a new key issues, the old secret verifies what it made.
        let old = from(&[("PASETO_SECRET_KEY", FASTAPI_SECRET)]).unwrap();
        let old_token = old.access_token("a").issue().unwrap();
        let new = LocalKey::generate().unwrap().to_paserk();
        let moved = from(&[
            ("PASETO_SECRET_KEY", &new),
            ("PASETO_VERIFY_KEYS", FASTAPI_SECRET),
        ]);
        let claims = moved.unwrap().verify_any_type(&old_token).await.unwrap();
        assert_eq!(claims.subject(), "a");
        let error = from(&[
            ("PASETO_SECRET_KEY", "secret"),
            ("PASETO_ALLOW_WEAK_SECRET", "yes"),
        ]);
        assert!(
            error
                .unwrap_err()
                .to_string()
                .contains("PASETO_ALLOW_WEAK_SECRET")
        );
    }
}
