//! The Authorization header → claims path, as the extractor runs it. The first
//! byte picks how the rest is used: as the raw header value, as a token after
//! `Bearer `, or as a payload encrypted under the configured key (so the fuzzer
//! reaches the claims checks behind the MAC). Never a panic; every rejection a
//! 4xx.
#![no_main]

use http::{HeaderValue, Request};
use libfuzzer_sys::fuzz_target;
use paseto_fuzz::{KEY, fixture};
use pasetors::keys::SymmetricKey;
use pasetors::version4::{LocalToken, V4};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let fixture = fixture();
    let value = match mode % 3 {
        0 => rest.to_vec(),
        1 => [b"Bearer ".as_slice(), rest].concat(),
        _ => {
            match LocalToken::encrypt(&SymmetricKey::<V4>::from(&KEY).unwrap(), rest, None, None) {
                Ok(token) => format!("Bearer {token}").into_bytes(),
                Err(_) => return, // an empty payload cannot be encrypted
            }
        }
    };
    let Ok(value) = HeaderValue::from_bytes(&value) else {
        return; // not a header any HTTP parser would hand over
    };
    let mut request = Request::new(());
    request.headers_mut().insert("authorization", value);
    fixture.extract(request);
});
