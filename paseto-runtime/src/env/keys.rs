//! The key variables: the purpose, the current key (inline or from a file, as
//! Docker secrets give it), the keys that only verify.

use super::{env_error, list};
use crate::builder::PasetoAuthBuilder;
use crate::keys::{LocalKey, PublicKey, SecretKey};
use crate::settings::ConfigError;

/// Reads a variable: `Ok(None)` when unset.
pub(super) type Var<'a> = dyn Fn(&'static str) -> Result<Option<String>, ConfigError> + 'a;

/// Applies `PASETO_PURPOSE` and the key variables to `builder`.
pub(super) fn apply(
    mut builder: PasetoAuthBuilder,
    var: &Var<'_>,
) -> Result<PasetoAuthBuilder, ConfigError> {
    let public = match var("PASETO_PURPOSE")?.as_deref() {
        None | Some("local") => false,
        Some("public") => true,
        Some(_) => return Err(env_error("PASETO_PURPOSE", "`local` or `public`")),
    };
    let secret = inline_or_file(var, "PASETO_SECRET_KEY", "PASETO_SECRET_KEY_FILE")?;
    let private = inline_or_file(var, "PASETO_PRIVATE_KEY", "PASETO_PRIVATE_KEY_FILE")?;
    let public_key = inline_or_file(var, "PASETO_PUBLIC_KEY", "PASETO_PUBLIC_KEY_FILE")?;
    let verify_keys = var("PASETO_VERIFY_KEYS")?;
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
        if let Some((name, text)) = secret {
            builder = builder.local_key(local_key(name, &text)?);
        }
        for text in list(verify_keys.as_deref()) {
            let key = LocalKey::from_paserk(text)
                .map_err(|e| env_error("PASETO_VERIFY_KEYS", &e.to_string()))?;
            builder = builder.verify_key(key);
        }
    }
    Ok(builder)
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

/// `PASETO_SECRET_KEY`: a `k4.local.` PASERK, or a raw 32-byte secret as
/// fastapi-paseto users have.
fn local_key(name: &'static str, text: &str) -> Result<LocalKey, ConfigError> {
    let expected = "a `k4.local.` PASERK or a raw secret of exactly 32 bytes";
    if text.starts_with("k4.") {
        return LocalKey::from_paserk(text).map_err(|e| env_error(name, &e.to_string()));
    }
    let key = LocalKey::from_bytes(text.as_bytes()).map_err(|_| env_error(name, expected))?;
    if text.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        tracing::warn!(
            "paseto: {name} is 32 printable characters: a password, not a random key; \
             generate a key with: echo \"k4.local.$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')\""
        );
    }
    Ok(key)
}
