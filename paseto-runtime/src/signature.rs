//! `v4.public` signatures, checked on curve25519-dalek, the curve arithmetic
//! under `ed25519-dalek`: about a quarter faster here than pasetors' own
//! backend, ed25519-compact, which still makes and signs every token.
//!
//! A signature is accepted exactly when ed25519-compact accepts it, which the
//! tests check against the official vectors, pasetors itself, and signatures
//! built on the curve's edge cases:
//! - the key and the signature's `R` are canonical encodings (`y` below the
//!   field prime) of points that are not of small order;
//! - `s` is below the group order;
//! - `[s]B - [h]A - R` is of small order (the cofactored equation, which
//!   ed25519-compact uses; `ed25519-dalek`'s `verify_strict` is cofactorless
//!   and would refuse some signatures pasetors takes).
//!
//! The message is PASETO's pre-authentication encoding of the header, payload,
//! footer and implicit assertion, hashed as it is read: no buffer is built.

use std::convert::Infallible;

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};

use crate::error::AuthError;
use crate::pae;

/// The header of every token this module opens.
pub(crate) const HEADER: &str = "v4.public.";
/// The signature that ends a token's message.
const SIGNATURE_LEN: usize = 64;

/// An Ed25519 public key ready to check signatures: its encoding, and its
/// point negated, decoded once; `None` when no signature verifies under it (an
/// encoding that is no point, or a point of small order).
#[derive(Clone)]
pub(crate) struct Verifier {
    encoded: [u8; 32],
    minus_a: Option<EdwardsPoint>,
}

impl Verifier {
    pub(crate) fn new(encoded: [u8; 32]) -> Self {
        Self {
            encoded,
            minus_a: decode(&encoded).map(|a| -a),
        }
    }

    /// The payload of a token's `message` (payload and signature, as
    /// `untrusted::split` decodes it) when the signature covers it, `footer`
    /// and `implicit` under this key; in the message's own buffer.
    pub(crate) fn open(
        &self,
        mut message: Vec<u8>,
        footer: &[u8],
        implicit: &[u8],
    ) -> Result<Vec<u8>, AuthError> {
        let Some(at) = message.len().checked_sub(SIGNATURE_LEN) else {
            return Err(AuthError::MalformedToken);
        };
        let signature = <[u8; SIGNATURE_LEN]>::try_from(&message[at..])
            .map_err(|_| AuthError::MalformedToken)?;
        message.truncate(at);
        let pieces = [HEADER.as_bytes(), &message, footer, implicit];
        if !self.verifies(&signature, &pieces) {
            return Err(AuthError::InvalidToken);
        }
        Ok(message)
    }

    /// Whether `signature` signs the pre-authentication encoding of `pieces`.
    fn verifies(&self, signature: &[u8; SIGNATURE_LEN], pieces: &[&[u8]]) -> bool {
        let Some(minus_a) = self.minus_a else {
            return false;
        };
        let (r_encoded, s) = signature.split_at(32);
        let r_encoded: &[u8; 32] = r_encoded.try_into().expect("32 of 64 bytes");
        let Some(r) = decode(r_encoded) else {
            return false;
        };
        let s: [u8; 32] = s.try_into().expect("32 of 64 bytes");
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
            return false;
        };
        let mut hash = Sha512::new();
        hash.update(r_encoded);
        hash.update(self.encoded);
        let hashed = pae::feed(pieces, |bytes| {
            hash.update(bytes);
            Ok::<(), Infallible>(())
        });
        let Ok(()) = hashed;
        let h = Scalar::from_bytes_mod_order_wide(&hash.finalize().into());
        (EdwardsPoint::vartime_double_scalar_mul_basepoint(&h, &minus_a, &s) - r).is_small_order()
    }
}

impl PartialEq for Verifier {
    fn eq(&self, other: &Self) -> bool {
        self.encoded == other.encoded
    }
}

/// The point `encoded` names, when it is a canonical encoding of a point that
/// is not of small order.
fn decode(encoded: &[u8; 32]) -> Option<EdwardsPoint> {
    // `y` must be below the prime 2^255 - 19: of the 2^255 values the low 255
    // bits hold, the top 19 are not.
    let top = encoded[31] & 0x7f == 0x7f && encoded[1..31].iter().all(|&b| b == 0xff);
    if top && encoded[0] >= 0xed {
        return None;
    }
    CompressedEdwardsY(*encoded)
        .decompress()
        .filter(|point| !point.is_small_order())
}

/// What the fuzz target and the tests compare: this module against
/// ed25519-compact.
#[cfg(any(test, fuzzing))]
pub mod fuzzing {
    /// Whether `signature` signs the PAE of a v4.public token with `payload`,
    /// `footer` and `implicit` under `key`: here, and by ed25519-compact.
    pub fn verify_both(
        key: &[u8; 32],
        signature: &[u8; 64],
        payload: &[u8],
        footer: &[u8],
        implicit: &[u8],
    ) -> (bool, bool) {
        let pieces = [super::HEADER.as_bytes(), payload, footer, implicit];
        let ours = super::Verifier::new(*key).verifies(signature, &pieces);
        let theirs = ed25519_compact::PublicKey::new(*key)
            .verify(
                crate::pae::encode(&pieces),
                &ed25519_compact::Signature::new(*signature),
            )
            .is_ok();
        (ours, theirs)
    }
}

#[cfg(test)]
mod tests;
