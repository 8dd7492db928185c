//! `v4.local` under a raw secret of 1 to 64 bytes, as pyseto (under
//! fastapi-paseto) keys it: the PASETO v4.local construction (keyed BLAKE2b
//! splits the key, XChaCha20 encrypts, keyed BLAKE2b authenticates the
//! pre-authentication encoding) on the primitives pasetors itself uses, orion's,
//! for the secrets pasetors' 32-byte `SymmetricKey` cannot hold. With a 32-byte
//! key it agrees with pasetors byte for byte, which the tests check against the
//! official vectors and against pasetors itself.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use orion::hazardous::mac::blake2b::{Blake2b, SecretKey as MacKey};
use orion::hazardous::stream::xchacha20::{Nonce, SecretKey as StreamKey, XChaCha20};
use pasetors::Local;
use pasetors::token::UntrustedToken;
use pasetors::version4::V4;
use zeroize::Zeroizing;

/// The header of every token this module makes or opens.
pub(crate) const HEADER: &str = "v4.local.";
/// The random nonce that starts a token's message.
const NONCE_LEN: usize = 32;
/// The authentication tag that ends it.
const TAG_LEN: usize = 32;
/// The domain separators of the two keys split from the secret.
const ENCRYPTION: &[u8] = b"paseto-encryption-key";
const AUTHENTICATION: &[u8] = b"paseto-auth-key-for-aead";

/// A token that could not be made or opened; the caller says why to whom.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refused;

impl From<orion::errors::UnknownCryptoError> for Refused {
    fn from(_: orion::errors::UnknownCryptoError) -> Self {
        Self
    }
}

/// Keyed BLAKE2b of the concatenation of `parts`, `size` bytes long.
fn blake2b(key: &[u8], size: usize, parts: &[&[u8]]) -> Result<Zeroizing<Vec<u8>>, Refused> {
    let key = MacKey::try_from(key)?;
    let mut state = Blake2b::new(&key, size)?;
    for part in parts {
        state.update(part)?;
    }
    Ok(Zeroizing::new(
        state.finalize()?.unprotected_as_ref().to_vec(),
    ))
}

/// The keys a token's nonce splits from the secret: XChaCha20's key and nonce,
/// and the authentication key.
struct Split {
    encryption: Zeroizing<Vec<u8>>,
    authentication: Zeroizing<Vec<u8>>,
}

impl Split {
    fn new(secret: &[u8], nonce: &[u8]) -> Result<Self, Refused> {
        Ok(Self {
            encryption: blake2b(secret, 56, &[ENCRYPTION, nonce])?,
            authentication: blake2b(secret, TAG_LEN, &[AUTHENTICATION, nonce])?,
        })
    }

    /// XOR with the keystream: encrypts, and decrypts.
    fn apply_keystream(&self, data: &mut [u8]) -> Result<(), Refused> {
        let key = StreamKey::try_from(&self.encryption[..32])?;
        let nonce = Nonce::try_from(&self.encryption[32..])?;
        XChaCha20::new(&key, &nonce).xor_keystream_into(data)?;
        Ok(())
    }

    /// The tag over the pre-authentication encoding of the token's pieces.
    fn tag(
        &self,
        nonce: &[u8],
        ciphertext: &[u8],
        footer: &[u8],
        implicit: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Refused> {
        let pieces: [&[u8]; 5] = [HEADER.as_bytes(), nonce, ciphertext, footer, implicit];
        let encoded = pre_authentication(&pieces);
        blake2b(&self.authentication, TAG_LEN, &[&encoded])
    }
}

/// PASETO's pre-authentication encoding: the count of pieces, then each piece
/// after its length, as 64-bit little-endian numbers with the top bit clear.
fn pre_authentication(pieces: &[&[u8]]) -> Vec<u8> {
    let length = |n: usize| (u64::try_from(n).unwrap_or(u64::MAX) & (u64::MAX >> 1)).to_le_bytes();
    let mut encoded = length(pieces.len()).to_vec();
    for piece in pieces {
        encoded.extend_from_slice(&length(piece.len()));
        encoded.extend_from_slice(piece);
    }
    encoded
}

/// Encrypts `message` under `secret` with a fresh random nonce.
pub(crate) fn encrypt(
    secret: &[u8],
    message: &[u8],
    footer: &[u8],
    implicit: &[u8],
) -> Result<String, Refused> {
    let mut nonce = [0; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| Refused)?;
    seal(secret, &nonce, message, footer, implicit)
}

/// Encrypts `message` under `secret` with `nonce`: [`encrypt`], and the official
/// vectors, which fix the nonce.
fn seal(
    secret: &[u8],
    nonce: &[u8; NONCE_LEN],
    message: &[u8],
    footer: &[u8],
    implicit: &[u8],
) -> Result<String, Refused> {
    if message.is_empty() {
        return Err(Refused);
    }
    let split = Split::new(secret, nonce)?;
    let mut ciphertext = message.to_vec();
    split.apply_keystream(&mut ciphertext)?;
    let tag = split.tag(nonce, &ciphertext, footer, implicit)?;
    let body = [&nonce[..], &ciphertext, &tag].concat();
    let mut token = format!("{HEADER}{}", URL_SAFE_NO_PAD.encode(body));
    if !footer.is_empty() {
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(footer));
    }
    Ok(token)
}

