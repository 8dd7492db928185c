//! Interoperability with pyseto, the PASETO implementation under fastapi-paseto.
//!
//! `tests/interop/pyseto-tokens.json` holds tokens pyseto made in fastapi-paseto's
//! claim layout, some naming their key's PASERK id as the footer's `kid`, some
//! under raw secrets as fastapi-paseto services are configured, and the PEM keys
//! of the public ones; they must verify here, over TCP through the example app. `tests/interop/pyseto_interop.py`
//! regenerates them and checks the tokens this runtime issues in pyseto.

use paseto_runtime::{
    Access, AuthError, Claims, FreshAccess, PasetoAuth, Refresh,
    keys::{LocalKey, LocalSecret, PublicKey, SecretKey},
};
use paseto_tests::{App, EmailVerify, KEY};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Deserialize)]
struct Data {
    local_key: String,
    secret_key: String,
    public_key: String,
    private_pem: String,
    public_pem: String,
    tokens: Vec<Case>,
    raw_secrets: Vec<RawSecret>,
}

/// A token pyseto made under a raw secret, as a fastapi-paseto service has one.
#[derive(Deserialize)]
struct RawSecret {
    secret: String,
    token: String,
}

/// The raw secret as a service configured with it holds it: shorter than 32
/// bytes only with the opt-in.
fn raw(secret: &str) -> LocalSecret {
    LocalSecret::from_weak_bytes(secret.as_bytes()).unwrap()
}

#[derive(Deserialize)]
struct Case {
    name: String,
    claims: Value,
    token: String,
    /// The footer's `kid`, for tokens made with one.
    kid: Option<String>,
}

fn data() -> Data {
    let text = include_str!("../interop/pyseto-tokens.json");
    serde_json::from_str(text).expect("valid test data")
}

/// Checks what every token carries against the claims pyseto was given.
fn assert_registered<T>(claims: &Claims<T>, expected: &Value, name: &str) {
    let time =
        |field: &str| OffsetDateTime::parse(expected[field].as_str().unwrap(), &Rfc3339).unwrap();
    assert_eq!(claims.subject(), expected["sub"], "{name}");
    assert_eq!(claims.token_id(), expected["jti"], "{name}");
    assert_eq!(claims.token_type(), expected["type"], "{name}");
    assert_eq!(claims.issued_at(), Some(time("iat")), "{name}");
    assert_eq!(claims.not_before(), Some(time("nbf")), "{name}");
    assert_eq!(claims.expires_at(), Some(time("exp")), "{name}");
}

#[tokio::test]
async fn pyseto_tokens_verify_here() {
    let data = data();
    let local_key = LocalKey::from_paserk(&data.local_key).unwrap();
    assert_eq!(
        local_key.to_paserk(),
        LocalKey::from_bytes(&KEY).unwrap().to_paserk()
    );
    let local = PasetoAuth::builder().local_key(local_key).build().unwrap();
    let public = PasetoAuth::builder()
        .public_key(PublicKey::from_paserk(&data.public_key).unwrap())
        .build()
        .unwrap();
    assert_eq!(data.tokens.len(), 7);
    for Case {
        name,
        claims,
        token,
        kid,
    } in &data.tokens
    {
        let auth = if token.starts_with("v4.public.") {
            &public
        } else {
            &local
        };
        match (claims["type"].as_str().unwrap(), claims.get("fresh")) {
            ("access", Some(Value::Bool(true))) => {
                let verified = auth.verify::<FreshAccess>(token).await.unwrap();
                assert!(verified.is_fresh(), "{name}");
                assert_registered(&verified, claims, name);
            }
            ("access", _) => {
                let verified = auth.verify::<Access>(token).await.unwrap();
                assert!(!verified.is_fresh(), "{name}");
                assert_registered(&verified, claims, name);
                assert_eq!(
                    auth.verify::<FreshAccess>(token).await.unwrap_err(),
                    AuthError::NotFresh
                );
            }
            ("refresh", _) => {
                assert_registered(&auth.verify::<Refresh>(token).await.unwrap(), claims, name);
                assert!(matches!(
                    auth.verify::<Access>(token).await,
                    Err(AuthError::WrongType { .. })
                ));
            }
            ("email-verify", _) => {
                let verified = auth.verify::<EmailVerify>(token).await.unwrap();
                assert_eq!(verified.extra().email, claims["email"], "{name}");
                assert_registered(&verified, claims, name);
            }
            (other, _) => panic!("{name}: unexpected type {other}"),
        }
        let verified = auth.verify_any_type(token).await.unwrap();
        assert_eq!(verified.key_id(), kid.as_deref(), "{name}");
    }
    assert_eq!(data.tokens.iter().filter(|c| c.kid.is_some()).count(), 2);
}

