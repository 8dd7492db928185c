//! Ed25519 keys in PEM, as fastapi-paseto and OpenSSL write them: PKCS#8
//! private keys (`BEGIN PRIVATE KEY`) and SPKI public keys (`BEGIN PUBLIC KEY`),
//! read with the RustCrypto crates `pkcs8` and `spki`, never by hand.

use ed25519_compact::{KeyPair, Seed};
use pkcs8::SubjectPublicKeyInfoRef;
use pkcs8::der::asn1::OctetStringRef;
use pkcs8::der::{Decode, SecretDocument};
use pkcs8::{AlgorithmIdentifierRef, Document, ObjectIdentifier, PrivateKeyInfo};
use zeroize::Zeroizing;

use super::{KeyError, PublicKey, SecretKey};

/// Ed25519's algorithm identifier (RFC 8410).
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// The key type an algorithm identifier names, for the error of a PEM key that
/// is not Ed25519.
fn algorithm_name(algorithm: &AlgorithmIdentifierRef<'_>) -> String {
    let name = match algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.10045.2.1" => "EC (ECDSA)",
        "1.3.101.110" => "X25519",
        "1.3.101.111" => "X448",
        "1.3.101.113" => "Ed448",
        _ => "another algorithm",
    };
    format!("{name} ({})", algorithm.oid)
}

fn of_ed25519(algorithm: &AlgorithmIdentifierRef<'_>) -> Result<(), KeyError> {
    if algorithm.oid == ED25519 {
        Ok(())
    } else {
        Err(KeyError::Algorithm {
            found: algorithm_name(algorithm),
        })
    }
}

impl SecretKey {
    /// Reads a PKCS#8 PEM Ed25519 private key (`-----BEGIN PRIVATE KEY-----`),
    /// as `openssl genpkey -algorithm ed25519` writes it. A key of another
    /// algorithm is an error that names it.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let malformed = KeyError::Pem {
            label: "PRIVATE KEY",
        };
        let (label, document) = SecretDocument::from_pem(pem).map_err(|_| malformed.clone())?;
        if label != "PRIVATE KEY" {
            return Err(malformed);
        }
        let info = PrivateKeyInfo::try_from(document.as_bytes()).map_err(|_| malformed.clone())?;
        of_ed25519(&info.algorithm)?;
        // RFC 8410 §7: the private key is an OCTET STRING holding the 32-byte seed.
        let seed = OctetStringRef::from_der(info.private_key).map_err(|_| malformed.clone())?;
        let seed = Seed::from_slice(seed.as_bytes()).map_err(|_| malformed)?;
        let pair = KeyPair::try_from_seed(seed).map_err(|_| KeyError::InvalidSecretKey)?;
        if info
            .public_key
            .is_some_and(|public| public != pair.pk.as_slice())
        {
            return Err(KeyError::InvalidSecretKey);
        }
        let bytes = Zeroizing::new([&pair.sk.seed()[..], &pair.pk[..]].concat());
        Self::from_bytes(&bytes)
    }
}

impl PublicKey {
    /// Reads an SPKI PEM Ed25519 public key (`-----BEGIN PUBLIC KEY-----`), as
    /// `openssl pkey -pubout` writes it. A key of another algorithm is an error
    /// that names it.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let malformed = KeyError::Pem {
            label: "PUBLIC KEY",
        };
        let (label, document) = Document::from_pem(pem).map_err(|_| malformed.clone())?;
        if label != "PUBLIC KEY" {
            return Err(malformed);
        }
        let info = SubjectPublicKeyInfoRef::try_from(document.as_bytes())
            .map_err(|_| malformed.clone())?;
        of_ed25519(&info.algorithm)?;
        let bytes = info.subject_public_key.as_bytes().ok_or(malformed)?;
        Self::from_bytes(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(name: &str) -> String {
        let path = format!("{}/tests/pem/{name}.pem", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn openssl_ed25519_keys_load_and_belong_together() {
        let secret = SecretKey::from_pem(&pem("ed25519-private")).unwrap();
        let public = PublicKey::from_pem(&pem("ed25519-public")).unwrap();
        assert_eq!(secret.public_key(), public);
        // `openssl pkey -text` prints the seed as 3c:b2:ec:…:3e:cb.
        let seed = &secret.secret.as_bytes()[..32];
        assert_eq!((seed[0], seed[1], seed[31]), (0x3c, 0xb2, 0xcb));
    }

    #[test]
    fn another_algorithm_is_named() {
        for (name, found) in [
            ("rsa-private", "RSA (1.2.840.113549.1.1.1)"),
            ("ec-private", "EC (ECDSA) (1.2.840.10045.2.1)"),
            ("x25519-private", "X25519 (1.3.101.110)"),
        ] {
            assert_eq!(
                SecretKey::from_pem(&pem(name)).unwrap_err(),
                KeyError::Algorithm {
                    found: found.to_owned()
                },
                "{name}"
            );
        }
        let error = PublicKey::from_pem(&pem("rsa-public")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the PEM key is RSA (1.2.840.113549.1.1.1), not Ed25519 (1.3.101.112): v4.public signs with Ed25519"
        );
    }

    #[test]
    fn the_wrong_kind_of_document_is_an_error_not_a_panic() {
        let private = pem("ed25519-private");
        let public = pem("ed25519-public");
        let truncated = &private[..private.len() / 2];
        let paserk = SecretKey::generate().unwrap().to_paserk();
        for text in [
            public.as_str(),
            truncated,
            &paserk,
            "",
            "-----BEGIN PRIVATE KEY-----",
        ] {
            assert_eq!(
                SecretKey::from_pem(text).unwrap_err(),
                KeyError::Pem {
                    label: "PRIVATE KEY"
                }
            );
        }
        assert_eq!(
            PublicKey::from_pem(&private).unwrap_err(),
            KeyError::Pem {
                label: "PUBLIC KEY"
            }
        );
    }
}
