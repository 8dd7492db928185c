//! Key material: a v4.local symmetric key, or a v4.public Ed25519 key pair.
//!
//! Keys load from PASERK strings (`k4.local.`, `k4.secret.`, `k4.public.`) or
//! raw bytes, or are freshly generated. `Debug` never shows key bytes: it shows
//! the key's PASERK id (`k4.lid.`, `k4.sid.`, `k4.pid.`), a one-way hash that is
//! safe to log and lets an operator tell which key a service runs with.

use std::fmt;
use std::str::FromStr;

use ct_codecs::{Base64UrlSafeNoPadding, Decoder};
use pasetors::keys::{
    AsymmetricKeyPair, AsymmetricPublicKey, AsymmetricSecretKey, Generate, SymmetricKey,
};
use pasetors::paserk::{FormatAsPaserk, Id};
use pasetors::version4::V4;
use zeroize::Zeroizing;

use crate::signature::Verifier;

mod pem;
mod raw;

pub(crate) use raw::LocalCipher;
pub use raw::{LocalSecret, VerifyKey};

/// A key that cannot be built from the bytes or string given.
///
/// Messages say what was expected and never include any part of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Raw key bytes of the wrong length.
    #[error("a {kind} key must be exactly {expected} bytes long")]
    Length {
        /// Which key: `v4.local`, `Ed25519 secret` or `Ed25519 public`.
        kind: &'static str,
        /// The length this kind of key must have.
        expected: usize,
    },
    /// A string that is not a PASERK of the expected type.
    #[error("expected a PASERK string `{prefix}<base64url>` holding {expected} bytes")]
    Paserk {
        /// The PASERK prefix this key type is written with.
        prefix: &'static str,
        /// How many bytes the base64url part must decode to.
        expected: usize,
    },
    /// A PEM document that is not an Ed25519 key of the expected kind.
    #[error("expected a PEM `{label}` holding an Ed25519 key")]
    Pem {
        /// The PEM label expected: `PRIVATE KEY` (PKCS#8) or `PUBLIC KEY` (SPKI).
        label: &'static str,
    },
    /// A PEM key of another algorithm than Ed25519.
    #[error("the PEM key is {found}, not Ed25519 (1.3.101.112): v4.public signs with Ed25519")]
    Algorithm {
        /// The algorithm found, with its object identifier.
        found: String,
    },
    /// A raw secret shorter than 32 bytes, without the opt-in for weak secrets.
    #[error(
        "a secret of {length} bytes is weak: use a 32-byte random key (`paseto keygen local`), or opt in to weak secrets"
    )]
    WeakSecret {
        /// The secret's length in bytes.
        length: usize,
    },
    /// An Ed25519 secret key whose seed is all zeros or whose public half does not match its seed.
    #[error("the Ed25519 secret key is not valid: its public half must be derived from its seed")]
    InvalidSecretKey,
    /// The system's random number generator failed while generating a key.
    #[error("could not generate a key: the system random number generator failed")]
    Generate,
}

/// Writes a key (or key id) in its PASERK form.
fn paserk(key: &dyn FormatAsPaserk) -> String {
    let mut out = String::new();
    // Writing into a `String` cannot fail, and every key here has a valid length.
    let _ = key.fmt(&mut out);
    out
}

/// Decodes a PASERK string of one type into its key bytes (zeroed again on drop).
///
/// The prefix is checked first, so a key of the wrong type gets a message naming the right one.
fn decode_paserk(
    text: &str,
    prefix: &'static str,
    expected: usize,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let error = KeyError::Paserk { prefix, expected };
    let encoded = text.strip_prefix(prefix).ok_or(error.clone())?;
    let bytes = Base64UrlSafeNoPadding::decode_to_vec(encoded, None)
        .map(Zeroizing::new)
        .map_err(|_| error.clone())?;
    if bytes.len() == expected {
        Ok(bytes)
    } else {
        Err(error)
    }
}

