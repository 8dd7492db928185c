//! A JSON body through `JsonBodyLayer` to the access-token extractor. The first
//! byte picks whether the rest is the whole body or the value under the
//! `access_token` key. Never a panic; every answer a 4xx.
#![no_main]

use std::convert::Infallible;

use axum_core::body::Body;
use axum_core::extract::FromRequestParts;
use axum_core::response::IntoResponse;
use http::{Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use paseto_fuzz::fixture;
use paseto_runtime::{Access, PasetoAuth, Verified};
use tower::{Layer, Service, ServiceExt};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let fixture = fixture();
    let body = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        [br#"{"access_token": "#.as_slice(), rest, b"}"].concat()
    };
    let auth = fixture.auth.clone();
    let handler = tower::service_fn(move |request: Request<Body>| {
        let auth = auth.clone();
        async move {
            let (mut parts, _) = request.into_parts();
            let verified = <Verified<Access> as FromRequestParts<PasetoAuth>>::from_request_parts(
                &mut parts, &auth,
            )
            .await;
            Ok::<_, Infallible>(match verified {
                Ok(_) => StatusCode::OK.into_response(),
                Err(rejection) => rejection.into_response(),
            })
        }
    });
    let mut service = fixture.auth.json_body_layer().limit(2048).layer(handler);
    let request = Request::post("/")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let response = fixture
        .runtime
        .block_on(async { service.ready().await.unwrap().call(request).await.unwrap() });
    let status = response.status();
    assert!(status.is_client_error(), "a body answered {status}");
});
