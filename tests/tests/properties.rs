//! Whatever arrives in the Authorization header or a JSON body, the answer is a
//! 4xx with a JSON `detail`: never a panic, a 5xx or a pass.

use axum::Router;
use axum::routing::post;
use http::HeaderValue;
use paseto_runtime::{FreshAccess, Verified};
use paseto_tests::{
    Reply, access_claims, app, auth, forge, forge_with, post_json, send_authorization,
};
use proptest::prelude::*;

fn answer(path: &str, value: &[u8]) -> Reply {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(send_authorization(&app(auth()), path, value))
}

/// Sends `body` as JSON to a fresh-token route that takes tokens in bodies.
fn answer_body(body: &str) -> Reply {
    let app = Router::new()
        .route(
            "/fresh",
            post(|Verified(c): Verified<FreshAccess>| async move { c.subject().to_owned() }),
        )
        .route_layer(auth().json_body_layer())
        .with_state(auth());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(post_json(&app, "/fresh", None, body))
}

fn assert_rejected(reply: &Reply) {
    assert!(reply.status.is_client_error(), "{reply:?}");
    assert!(reply.body["detail"].is_string(), "{reply:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_header_bytes(
        prefix in "(Bearer |bearer |Bearer  |)",
        // Every byte an HTTP parser can hand over in a header value.
        rest in proptest::collection::vec(prop_oneof![Just(b'\t'), 0x20_u8..=0x7e, 0x80_u8..=0xff], 0..600),
    ) {
        let value = [prefix.as_bytes(), &rest].concat();
        prop_assume!(HeaderValue::from_bytes(&value).is_ok());
        assert_rejected(&answer("/access", &value));
    }

    #[test]
    fn token_shaped_strings(
        scheme in "(Bearer|bearer|BEARER|Basic|)",
        token in "v[0-9]\\.(local|public|locaI)\\.[A-Za-z0-9_-]{0,400}(\\.[A-Za-z0-9_-]{0,60})?",
    ) {
        let value = if scheme.is_empty() { token } else { format!("{scheme} {token}") };
        assert_rejected(&answer("/access", value.as_bytes()));
    }

    #[test]
    fn arbitrary_payloads_under_the_right_key(payload in proptest::collection::vec(any::<u8>(), 1..400)) {
        let value = format!("Bearer {}", forge(&payload));
        assert_rejected(&answer("/fresh", value.as_bytes()));
    }

    #[test]
    fn arbitrary_json_objects_under_the_right_key(
        claims in proptest::collection::btree_map(
            "(sub|exp|iat|nbf|jti|type|fresh|iss|aud|fam|[a-z]{1,6})",
            prop_oneof![
                any::<i64>().prop_map(serde_json::Value::from),
                any::<bool>().prop_map(serde_json::Value::from),
                "[ -~]{0,30}".prop_map(serde_json::Value::from),
                Just(serde_json::Value::Null),
            ],
            0..12,
        )
    ) {
        let payload = serde_json::to_vec(&claims).unwrap();
        let value = format!("Bearer {}", forge(&payload));
        assert_rejected(&answer("/fresh", value.as_bytes()));
    }

    /// The footer is read before the token is authenticated: whatever it holds,
    /// a valid token under the right key is taken or refused with a 401, never
    /// a panic or a 5xx.
    #[test]
    fn arbitrary_footers_on_a_valid_token(
        footer in prop_oneof![
            proptest::collection::vec(any::<u8>(), 1..200),
            "[{}\\[\\]\":, a-z_0-9.\\\\-]{1,200}".prop_map(String::into_bytes),
            "k4\\.(lid|pid|sid)\\.[A-Za-z0-9_-]{0,50}"
                .prop_map(|kid| format!(r#"{{"kid":"{kid}"}}"#).into_bytes()),
        ],
    ) {
        let token = forge_with(access_claims().to_string().as_bytes(), Some(&footer));
        let reply = answer("/access", format!("Bearer {token}").as_bytes());
        let refused = reply.status == 401 && reply.body["detail"].is_string();
        assert!(reply.status == 200 || refused, "{reply:?}");
    }

    #[test]
    fn arbitrary_json_bodies(
        body in "[{}\\[\\]\":, a-z_0-9.\\\\-]{0,300}",
        under_the_key in any::<bool>(),
    ) {
        let body = if under_the_key { format!(r#"{{"access_token": {body}}}"#) } else { body };
        assert_rejected(&answer_body(&body));
    }
}
