//! Speed, measured against the libraries a user would otherwise use, in one run:
//!
//! - verify: this runtime (token string → `Claims`) against pasetors' own
//!   `decrypt`/`verify` with `ClaimsValidationRules`, v4.local and v4.public;
//! - issue: access, refresh, and the pair, against pasetors' `Claims` + `encrypt`;
//! - a route through `tower::ServiceExt::oneshot`: `#[paseto_required]` against a
//!   minimal hand-written extractor calling pasetors, and an open route;
//! - JWT for context: `jsonwebtoken` `HS256` and `EdDSA` decoding the same claims;
//! - revocation: verify with a memory denylist of a million entries against none,
//!   a lookup alone, and the resident memory the entries take.
//!
//! `cargo bench -p paseto-runtime` prints criterion's figures, then a table of
//! medians and ratios read back from this run's estimates.

#![allow(missing_docs, reason = "a benchmark binary")]

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::{Request, StatusCode, request::Parts};
use axum::routing::get;
use criterion::{BenchmarkId, Criterion};
use paseto_runtime::{
    Access, Claims, LocalKey, Mark, MemoryDenylist, PasetoAuth, SecretKey, Target, paseto_required,
};
use pasetors::claims::{Claims as PasetorsClaims, ClaimsValidationRules};
use pasetors::keys::{AsymmetricPublicKey, AsymmetricSecretKey, SymmetricKey};
use pasetors::token::UntrustedToken;
use pasetors::version4::V4;
use pasetors::{Local, Public};
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;

const ENTRIES: usize = 1_000_000;

/// Polls a future that never waits (verification without a remote denylist) to
/// its end, so its figure holds no executor overhead that pasetors' does not pay.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
    {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => unreachable!("verification here never waits"),
    }
}

/// The process's resident memory in bytes (Linux `/proc/self/status`, `VmRSS`).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The keys of one run, in this runtime's types and in pasetors'.
struct Keys {
    local: LocalKey,
    pasetors_local: SymmetricKey<V4>,
    secret: SecretKey,
    pasetors_secret: AsymmetricSecretKey<V4>,
    pasetors_public: AsymmetricPublicKey<V4>,
}

fn keys() -> Keys {
    let local = LocalKey::generate().unwrap();
    let pasetors_local = SymmetricKey::<V4>::try_from(local.to_paserk().as_str()).unwrap();
    let secret = SecretKey::generate().unwrap();
    let pasetors_secret = AsymmetricSecretKey::<V4>::try_from(secret.to_paserk().as_str()).unwrap();
    let pasetors_public =
        AsymmetricPublicKey::<V4>::try_from(secret.public_key().to_paserk().as_str()).unwrap();
    Keys {
        local,
        pasetors_local,
        secret,
        pasetors_secret,
        pasetors_public,
    }
}

fn verify(c: &mut Criterion, keys: &Keys) {
    let local = PasetoAuth::builder()
        .local_key(keys.local.clone())
        .build()
        .unwrap();
    let public = PasetoAuth::builder()
        .secret_key(keys.secret.clone())
        .build()
        .unwrap();
    let local_token = local.access_token("alice").issue().unwrap();
    let public_token = public.access_token("alice").issue().unwrap();
    let rules = ClaimsValidationRules::new();

    let mut group = c.benchmark_group("verify v4.local");
    group.bench_function("paseto-runtime", |b| {
        b.iter(|| ready(local.verify::<Access>(&local_token)).unwrap());
    });
    group.bench_function("pasetors", |b| {
        b.iter(|| {
            let untrusted = UntrustedToken::<Local, V4>::try_from(local_token.as_str()).unwrap();
            pasetors::local::decrypt(&keys.pasetors_local, &untrusted, &rules, None, None).unwrap()
        });
    });
    group.finish();

    let mut group = c.benchmark_group("verify v4.public");
    group.bench_function("paseto-runtime", |b| {
        b.iter(|| ready(public.verify::<Access>(&public_token)).unwrap());
    });
    group.bench_function("pasetors", |b| {
        b.iter(|| {
            let untrusted = UntrustedToken::<Public, V4>::try_from(public_token.as_str()).unwrap();
            pasetors::public::verify(&keys.pasetors_public, &untrusted, &rules, None, None).unwrap()
        });
    });
    group.finish();
}

/// pasetors' way to make the same claims: `Claims::new()` sets `iat`, `nbf`, `exp`.
fn pasetors_claims(token_type: &str, fresh: Option<bool>) -> PasetorsClaims {
    let mut claims = PasetorsClaims::new_expires_in(&core::time::Duration::from_secs(900)).unwrap();
    claims.subject("alice").unwrap();
    claims
        .token_identifier(&uuid::Uuid::new_v4().to_string())
        .unwrap();
    claims.add_additional("type", token_type).unwrap();
    if let Some(fresh) = fresh {
        claims.add_additional("fresh", fresh).unwrap();
    }
    claims
}