/// What every key type shares: reading and writing its PASERK, its PASERK id,
/// and `FromStr`. `$inner` is the field holding pasetors' key.
macro_rules! paserk_key {
    ($key:ident, $inner:tt, $prefix:literal, $id:literal, $to_paserk:literal) => {
        impl $key {
            #[doc = concat!("Parses a `", $prefix, "` PASERK string.")]
            pub fn from_paserk(text: &str) -> Result<Self, KeyError> {
                Self::from_bytes(&decode_paserk(text, $prefix, Self::LEN)?)
            }

            #[doc = concat!("The key as a `", $prefix, "` PASERK string. ", $to_paserk)]
            pub fn to_paserk(&self) -> String {
                paserk(&self.$inner)
            }

            #[doc = concat!("The key's PASERK id (`", $id, "`): safe to log, identifies the key without revealing it.")]
            pub fn id(&self) -> String {
                paserk(&Id::from(&self.$inner))
            }
        }

        impl FromStr for $key {
            type Err = KeyError;

            fn from_str(text: &str) -> Result<Self, KeyError> {
                Self::from_paserk(text)
            }
        }
    };
}

paserk_key!(
    LocalKey,
    0,
    "k4.local.",
    "k4.lid.",
    "This is the secret itself: store it as one."
);
paserk_key!(
    SecretKey,
    secret,
    "k4.secret.",
    "k4.sid.",
    "This is the secret itself: store it as one."
);
paserk_key!(
    PublicKey,
    0,
    "k4.public.",
    "k4.pid.",
    "Public, safe to share."
);

/// A 32-byte symmetric key for `v4.local` tokens (encrypted and authenticated).
#[derive(Clone)]
pub struct LocalKey(pub(crate) SymmetricKey<V4>);

impl LocalKey {
    /// The length of a `v4.local` key in bytes.
    pub const LEN: usize = 32;

    /// Builds a key from exactly 32 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let length = KeyError::Length {
            kind: "v4.local",
            expected: Self::LEN,
        };
        if bytes.len() != Self::LEN {
            return Err(length);
        }
        SymmetricKey::from(bytes).map(Self).map_err(|_| length)
    }

    /// Generates a new random key.
    pub fn generate() -> Result<Self, KeyError> {
        SymmetricKey::generate()
            .map(Self)
            .map_err(|_| KeyError::Generate)
    }
}

impl fmt::Debug for LocalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey").field("id", &self.id()).finish()
    }
}

/// An Ed25519 secret key for signing `v4.public` tokens: the 32-byte seed followed by
/// the 32-byte public key, as PASERK `k4.secret.` stores it.
#[derive(Clone)]
pub struct SecretKey {
    pub(crate) secret: AsymmetricSecretKey<V4>,
    public: PublicKey,
}

impl SecretKey {
    /// The length of an Ed25519 secret key (seed and public key) in bytes.
    pub const LEN: usize = 64;

    /// Builds a key from its 64 raw bytes: the seed, then the public key.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() != Self::LEN {
            return Err(KeyError::Length {
                kind: "Ed25519 secret",
                expected: Self::LEN,
            });
        }
        // pasetors' Ed25519 backend panics on an all-zero seed: refuse it first.
        if bytes[..32].iter().all(|&b| b == 0) {
            return Err(KeyError::InvalidSecretKey);
        }
        let secret = AsymmetricSecretKey::from(bytes).map_err(|_| KeyError::InvalidSecretKey)?;
        let public = PublicKey::from_bytes(&bytes[32..])?;
        Ok(Self { secret, public })
    }

    /// Generates a new random key pair and returns its secret half.
    pub fn generate() -> Result<Self, KeyError> {
        AsymmetricKeyPair::<V4>::generate()
            .map(|pair| Self {
                secret: pair.secret,
                public: PublicKey::from_pasetors(pair.public),
            })
            .map_err(|_| KeyError::Generate)
    }

    /// The public key that verifies what this key signs.
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey").field("id", &self.id()).finish()
    }
}

