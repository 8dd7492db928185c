//! Verifying with a memory denylist that holds a million revoked entries, against
//! verifying with no denylist, and the memory those entries take.
//!
//! `cargo bench -p paseto-runtime --bench revocation` prints criterion's figures,
//! then the ratio of the medians and the bytes the entries hold.

#![allow(missing_docs, reason = "a benchmark binary")]

use std::path::PathBuf;
use std::sync::Arc;

use criterion::Criterion;
use paseto_runtime::{Access, LocalKey, Mark, MemoryDenylist, PasetoAuth, Target};
use time::{Duration, OffsetDateTime};

/// The process's resident memory in bytes (Linux `/proc/self/status`, `VmRSS`).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

const ENTRIES: usize = 1_000_000;
const GROUP: &str = "verify v4.local access token";

fn main() {
    let key = LocalKey::generate().unwrap();
    let plain = PasetoAuth::builder()
        .local_key(key.clone())
        .build()
        .unwrap();

    let before = resident_bytes();
    let denylist = Arc::new(MemoryDenylist::new());
    let now = OffsetDateTime::now_utc();
    let until = now + Duration::minutes(15);
    for _ in 0..ENTRIES {
        let jti = uuid::Uuid::new_v4().hyphenated().to_string();
        denylist.record(Target::Token(&jti), Mark::Revoked, until, now);
    }
    let entry_bytes = resident_bytes()
        .zip(before)
        .map(|(after, before)| after - before);

    let revoking = PasetoAuth::builder()
        .local_key(key)
        .denylist(Arc::clone(&denylist))
        .build()
        .unwrap();
    let token = plain.access_token("alice").issue().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group(GROUP);
    group.bench_function("no denylist", |b| {
        b.to_async(&runtime).iter(|| plain.verify::<Access>(&token));
    });
    group.bench_function("memory denylist, 1M entries", |b| {
        b.to_async(&runtime)
            .iter(|| revoking.verify::<Access>(&token));
    });
    group.finish();

    let empty = MemoryDenylist::new();
    let jti = uuid::Uuid::new_v4().hyphenated().to_string();
    let targets = [Target::Token(&jti), Target::Family(&jti)];
    let mut lookup = criterion.benchmark_group("memory denylist lookup");
    lookup.bench_function("empty", |b| b.iter(|| empty.lookup(&targets, now)));
    lookup.bench_function("1M entries", |b| b.iter(|| denylist.lookup(&targets, now)));
    lookup.finish();
    criterion.final_summary();

    if let Some(bytes) = entry_bytes {
        #[allow(clippy::cast_precision_loss, reason = "a report, to one decimal")]
        let mib = bytes as f64 / (1024.0 * 1024.0);
        println!(
            "\n{} entries held; resident memory grew {mib:.1} MiB filling them ({} bytes an entry)",
            denylist.len(),
            bytes / ENTRIES as u64,
        );
    }
    if let (Some(plain), Some(revoking)) = (
        median(GROUP, "no denylist"),
        median(GROUP, "memory denylist, 1M entries"),
    ) {
        println!(
            "median verify: {plain:.0} ns without a denylist, {revoking:.0} ns with 1M entries: {:.2}x",
            revoking / plain
        );
    }
    if let (Some(empty), Some(full)) = (
        median("memory denylist lookup", "empty"),
        median("memory denylist lookup", "1M entries"),
    ) {
        println!(
            "median lookup of a token and its family: {empty:.0} ns empty, {full:.0} ns with 1M entries"
        );
    }
}

/// The median criterion recorded for one benchmark of this run, in nanoseconds.
fn median(group: &str, id: &str) -> Option<f64> {
    let mut path = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    );
    path.push("criterion");
    path.push(group);
    path.push(id);
    path.push("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let estimates: serde_json::Value = serde_json::from_str(&text).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}
