//! Speed, measured against the libraries a user would otherwise use, in one run:
//!
//! - verify: this runtime (token string → `Claims`) against pasetors' own
//!   `decrypt`/`verify` with `ClaimsValidationRules`, v4.local and v4.public;
//!   and a key ring of three keys, the token naming the last, against one key;
//! - issue: access, refresh, and the pair, against pasetors' `Claims` + `encrypt`
//!   with the same `kid` footer;
//! - a route through `tower::ServiceExt::oneshot`: `#[paseto_required]` against a
//!   minimal hand-written extractor calling pasetors, and an open route; and a
//!   `RequireLayer` over the same guarded route, which verifies once, against
//!   the guard alone;
//! - JWT for context: `jsonwebtoken` `HS256` and `EdDSA` decoding the same claims;
//! - revocation: verify with a memory denylist of a million entries against none,
//!   a lookup alone, and the resident memory the entries take.
//!
//! `cargo bench -p paseto-benches` prints criterion's figures, then a table of
//! medians and ratios read back from this run's estimates.

#![allow(missing_docs, reason = "a benchmark binary")]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::{Request, StatusCode, request::Parts};
use axum::routing::get;
use criterion::Criterion;
use paseto_runtime::{
    Access, Claims, PasetoAuth,
    denylist::{Denylist, MemoryDenylist, Target},
    keys::{LocalKey, SecretKey},
    keyset::WELL_KNOWN_PATH,
    paseto_required,
};
use pasetors::claims::{Claims as PasetorsClaims, ClaimsValidationRules};
use pasetors::footer::Footer;
use pasetors::keys::{AsymmetricPublicKey, AsymmetricSecretKey, SymmetricKey};
use pasetors::paserk::Id;
use pasetors::token::UntrustedToken;
use pasetors::version4::V4;
use pasetors::{Local, Public};
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;

use paseto_benches::ready;

const ENTRIES: usize = 1_000_000;

/// One comparison: two medians measured interleaved, and their ratio.
struct Row {
    group: &'static str,
    ours: &'static str,
    against: &'static str,
    medians: (f64, f64),
}

/// Medians of `a` and `b` in nanoseconds, measured in alternating batches so that
/// load on a shared machine falls on both alike.
fn paired<A: Fn() -> RA, RA, B: Fn() -> RB, RB>(a: A, b: B) -> (f64, f64) {
    const ROUNDS: usize = 400;
    const BATCH: u32 = 200;
    let time = |f: &dyn Fn()| {
        let start = std::time::Instant::now();
        for _ in 0..BATCH {
            f();
        }
        start.elapsed().as_secs_f64() * 1e9 / f64::from(BATCH)
    };
    let (mut ta, mut tb) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
    for _ in 0..ROUNDS {
        ta.push(time(&|| drop(std::hint::black_box(a()))));
        tb.push(time(&|| drop(std::hint::black_box(b()))));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(&mut ta), median(&mut tb))
}

