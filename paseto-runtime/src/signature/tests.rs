//! The verifier against ed25519-compact (pasetors' backend): on tokens pasetors
//! signs, tampered or not, and on signatures and keys built on the curve's
//! edge cases, where Ed25519 verifiers are known to disagree.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use ed25519_compact::Error;
use pasetors::Public;
use pasetors::keys::{AsymmetricKeyPair, AsymmetricPublicKey, AsymmetricSecretKey};
use pasetors::token::UntrustedToken;
use pasetors::version4::{PublicToken, V4};
use proptest::prelude::*;
use sha2::{Digest, Sha512};

use super::*;
use crate::untrusted;

/// ed25519-compact's verdict on a signature of `message` under `key`.
fn compact(key: &[u8; 32], signature: &[u8; 64], message: &[u8]) -> Result<(), Error> {
    ed25519_compact::PublicKey::new(*key)
        .verify(message, &ed25519_compact::Signature::new(*signature))
}

/// Both verdicts on a signature of `payload` under `key`, with no footer.
fn both(key: &[u8; 32], signature: &[u8; 64], payload: &[u8]) -> (bool, bool) {
    fuzzing::verify_both(key, signature, payload, b"", b"")
}

/// A scalar from a seed.
fn scalar(seed: u64) -> Scalar {
    Scalar::from_bytes_mod_order_wide(&Sha512::digest(seed.to_le_bytes()).into())
}

/// A signature of `payload` under the secret scalar `a` (public `public`,
/// which may differ from `aB` by a torsion point), with the nonce point
/// `rB + torsion`: `s = r + h·a`.
fn sign(
    a: Scalar,
    public: EdwardsPoint,
    r: Scalar,
    torsion: EdwardsPoint,
    payload: &[u8],
) -> [u8; 64] {
    let nonce = (r * ED25519_BASEPOINT_POINT + torsion).compress();
    let mut hash = Sha512::new();
    hash.update(nonce.as_bytes());
    hash.update(public.compress().as_bytes());
    hash.update(pae::encode(&[HEADER.as_bytes(), payload, b"", b""]));
    let h = Scalar::from_bytes_mod_order_wide(&hash.finalize().into());
    let mut signature = [0; 64];
    signature[..32].copy_from_slice(nonce.as_bytes());
    signature[32..].copy_from_slice((r + h * a).as_bytes());
    signature
}

#[test]
fn honest_signatures_verify_on_both() {
    for seed in 0..32 {
        let (a, r) = (scalar(seed), scalar(seed + 1000));
        let public = a * ED25519_BASEPOINT_POINT;
        let signature = sign(a, public, r, EdwardsPoint::default(), b"{}");
        assert_eq!(
            both(public.compress().as_bytes(), &signature, b"{}"),
            (true, true)
        );
    }
}

#[test]
fn a_nonce_point_with_a_torsion_part_verifies_on_both() {
    // The cofactored equation takes these; a cofactorless verifier does not.
    for (seed, torsion) in EIGHT_TORSION.iter().enumerate() {
        let (a, r) = (scalar(seed as u64), scalar(seed as u64 + 100));
        let public = a * ED25519_BASEPOINT_POINT;
        let signature = sign(a, public, r, *torsion, b"{}");
        assert_eq!(
            both(public.compress().as_bytes(), &signature, b"{}"),
            (true, true),
            "{seed}"
        );
    }
}

#[test]
fn a_key_with_a_torsion_part_is_a_key_on_both() {
    for (seed, torsion) in EIGHT_TORSION.iter().enumerate().skip(1) {
        let a = scalar(seed as u64);
        let public = a * ED25519_BASEPOINT_POINT + torsion;
        // h·torsion is left over: of small order, so both accept.
        let signature = sign(a, public, scalar(7), EdwardsPoint::default(), b"{}");
        assert_eq!(
            both(public.compress().as_bytes(), &signature, b"{}"),
            (true, true),
            "{seed}"
        );
    }
}

#[test]
fn small_order_keys_and_nonce_points_fail_on_both() {
    let a = scalar(1);
    let public = a * ED25519_BASEPOINT_POINT;
    for torsion in EIGHT_TORSION {
        let key = torsion.compress().to_bytes();
        assert!(Verifier::new(key).minus_a.is_none());
        assert!(matches!(
            compact(&key, &[0; 64], b""),
            Err(Error::WeakPublicKey)
        ));
        // R of small order, s = h·a: the equation holds, yet both refuse R.
        let signature = sign(a, public, Scalar::ZERO, torsion, b"{}");
        assert_eq!(
            both(public.compress().as_bytes(), &signature, b"{}"),
            (false, false)
        );
    }
}

