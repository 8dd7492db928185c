//! [`Clients`]: who may call an issuer's introspection and revocation
//! endpoints, with their secrets.

use std::fmt;
use std::sync::Arc;

/// The clients allowed to introspect and revoke tokens, each a name and a
/// secret. `Debug` shows the names only.
#[derive(Clone)]
pub struct Clients(Arc<[(String, String)]>);

impl Clients {
    /// The clients `name:secret[,name:secret…]`, as `PASETO_INTROSPECTION_CLIENTS`
    /// holds them. A name or secret may not be empty, nor a name hold `:`.
    pub fn parse(text: &str) -> Result<Self, InvalidClients> {
        let invalid = || InvalidClients;
        let clients: Vec<(String, String)> = text
            .split(',')
            .map(str::trim)
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once(':') {
                Some((name, secret)) if !name.is_empty() && !secret.is_empty() => {
                    Ok((name.to_owned(), secret.to_owned()))
                }
                _ => Err(invalid()),
            })
            .collect::<Result<_, _>>()?;
        if clients.is_empty() {
            return Err(invalid());
        }
        Ok(Self(clients.into()))
    }

    /// Whether `name` and `secret` are a client's. Every client is compared,
    /// each in constant time, whatever matched.
    pub(crate) fn admits(&self, name: &[u8], secret: &[u8]) -> bool {
        let mut admitted = false;
        for (known_name, known_secret) in self.0.iter() {
            let same_name = orion::util::secure_cmp(known_name.as_bytes(), name).is_ok();
            let same_secret = orion::util::secure_cmp(known_secret.as_bytes(), secret).is_ok();
            admitted |= same_name & same_secret;
        }
        admitted
    }
}

impl fmt::Debug for Clients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

/// Client credentials that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "introspection clients must be `name:secret` pairs separated by commas, neither part empty, a name without `:`"
)]
pub struct InvalidClients;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_parse_and_admit_only_their_own_credentials() {
        let clients = Clients::parse("gateway:s3cret, billing:other").unwrap();
        assert!(clients.admits(b"gateway", b"s3cret"));
        assert!(clients.admits(b"billing", b"other"));
        assert!(!clients.admits(b"gateway", b"other"));
        assert!(!clients.admits(b"gateway", b""));
        assert!(!clients.admits(b"", b""));
        assert_eq!(format!("{clients:?}"), r#"["gateway", "billing"]"#);
        for bad in ["", "gateway", ":secret", "gateway:", ","] {
            assert!(Clients::parse(bad).is_err(), "{bad}");
        }
    }
}
