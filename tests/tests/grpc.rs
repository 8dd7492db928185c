//! The gRPC guard, in process: a tower service standing in for a tonic one,
//! behind `GrpcGuardLayer`, called as a gRPC client calls (HTTP/2 framing
//! apart): every refusal is a trailers-only answer with the status a gRPC
//! client expects, and a method reads the verified claims.

use std::convert::Infallible;

use http::{Request, Response};
use paseto_runtime::layer::{GrpcGuardLayer, Need, grpc_claims};
use paseto_runtime::testing::{OffsetDateTime, TokenTimes};
use paseto_runtime::{Duration, PasetoAuth};
use paseto_tests::key;
use tower::{Layer, ServiceExt, service_fn};

const WHO_AM_I: &str = "/paseto.example.v1.Greeter/WhoAmI";
const ADMIN: &str = "/paseto.example.v1.Greeter/Admin";
const HEALTH: &str = "/grpc.health.v1.Health/Check";

fn guard(auth: &PasetoAuth) -> GrpcGuardLayer {
    auth.grpc_guard()
        .method(ADMIN, Need::Access(vec!["admin".into()]))
        .method(HEALTH, Need::Nothing)
        .build()
        .unwrap()
}

/// Calls `path` through the guard with these `authorization` values: the
/// `grpc-status`, `grpc-message` and, on success, the user the method saw.
async fn call(auth: &PasetoAuth, path: &str, tokens: &[&str]) -> (String, String, String) {
    let method = service_fn(|request: Request<String>| async move {
        let user = grpc_claims(request.extensions()).map_or("", |claims| claims.subject());
        let response = Response::builder()
            .header("grpc-status", "0")
            .header("x-user", user)
            .body(String::new())
            .unwrap();
        Ok::<_, Infallible>(response)
    });
    let mut request = Request::post(path).header("content-type", "application/grpc");
    for token in tokens {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = guard(auth)
        .layer(method)
        .oneshot(request.body(String::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "gRPC answers in its own statuses");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    (
        header("grpc-status"),
        header("grpc-message"),
        header("x-user"),
    )
}

fn refused(code: &str, message: &str) -> (String, String, String) {
    (code.to_owned(), message.to_owned(), String::new())
}

#[tokio::test]
async fn each_refusal_is_the_grpc_status_a_client_expects() {
    let auth = PasetoAuth::builder().local_key(key()).build().unwrap();
    let access = auth.access_token("alice").issue().unwrap();
    let admin = auth.access_token("root").scopes(["admin"]).issue().unwrap();
    let refresh = auth.refresh_token("alice").issue().unwrap();
    let expired = auth
        .access_token("alice")
        .expires_at(OffsetDateTime::now_utc() - Duration::minutes(1))
        .issue()
        .unwrap();

    assert_eq!(
        call(&auth, WHO_AM_I, &[&access]).await,
        ("0".into(), String::new(), "alice".into())
    );
    assert_eq!(
        call(&auth, ADMIN, &[&admin]).await,
        ("0".into(), String::new(), "root".into())
    );
    assert_eq!(
        call(&auth, HEALTH, &[]).await,
        ("0".into(), String::new(), String::new())
    );

    assert_eq!(
        call(&auth, WHO_AM_I, &[]).await,
        refused("16", "PASETO Authorization Token required")
    );
    assert_eq!(call(&auth, WHO_AM_I, &["garbage"]).await.0, "16");
    assert_eq!(
        call(&auth, WHO_AM_I, &[&expired]).await,
        refused("16", "Token expired")
    );
    assert_eq!(
        call(&auth, WHO_AM_I, &[&refresh]).await,
        refused("16", "Access token required but refresh provided")
    );
    assert_eq!(
        call(&auth, ADMIN, &[&access]).await,
        refused("7", "Insufficient scope")
    );
    let twice = call(&auth, WHO_AM_I, &[&access, &access]).await;
    assert_eq!(twice.0, "16", "two authorization entries: {twice:?}");
}

#[tokio::test]
async fn a_store_that_cannot_answer_is_unavailable() {
    let auth = PasetoAuth::builder()
        .local_key(key())
        .revocation_check(|_claims| async { Err::<bool, _>(std::io::Error::other("down")) })
        .build()
        .unwrap();
    let access = auth.access_token("alice").issue().unwrap();
    assert_eq!(
        call(&auth, WHO_AM_I, &[&access]).await,
        refused("14", "Token revocation status is unavailable")
    );
}

#[test]
fn method_paths_and_scopes_are_checked_when_the_guard_is_built() {
    let auth = PasetoAuth::builder().local_key(key()).build().unwrap();
    for path in ["Greeter/WhoAmI", "/Greeter", "/a/b/c", "/"] {
        assert!(
            auth.grpc_guard()
                .method(path, Need::Refresh)
                .build()
                .is_err(),
            "{path}"
        );
    }
    let bad_scope = Need::Access(vec!["two words".into()]);
    assert!(auth.grpc_guard().method(ADMIN, bad_scope).build().is_err());
}