/// An Ed25519 public key for verifying `v4.public` tokens.
#[derive(Clone, PartialEq)]
pub struct PublicKey(pub(crate) AsymmetricPublicKey<V4>, pub(crate) Verifier);

impl PublicKey {
    /// The length of an Ed25519 public key in bytes.
    pub const LEN: usize = 32;

    /// Builds a key from exactly 32 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let length = KeyError::Length {
            kind: "Ed25519 public",
            expected: Self::LEN,
        };
        if bytes.len() != Self::LEN {
            return Err(length);
        }
        AsymmetricPublicKey::from(bytes)
            .map(Self::from_pasetors)
            .map_err(|_| length)
    }

    /// The key, with its point decoded once for [`Verifier`].
    pub(crate) fn from_pasetors(key: AsymmetricPublicKey<V4>) -> Self {
        let mut encoded = [0; Self::LEN];
        encoded.copy_from_slice(key.as_bytes());
        Self(key, Verifier::new(encoded))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PublicKey").field(&self.to_paserk()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_key_round_trips_through_paserk() {
        let key = LocalKey::generate().unwrap();
        let text = key.to_paserk();
        assert!(text.starts_with("k4.local."));
        assert_eq!(LocalKey::from_paserk(&text).unwrap().to_paserk(), text);
    }

    #[test]
    fn local_key_of_wrong_length_says_what_was_expected() {
        let error = LocalKey::from_bytes(b"secret").unwrap_err();
        assert_eq!(
            error.to_string(),
            "a v4.local key must be exactly 32 bytes long"
        );
    }

    #[test]
    fn paserk_of_the_wrong_type_names_the_expected_prefix() {
        let public = SecretKey::generate().unwrap().public_key().to_paserk();
        let error = LocalKey::from_paserk(&public).unwrap_err();
        assert_eq!(
            error.to_string(),
            "expected a PASERK string `k4.local.<base64url>` holding 32 bytes"
        );
    }

    #[test]
    fn malformed_paserk_is_an_error_not_a_panic() {
        for text in [
            "",
            "k4.local.",
            "k4.local.!!!",
            "k4.local.AAAA",
            "k4.local.a.b",
            "k4.secret.AAAA",
        ] {
            assert!(LocalKey::from_paserk(text).is_err(), "{text:?}");
            assert!(SecretKey::from_paserk(text).is_err(), "{text:?}");
            assert!(PublicKey::from_paserk(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn all_zero_secret_key_is_rejected() {
        assert_eq!(
            SecretKey::from_bytes(&[0; 64]).unwrap_err(),
            KeyError::InvalidSecretKey
        );
    }

    #[test]
    fn secret_key_with_a_foreign_public_half_is_rejected() {
        let a = SecretKey::generate().unwrap();
        let b = SecretKey::generate().unwrap();
        let mut bytes = a.secret.as_bytes().to_vec();
        bytes[32..].copy_from_slice(b.public.0.as_bytes());
        assert_eq!(
            SecretKey::from_bytes(&bytes).unwrap_err(),
            KeyError::InvalidSecretKey
        );
    }

    #[test]
    fn secret_key_round_trips_and_derives_its_public_key() {
        let key = SecretKey::generate().unwrap();
        let again = SecretKey::from_paserk(&key.to_paserk()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let public = PublicKey::from_paserk(&key.public_key().to_paserk()).unwrap();
        assert_eq!(public, key.public_key());
    }

    #[test]
    fn debug_never_shows_secret_bytes() {
        let local = LocalKey::generate().unwrap();
        let secret = SecretKey::generate().unwrap();
        let shown = format!("{local:?} {secret:?}");
        assert!(!shown.contains(&local.to_paserk()["k4.local.".len()..]));
        assert!(!shown.contains(&secret.to_paserk()["k4.secret.".len()..]));
        assert!(shown.contains("k4.lid.") && shown.contains("k4.sid."));
    }
}
