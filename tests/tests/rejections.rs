//! Every way a request can fail authentication, as a client sees it: status,
//! `WWW-Authenticate` and the JSON `detail`. None panics or answers 5xx.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paseto_runtime::{
    Duration, PasetoAuth,
    keys::{LocalKey, SecretKey},
};
use paseto_tests::challenge::{
    BAD_HEADER, INSUFFICIENT_USER_AUTHENTICATION, INVALID_REQUEST, INVALID_TOKEN,
};
use paseto_tests::{
    KEY, access_claims, app, at, auth, forge, forge_json, forge_with, key, send,
    send_authorization, send_token, with,
};
use pasetors::keys::SymmetricKey;
use pasetors::version2::{LocalToken as V2LocalToken, V2};
use serde_json::json;

#[tokio::test]
async fn no_token() {
    send(&app(auth()), "/access", &[]).await.assert_rejected(
        401,
        "Bearer",
        "PASETO Authorization Token required",
    );
}

#[tokio::test]
async fn expired() {
    let token = forge_json(&with(access_claims(), "exp", Some(at(-1))));
    send_token(&app(auth()), "/access", &token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Token expired");
}

#[tokio::test]
async fn expired_one_second_ago_is_accepted_with_two_seconds_of_leeway() {
    let token = forge_json(&with(access_claims(), "exp", Some(at(-1))));
    let lenient = PasetoAuth::builder()
        .local_key(key())
        .leeway(Duration::seconds(2))
        .build()
        .unwrap();
    send_token(&app(lenient), "/access", &token)
        .await
        .assert_ok("alice");
}

#[tokio::test]
async fn not_before_in_the_future() {
    let token = forge_json(&with(access_claims(), "nbf", Some(at(60))));
    send_token(&app(auth()), "/access", &token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Token not yet valid");
}

#[tokio::test]
async fn issued_in_the_future() {
    let token = forge_json(&with(access_claims(), "iat", Some(at(60))));
    send_token(&app(auth()), "/access", &token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Token issued in the future");
}

#[tokio::test]
async fn no_expiry() {
    let token = forge_json(&with(access_claims(), "exp", None));
    send_token(&app(auth()), "/access", &token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Token has no 'exp' claim");
}

#[tokio::test]
async fn expiry_that_is_not_an_rfc_3339_time() {
    let app = app(auth());
    for exp in [json!(4_102_444_800_u64), json!("tomorrow"), json!(null)] {
        let token = forge_json(&with(access_claims(), "exp", Some(exp.clone())));
        let reply = send_token(&app, "/access", &token).await;
        let detail = if exp.is_null() {
            "Token has no 'exp' claim"
        } else {
            "Token claim 'exp' is malformed"
        };
        reply.assert_rejected(401, INVALID_TOKEN, detail);
    }
}

#[tokio::test]
async fn no_subject_or_token_id() {
    let app = app(auth());
    for claim in ["sub", "jti"] {
        let token = forge_json(&with(access_claims(), claim, None));
        send_token(&app, "/access", &token).await.assert_rejected(
            401,
            INVALID_TOKEN,
            &format!("Token has no '{claim}' claim"),
        );
    }
}

/// A token from another key names that key, unknown here. Relabelled with this
/// service's `kid`, it is tried with this service's key alone, and fails.
#[tokio::test]
async fn wrong_key() {
    let other = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .build()
        .unwrap();
    let token = other.access_token("alice").issue().unwrap();
    send_token(&app(auth()), "/access", &token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Unknown key id");
    let (body, _) = token.rsplit_once('.').unwrap();
    let ours = json!({ "kid": key().id() }).to_string();
    let relabelled = format!("{body}.{}", URL_SAFE_NO_PAD.encode(ours));
    send_token(&app(auth()), "/access", &relabelled)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Invalid token");
}

/// Changes one base64url character in the middle of `part` to another valid one.
fn tamper(part: &str) -> String {
    let mut bytes = part.as_bytes().to_vec();
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn tampered_header() {
    let token = auth().access_token("alice").issue().unwrap();
    for header in ["v4.public.", "v3.local.", "v4.locaL.", "V4.local."] {
        let tampered = token.replacen("v4.local.", header, 1);
        send_token(&app(auth()), "/access", &tampered)
            .await
            .assert_rejected(401, INVALID_TOKEN, "Unsupported token version or purpose");
    }
}

#[tokio::test]
async fn tampered_payload() {
    let token = auth().access_token("alice").issue().unwrap();
    let body = token.strip_prefix("v4.local.").unwrap();
    let tampered = format!("v4.local.{}", tamper(body));
    send_token(&app(auth()), "/access", &tampered)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Invalid token");
}

/// The footer is authenticated with the payload. A member changed is an invalid
/// token; the `kid` changed to another key's id is an unknown key, and to
/// something that is no key id, a malformed token: either way no key is tried.
#[tokio::test]
async fn tampered_footer() {
    let footer = |kid: &str, app: &str| json!({ "kid": kid, "app": app }).to_string();
    let kid = key().id();
    let token = forge_with(
        access_claims().to_string().as_bytes(),
        Some(footer(&kid, "x").as_bytes()),
    );
    send_token(&app(auth()), "/access", &token)
        .await
        .assert_ok("alice");
    let (body, _) = token.rsplit_once('.').unwrap();
    let other = LocalKey::generate().unwrap().id();
    for (footer, detail) in [
        (footer(&kid, "y"), "Invalid token"),
        (footer(&other, "x"), "Unknown key id"),
        (footer("key-1", "x"), "Malformed token"),
        (
            format!(r#"{{"kid":"{kid}","kid":"{other}"}}"#),
            "Malformed token",
        ),
        (
            "arbitrary-string-that-isn't-json".to_owned(),
            "Invalid token",
        ),
    ] {
        let tampered = format!("{body}.{}", URL_SAFE_NO_PAD.encode(&footer));
        send_token(&app(auth()), "/access", &tampered)
            .await
            .assert_rejected(401, INVALID_TOKEN, detail);
    }
}

/// Configured footer members are required, and nothing else beside the `kid`.
#[tokio::test]
async fn footer_other_than_the_configured_one() {
    let strict = PasetoAuth::builder()
        .local_key(key())
        .footer(&json!({ "app": "billing" }))
        .build()
        .unwrap();
    let app = app(strict.clone());
    send_token(
        &app,
        "/access",
        &strict.access_token("alice").issue().unwrap(),
    )
    .await
    .assert_ok("alice");
    for token in [
        auth().access_token("alice").issue().unwrap(),
        auth()
            .access_token("alice")
            .footer(&json!({ "app": "shop" }))
            .issue()
            .unwrap(),
        auth()
            .access_token("alice")
            .footer(&json!({ "app": "billing", "admin": true }))
            .issue()
            .unwrap(),
    ] {
        send_token(&app, "/access", &token).await.assert_rejected(
            401,
            INVALID_TOKEN,
            "Invalid token",
        );
    }
}

#[tokio::test]
async fn implicit_assertion_other_than_the_configured_one() {
    let bound = |assertion: &str| {
        PasetoAuth::builder()
            .local_key(key())
            .implicit_assertion(assertion)
            .build()
            .unwrap()
    };
    let token = bound("tenant-1").access_token("alice").issue().unwrap();
    send_token(&app(bound("tenant-1")), "/access", &token)
        .await
        .assert_ok("alice");
    send_token(&app(bound("tenant-2")), "/access", &token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Invalid token");
}

#[tokio::test]
async fn public_token_to_a_local_configuration_and_the_reverse() {
    let public = PasetoAuth::builder()
        .secret_key(SecretKey::generate().unwrap())
        .build()
        .unwrap();
    let public_token = public.access_token("alice").issue().unwrap();
    let local_token = auth().access_token("alice").issue().unwrap();
    for (auth, token) in [(auth(), public_token), (public, local_token)] {
        send_token(&app(auth), "/access", &token)
            .await
            .assert_rejected(401, INVALID_TOKEN, "Unsupported token version or purpose");
    }
}

#[tokio::test]
async fn v2_and_v3_tokens() {
    let v2_key = SymmetricKey::<V2>::from(&KEY).unwrap();
    let v2 = V2LocalToken::encrypt(&v2_key, access_claims().to_string().as_bytes(), None).unwrap();
    let v3 = format!("v3.public.{}", "A".repeat(200));
    for token in [v2, v3] {
        send_token(&app(auth()), "/access", &token)
            .await
            .assert_rejected(401, INVALID_TOKEN, "Unsupported token version or purpose");
    }
}

#[tokio::test]
async fn structurally_broken_tokens() {
    let app = app(auth());
    let valid = auth().access_token("alice").issue().unwrap();
    // Only the canonical encoding of a valid token passes: no padding, no empty footer.
    let (padded, empty_footer) = (format!("{valid}="), format!("{valid}."));
    for token in [
        "v4.local.",
        "v4.local.!!!!",
        "v4.local.AAAA",
        "v4.local.a.b.c",
        &padded,
        &empty_footer,
    ] {
        send_token(&app, "/access", token).await.assert_rejected(
            401,
            INVALID_TOKEN,
            "Malformed token",
        );
    }
}

#[tokio::test]
async fn refresh_token_where_access_is_required_and_the_reverse() {
    let auth = auth();
    let app = app(auth.clone());
    let refresh = auth.refresh_token("alice").issue().unwrap();
    let access = auth.access_token("alice").fresh(true).issue().unwrap();
    send_token(&app, "/access", &refresh).await.assert_rejected(
        401,
        INVALID_TOKEN,
        "Access token required but refresh provided",
    );
    send_token(&app, "/fresh", &refresh).await.assert_rejected(
        401,
        INVALID_TOKEN,
        "Access token required but refresh provided",
    );
    send_token(&app, "/refresh", &access).await.assert_rejected(
        401,
        INVALID_TOKEN,
        "Refresh token required but access provided",
    );
}

#[tokio::test]
async fn not_fresh_where_fresh_is_required() {
    let auth = auth();
    let token = auth.access_token("alice").issue().unwrap();
    send_token(&app(auth), "/fresh", &token)
        .await
        .assert_rejected(
            401,
            INSUFFICIENT_USER_AUTHENTICATION,
            "PASETO access token is not fresh",
        );
    let forged = forge_json(&with(access_claims(), "fresh", Some(json!("true"))));
    send_token(&app(paseto_tests::auth()), "/fresh", &forged)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Token claim 'fresh' is malformed");
}

#[tokio::test]
async fn wrong_issuer() {
    let strict = PasetoAuth::builder()
        .local_key(key())
        .require_issuer("https://auth.example")
        .build()
        .unwrap();
    let app = app(strict);
    let good = forge_json(&with(
        access_claims(),
        "iss",
        Some(json!("https://auth.example")),
    ));
    send_token(&app, "/access", &good).await.assert_ok("alice");
    for iss in [Some(json!("https://evil.example")), None] {
        let token = forge_json(&with(access_claims(), "iss", iss));
        send_token(&app, "/access", &token).await.assert_rejected(
            401,
            INVALID_TOKEN,
            "Invalid issuer",
        );
    }
}

#[tokio::test]
async fn wrong_audience() {
    let strict = PasetoAuth::builder()
        .local_key(key())
        .require_audience("api")
        .require_audience("admin")
        .build()
        .unwrap();
    let app = app(strict);
    for aud in [json!("api"), json!(["web", "admin"])] {
        let token = forge_json(&with(access_claims(), "aud", Some(aud)));
        send_token(&app, "/access", &token).await.assert_ok("alice");
    }
    for aud in [Some(json!("web")), Some(json!(["web", "mobile"])), None] {
        let token = forge_json(&with(access_claims(), "aud", aud));
        send_token(&app, "/access", &token).await.assert_rejected(
            401,
            INVALID_TOKEN,
            "Invalid audience",
        );
    }
}

#[tokio::test]
async fn token_without_type() {
    let token = forge_json(&with(access_claims(), "type", None));
    send_token(&app(auth()), "/access", &token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Token has no 'type' claim");
}

#[tokio::test]
async fn payload_that_is_not_a_json_object() {
    let app = app(auth());
    for payload in [
        &b"not json"[..],
        b"[1, 2]",
        b"\"alice\"",
        b"{\"sub\":",
        &[0xff, 0xfe],
    ] {
        send_token(&app, "/access", &forge(payload))
            .await
            .assert_rejected(401, INVALID_TOKEN, "Token payload is not a JSON object");
    }
}

#[tokio::test]
async fn claims_that_do_not_match_the_endpoint() {
    send_token(&app(auth()), "/role", &forge_json(&access_claims()))
        .await
        .assert_rejected(
            401,
            INVALID_TOKEN,
            "Token claims do not match what this endpoint expects",
        );
}

#[tokio::test]
async fn token_of_nine_kib() {
    let token = format!("v4.local.{}", "A".repeat(9 * 1024));
    send_token(&app(auth()), "/access", &token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Token is too large");
}

#[tokio::test]
async fn header_without_scheme() {
    let token = auth().access_token("alice").issue().unwrap();
    send_authorization(&app(auth()), "/access", token)
        .await
        .assert_rejected(400, INVALID_REQUEST, BAD_HEADER);
}

#[tokio::test]
async fn header_with_scheme_only() {
    for value in ["Bearer", "Bearer ", "   "] {
        send_authorization(&app(auth()), "/access", value)
            .await
            .assert_rejected(400, INVALID_REQUEST, BAD_HEADER);
    }
}

#[tokio::test]
async fn header_with_another_scheme() {
    let token = auth().access_token("alice").issue().unwrap();
    for value in [
        format!("Token {token}"),
        "Basic YWxpY2U6c2VjcmV0".to_owned(),
    ] {
        send_authorization(&app(auth()), "/access", value)
            .await
            .assert_rejected(401, "Bearer", BAD_HEADER);
    }
}

#[tokio::test]
async fn header_with_extra_parts() {
    let token = auth().access_token("alice").issue().unwrap();
    let value = format!("Bearer {token} extra");
    send_authorization(&app(auth()), "/access", value)
        .await
        .assert_rejected(400, INVALID_REQUEST, BAD_HEADER);
}

#[tokio::test]
async fn header_with_bytes_that_are_not_utf_8() {
    send_authorization(&app(auth()), "/access", b"Bearer v4.local.\xff\xfe")
        .await
        .assert_rejected(400, INVALID_REQUEST, BAD_HEADER);
}

#[tokio::test]
async fn two_authorization_headers() {
    let token = auth().access_token("alice").issue().unwrap();
    let value = format!("Bearer {token}");
    send(
        &app(auth()),
        "/access",
        &[
            ("authorization", value.as_bytes()),
            ("authorization", value.as_bytes()),
        ],
    )
    .await
    .assert_rejected(400, INVALID_REQUEST, BAD_HEADER);
}

#[tokio::test]
async fn optional_endpoint_still_rejects_a_bad_token() {
    let token = forge_json(&with(access_claims(), "exp", Some(at(-10))));
    send_token(&app(auth()), "/optional", &token)
        .await
        .assert_rejected(401, INVALID_TOKEN, "Token expired");
    send_authorization(&app(auth()), "/optional", b"Bearer")
        .await
        .assert_rejected(400, INVALID_REQUEST, BAD_HEADER);
}

/// `auth_time` bounds a sliding session. A login precedes its tokens, so a
/// login time after `iat` (which a key holder, such as a peer service writing
/// its own claims, could set) would stretch the session it bounds: refused.
#[tokio::test]
async fn a_login_time_after_the_token_was_issued_is_malformed() {
    let app = app(auth());
    for later in [at(1), at(3600)] {
        let token = forge_json(&with(access_claims(), "auth_time", Some(later)));
        send_token(&app, "/access", &token).await.assert_rejected(
            401,
            INVALID_TOKEN,
            "Token claim 'auth_time' is malformed",
        );
    }
    let earlier = forge_json(&with(access_claims(), "auth_time", Some(at(-3600))));
    send_token(&app, "/access", &earlier)
        .await
        .assert_ok("alice");
}
