//! Differential: the raw-secret cipher (`secret_cipher`) against pasetors with
//! 32-byte keys. Tokens either side makes open on both to the same payload;
//! with any byte changed, or an arbitrary token, both give the same answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paseto_runtime::__fuzz::{open_both, seal_both};

fuzz_target!(|data: &[u8]| {
    let Some((key, rest)) = data.split_first_chunk::<32>() else {
        return;
    };
    let Some((&[cut, flip], rest)) = rest.split_first_chunk::<2>() else {
        return;
    };
    // An arbitrary token: both refuse it, or both open it alike.
    if let Ok(text) = std::str::from_utf8(rest) {
        if let Some((here, there)) = open_both(key, &format!("v4.local.{text}"), b"") {
            assert_eq!(here, there);
        }
    }
    // A message, a footer and an implicit assertion cut from the rest.
    let (message, tail) = rest.split_at(usize::from(cut).min(rest.len()));
    let (footer, implicit) = tail.split_at(tail.len() / 2);
    let Some((ours, theirs)) = seal_both(key, message, footer, implicit) else {
        return;
    };
    let payload = std::str::from_utf8(message).ok().map(str::to_owned);
    for token in [ours, theirs] {
        let opened = open_both(key, &token, implicit).expect("a token either side made parses");
        if payload.is_some() {
            assert_eq!(opened, (payload.clone(), payload.clone()));
        } else {
            assert_eq!(opened.0, opened.1);
        }
        let mut bytes = token.into_bytes();
        let at = usize::from(flip) % bytes.len();
        bytes[at] ^= 0x01;
        if let Ok(tampered) = String::from_utf8(bytes) {
            if let Some((here, there)) = open_both(key, &tampered, implicit) {
                assert_eq!(here, there);
            }
        }
    }
});
