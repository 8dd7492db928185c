//! `v4.local` on the primitives pasetors itself uses, orion's: keyed BLAKE2b
//! splits the key, XChaCha20 encrypts, keyed BLAKE2b authenticates the
//! pre-authentication encoding. Every v4.local token is opened here, and tokens
//! under a raw secret of 1 to 64 bytes (as pyseto, under fastapi-paseto, keys
//! them; pasetors' 32-byte `SymmetricKey` cannot hold those) are also sealed
//! here. With a 32-byte key it agrees with pasetors byte for byte, which the
//! tests check against the official vectors and against pasetors itself.
//!
//! Opening takes the decoded message and decrypts it in place: the
//! pre-authentication encoding is hashed as it is read, the split keys live on
//! the stack, and the payload is the message's own buffer. A key's two
//! derivations start from states [`Prepared`] once per key, which saves two of
//! the eight BLAKE2b compressions of a typical token.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use orion::hazardous::mac::blake2b::{Blake2b, SecretKey as MacKey};
use orion::hazardous::stream::xchacha20::{Nonce, SecretKey as StreamKey, XChaCha20};
use zeroize::Zeroizing;

use crate::pae;

/// The header of every token this module makes or opens.
pub(crate) const HEADER: &str = "v4.local.";
/// The random nonce that starts a token's message.
pub(crate) const NONCE_LEN: usize = 32;
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

/// A secret's two key derivations, begun: keyed BLAKE2b states that have
/// compressed the key's block and hold the domain separator, kept with the key
/// so that a token's derivations each cost the one compression of its nonce.
#[derive(Clone)]
pub(crate) struct Prepared {
    encryption: Blake2b,
    authentication: Blake2b,
}

impl Prepared {
    /// The derivations of `secret`, 1 to 64 bytes.
    pub(crate) fn new(secret: &[u8]) -> Result<Self, Refused> {
        let begin = |separator: &[u8], length| -> Result<Blake2b, Refused> {
            let mut state = Blake2b::new(&MacKey::try_from(secret)?, length)?;
            state.update(separator)?;
            Ok(state)
        };
        Ok(Self {
            encryption: begin(ENCRYPTION, 56)?,
            authentication: begin(AUTHENTICATION, TAG_LEN)?,
        })
    }
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Prepared(<derivations>)")
    }
}

/// A begun derivation finished with a token's nonce.
fn derive<const N: usize>(begun: &Blake2b, nonce: &[u8]) -> Result<Zeroizing<[u8; N]>, Refused> {
    let mut state = begun.clone();
    state.update(nonce)?;
    let mut out = Zeroizing::new([0; N]);
    out.copy_from_slice(state.finalize()?.unprotected_as_ref());
    Ok(out)
}

/// The keys a token's nonce splits from the secret: XChaCha20's key and nonce,
/// and the authentication key.
struct Split {
    encryption: Zeroizing<[u8; 56]>,
    authentication: Zeroizing<[u8; TAG_LEN]>,
}