#[test]
fn a_scalar_not_below_the_group_order_fails_on_both() {
    let (a, r) = (scalar(3), scalar(4));
    let public = a * ED25519_BASEPOINT_POINT;
    let mut signature = sign(a, public, r, EdwardsPoint::default(), b"{}");
    // s + ℓ, the same scalar reduced: the classic malleability.
    let order: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0_u16;
    for (byte, add) in signature[32..].iter_mut().zip(order) {
        let sum = u16::from(*byte) + u16::from(add) + carry;
        *byte = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    assert_eq!(
        both(public.compress().as_bytes(), &signature, b"{}"),
        (false, false)
    );
}

#[test]
fn encodings_are_refused_as_points_exactly_where_compact_refuses_them() {
    // Every encoding of `y` at or above the prime, both signs; every small-order
    // point; and some ordinary bytes.
    let mut encodings = Vec::new();
    for low in 0xed..=0xff_u8 {
        for sign in [0, 0x80] {
            let mut bytes = [0xff; 32];
            bytes[0] = low;
            bytes[31] = 0x7f | sign;
            encodings.push(bytes);
        }
    }
    for y in 0..=20_u8 {
        for sign in [0, 0x80] {
            let mut bytes = [0; 32];
            bytes[0] = y;
            bytes[31] = sign;
            encodings.push(bytes);
        }
    }
    encodings.extend(EIGHT_TORSION.iter().map(|t| t.compress().to_bytes()));
    encodings.extend(
        (0..64).map(|seed| -> [u8; 32] { Sha512::digest([seed])[..32].try_into().unwrap() }),
    );
    for key in encodings {
        let theirs = matches!(
            compact(&key, &[0; 64], b""),
            Err(Error::InvalidPublicKey | Error::WeakPublicKey)
        );
        assert_eq!(Verifier::new(key).minus_a.is_none(), theirs, "{key:02x?}");
    }
}

/// A pasetors key pair from a seed.
fn key_pair(seed: &[u8; 32]) -> AsymmetricKeyPair<V4> {
    let pair = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(*seed));
    AsymmetricKeyPair {
        secret: AsymmetricSecretKey::from(pair.sk.as_ref()).unwrap(),
        public: AsymmetricPublicKey::from(pair.pk.as_ref()).unwrap(),
    }
}

/// A token opened here and by pasetors: the payloads, or `None` where refused.
fn open_both(public: &[u8; 32], token: &str, implicit: &[u8]) -> (Option<String>, Option<String>) {
    let (message, footer) = untrusted::split(token, HEADER).unwrap();
    let ours = Verifier::new(*public)
        .open(message, &footer, implicit)
        .ok()
        .and_then(|payload| String::from_utf8(payload).ok());
    let parsed = UntrustedToken::<Public, V4>::try_from(token).unwrap();
    let key = AsymmetricPublicKey::<V4>::from(public).unwrap();
    let implicit = Some(implicit).filter(|i| !i.is_empty());
    let theirs = PublicToken::verify(&key, &parsed, None, implicit)
        .ok()
        .map(|trusted| trusted.payload().to_owned());
    (ours, theirs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn what_pasetors_signs_opens_the_same_on_both_and_any_change_fails_on_both(
        seed in any::<[u8; 32]>().prop_filter("a nonzero seed", |s| s != &[0; 32]),
        payload in "[ -~]{1,64}",
        footer in proptest::collection::vec(any::<u8>(), 0..16),
        implicit in proptest::collection::vec(any::<u8>(), 0..16),
        flip in any::<(usize, u8)>(),
        key_flip in any::<(usize, u8)>(),
    ) {
        let pair = key_pair(&seed);
        let public: [u8; 32] = pair.public.as_bytes().try_into().unwrap();
        let footer = Some(&footer[..]).filter(|f| !f.is_empty());
        let implicit_given = Some(&implicit[..]).filter(|i| !i.is_empty());
        let token = PublicToken::sign(&pair.secret, payload.as_bytes(), footer, implicit_given).unwrap();
        let (ours, theirs) = open_both(&public, &token, &implicit);
        prop_assert_eq!(ours.as_deref(), Some(payload.as_str()));
        prop_assert_eq!(theirs.as_deref(), Some(payload.as_str()));

        // One bit of the payload or signature changed.
        let (message, footer_bytes) = untrusted::split(&token, HEADER).unwrap();
        let mut changed = message.clone();
        let at = flip.0 % changed.len();
        changed[at] ^= 1 << (flip.1 % 8);
        let mut tampered = format!("{HEADER}{}", URL_SAFE_NO_PAD.encode(&changed));
        if !footer_bytes.is_empty() {
            tampered = format!("{tampered}.{}", URL_SAFE_NO_PAD.encode(&footer_bytes));
        }
        prop_assert_eq!(open_both(&public, &tampered, &implicit), (None, None));

        // One bit of the key changed.
        let mut other = public;
        other[key_flip.0 % 32] ^= 1 << (key_flip.1 % 8);
        let (ours, theirs) = open_both(&other, &token, &implicit);
        prop_assert_eq!(ours, None);
        prop_assert_eq!(theirs, None);
    }
}
