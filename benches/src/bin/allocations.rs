//! Counts the heap allocations of one verification and one issue, with dhat's
//! counting allocator (its own binary, so that no benchmark runs under it):
//!
//! ```sh
//! cargo run --release -p paseto-benches --bin allocations
//! ```

use std::hint::black_box;

use paseto_runtime::{
    Access, PasetoAuth,
    keys::{LocalKey, SecretKey},
};

use paseto_benches::ready;

#[global_allocator]
static COUNTING: dhat::Alloc = dhat::Alloc;

/// Allocations per call of `f`, over `runs` calls.
fn per_call(runs: u64, f: impl Fn()) -> f64 {
    let before = dhat::HeapStats::get().total_blocks;
    for _ in 0..runs {
        f();
    }
    let after = dhat::HeapStats::get().total_blocks;
    #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let per = (after - before) as f64 / runs as f64;
    per
}

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let local = PasetoAuth::builder()
        .local_key(LocalKey::from_bytes(&[7; 32]).expect("32 bytes"))
        .build()
        .expect("a valid configuration");
    let public = PasetoAuth::builder()
        .secret_key(SecretKey::generate().expect("a key"))
        .build()
        .expect("a valid configuration");
    let local_token = local.access_token("alice").issue().expect("issued");
    let public_token = public.access_token("alice").issue().expect("issued");
    let runs = 1_000;
    let rows = [
        (
            "verify v4.local",
            per_call(runs, || {
                black_box(ready(local.verify::<Access>(black_box(&local_token))).expect("valid"));
            }),
        ),
        (
            "verify v4.public",
            per_call(runs, || {
                black_box(ready(public.verify::<Access>(black_box(&public_token))).expect("valid"));
            }),
        ),
        (
            "issue v4.local access",
            per_call(runs, || {
                black_box(local.access_token("alice").issue().expect("issued"));
            }),
        ),
    ];
    for (what, per) in rows {
        println!("| {what} | {per:.1} allocations |");
    }
}
