//! Key rings: rotating a service's key without logging anyone out, and what an
//! attacker gets from the footer's `kid` (nothing: it only chooses a key).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paseto_runtime::{
    Access, PasetoAuth,
    config::PasetoAuthBuilder,
    keys::{LocalKey, LocalSecret, SecretKey},
};
use paseto_tests::challenge::INVALID_TOKEN;
use paseto_tests::{access_claims, app, send_token};
use pasetors::keys::SymmetricKey;
use pasetors::version4::{LocalToken, V4};
use serde_json::json;

fn local(current: &LocalKey) -> PasetoAuthBuilder {
    PasetoAuth::builder().local_key(current.clone())
}

/// The guide's key rotation (`guide::keys`), step by step, with a token of each step checked at
/// every later step, as a client that keeps its token would.
#[tokio::test]
async fn rotating_the_key_logs_nobody_out_until_the_old_key_is_retired() {
    let (old, new) = (LocalKey::generate().unwrap(), LocalKey::generate().unwrap());
    let before = local(&old).build().unwrap();
    let old_token = before.access_token("alice").issue().unwrap();

    // 1. The new key is deployed everywhere, verifying only.
    let deployed = local(&old).verify_key(new.clone()).build().unwrap();
    let still_old = deployed.access_token("alice").issue().unwrap();
    // 2. The new key issues; the old one only verifies.
    let switched = local(&new).verify_key(old.clone()).build().unwrap();
    let new_token = switched.access_token("alice").issue().unwrap();
    for (auth, tokens) in [
        (&deployed, vec![&old_token, &still_old]),
        (&switched, vec![&old_token, &still_old, &new_token]),
    ] {
        for token in tokens {
            send_token(&app(auth.clone()), "/access", token)
                .await
                .assert_ok("alice");
        }
    }
    // A service still on step 1 takes the new key's tokens too.
    send_token(&app(deployed), "/access", &new_token)
        .await
        .assert_ok("alice");

    // 3. After the longest token lifetime, the old key is retired.
    let retired = app(local(&new).build().unwrap());
    send_token(&retired, "/access", &new_token)
        .await
        .assert_ok("alice");
    for token in [&old_token, &still_old] {
        send_token(&retired, "/access", token)
            .await
            .assert_rejected(401, INVALID_TOKEN, "Unknown key id");
    }
}

/// Tokens name their key, and `Claims` shows it with the footer.
#[tokio::test]
async fn claims_show_the_footer_and_the_key_that_verified() {
    let (old, new) = (LocalKey::generate().unwrap(), LocalKey::generate().unwrap());
    let with_members = |key: &LocalKey| local(key).footer(&json!({ "app": "billing" }));
    let token = with_members(&old)
        .build()
        .unwrap()
        .access_token("alice")
        .issue()
        .unwrap();
    let auth = with_members(&new).verify_key(old.clone()).build().unwrap();
    let claims = auth.verify::<Access>(&token).await.unwrap();
    assert_eq!(claims.key_id(), Some(old.id().as_str()));
    let footer: serde_json::Value = serde_json::from_str(claims.footer().unwrap()).unwrap();
    assert_eq!(footer, json!({ "kid": old.id(), "app": "billing" }));
}

/// A token without `kid` (issued before key ids, or by fastapi-paseto) is tried
/// with the untagged key alone: by default the current key, never every key.
#[tokio::test]
async fn a_token_without_kid_is_tried_with_one_key_only() {
    let old_bytes = [9; 32];
    let (old, new) = (
        LocalKey::from_bytes(&old_bytes).unwrap(),
        LocalKey::generate().unwrap(),
    );
    let old_pasetors = SymmetricKey::<V4>::from(&old_bytes).unwrap();
    let payload = access_claims().to_string();
    let untagged = LocalToken::encrypt(&old_pasetors, payload.as_bytes(), None, None).unwrap();
    let by_default = app(local(&new).verify_key(old.clone()).build().unwrap());
    send_token(&by_default, "/access", &untagged)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Invalid token");
    let designated = local(&new)
        .verify_key(old.clone())
        .untagged_key(old.id())
        .build()
        .unwrap();
    send_token(&app(designated.clone()), "/access", &untagged)
        .await
        .assert_ok("alice");
    // The designated key answers for untagged tokens only: tagged ones still
    // go to the key they name.
    let current = designated.access_token("alice").issue().unwrap();
    send_token(&app(designated), "/access", &current)
        .await
        .assert_ok("alice");
}