/// Authenticates and decrypts a token `untrusted::parse` split, under
/// `secret`: its payload, which must be UTF-8.
pub(crate) fn decrypt(
    secret: &[u8],
    token: &UntrustedToken<Local, V4>,
    implicit: &[u8],
) -> Result<String, Refused> {
    let message = token.untrusted_message();
    // `untrusted::parse` keeps a message longer than its nonce and tag.
    let (nonce, rest) = message.split_at(NONCE_LEN);
    let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
    let split = Split::new(secret, nonce)?;
    let expected = split.tag(nonce, ciphertext, token.untrusted_footer(), implicit)?;
    orion::util::secure_cmp(&expected, tag)?;
    let mut payload = ciphertext.to_vec();
    split.apply_keystream(&mut payload)?;
    String::from_utf8(payload).map_err(|_| Refused)
}

/// The differential fuzz target's view of this module beside pasetors, with a
/// 32-byte key (`fuzz/fuzz_targets/secret_cipher.rs`).
#[cfg(fuzzing)]
pub mod fuzzing {
    use pasetors::keys::SymmetricKey;
    use pasetors::version4::LocalToken;

    use super::{HEADER, Local, V4};
    use crate::untrusted;

    /// `token` opened here and by pasetors, under `key`: the payloads, `None`
    /// where refused; `None` altogether when it does not parse.
    pub fn open_both(
        key: &[u8; 32],
        token: &str,
        implicit: &[u8],
    ) -> Option<(Option<String>, Option<String>)> {
        let parsed = untrusted::parse::<Local>(token, HEADER).ok()?;
        let here = super::decrypt(key, &parsed, implicit).ok();
        let theirs = SymmetricKey::<V4>::from(key).ok()?;
        let there = LocalToken::decrypt(&theirs, &parsed, None, Some(implicit))
            .ok()
            .map(|trusted| trusted.payload().to_owned());
        Some((here, there))
    }

    /// A token made here and one made by pasetors, of the same message.
    pub fn seal_both(
        key: &[u8; 32],
        message: &[u8],
        footer: &[u8],
        implicit: &[u8],
    ) -> Option<(String, String)> {
        let here = super::encrypt(key, message, footer, implicit).ok()?;
        let theirs = SymmetricKey::<V4>::from(key).ok()?;
        let footer = Some(footer).filter(|f| !f.is_empty());
        let there = LocalToken::encrypt(&theirs, message, footer, Some(implicit)).ok()?;
        Some((here, there))
    }
}

#[cfg(test)]
mod tests {
    use ct_codecs::{Decoder, Hex};
    use pasetors::keys::SymmetricKey;
    use pasetors::version4::LocalToken;
    use serde_json::Value;

    use super::*;
    use crate::untrusted;

    fn hex(case: &Value, field: &str) -> Vec<u8> {
        Hex::decode_to_vec(case[field].as_str().unwrap(), None).unwrap()
    }