fn issue(c: &mut Criterion, keys: &Keys) {
    let auth = PasetoAuth::builder()
        .local_key(keys.local.clone())
        .build()
        .unwrap();
    let mut group = c.benchmark_group("issue v4.local");
    group.bench_function(BenchmarkId::new("paseto-runtime", "access"), |b| {
        b.iter(|| auth.access_token("alice").fresh(true).issue().unwrap());
    });
    group.bench_function(BenchmarkId::new("paseto-runtime", "refresh"), |b| {
        b.iter(|| auth.refresh_token("alice").issue().unwrap());
    });
    group.bench_function(BenchmarkId::new("paseto-runtime", "pair"), |b| {
        b.iter(|| {
            let access = auth.access_token("alice").fresh(true).issue().unwrap();
            (access, auth.refresh_token("alice").issue().unwrap())
        });
    });
    let encrypt = |claims: &PasetorsClaims| {
        pasetors::local::encrypt(&keys.pasetors_local, claims, None, None).unwrap()
    };
    group.bench_function(BenchmarkId::new("pasetors", "access"), |b| {
        b.iter(|| encrypt(&pasetors_claims("access", Some(true))));
    });
    group.bench_function(BenchmarkId::new("pasetors", "refresh"), |b| {
        b.iter(|| encrypt(&pasetors_claims("refresh", None)));
    });
    group.bench_function(BenchmarkId::new("pasetors", "pair"), |b| {
        b.iter(|| {
            let access = encrypt(&pasetors_claims("access", Some(true)));
            (access, encrypt(&pasetors_claims("refresh", None)))
        });
    });
    group.finish();
}

/// A minimal hand-written guard: the header, pasetors' decrypt and rules, the type.
struct HandWritten;

impl FromRequestParts<Arc<SymmetricKey<V4>>> for HandWritten {
    type Rejection = StatusCode;

    async fn from_request_parts(
        parts: &mut Parts,
        key: &Arc<SymmetricKey<V4>>,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(StatusCode::UNAUTHORIZED)?;
        let untrusted =
            UntrustedToken::<Local, V4>::try_from(header).map_err(|_| StatusCode::UNAUTHORIZED)?;
        let rules = ClaimsValidationRules::new();
        let trusted = pasetors::local::decrypt(key, &untrusted, &rules, None, None)
            .map_err(|_| StatusCode::UNAUTHORIZED)?;
        let claims = trusted.payload_claims().ok_or(StatusCode::UNAUTHORIZED)?;
        match claims.get_claim("type").and_then(|t| t.as_str()) {
            Some("access") => Ok(Self),
            _ => Err(StatusCode::UNAUTHORIZED),
        }
    }
}

#[paseto_required]
async fn guarded(claims: Claims) -> String {
    claims.subject().to_owned()
}

fn route(c: &mut Criterion, keys: &Keys, runtime: &tokio::runtime::Runtime) {
    let auth = PasetoAuth::builder()
        .local_key(keys.local.clone())
        .build()
        .unwrap();
    let token = auth.access_token("alice").issue().unwrap();
    let bearer = format!("Bearer {token}");
    let macro_app = Router::new().route("/", get(guarded)).with_state(auth);
    let hand_app = Router::new()
        .route("/", get(|_: HandWritten| async { "alice" }))
        .with_state(Arc::new(keys.pasetors_local.clone()));
    let open_app: Router = Router::new().route("/", get(|| async { "alice" }));

    let mut group = c.benchmark_group("route");
    for (name, app) in [
        ("#[paseto_required]", &macro_app),
        ("hand-written pasetors extractor", &hand_app),
        ("open", &open_app),
    ] {
        group.bench_function(name, |b| {
            b.to_async(runtime).iter(|| async {
                let request = Request::get("/")
                    .header("authorization", &bearer)
                    .body(Body::empty())
                    .unwrap();
                let response = app.clone().oneshot(request).await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
            });
        });
    }
    group.finish();
}

#[derive(serde::Serialize, serde::Deserialize)]
struct JwtClaims {
    sub: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    jti: String,
    #[serde(rename = "type")]
    token_type: String,
    fresh: bool,
}

fn jwt(c: &mut Criterion, keys: &Keys) {
    use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let claims = JwtClaims {
        sub: "alice".into(),
        iat: now,
        nbf: now,
        exp: now + 900,
        jti: uuid::Uuid::new_v4().to_string(),
        token_type: "access".into(),
        fresh: false,
    };
    let secret = keys.pasetors_local.as_bytes();
    let hs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap();
    // PKCS#8 for an Ed25519 seed: a fixed 16-byte prefix, then the seed.
    let mut pkcs8 = hex_prefix();
    pkcs8.extend_from_slice(&keys.pasetors_secret.as_bytes()[..32]);
    let eddsa = jsonwebtoken::encode(
        &Header::new(Algorithm::EdDSA),
        &claims,
        &EncodingKey::from_ed_der(&pkcs8),
    )
    .unwrap();
    let hs_key = DecodingKey::from_secret(secret);
    let ed_key = DecodingKey::from_ed_der(keys.pasetors_public.as_bytes());
    let (hs_rules, ed_rules) = (
        Validation::new(Algorithm::HS256),
        Validation::new(Algorithm::EdDSA),
    );

    let mut group = c.benchmark_group("jwt decode (jsonwebtoken)");
    group.bench_function("HS256", |b| {
        b.iter(|| jsonwebtoken::decode::<JwtClaims>(&hs256, &hs_key, &hs_rules).unwrap());
    });
    group.bench_function("EdDSA", |b| {
        b.iter(|| jsonwebtoken::decode::<JwtClaims>(&eddsa, &ed_key, &ed_rules).unwrap());
    });
    group.finish();
}

