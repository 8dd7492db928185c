//! The official PASETO v4 and PASERK k4 test vectors (`tests/vectors`, from
//! `paseto-standard/test-vectors`, with their licence), run against this
//! crate's own parse path and key loading.
//!
//! The vectors' payloads expire in 2022, so the `4-E` and `4-S` cases are
//! checked below claim validation: through `verify::open`, which splits and
//! decodes the token here (`untrusted`), reads its footer's `kid` to choose the
//! key, and hands it to pasetors with the implicit assertion the configuration
//! holds. The footer is compared afterwards with the vector's. The vectors'
//! JSON footers name a `kid` that is no PASERK id, which a key ring refuses as
//! malformed before any cryptography; those cases are asserted to be refused
//! so, and are decoded below the ring: the same split and decoding, with the
//! key given. The `4-F` cases go through the whole of `PasetoAuth::verify`, as
//! a service would meet them: each fails before any claim is read.

use ct_codecs::{Decoder, Hex};
use pasetors::version4::{LocalToken, PublicToken};
use serde_json::Value;

use crate::auth::PasetoAuth;
use crate::builder::PasetoAuthBuilder;
use crate::error::AuthError;
use crate::footer;
use crate::keys::{LocalKey, PublicKey, SecretKey};
use crate::kind::Access;
use crate::secret_cipher;
use crate::settings::KeyMaterial;
use crate::untrusted;
use crate::verify::{Opened, open};

fn cases(json: &str) -> Vec<Value> {
    let file: Value = serde_json::from_str(json).expect("a vector file");
    file["tests"].as_array().expect("a list of cases").clone()
}

fn text<'a>(case: &'a Value, field: &str) -> &'a str {
    case[field].as_str().unwrap_or_default()
}

fn hex(case: &Value, field: &str) -> Vec<u8> {
    Hex::decode_to_vec(text(case, field), None).expect("hex")
}

/// The configuration a case describes: its key and implicit assertion.
fn configuration(case: &Value) -> PasetoAuth {
    let mut builder = if case.get("key").is_some() {
        PasetoAuthBuilder::default().local_key(LocalKey::from_bytes(&hex(case, "key")).unwrap())
    } else {
        PasetoAuthBuilder::default()
            .secret_key(SecretKey::from_bytes(&hex(case, "secret-key")).unwrap())
    };
    if !text(case, "implicit-assertion").is_empty() {
        builder = builder.implicit_assertion(text(case, "implicit-assertion"));
    }
    builder.build().expect("a valid configuration")
}

/// Opens a token whose footer the key ring refuses: the same split and
/// decoding as `open`, with the configuration's key; the footer is the
/// vector's, compared by the caller.
fn open_below_the_ring(auth: &PasetoAuth, case: &Value) -> Opened {
    let token = text(case, "token");
    let implicit = text(case, "implicit-assertion").as_bytes();
    let (payload, footer) = match &auth.settings.keys {
        KeyMaterial::Local(ring) => {
            let (message, footer) = untrusted::split(token, LocalToken::HEADER).unwrap();
            let payload = secret_cipher::open(ring.current(), message, &footer, implicit);
            (String::from_utf8(payload.unwrap()).unwrap(), footer)
        }
        KeyMaterial::Public { ring, .. } => {
            let (message, footer) = untrusted::split(token, PublicToken::HEADER).unwrap();
            let payload = ring.current().1.open(message, &footer, implicit).unwrap();
            (String::from_utf8(payload).unwrap(), footer)
        }
        #[cfg(feature = "remote-keys")]
        KeyMaterial::Remote(_) => unreachable!("the vectors' keys are configured"),
    };
    Opened { payload, footer }
}