/// Measures two ways of doing one thing: each with criterion, then both paired.
fn compare<A: Fn() -> RA, RA, B: Fn() -> RB, RB>(
    c: &mut Criterion,
    rows: &mut Vec<Row>,
    group: &'static str,
    (ours, a): (&'static str, A),
    (against, b): (&'static str, B),
) {
    let mut measured = c.benchmark_group(group);
    measured.bench_function(ours, |bench| {
        bench.iter(&a);
    });
    measured.bench_function(against, |bench| {
        bench.iter(&b);
    });
    measured.finish();
    rows.push(Row {
        group,
        ours,
        against,
        medians: paired(&a, &b),
    });
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

fn verify(c: &mut Criterion, keys: &Keys, rows: &mut Vec<Row>) {
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

    compare(
        c,
        rows,
        "verify v4.local",
        ("paseto-runtime", || {
            ready(local.verify::<Access>(&local_token)).unwrap()
        }),
        ("pasetors decrypt + ClaimsValidationRules", || {
            let untrusted = UntrustedToken::<Local, V4>::try_from(local_token.as_str()).unwrap();
            pasetors::local::decrypt(&keys.pasetors_local, &untrusted, &rules, None, None).unwrap()
        }),
    );
    compare(
        c,
        rows,
        "verify v4.public",
        ("paseto-runtime", || {
            ready(public.verify::<Access>(&public_token)).unwrap()
        }),
        ("pasetors verify + ClaimsValidationRules", || {
            let untrusted = UntrustedToken::<Public, V4>::try_from(public_token.as_str()).unwrap();
            pasetors::public::verify(&keys.pasetors_public, &untrusted, &rules, None, None).unwrap()
        }),
    );
    let retired = [LocalKey::generate().unwrap(), LocalKey::generate().unwrap()];
    let ring = retired
        .iter()
        .fold(
            PasetoAuth::builder().local_key(LocalKey::generate().unwrap()),
            |builder, key| builder.verify_key(key.clone()),
        )
        .build()
        .unwrap();
    let last = PasetoAuth::builder()
        .local_key(retired[1].clone())
        .build()
        .unwrap();
    let ring_token = last.access_token("alice").issue().unwrap();
    compare(
        c,
        rows,
        "verify v4.local, key ring",
        ("3 keys, the token naming the last", || {
            ready(ring.verify::<Access>(&ring_token)).unwrap()
        }),
        ("1 key", || {
            ready(local.verify::<Access>(&local_token)).unwrap()
        }),
    );
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

fn issue(c: &mut Criterion, keys: &Keys, rows: &mut Vec<Row>) {
    let auth = PasetoAuth::builder()
        .local_key(keys.local.clone())
        .build()
        .unwrap();
    // The same footer as ours: the key's id as `kid`, the way pasetors writes it.
    let mut footer = Footer::new();
    footer.key_id(&Id::from(&keys.pasetors_local));
    let encrypt = |claims: &PasetorsClaims| {
        pasetors::local::encrypt(&keys.pasetors_local, claims, Some(&footer), None).unwrap()
    };
    let ours_access = || auth.access_token("alice").fresh(true).issue().unwrap();
    let ours_refresh = || auth.refresh_token("alice").issue().unwrap();
    let ours_pair = || (ours_access(), ours_refresh());
    let theirs_access = || encrypt(&pasetors_claims("access", Some(true)));
    let theirs_refresh = || encrypt(&pasetors_claims("refresh", None));
    let theirs_pair = || (theirs_access(), theirs_refresh());

    let against = "pasetors Claims + encrypt";
    compare(
        c,
        rows,
        "issue v4.local access",
        ("paseto-runtime", ours_access),
        (against, theirs_access),
    );
    compare(
        c,
        rows,
        "issue v4.local refresh",
        ("paseto-runtime", ours_refresh),
        (against, theirs_refresh),
    );
    compare(
        c,
        rows,
        "issue v4.local pair",
        ("paseto-runtime", ours_pair),
        (against, theirs_pair),
    );
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

fn route(c: &mut Criterion, keys: &Keys, runtime: &tokio::runtime::Runtime, rows: &mut Vec<Row>) {
    let auth = PasetoAuth::builder()
        .local_key(keys.local.clone())
        .build()
        .unwrap();
    let token = auth.access_token("alice").issue().unwrap();
    let bearer = format!("Bearer {token}");
    let macro_app = Router::new()
        .route("/", get(guarded))
        .with_state(auth.clone());
    let layered_app = Router::new()
        .route("/", get(guarded))
        .route_layer(auth.require::<Access>())
        .with_state(auth);
    let hand_app = Router::new()
        .route("/", get(|_: HandWritten| async { "alice" }))
        .with_state(Arc::new(keys.pasetors_local.clone()));
    let open_app: Router = Router::new().route("/", get(|| async { "alice" }));
    let call = |app: &Router| {
        let request = Request::get("/")
            .header("authorization", &bearer)
            .body(Body::empty())
            .unwrap();
        let response = runtime.block_on(app.clone().oneshot(request)).unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    };

    let guarded = ("#[paseto_required]", || call(&macro_app));
    compare(
        c,
        rows,
        "route, guard",
        guarded,
        ("hand-written pasetors extractor", || call(&hand_app)),
    );
    compare(
        c,
        rows,
        "route, open",
        guarded,
        ("open route", || call(&open_app)),
    );
    compare(
        c,
        rows,
        "route, layer",
        ("RequireLayer + #[paseto_required]", || call(&layered_app)),
        guarded,
    );
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

impl JwtClaims {
    /// An access token's claims as of now, for 15 minutes, with a new id.
    fn access(fresh: bool) -> Self {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        Self {
            sub: "alice".into(),
            iat: now,
            nbf: now,
            exp: now + 900,
            jti: uuid::Uuid::new_v4().to_string(),
            token_type: "access".into(),
            fresh,
        }
    }
}

fn jwt(c: &mut Criterion, keys: &Keys, rows: &mut Vec<Row>) {
    use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
    let claims = JwtClaims::access(false);
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

    let auth = PasetoAuth::builder()
        .local_key(keys.local.clone())
        .build()
        .unwrap();
    let local_token = auth.access_token("alice").issue().unwrap();
    let public = PasetoAuth::builder()
        .secret_key(keys.secret.clone())
        .build()
        .unwrap();
    let public_token = public.access_token("alice").issue().unwrap();
    compare(
        c,
        rows,
        "context: JWT, symmetric",
        ("paseto-runtime v4.local verify", || {
            ready(auth.verify::<Access>(&local_token)).unwrap()
        }),
        ("jsonwebtoken HS256 decode", || {
            jsonwebtoken::decode::<JwtClaims>(&hs256, &hs_key, &hs_rules).unwrap()
        }),
    );
    // Issuing, as each does it: fresh times and a fresh id for every token.
    let hs_encode_key = EncodingKey::from_secret(secret);
    let jwt_access = || {
        let claims = JwtClaims::access(true);
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &hs_encode_key).unwrap()
    };
    compare(
        c,
        rows,
        "context: JWT, issuing an access token",
        ("paseto-runtime v4.local", || {
            auth.access_token("alice").fresh(true).issue().unwrap()
        }),
        ("jsonwebtoken HS256 encode", jwt_access),
    );
    compare(
        c,
        rows,
        "context: JWT, issuing a login pair",
        ("paseto-runtime v4.local login_tokens", || {
            ready(auth.login_tokens("alice")).unwrap()
        }),
        ("jsonwebtoken HS256 encode, twice", || {
            (jwt_access(), jwt_access())
        }),
    );
    compare(
        c,
        rows,
        "context: JWT, Ed25519",
        ("paseto-runtime v4.public verify", || {
            ready(public.verify::<Access>(&public_token)).unwrap()
        }),
        ("jsonwebtoken EdDSA decode", || {
            jsonwebtoken::decode::<JwtClaims>(&eddsa, &ed_key, &ed_rules).unwrap()
        }),
    );
}

/// The median nanoseconds of `f`, in batches, as `paired` measures.
fn alone<A: Fn() -> RA, RA>(a: A) -> f64 {
    paired(&a, || ()).0
}

/// What grows with the work: verification against the size of the claims and
/// of the key ring, and the revocation check against the size of the store.
/// Each a table of medians; no comparison.
fn growth(keys: &Keys) {
    let auth = PasetoAuth::builder()
        .local_key(keys.local.clone())
        .build()
        .unwrap();
    println!("\nVerification by the size of the token (v4.local; a claim `data` of n bytes):\n");
    println!("| data | token | median |");
    println!("|---|---|---|");
    // The last stays under the 8 KiB a token may have, which is refused unread.
    for size in [0_usize, 1024, 5 * 1024] {
        let mut builder = auth.access_token("alice");
        if size > 0 {
            builder = builder.claims(&serde_json::json!({ "data": "x".repeat(size) }));
        }
        let token = builder.issue().unwrap();
        let median = alone(|| ready(auth.verify::<Access>(&token)).unwrap());
        println!("| {} B | {} B | {} |", size, token.len(), nanos(median));
    }
    println!(
        "\nVerification by the size of the key ring (v4.local, the token naming the last key):\n"
    );
    println!("| keys | median |");
    println!("|---|---|");
    for count in [1_usize, 3, 30] {
        let retired: Vec<LocalKey> = (1..count).map(|_| LocalKey::generate().unwrap()).collect();
        let ring = retired
            .iter()
            .fold(
                PasetoAuth::builder().local_key(keys.local.clone()),
                |builder, key| builder.verify_key(key.clone()),
            )
            .build()
            .unwrap();
        let issuer = match retired.last() {
            Some(last) => PasetoAuth::builder()
                .local_key(last.clone())
                .build()
                .unwrap(),
            None => ring.clone(),
        };
        let token = issuer.access_token("alice").issue().unwrap();
        let median = alone(|| ready(ring.verify::<Access>(&token)).unwrap());
        println!("| {count} | {} |", nanos(median));
    }
    println!(
        "\nThe revocation check by the size of a memory store (a tenth of the records are subjects):\n"
    );
    println!("| records | verify | lookup | bytes a record |");
    println!("|---|---|---|---|");
    let now = OffsetDateTime::now_utc();
    let token = auth.access_token("alice").issue().unwrap();
    let jti = uuid::Uuid::new_v4().hyphenated().to_string();
    for entries in [0_usize, ENTRIES, 10 * ENTRIES] {
        let (denylist, grown) = filled_denylist(now, entries);
        let revoking = PasetoAuth::builder()
            .local_key(keys.local.clone())
            .denylist(Arc::clone(&denylist))
            .build()
            .unwrap();
        let verify = alone(|| ready(revoking.verify::<Access>(&token)).unwrap());
        let lookup = alone(|| denylist.get_now(&jti, &jti, "alice", now));
        let per = match (grown, entries) {
            (Some(bytes), 1..) => (bytes / entries as u64).to_string(),
            _ => "-".to_owned(),
        };
        println!(
            "| {entries} | {} | {} | {per} |",
            nanos(verify),
            nanos(lookup)
        );
    }
}

fn hex_prefix() -> Vec<u8> {
    vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ]
}

/// Fills a memory denylist with `entries` revoked tokens and a tenth as many
/// subjects logged out everywhere; returns it and the resident bytes it added.
fn filled_denylist(now: OffsetDateTime, entries: usize) -> (Arc<MemoryDenylist>, Option<u64>) {
    let before = resident_bytes();
    let denylist = Arc::new(MemoryDenylist::new());
    let until = now + Duration::minutes(15);
    for entry in 0..entries {
        let jti = uuid::Uuid::new_v4().hyphenated().to_string();
        ready(denylist.revoke(&jti, Target::Token(&jti), until)).unwrap();
        // Every tenth entry also logs a subject out everywhere.
        if entry % 10 == 0 {
            ready(denylist.revoke(&jti, Target::All, until)).unwrap();
        }
    }
    let grown = resident_bytes()
        .zip(before)
        .map(|(after, before)| after - before);
    (denylist, grown)
}

/// The access token of a login of `alice`, which names its family.
fn runtime_login(auth: &PasetoAuth) -> String {
    ready(auth.login_tokens("alice")).unwrap().access_token
}

fn revocation(c: &mut Criterion, keys: &Keys, rows: &mut Vec<Row>) -> Option<u64> {
    let now = OffsetDateTime::now_utc();
    let (denylist, grown) = filled_denylist(now, ENTRIES);
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

    compare(
        c,
        rows,
        "revocation, verify",
        (
            "memory denylist of 1M tokens, 100k subjects, metrics on",
            || ready(revoking.verify::<Access>(&token)).unwrap(),
        ),
        ("no denylist", || {
            ready(plain.verify::<Access>(&token)).unwrap()
        }),
    );
    // A login's access token names its family: three lookups, not two.
    let login = runtime_login(&plain);
    compare(
        c,
        rows,
        "revocation, verify a login's token",
        (
            "memory denylist of 1M tokens, 100k subjects, metrics on",
            || ready(revoking.verify::<Access>(&login)).unwrap(),
        ),
        ("no denylist", || {
            ready(plain.verify::<Access>(&login)).unwrap()
        }),
    );
    let empty = MemoryDenylist::new();
    let jti = uuid::Uuid::new_v4().hyphenated().to_string();
    compare(
        c,
        rows,
        "revocation, lookup",
        ("1M entries", || denylist.get_now(&jti, &jti, "alice", now)),
        ("empty", || empty.get_now(&jti, &jti, "alice", now)),
    );
    grown
}

/// Verification with keys fetched from an issuer's key set, served on
/// loopback, against the same key configured.
fn remote(c: &mut Criterion, keys: &Keys, rows: &mut Vec<Row>) {
    // Its own runtime, with sockets and timers for the key set's server.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let issuer = PasetoAuth::builder()
        .secret_key(keys.secret.clone())
        .build()
        .unwrap();
    let published = issuer.clone();
    let url = runtime.block_on(async move {
        let key_set = move || {
            let issuer = published.clone();
            async move { issuer.key_set() }
        };
        let router = axum::Router::new().route(WELL_KNOWN_PATH, axum::routing::get(key_set));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        format!("http://{addr}{WELL_KNOWN_PATH}")
    });
    let fetched = PasetoAuth::builder().remote_keys(url).build().unwrap();
    runtime.block_on(fetched.fetch_keys()).unwrap();
    // Inside the runtime, as a request is: its refresh task is there.
    let _entered = runtime.enter();
    let token = issuer.access_token("alice").issue().unwrap();
    compare(
        c,
        rows,
        "verify v4.public, remote keys",
        ("keys fetched from a key set", || {
            ready(fetched.verify::<Access>(&token)).unwrap()
        }),
        ("the same key configured", || {
            ready(issuer.verify::<Access>(&token)).unwrap()
        }),
    );
}

/// A unary gRPC call through the example's `Greeter`, in process: behind
/// the guard, without it, and the guard against the HTTP attribute.
fn grpc(c: &mut Criterion, keys: &Keys, runtime: &tokio::runtime::Runtime, rows: &mut Vec<Row>) {
    use http_body_util::BodyExt as _;
    let auth = PasetoAuth::builder()
        .local_key(keys.local.clone())
        .build()
        .unwrap();
    let bearer = format!("Bearer {}", auth.access_token("alice").issue().unwrap());
    let guarded = tower::Layer::layer(
        &example_grpc::guard(&auth).unwrap(),
        example_grpc::service(auth.clone()),
    );
    let open = example_grpc::service(auth.clone());
    // An empty `WhoAmIRequest`: one uncompressed frame of no bytes.
    let frame: &[u8] = &[0, 0, 0, 0, 0];
    let request = || {
        Request::post("/paseto.example.v1.Greeter/WhoAmI")
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .header("authorization", &bearer)
            .body(tonic::body::Body::new(http_body_util::Full::new(
                axum::body::Bytes::from_static(frame),
            )))
            .unwrap()
    };
    let guarded_call = || {
        let response = runtime
            .block_on(guarded.clone().oneshot(request()))
            .unwrap();
        runtime.block_on(response.into_body().collect()).unwrap()
    };
    let open_call = || {
        let response = runtime.block_on(open.clone().oneshot(request())).unwrap();
        runtime.block_on(response.into_body().collect()).unwrap()
    };
    compare(
        c,
        rows,
        "gRPC, unary call",
        ("GrpcGuardLayer", guarded_call),
        ("no guard", open_call),
    );
}

fn main() {
    let keys = keys();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut criterion = Criterion::default().configure_from_args();
    let mut rows = Vec::new();
    verify(&mut criterion, &keys, &mut rows);
    issue(&mut criterion, &keys, &mut rows);
    route(&mut criterion, &keys, &runtime, &mut rows);
    jwt(&mut criterion, &keys, &mut rows);
    let grown = revocation(&mut criterion, &keys, &mut rows);
    remote(&mut criterion, &keys, &mut rows);
    grpc(&mut criterion, &keys, &runtime, &mut rows);
    criterion.final_summary();

    println!("\nPaired medians (alternating batches in this run):\n");
    println!("| group | ours | median | against | median | ratio |");
    println!("|---|---|---|---|---|---|");
    for Row {
        group,
        ours,
        against,
        medians: (a, b),
    } in rows
    {
        println!(
            "| {group} | {ours} | {} | {against} | {} | {:.2}x |",
            nanos(a),
            nanos(b),
            a / b
        );
    }
    if std::env::var_os("PASETO_BENCH_GROWTH").is_some() {
        growth(&keys);
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