fn hex_prefix() -> Vec<u8> {
    vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ]
}

/// Fills a memory denylist with a million entries; returns it and the resident bytes it added.
fn filled_denylist(now: OffsetDateTime) -> (Arc<MemoryDenylist>, Option<u64>) {
    let before = resident_bytes();
    let denylist = Arc::new(MemoryDenylist::new());
    let until = now + Duration::minutes(15);
    for _ in 0..ENTRIES {
        let jti = uuid::Uuid::new_v4().hyphenated().to_string();
        denylist.record(Target::Token(&jti), Mark::Revoked, until, now);
    }
    let grown = resident_bytes()
        .zip(before)
        .map(|(after, before)| after - before);
    (denylist, grown)
}

fn revocation(c: &mut Criterion, keys: &Keys) -> Option<u64> {
    let now = OffsetDateTime::now_utc();
    let (denylist, grown) = filled_denylist(now);
    let plain = PasetoAuth::builder()
        .local_key(keys.local.clone())
        .build()
        .unwrap();
    let revoking = PasetoAuth::builder()
        .local_key(keys.local.clone())
        .denylist(Arc::clone(&denylist))
        .build()
        .unwrap();
    let token = plain.access_token("alice").issue().unwrap();

    let mut group = c.benchmark_group("verify with revocation");
    group.bench_function("no denylist", |b| {
        b.iter(|| ready(plain.verify::<Access>(&token)).unwrap());
    });
    group.bench_function("memory denylist, 1M entries", |b| {
        b.iter(|| ready(revoking.verify::<Access>(&token)).unwrap());
    });
    group.finish();

    let empty = MemoryDenylist::new();
    let jti = uuid::Uuid::new_v4().hyphenated().to_string();
    let targets = [Target::Token(&jti), Target::Family(&jti)];
    let mut group = c.benchmark_group("memory denylist lookup");
    group.bench_function("empty", |b| b.iter(|| empty.lookup(&targets, now)));
    group.bench_function("1M entries", |b| b.iter(|| denylist.lookup(&targets, now)));
    group.finish();
    grown
}

fn main() {
    let keys = keys();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut criterion = Criterion::default().configure_from_args();
    verify(&mut criterion, &keys);
    issue(&mut criterion, &keys);
    route(&mut criterion, &keys, &runtime);
    jwt(&mut criterion, &keys);
    let grown = revocation(&mut criterion, &keys);
    criterion.final_summary();
    report(grown);
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

/// Prints each comparison: both medians and their ratio.
fn report(grown: Option<u64>) {
    let rows = [
        ("verify v4.local", "paseto-runtime", "pasetors"),
        ("verify v4.public", "paseto-runtime", "pasetors"),
        ("issue v4.local", "paseto-runtime/access", "pasetors/access"),
        (
            "issue v4.local",
            "paseto-runtime/refresh",
            "pasetors/refresh",
        ),
        ("issue v4.local", "paseto-runtime/pair", "pasetors/pair"),
        (
            "route",
            "#[paseto_required]",
            "hand-written pasetors extractor",
        ),
        ("route", "#[paseto_required]", "open"),
        (
            "verify with revocation",
            "memory denylist, 1M entries",
            "no denylist",
        ),
        ("memory denylist lookup", "1M entries", "empty"),
        ("jwt decode (jsonwebtoken)", "HS256", "EdDSA"),
    ];
    println!("\n| group | ours / subject | median | against | median | ratio |");
    println!("|---|---|---|---|---|---|");
    for (group, ours, against) in rows {
        if let (Some(a), Some(b)) = (median(group, ours), median(group, against)) {
            println!(
                "| {group} | {ours} | {} | {against} | {} | {:.2}x |",
                nanos(a),
                nanos(b),
                a / b
            );
        }
    }
    if let Some(bytes) = grown {
        #[allow(clippy::cast_precision_loss, reason = "a report, to one decimal")]
        let mib = bytes as f64 / (1024.0 * 1024.0);
        println!(
            "\n{ENTRIES} denylist entries: resident memory grew {mib:.1} MiB ({} bytes an entry)",
            bytes / ENTRIES as u64
        );
    }
}

fn nanos(value: f64) -> String {
    if value >= 1000.0 {
        format!("{:.2} µs", value / 1000.0)
    } else {
        format!("{value:.0} ns")
    }
}