/// The `kid` is read before the token is authenticated, so an attacker can
/// write any: pointing a token at another key of the ring only has it fail
/// there, and an id of the wrong type or form is malformed.
#[tokio::test]
async fn a_forged_kid_chooses_a_key_and_nothing_more() {
    let (old, new) = (LocalKey::generate().unwrap(), LocalKey::generate().unwrap());
    let auth = local(&new).verify_key(old.clone()).build().unwrap();
    let token = auth.access_token("alice").issue().unwrap();
    let (body, _) = token.rsplit_once('.').unwrap();
    let relabel = |kid: &str| {
        let footer = json!({ "kid": kid }).to_string();
        format!("{body}.{}", URL_SAFE_NO_PAD.encode(footer))
    };
    let public_id = SecretKey::generate().unwrap().public_key().id();
    for (kid, detail) in [
        (old.id(), "Invalid token"),
        (LocalKey::generate().unwrap().id(), "Unknown key id"),
        (public_id, "Malformed token"),
        (new.id().replace("k4.lid.", "k4.sid."), "Malformed token"),
    ] {
        send_token(&app(auth.clone()), "/access", &relabel(&kid))
            .await
            .assert_rejected(401, INVALID_TOKEN, detail);
    }
}

/// A `v4.public` ring: a service that only verifies holds the public keys of
/// the issuer's current and retired secret keys.
#[tokio::test]
async fn a_public_ring_verifies_what_every_listed_key_signed() {
    let (old, new) = (
        SecretKey::generate().unwrap(),
        SecretKey::generate().unwrap(),
    );
    let sign = |key: &SecretKey| {
        let issuer = PasetoAuth::builder()
            .secret_key(key.clone())
            .build()
            .unwrap();
        issuer.access_token("alice").issue().unwrap()
    };
    let (old_token, new_token) = (sign(&old), sign(&new));
    let verifier = PasetoAuth::builder()
        .public_key(new.public_key())
        .verify_key(old.public_key())
        .build()
        .unwrap();
    for token in [&old_token, &new_token] {
        send_token(&app(verifier.clone()), "/access", token)
            .await
            .assert_ok("alice");
    }
    let retired = PasetoAuth::builder()
        .public_key(new.public_key())
        .build()
        .unwrap();
    send_token(&app(retired), "/access", &old_token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Unknown key id");
}

/// Moving off a fastapi-paseto secret: the new key issues and names itself;
/// the old raw secret, which has no id, verifies the tokens without `kid`
/// until they expire. Two raw secrets, or another key named untagged beside
/// one, cannot be configured.
#[tokio::test]
async fn a_raw_secret_verifies_the_tokens_without_kid() {
    let fastapi_secret = "vCgL1kbwpbGkSzqQQDwmXZQxrqlb4oZa1sWf0S1uZ2Q=";
    let old = || LocalSecret::from_bytes(fastapi_secret.as_bytes()).unwrap();
    let before = PasetoAuth::builder().local_secret(old()).build().unwrap();
    let old_token = before.access_token("alice").issue().unwrap();
    assert_eq!(old_token.matches('.').count(), 2, "no footer: {old_token}");
    let new = LocalKey::generate().unwrap();
    let moved = local(&new).verify_key(old()).build().unwrap();
    let new_token = moved.access_token("alice").issue().unwrap();
    for token in [&old_token, &new_token] {
        send_token(&app(moved.clone()), "/access", token)
            .await
            .assert_ok("alice");
    }
    let retired = app(local(&new).build().unwrap());
    send_token(&retired, "/access", &old_token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Invalid token");
    let two = local(&new).verify_key(old()).verify_key(old()).build();
    assert!(
        two.unwrap_err()
            .to_string()
            .contains("at most one raw secret")
    );
    let named = local(&new).verify_key(old()).untagged_key(new.id()).build();
    assert!(named.unwrap_err().to_string().starts_with("untagged_key"));
}
