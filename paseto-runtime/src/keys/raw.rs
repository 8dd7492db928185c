//! Raw `v4.local` secrets of other lengths than 32 bytes, as fastapi-paseto's
//! services are configured, and what a key ring holds.

use std::fmt;

use zeroize::Zeroizing;

use super::{KeyError, LocalKey, PublicKey};

/// A raw `v4.local` secret of 1 to 64 bytes other than a 32-byte key, as pyseto
/// (and so fastapi-paseto) takes one: fastapi-paseto's guide configures the
/// 44 characters of `openssl rand -base64 32` themselves as the secret.
///
/// Tokens are encrypted and verified with the PASETO v4.local construction on
/// pasetors' own primitives, keyed with these bytes. Such a secret has no
/// PASERK id: tokens it issues carry no `kid`, and in a key ring it is the key
/// for tokens without one. A 32-byte secret is a [`LocalKey`].
#[derive(Clone)]
pub struct LocalSecret(pub(crate) Zeroizing<Vec<u8>>);

impl LocalSecret {
    /// The longest secret accepted: BLAKE2b's longest key.
    pub const MAX_LEN: usize = 64;

    /// A secret of 33 to 64 bytes, such as fastapi-paseto's 44-character
    /// `openssl rand -base64 32`, or the 64 characters of `token_hex(32)`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        match bytes.len() {
            0..LocalKey::LEN => Err(KeyError::WeakSecret {
                length: bytes.len(),
            }),
            _ => Self::from_weak_bytes(bytes),
        }
    }

    /// A secret of 1 to 64 bytes, including ones shorter than a key should be,
    /// such as the `"secret"` of fastapi-paseto's examples: for running beside
    /// a service configured so, until it moves to a real key. Any other
    /// length is an error.
    pub fn from_weak_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        match bytes.len() {
            LocalKey::LEN => Err(KeyError::Length {
                kind: "raw secret (a 32-byte one is a `LocalKey`)",
                expected: 64,
            }),
            1..=Self::MAX_LEN => Ok(Self(Zeroizing::new(bytes.to_vec()))),
            _ => Err(KeyError::Length {
                kind: "raw secret",
                expected: Self::MAX_LEN,
            }),
        }
    }
}

impl fmt::Debug for LocalSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalSecret(<{} bytes>)", self.0.len())
    }
}

/// A key that only verifies, kept in a key ring beside the current key while
/// tokens it signed or encrypted are still alive; see
/// [`PasetoAuthBuilder::verify_key`](crate::config::PasetoAuthBuilder::verify_key).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum VerifyKey {
    /// A `v4.local` key.
    Local(LocalKey),
    /// A raw `v4.local` secret: the key for tokens without `kid`.
    Secret(LocalSecret),
    /// A `v4.public` key.
    Public(PublicKey),
}

impl From<LocalKey> for VerifyKey {
    fn from(key: LocalKey) -> Self {
        Self::Local(key)
    }
}

impl From<LocalSecret> for VerifyKey {
    fn from(secret: LocalSecret) -> Self {
        Self::Secret(secret)
    }
}

impl From<PublicKey> for VerifyKey {
    fn from(key: PublicKey) -> Self {
        Self::Public(key)
    }
}

/// A `v4.local` key as a key ring holds it: a key, which pasetors uses, or a
/// raw secret, which `secret_cipher` serves.
#[derive(Debug)]
pub(crate) enum LocalCipher {
    Key(LocalKey),
    Secret(LocalSecret),
}

impl LocalCipher {
    /// The secret bytes the cipher keys BLAKE2b with.
    pub(crate) fn secret(&self) -> &[u8] {
        match self {
            Self::Key(key) => key.0.as_bytes(),
            Self::Secret(secret) => &secret.0,
        }
    }

    /// The PASERK id, which only keys have.
    pub(crate) fn id(&self) -> Option<String> {
        match self {
            Self::Key(key) => Some(key.id()),
            Self::Secret(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_as_pyseto_takes_them_with_weak_ones_opted_in() {
        assert!(LocalSecret::from_bytes(&[1; 44]).is_ok());
        assert!(LocalSecret::from_bytes(&[1; 64]).is_ok());
        assert_eq!(
            LocalSecret::from_bytes(b"secret").unwrap_err(),
            KeyError::WeakSecret { length: 6 }
        );
        assert!(LocalSecret::from_weak_bytes(b"secret").is_ok());
        for bad in [&[][..], &[1; 32], &[1; 65]] {
            assert!(LocalSecret::from_weak_bytes(bad).is_err(), "{}", bad.len());
        }
        let shown = format!(
            "{:?}",
            LocalSecret::from_bytes(b"0123456789abcdef0123456789abcdef01").unwrap()
        );
        assert_eq!(shown, "LocalSecret(<34 bytes>)");
    }
}