#[tokio::test]
async fn every_v4_token_decodes_to_its_payload_or_is_rejected() {
    let all = cases(include_str!("../tests/vectors/v4.json"));
    assert_eq!(all.len(), 17);
    let mut below_the_ring = 0;
    for case in &all {
        let name = text(case, "name");
        let auth = configuration(case);
        let token = text(case, "token");
        if case["expect-fail"] == Value::Bool(true) {
            let error = auth.verify::<Access>(token).await;
            let expected = match name {
                // Another version or purpose than the configuration's.
                "4-F-1" | "4-F-2" | "4-F-3" => AuthError::UnsupportedToken,
                // Base64 with non-canonical trailing bits (4-F-4), and padded
                // base64 (4-F-5): refused before any cryptography (`untrusted`).
                "4-F-4" | "4-F-5" => AuthError::MalformedToken,
                other => panic!("{other}: a failing case this test does not know"),
            };
            assert_eq!(error.err(), Some(expected), "{name}");
            continue;
        }
        let footer = text(case, "footer");
        let opened = if footer::key_id(footer.as_bytes()).unwrap().is_some() {
            // `{"kid":"zVhM…"}`: not a `k4.lid.` or `k4.pid.` id.
            assert_eq!(
                open(&auth.settings, token).err(),
                Some(AuthError::MalformedToken),
                "{name}"
            );
            below_the_ring += 1;
            open_below_the_ring(&auth, case)
        } else {
            open(&auth.settings, token).unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        assert_eq!(opened.payload, text(case, "payload"), "{name}");
        assert_eq!(opened.footer, footer.as_bytes(), "{name}");
        if name.starts_with("4-S") {
            let KeyMaterial::Public {
                secret: Some(secret),
                ring,
            } = &auth.settings.keys
            else {
                panic!("{name}: a signing configuration")
            };
            let footer = Some(footer.as_bytes()).filter(|f| !f.is_empty());
            let implicit =
                Some(text(case, "implicit-assertion").as_bytes()).filter(|i| !i.is_empty());
            let signed = PublicToken::sign(
                &secret.secret,
                text(case, "payload").as_bytes(),
                footer,
                implicit,
            );
            assert_eq!(signed.unwrap(), token, "{name}: signs to the exact token");
            let public = PublicKey::from_bytes(&hex(case, "public-key")).unwrap();
            assert_eq!(public, *ring.current(), "{name}");
        }
    }
    assert_eq!(below_the_ring, 6);
}

#[test]
fn every_k4_paserk_loads_serialises_and_identifies_or_is_rejected() {
    let files = [
        (
            "k4.local",
            include_str!("../tests/vectors/PASERK/k4.local.json"),
        ),
        (
            "k4.lid",
            include_str!("../tests/vectors/PASERK/k4.lid.json"),
        ),
        (
            "k4.public",
            include_str!("../tests/vectors/PASERK/k4.public.json"),
        ),
        (
            "k4.pid",
            include_str!("../tests/vectors/PASERK/k4.pid.json"),
        ),
        (
            "k4.secret",
            include_str!("../tests/vectors/PASERK/k4.secret.json"),
        ),
        (
            "k4.sid",
            include_str!("../tests/vectors/PASERK/k4.sid.json"),
        ),
    ];
    let mut checked = 0;
    for (kind, json) in files {
        for case in cases(json) {
            let name = text(&case, "name");
            let key = Hex::decode_to_vec(text(&case, "key"), None).unwrap_or_default();
            let paserk = text(&case, "paserk");
            // An Ed25519 seed of zeros: pasetors' Ed25519 backend panics on it,
            // so this crate refuses it with an error (see `SecretKey::from_bytes`).
            if kind.starts_with("k4.s") && key.len() == 64 && key[..32].iter().all(|&b| b == 0) {
                let refused = SecretKey::from_bytes(&key).err();
                assert_eq!(
                    refused,
                    Some(crate::keys::KeyError::InvalidSecretKey),
                    "{name}"
                );
                checked += 1;
                continue;
            }
            let written = match kind {
                "k4.local" => LocalKey::from_bytes(&key).map(|k| k.to_paserk()),
                "k4.lid" => LocalKey::from_bytes(&key).map(|k| k.id()),
                "k4.public" => PublicKey::from_bytes(&key).map(|k| k.to_paserk()),
                "k4.pid" => PublicKey::from_bytes(&key).map(|k| k.id()),
                "k4.secret" => SecretKey::from_bytes(&key).map(|k| k.to_paserk()),
                _ => SecretKey::from_bytes(&key).map(|k| k.id()),
            };
            if case["expect-fail"] == Value::Bool(true) {
                // A failing case gives either a PASERK to refuse or a key to refuse.
                if paserk.is_empty() {
                    assert!(written.is_err(), "{name}: the key must be refused");
                } else {
                    assert!(
                        LocalKey::from_paserk(paserk).is_err(),
                        "{name}: the PASERK must be refused"
                    );
                }
            } else {
                assert_eq!(written.unwrap(), paserk, "{name}");
                let read = match kind {
                    "k4.local" => LocalKey::from_paserk(paserk).map(|k| k.to_paserk()),
                    "k4.public" => PublicKey::from_paserk(paserk).map(|k| k.to_paserk()),
                    "k4.secret" => SecretKey::from_paserk(paserk).map(|k| k.to_paserk()),
                    _ => Ok(paserk.to_owned()),
                };
                assert_eq!(read.unwrap(), paserk, "{name}: reads back");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 27);
}
