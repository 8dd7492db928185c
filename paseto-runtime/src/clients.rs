//! [`Clients`]: who may call an issuer's introspection and revocation
//! endpoints, with their secrets.

use std::fmt;
use std::sync::Arc;

/// The clients allowed to introspect and revoke tokens, each a name and a
/// secret of at least [`MIN_SECRET_LEN`] bytes. Kept as their BLAKE2b digests,
/// so that every comparison is of 32 bytes, in constant time. `Debug` shows
/// the names only.
#[derive(Clone)]
pub struct Clients(Arc<[Client]>);

/// The shortest client secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 16;

struct Client {
    name: String,
    name_digest: [u8; 32],
    secret_digest: [u8; 32],
}

/// The BLAKE2b-256 digest of `bytes`; `None` only if BLAKE2b fails, which
/// then admits nobody.
fn digest(bytes: &[u8]) -> Option<[u8; 32]> {
    let hasher = orion::hazardous::hash::blake2::blake2b::Hasher::Blake2b256;
    let digest = hasher.digest(bytes).ok()?;
    digest.as_ref().try_into().ok()
}

impl Clients {
    /// The clients `name:secret[,name:secret…]`, as `PASETO_INTROSPECTION_CLIENTS`
    /// holds them: a name not empty and without `:`, a secret of at least
    /// [`MIN_SECRET_LEN`] bytes.
    pub fn parse(text: &str) -> Result<Self, InvalidClients> {
        let clients: Vec<Client> = text
            .split(',')
            .map(str::trim)
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once(':') {
                Some((name, secret)) if !name.is_empty() && secret.len() >= MIN_SECRET_LEN => {
                    Ok(Client {
                        name: name.to_owned(),
                        name_digest: digest(name.as_bytes()).ok_or(InvalidClients)?,
                        secret_digest: digest(secret.as_bytes()).ok_or(InvalidClients)?,
                    })
                }
                _ => Err(InvalidClients),
            })
            .collect::<Result<_, _>>()?;
        if clients.is_empty() {
            return Err(InvalidClients);
        }
        Ok(Self(clients.into()))
    }

    /// Whether `name` and `secret` are a client's. Every client is compared,
    /// digest to digest in constant time, whatever matched.
    pub(crate) fn admits(&self, name: &[u8], secret: &[u8]) -> bool {
        let (Some(name), Some(secret)) = (digest(name), digest(secret)) else {
            return false;
        };
        let mut admitted = false;
        for client in self.0.iter() {
            let same_name = orion::util::secure_cmp(&client.name_digest, &name).is_ok();
            let same_secret = orion::util::secure_cmp(&client.secret_digest, &secret).is_ok();
            admitted |= same_name & same_secret;
        }
        admitted
    }
}

impl fmt::Debug for Clients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|client| &client.name))
            .finish()
    }
}

/// Client credentials that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "introspection clients must be `name:secret` pairs separated by commas, a name without `:` and a secret of at least 16 bytes"
)]
pub struct InvalidClients;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_parse_and_admit_only_their_own_credentials() {
        let clients =
            Clients::parse("gateway:s3cret-s3cret-16, billing:other-other-other").unwrap();
        assert!(clients.admits(b"gateway", b"s3cret-s3cret-16"));
        assert!(clients.admits(b"billing", b"other-other-other"));
        assert!(!clients.admits(b"gateway", b"other-other-other"));
        assert!(!clients.admits(b"gateway", b""));
        assert!(!clients.admits(b"", b""));
        assert_eq!(format!("{clients:?}"), r#"["gateway", "billing"]"#);
        for bad in [
            "",
            "gateway",
            ":secret-secret-secret",
            "gateway:",
            ",",
            "gateway:short",
        ] {
            assert!(Clients::parse(bad).is_err(), "{bad}");
        }
    }
}
