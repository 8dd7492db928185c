//! Differential: v4.public signatures checked here (`signature`, on
//! curve25519-dalek) against ed25519-compact, pasetors' backend. Arbitrary
//! keys and signatures, and signatures built from the input on the curve's edge
//! cases (torsion in the nonce point or the key, a scalar pushed past the group
//! order, bytes flipped): both verdicts must agree.
#![no_main]

use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
use curve25519_dalek::scalar::Scalar;
use libfuzzer_sys::fuzz_target;
use paseto_runtime::__fuzz::{pae, verify_both};
use sha2::{Digest, Sha512};

fuzz_target!(|data: &[u8]| {
    let Some((&[mode, key_torsion, nonce_torsion, flip_at, flip_bit], rest)) =
        data.split_first_chunk::<5>()
    else {
        return;
    };
    let Some((seeds, rest)) = rest.split_first_chunk::<64>() else {
        return;
    };
    let (payload, tail) = rest.split_at(rest.len() / 2);
    let (footer, implicit) = tail.split_at(tail.len() / 2);

    let (key, mut signature) = if mode % 4 == 0 {
        // Arbitrary bytes.
        let key: [u8; 32] = seeds[..32].try_into().unwrap();
        let mut signature = [0; 64];
        signature[..32].copy_from_slice(&seeds[32..]);
        signature[32..].copy_from_slice(&Sha512::digest(seeds)[..32]);
        (key, signature)
    } else {
        // s = r + h·a over a nonce point and a key that may carry torsion.
        let a = Scalar::from_bytes_mod_order_wide(&Sha512::digest(&seeds[..32]).into());
        let r = Scalar::from_bytes_mod_order_wide(&Sha512::digest(&seeds[32..]).into());
        let torsion = |pick: u8| {
            if pick < 128 {
                EIGHT_TORSION[0]
            } else {
                EIGHT_TORSION[usize::from(pick % 8)]
            }
        };
        let public = a * ED25519_BASEPOINT_POINT + torsion(key_torsion);
        let nonce = r * ED25519_BASEPOINT_POINT + torsion(nonce_torsion);
        let key = public.compress().to_bytes();
        let mut hash = Sha512::new();
        hash.update(nonce.compress().as_bytes());
        hash.update(key);
        hash.update(pae(&[b"v4.public.", payload, footer, implicit]));
        let h = Scalar::from_bytes_mod_order_wide(&hash.finalize().into());
        let mut signature = [0; 64];
        signature[..32].copy_from_slice(nonce.compress().as_bytes());
        signature[32..].copy_from_slice((r + h * a).as_bytes());
        if mode % 4 == 2 {
            // s + ℓ: the same scalar, not reduced.
            let order = Scalar::ZERO - Scalar::ONE;
            let mut carry = 1_u16;
            for (byte, add) in signature[32..].iter_mut().zip(order.as_bytes()) {
                let sum = u16::from(*byte) + u16::from(*add) + carry;
                *byte = (sum & 0xff) as u8;
                carry = sum >> 8;
            }
        }
        (key, signature)
    };
    if mode % 4 == 3 {
        signature[usize::from(flip_at) % 64] ^= 1 << (flip_bit % 8);
    }
    let (ours, theirs) = verify_both(&key, &signature, payload, footer, implicit);
    assert_eq!(ours, theirs, "key {key:02x?} signature {signature:02x?}");
});