/// A service that has rotated away from the key pyseto used still takes
/// pyseto's tokens that name that key, and only those.
#[tokio::test]
async fn pyseto_tokens_with_kid_verify_with_a_retired_key() {
    let data = data();
    let retired = LocalKey::from_paserk(&data.local_key).unwrap();
    let rotated = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .verify_key(retired)
        .build()
        .unwrap();
    for case in data
        .tokens
        .iter()
        .filter(|c| c.token.starts_with("v4.local."))
    {
        let verified = rotated.verify_any_type(&case.token).await;
        match &case.kid {
            Some(kid) => assert_eq!(verified.unwrap().key_id(), Some(kid.as_str())),
            // Without a kid, only the current key is tried.
            None => assert_eq!(
                verified.unwrap_err(),
                AuthError::InvalidToken,
                "{}",
                case.name
            ),
        }
    }
}

/// The secrets fastapi-paseto services use, 6 to 64 bytes: pyseto's tokens reach
/// the example app over TCP configured with the same secret, and not with
/// another of the same length.
#[tokio::test]
async fn pyseto_tokens_under_raw_secrets_pass_the_example_app() {
    let data = data();
    let lengths: Vec<usize> = data.raw_secrets.iter().map(|c| c.secret.len()).collect();
    assert_eq!(lengths, [6, 16, 43, 44, 64]);
    for case in &data.raw_secrets {
        let auth = PasetoAuth::builder()
            .local_secret(raw(&case.secret))
            .build()
            .unwrap();
        let app = App::start(auth).await;
        let answer = app.get("/protected", &case.token).await;
        assert_eq!(answer.2, json!({ "user": "test" }), "{}", case.secret.len());
        let other = "x".repeat(case.secret.len());
        let auth = PasetoAuth::builder()
            .local_secret(raw(&other))
            .build()
            .unwrap();
        let answer = App::start(auth).await.get("/protected", &case.token).await;
        assert_eq!(answer.0, 401, "{}", case.secret.len());
    }
}

/// The PEM keys pyseto's public tokens were made with load here as the same
/// keys, and a service configured with the PEM public key takes the tokens.
#[tokio::test]
async fn pem_keys_are_the_keys_pyseto_used() {
    let data = data();
    let secret = SecretKey::from_pem(&data.private_pem).unwrap();
    assert_eq!(secret.to_paserk(), data.secret_key);
    let public = PublicKey::from_pem(&data.public_pem).unwrap();
    assert_eq!(public.to_paserk(), data.public_key);
    let auth = PasetoAuth::builder().public_key(public).build().unwrap();
    let app = App::start(auth).await;
    for case in data
        .tokens
        .iter()
        .filter(|c| c.token.starts_with("v4.public."))
    {
        let answer = app.get("/protected", &case.token).await;
        assert_eq!(answer.2, json!({ "user": "test" }), "{}", case.name);
    }
}

/// Writes tokens issued here for `pyseto_interop.py` to check in pyseto.
#[tokio::test]
#[ignore = "run by tests/interop/pyseto_interop.py"]
async fn issue_tokens_for_pyseto() {
    let data = data();
    let local = PasetoAuth::builder()
        .local_key(LocalKey::from_paserk(&data.local_key).unwrap())
        .build()
        .unwrap();
    let public = PasetoAuth::builder()
        .secret_key(SecretKey::from_paserk(&data.secret_key).unwrap())
        .build()
        .unwrap();
    let cases = [
        (
            "access",
            local.access_token("test").issue(),
            json!({ "sub": "test", "type": "access", "fresh": false }),
        ),
        (
            "fresh access",
            local.access_token("test").fresh(true).issue(),
            json!({ "sub": "test", "type": "access", "fresh": true }),
        ),
        (
            "refresh",
            local.refresh_token("test").issue(),
            json!({ "sub": "test", "type": "refresh" }),
        ),
        (
            "custom type",
            local
                .token("test", "email-verify")
                .claims(&json!({ "email": "test@example.com" }))
                .issue(),
            json!({ "sub": "test", "type": "email-verify", "email": "test@example.com" }),
        ),
        (
            "public access",
            public.access_token("test").issue(),
            json!({ "sub": "test", "type": "access", "fresh": false }),
        ),
    ];
    let mut out: Vec<Value> = cases
        .into_iter()
        .map(|(name, token, expect)| json!({ "name": name, "token": token.unwrap(), "expect": expect }))
        .collect();
    let pem = PasetoAuth::builder()
        .secret_key(SecretKey::from_pem(&data.private_pem).unwrap())
        .build()
        .unwrap();
    out.push(json!({
        "name": "public access, PEM key",
        "token": pem.access_token("test").issue().unwrap(),
        "expect": { "sub": "test", "type": "access" },
    }));
    for case in &data.raw_secrets {
        let auth = PasetoAuth::builder()
            .local_secret(raw(&case.secret))
            .build()
            .unwrap();
        out.push(json!({
            "name": format!("access, raw secret of {} bytes", case.secret.len()),
            "secret": case.secret,
            "token": auth.login_tokens("test").await.unwrap().access_token,
            "expect": { "sub": "test", "type": "access", "fresh": true },
        }));
    }
    let path =
        std::env::var("PASETO_INTEROP_OUT").expect("PASETO_INTEROP_OUT names the output file");
    std::fs::write(path, serde_json::to_string_pretty(&out).unwrap()).unwrap();
}