    fn text<'a>(case: &'a Value, field: &str) -> &'a str {
        case[field].as_str().unwrap_or_default()
    }

    /// Every official `4-E` case: sealed with its nonce to the exact token, and
    /// opened back to its payload.
    #[test]
    fn the_official_vectors_seal_and_open_byte_for_byte() {
        let file: Value = serde_json::from_str(include_str!("../tests/vectors/v4.json")).unwrap();
        let mut checked = 0;
        for case in file["tests"].as_array().unwrap() {
            let name = text(case, "name");
            if !name.starts_with("4-E") {
                continue;
            }
            let key = hex(case, "key");
            let nonce: [u8; 32] = hex(case, "nonce").try_into().unwrap();
            let (footer, implicit) = (text(case, "footer"), text(case, "implicit-assertion"));
            let token = text(case, "token");
            if case["expect-fail"] == Value::Bool(true) {
                let parsed = untrusted::parse::<Local>(token, HEADER).unwrap();
                assert_eq!(
                    decrypt(&key, &parsed, implicit.as_bytes()),
                    Err(Refused),
                    "{name}"
                );
                continue;
            }
            let payload = text(case, "payload");
            let sealed = seal(
                &key,
                &nonce,
                payload.as_bytes(),
                footer.as_bytes(),
                implicit.as_bytes(),
            );
            assert_eq!(sealed.unwrap(), token, "{name}");
            let parsed = untrusted::parse::<Local>(token, HEADER).unwrap();
            assert_eq!(
                decrypt(&key, &parsed, implicit.as_bytes()).unwrap(),
                payload,
                "{name}"
            );
            checked += 1;
        }
        assert_eq!(checked, 9);
    }

    /// With a 32-byte key, what pasetors makes opens here and the reverse.
    #[test]
    fn with_a_32_byte_key_it_agrees_with_pasetors() {
        let bytes = [42; 32];
        let key = SymmetricKey::<V4>::from(&bytes).unwrap();
        let theirs = LocalToken::encrypt(&key, b"{\"a\":1}", Some(b"f"), Some(b"i")).unwrap();
        let parsed = untrusted::parse::<Local>(&theirs, HEADER).unwrap();
        assert_eq!(decrypt(&bytes, &parsed, b"i").unwrap(), "{\"a\":1}");
        let ours = encrypt(&bytes, b"{\"b\":2}", b"f", b"i").unwrap();
        let parsed = untrusted::parse::<Local>(&ours, HEADER).unwrap();
        let opened = LocalToken::decrypt(&key, &parsed, Some(b"f"), Some(b"i")).unwrap();
        assert_eq!(opened.payload(), "{\"b\":2}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// With a 32-byte key, a token one side accepts the other accepts with
        /// the same payload, and a token with any byte changed both refuse.
        #[test]
        fn accepts_and_refuses_what_pasetors_does(
            key in proptest::array::uniform32(proptest::prelude::any::<u8>()),
            payload in "[ -~]{1,64}",
            footer in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..16),
            implicit in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..16),
            ours in proptest::prelude::any::<bool>(),
            flip in proptest::prelude::any::<proptest::sample::Index>(),
        ) {
            let theirs_key = SymmetricKey::<V4>::from(&key).unwrap();
            let footer_arg = Some(footer.as_slice()).filter(|f| !f.is_empty());
            let token = if ours {
                encrypt(&key, payload.as_bytes(), &footer, &implicit).unwrap()
            } else {
                LocalToken::encrypt(&theirs_key, payload.as_bytes(), footer_arg, Some(&implicit)).unwrap()
            };
            let both = |token: &str| {
                let parsed = untrusted::parse::<Local>(token, HEADER).ok()?;
                let here = decrypt(&key, &parsed, &implicit).ok();
                let there = LocalToken::decrypt(&theirs_key, &parsed, None, Some(&implicit))
                    .ok()
                    .map(|trusted| trusted.payload().to_owned());
                Some((here, there))
            };
            proptest::prop_assert_eq!(
                both(&token),
                Some((Some(payload.clone()), Some(payload.clone())))
            );
            let body = token.strip_prefix(HEADER).unwrap();
            let (message, rest) = body.split_once('.').map_or((body, None), |(m, f)| (m, Some(f)));
            let mut bytes = URL_SAFE_NO_PAD.decode(message).unwrap();
            let at = flip.index(bytes.len());
            bytes[at] ^= 1;
            let mut tampered = format!("{HEADER}{}", URL_SAFE_NO_PAD.encode(&bytes));
            if let Some(footer) = rest {
                tampered.push('.');
                tampered.push_str(footer);
            }
            if let Some((here, there)) = both(&tampered) {
                proptest::prop_assert_eq!((here, there), (None, None));
            }
        }
    }

    #[test]
    fn any_secret_of_1_to_64_bytes_and_no_other() {
        for length in [1, 6, 16, 31, 33, 43, 44, 64] {
            let secret = vec![7; length];
            let token = encrypt(&secret, b"{}", b"", b"").unwrap();
            let parsed = untrusted::parse::<Local>(&token, HEADER).unwrap();
            assert_eq!(decrypt(&secret, &parsed, b"").unwrap(), "{}", "{length}");
            let other = vec![8; length];
            assert_eq!(decrypt(&other, &parsed, b""), Err(Refused), "{length}");
            assert_eq!(decrypt(&secret, &parsed, b"x"), Err(Refused), "{length}");
        }
        assert_eq!(encrypt(&[], b"{}", b"", b""), Err(Refused));
        assert_eq!(encrypt(&[7; 65], b"{}", b"", b""), Err(Refused));
        assert_eq!(encrypt(&[7; 44], b"", b"", b""), Err(Refused));
    }
}
