//! Verifies one v4.local access token 20,000 times, with this runtime (`ours`),
//! with it and a memory denylist (`denylist`), or with pasetors' own claims
//! path (`pasetors`); or a v4.public token (`public`); or issues 20,000
//! access tokens (`issue`): for
//! instruction counts and profiles that do not depend on machine load:
//!
//! ```sh
//! cargo build --release -p paseto-benches --bin verify_loop
//! valgrind --tool=callgrind target/release/verify_loop ours
//! valgrind --tool=callgrind target/release/verify_loop denylist
//! valgrind --tool=callgrind target/release/verify_loop pasetors
//! perf record -g target/release/verify_loop issue   # or public
//! ```

use std::hint::black_box;

use paseto_runtime::keys::{LocalKey, SecretKey};
use paseto_runtime::{Access, PasetoAuth, denylist::MemoryDenylist};
use pasetors::Local;
use pasetors::claims::ClaimsValidationRules;
use pasetors::keys::SymmetricKey;
use pasetors::token::UntrustedToken;
use pasetors::version4::V4;

use paseto_benches::ready;

fn main() {
    let bytes = [7; 32];
    let mode = std::env::args().nth(1);
    let builder = PasetoAuth::builder().local_key(LocalKey::from_bytes(&bytes).expect("32 bytes"));
    let builder = match mode.as_deref() {
        Some("denylist") => builder.denylist(MemoryDenylist::new()),
        Some("public") => PasetoAuth::builder().secret_key(SecretKey::generate().expect("a key")),
        _ => builder,
    };
    let auth = builder.build().expect("a valid configuration");
    let key = SymmetricKey::<V4>::from(&bytes).expect("32 bytes");
    let token = auth.access_token("alice").issue().expect("issued");
    let rules = ClaimsValidationRules::new();
    let ours = mode.as_deref() != Some("pasetors");
    for _ in 0..20_000 {
        if mode.as_deref() == Some("issue") {
            black_box(
                auth.access_token(black_box("alice"))
                    .fresh(true)
                    .issue()
                    .expect("issued"),
            );
        } else if ours {
            black_box(ready(auth.verify::<Access>(black_box(&token))).expect("valid"));
        } else {
            let untrusted =
                UntrustedToken::<Local, V4>::try_from(black_box(token.as_str())).expect("parsed");
            black_box(
                pasetors::local::decrypt(&key, &untrusted, &rules, None, None).expect("valid"),
            );
        }
    }
}