impl Split {
    fn new(prepared: &Prepared, nonce: &[u8]) -> Result<Self, Refused> {
        Ok(Self {
            encryption: derive(&prepared.encryption, nonce)?,
            authentication: derive(&prepared.authentication, nonce)?,
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
    ) -> Result<Zeroizing<[u8; TAG_LEN]>, Refused> {
        let key = MacKey::try_from(&self.authentication[..])?;
        let mut state = Blake2b::new(&key, TAG_LEN)?;
        let pieces = [HEADER.as_bytes(), nonce, ciphertext, footer, implicit];
        pae::feed(&pieces, |bytes| state.update(bytes))?;
        let mut tag = Zeroizing::new([0; TAG_LEN]);
        tag.copy_from_slice(state.finalize()?.unprotected_as_ref());
        Ok(tag)
    }
}

/// Encrypts `message` under `secret` with `nonce`, which must come from the
/// system's random generator (the official vectors fix it).
pub(crate) fn seal(
    secret: &Prepared,
    nonce: &[u8; NONCE_LEN],
    message: &[u8],
    footer: &[u8],
    implicit: &[u8],
) -> Result<String, Refused> {
    if message.is_empty() {
        return Err(Refused);
    }
    let split = Split::new(secret, nonce)?;
    let mut body = Vec::with_capacity(NONCE_LEN + message.len() + TAG_LEN);
    body.extend_from_slice(nonce);
    body.extend_from_slice(message);
    split.apply_keystream(&mut body[NONCE_LEN..])?;
    let tag = split.tag(nonce, &body[NONCE_LEN..], footer, implicit)?;
    body.extend_from_slice(&tag[..]);
    let encoded = |bytes: usize| bytes.div_ceil(3) * 4;
    let mut token =
        String::with_capacity(HEADER.len() + encoded(body.len()) + 1 + encoded(footer.len()));
    token.push_str(HEADER);
    URL_SAFE_NO_PAD.encode_string(&body, &mut token);
    if !footer.is_empty() {
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(footer, &mut token);
    }
    Ok(token)
}

/// [`seal`] with a nonce of its own, for the tests and the fuzz target.
#[cfg(any(test, fuzzing))]
fn encrypt(
    secret: &Prepared,
    message: &[u8],
    footer: &[u8],
    implicit: &[u8],
) -> Result<String, Refused> {
    let mut nonce = [0; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| Refused)?;
    seal(secret, &nonce, message, footer, implicit)
}

/// Authenticates and decrypts a token's `message` (nonce, ciphertext and tag,
/// as `untrusted::split` decodes it) with its `footer` under `secret`: the
/// payload, in the message's own buffer.
pub(crate) fn open(
    secret: &Prepared,
    mut message: Vec<u8>,
    footer: &[u8],
    implicit: &[u8],
) -> Result<Vec<u8>, Refused> {
    let Some(end) = message
        .len()
        .checked_sub(TAG_LEN)
        .filter(|&end| end > NONCE_LEN)
    else {
        return Err(Refused);
    };
    let (nonce, rest) = message.split_at(NONCE_LEN);
    let (ciphertext, tag) = rest.split_at(end - NONCE_LEN);
    let split = Split::new(secret, nonce)?;
    let expected = split.tag(nonce, ciphertext, footer, implicit)?;
    orion::util::secure_cmp(&expected[..], tag)?;
    split.apply_keystream(&mut message[NONCE_LEN..end])?;
    message.truncate(end);
    message.drain(..NONCE_LEN);
    Ok(message)
}

/// [`open`] on a whole token, to its UTF-8 payload: what the tests and the fuzz
/// target compare with pasetors.
#[cfg(any(test, fuzzing))]
fn open_token(secret: &[u8], token: &str, implicit: &[u8]) -> Result<String, Refused> {
    let (message, footer) = crate::untrusted::split(token, HEADER).map_err(|_| Refused)?;
    let payload = open(&Prepared::new(secret)?, message, &footer, implicit)?;
    String::from_utf8(payload).map_err(|_| Refused)
}

/// The differential fuzz target's view of this module beside pasetors, with a
/// 32-byte key (`fuzz/fuzz_targets/secret_cipher.rs`).
#[cfg(fuzzing)]
pub mod fuzzing {
    use pasetors::Local;
    use pasetors::keys::SymmetricKey;
    use pasetors::token::UntrustedToken;
    use pasetors::version4::{LocalToken, V4};

    use super::HEADER;
    use crate::untrusted;

    /// `token` opened here and by pasetors, under `key`: the payloads, `None`
    /// where refused; `None` altogether when it does not parse here.
    pub fn open_both(
        key: &[u8; 32],
        token: &str,
        implicit: &[u8],
    ) -> Option<(Option<String>, Option<String>)> {
        untrusted::split(token, HEADER).ok()?;
        let here = super::open_token(key, token, implicit).ok();
        let theirs = SymmetricKey::<V4>::from(key).ok()?;
        let parsed = UntrustedToken::<Local, V4>::try_from(token).ok()?;
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
        let here =
            super::encrypt(&super::Prepared::new(key).ok()?, message, footer, implicit).ok()?;
        let theirs = SymmetricKey::<V4>::from(key).ok()?;
        let footer = Some(footer).filter(|f| !f.is_empty());
        let there = LocalToken::encrypt(&theirs, message, footer, Some(implicit)).ok()?;
        Some((here, there))
    }
}

#[cfg(test)]
mod tests {
    use ct_codecs::{Decoder, Hex};
    use pasetors::Local;
    use pasetors::keys::SymmetricKey;
    use pasetors::token::UntrustedToken;
    use pasetors::version4::{LocalToken, V4};
    use serde_json::Value;

    use super::*;

    fn prepared(secret: &[u8]) -> Prepared {
        Prepared::new(secret).unwrap()
    }

    /// pasetors' own reading of a token.
    fn theirs(token: &str) -> UntrustedToken<Local, V4> {
        UntrustedToken::try_from(token).unwrap()
    }

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
                assert_eq!(
                    open_token(&key, token, implicit.as_bytes()),
                    Err(Refused),
                    "{name}"
                );
                continue;
            }
            let payload = text(case, "payload");
            let sealed = seal(
                &prepared(&key),
                &nonce,
                payload.as_bytes(),
                footer.as_bytes(),
                implicit.as_bytes(),
            );
            assert_eq!(sealed.unwrap(), token, "{name}");
            assert_eq!(
                open_token(&key, token, implicit.as_bytes()).unwrap(),
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
        assert_eq!(open_token(&bytes, &theirs, b"i").unwrap(), "{\"a\":1}");
        let ours = encrypt(&prepared(&bytes), b"{\"b\":2}", b"f", b"i").unwrap();
        let opened =
            LocalToken::decrypt(&key, &self::theirs(&ours), Some(b"f"), Some(b"i")).unwrap();
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
                encrypt(&prepared(&key), payload.as_bytes(), &footer, &implicit).unwrap()
            } else {
                LocalToken::encrypt(&theirs_key, payload.as_bytes(), footer_arg, Some(&implicit)).unwrap()
            };
            let both = |token: &str| {
                crate::untrusted::split(token, HEADER).ok()?;
                let here = open_token(&key, token, &implicit).ok();
                let there = LocalToken::decrypt(&theirs_key, &theirs(token), None, Some(&implicit))
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
    fn a_prepared_derivation_is_the_one_shot_keyed_blake2b() {
        let nonce = [9; NONCE_LEN];
        for length in 1..=64 {
            let secret: Vec<u8> = (0..length)
                .map(|i| u8::try_from(i * 7 % 251).unwrap())
                .collect();
            let split = Split::new(&prepared(&secret), &nonce).unwrap();
            let one_shot = |separator: &[u8], size| {
                let mut state =
                    Blake2b::new(&MacKey::try_from(&secret[..]).unwrap(), size).unwrap();
                state.update(&[separator, &nonce[..]].concat()).unwrap();
                state.finalize().unwrap().unprotected_as_ref().to_vec()
            };
            assert_eq!(
                split.encryption.to_vec(),
                one_shot(ENCRYPTION, 56),
                "{length}"
            );
            assert_eq!(
                split.authentication.to_vec(),
                one_shot(AUTHENTICATION, TAG_LEN),
                "{length}"
            );
        }
    }

    #[test]
    fn any_secret_of_1_to_64_bytes_and_no_other() {
        for length in [1, 6, 16, 31, 33, 43, 44, 64] {
            let secret = vec![7; length];
            let token = encrypt(&prepared(&secret), b"{}", b"", b"").unwrap();
            assert_eq!(open_token(&secret, &token, b"").unwrap(), "{}", "{length}");
            let other = vec![8; length];
            assert_eq!(open_token(&other, &token, b""), Err(Refused), "{length}");
            assert_eq!(open_token(&secret, &token, b"x"), Err(Refused), "{length}");
        }
        assert!(Prepared::new(&[]).is_err());
        assert!(Prepared::new(&[7; 65]).is_err());
        assert_eq!(encrypt(&prepared(&[7; 44]), b"", b"", b""), Err(Refused));
    }
}
