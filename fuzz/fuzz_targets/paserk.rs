//! PASERK and raw key parsing: never a panic, whatever the input; a key that
//! parses writes back the same PASERK.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paseto_runtime::keys::{LocalKey, PublicKey, SecretKey};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(key) = LocalKey::from_paserk(text) {
            assert_eq!(key.to_paserk(), text);
        }
        if let Ok(key) = SecretKey::from_paserk(text) {
            assert_eq!(key.to_paserk(), text);
            let _ = key.public_key().to_paserk();
        }
        if let Ok(key) = PublicKey::from_paserk(text) {
            assert_eq!(key.to_paserk(), text);
        }
    }
    let _ = LocalKey::from_bytes(data);
    let _ = SecretKey::from_bytes(data);
    let _ = PublicKey::from_bytes(data);
});
