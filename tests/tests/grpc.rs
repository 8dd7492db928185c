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

/// A user the app knows, by its subject.
#[derive(Clone)]
struct Named(String);

impl paseto_runtime::LoadUser for Named {
    type State = ();
    type Error = Infallible;

    async fn load(claims: &paseto_runtime::Claims, (): &()) -> Result<Option<Self>, Infallible> {
        Ok((claims.subject() == "alice").then(|| Self("Alice Liddell".to_owned())))
    }
}

#[tokio::test]
async fn a_method_loads_the_apps_user() {
    let auth = PasetoAuth::builder().local_key(key()).build().unwrap();
    let loader = auth.clone();
    let method = service_fn(move |request: Request<String>| {
        let auth = loader.clone();
        async move {
            let (code, name) = match auth.grpc_user::<Named>(request.extensions(), &()).await {
                Ok(Named(name)) => ("0".to_owned(), name),
                Err(error) => (
                    paseto_runtime::layer::grpc_code(&error).to_string(),
                    error.to_string(),
                ),
            };
            let response = Response::builder()
                .header("grpc-status", code)
                .header("x-user", name)
                .body(String::new())
                .unwrap();
            Ok::<_, Infallible>(response)
        }
    });
    let service = guard(&auth).layer(method);
    for (subject, expected) in [
        ("alice", ("0", "Alice Liddell")),
        ("bob", ("16", "User not found")),
    ] {
        let token = auth.access_token(subject).issue().unwrap();
        let request = Request::post(WHO_AM_I)
            .header("authorization", format!("Bearer {token}"))
            .body(String::new())
            .unwrap();
        let response = service.clone().oneshot(request).await.unwrap();
        let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(
            (header("grpc-status"), header("x-user")),
            (expected.0.into(), expected.1.into())
        );
    }
}

#[test]
fn method_paths_scopes_and_repeats_are_checked_when_the_guard_is_built() {
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
    // A later line cannot quietly make a guarded method public.
    let loosened = auth
        .grpc_guard()
        .method(ADMIN, Need::Access(vec!["admin".into()]))
        .method(ADMIN, Need::Nothing)
        .build();
    assert!(loosened.is_err());
}

mod over_tcp {
    //! The gRPC example over TCP with a real tonic client, beside the HTTP
    //! example app on one configuration: the same token works on both, and a
    //! logout on one ends a stream on the other.

    use example_grpc::proto::WhoAmIRequest;
    use example_grpc::proto::greeter_client::GreeterClient;
    use paseto_runtime::PasetoAuth;
    use paseto_runtime::denylist::MemoryDenylist;
    use paseto_tests::key;
    use tonic::transport::Channel;
    use tonic::{Code, Request};

    /// Serves the gRPC example with `auth` on a free loopback port; a client for it.
    async fn serve(auth: PasetoAuth) -> GreeterClient<Channel> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        let server = tonic::transport::Server::builder()
            .layer(example_grpc::guard(&auth).unwrap())
            .add_service(example_grpc::service(auth))
            .serve_with_incoming(incoming);
        tokio::spawn(server);
        GreeterClient::connect(format!("http://{addr}"))
            .await
            .unwrap()
    }

    /// A request carrying each of `tokens` in its own `authorization` entry.
    fn request(tokens: &[&str]) -> Request<WhoAmIRequest> {
        let mut request = Request::new(WhoAmIRequest {});
        for token in tokens {
            let value = format!("Bearer {token}").parse().unwrap();
            request.metadata_mut().append("authorization", value);
        }
        request
    }

    fn config() -> PasetoAuth {
        PasetoAuth::builder()
            .local_key(key())
            .denylist(MemoryDenylist::new())
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn a_real_client_meets_each_status() {
        let auth = config();
        let mut client = serve(auth.clone()).await;
        let access = auth.access_token("alice").issue().unwrap();
        let admin = auth.access_token("root").scopes(["admin"]).issue().unwrap();
        let refresh = auth.refresh_token("alice").issue().unwrap();

        let reply = client.who_am_i(request(&[&access])).await.unwrap();
        assert_eq!(reply.into_inner().user, "alice");
        assert_eq!(
            client
                .admin(request(&[&admin]))
                .await
                .unwrap()
                .into_inner()
                .user,
            "root"
        );

        let cases = [
            (
                request(&[]),
                Code::Unauthenticated,
                "PASETO Authorization Token required",
            ),
            (
                request(&[&refresh]),
                Code::Unauthenticated,
                "Access token required but refresh provided",
            ),
        ];
        for (request, code, message) in cases {
            let status = client.who_am_i(request).await.unwrap_err();
            assert_eq!((status.code(), status.message()), (code, message));
        }
        let twice = client
            .who_am_i(request(&[&access, &access]))
            .await
            .unwrap_err();
        assert_eq!(twice.code(), Code::Unauthenticated, "{twice:?}");
        let denied = client.admin(request(&[&access])).await.unwrap_err();
        assert_eq!(
            (denied.code(), denied.message()),
            (Code::PermissionDenied, "Insufficient scope")
        );
    }

    #[tokio::test]
    async fn a_stream_ends_with_its_token_revoked_on_the_http_app() {
        let auth = config();
        let mut client = serve(auth.clone()).await;
        let http = paseto_tests::App::start(auth.clone()).await;
        let (access, _) = http.login().await;
        paseto_tests::ok_user(&http.get("/protected", &access).await);

        let mut stream = client
            .watch(request(&[&access]))
            .await
            .unwrap()
            .into_inner();
        let first = stream.message().await.unwrap().unwrap();
        assert_eq!(first.user, "test");
        let reply = http.post("/logout", &access, None).await;
        assert_eq!(reply.0, reqwest::StatusCode::OK, "{reply:?}");
        let ended = tokio::time::timeout(std::time::Duration::from_secs(2), async {
            loop {
                match stream.message().await {
                    Ok(Some(_)) => {}
                    Ok(None) => panic!("the stream ended without a status"),
                    Err(status) => return status,
                }
            }
        })
        .await
        .expect("ended within 2 s");
        assert_eq!(
            (ended.code(), ended.message()),
            (Code::Unauthenticated, "Token has been revoked")
        );
    }

    #[tokio::test]
    async fn a_stream_ends_when_its_token_expires() {
        let auth = config();
        let mut client = serve(auth.clone()).await;
        let short = auth
            .access_token("alice")
            .expires_in(paseto_runtime::Duration::seconds(2))
            .issue()
            .unwrap();
        let mut stream = client.watch(request(&[&short])).await.unwrap().into_inner();
        let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            loop {
                if let Err(status) = stream.message().await {
                    return status;
                }
            }
        })
        .await
        .expect("ended within 5 s");
        assert_eq!(
            (ended.code(), ended.message()),
            (Code::Unauthenticated, "Token expired")
        );
    }

    #[tokio::test]
    async fn redis_down_is_unavailable() {
        let Some(mut server) = paseto_tests::RedisServer::start().await else {
            return;
        };
        let denylist = paseto_runtime::denylist::RedisDenylist::new(&server.url())
            .unwrap()
            .mirror(false);
        let auth = PasetoAuth::builder()
            .local_key(key())
            .denylist(denylist)
            .build()
            .unwrap();
        let mut client = serve(auth.clone()).await;
        let access = auth.access_token("alice").issue().unwrap();
        assert_eq!(
            client
                .who_am_i(request(&[&access]))
                .await
                .unwrap()
                .into_inner()
                .user,
            "alice"
        );
        server.stop();
        let status = client.who_am_i(request(&[&access])).await.unwrap_err();
        assert_eq!(
            (status.code(), status.message()),
            (Code::Unavailable, "Token revocation status is unavailable")
        );
        assert_eq!(
            status.metadata().get("grpc-retry-pushback-ms").unwrap(),
            "5000"
        );
    }

    #[tokio::test]
    async fn grpc_web_passes_through_the_same_guard() {
        let auth = config();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        let server = tonic::transport::Server::builder()
            .accept_http1(true)
            .layer(tonic_web::GrpcWebLayer::new())
            .layer(example_grpc::guard(&auth).unwrap())
            .add_service(example_grpc::service(auth.clone()))
            .serve_with_incoming(incoming);
        tokio::spawn(server);
        let access = auth.access_token("alice").issue().unwrap();
        let url = format!("http://{addr}/paseto.example.v1.Greeter/WhoAmI");
        let call = |token: Option<&str>| {
            let mut request = reqwest::Client::new()
                .post(&url)
                .header("content-type", "application/grpc-web+proto")
                .header("x-grpc-web", "1")
                .body(vec![0_u8, 0, 0, 0, 0]);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.send()
        };
        let answered = call(Some(&access)).await.unwrap();
        assert_eq!(answered.status(), reqwest::StatusCode::OK);
        let body = answered.bytes().await.unwrap();
        assert!(
            body.windows(5).any(|w| w == b"alice"),
            "the reply names the user"
        );
        assert!(body.windows(13).any(|w| w == b"grpc-status:0"), "{body:?}");
        let refused = call(None).await.unwrap();
        let status = refused
            .headers()
            .get("grpc-status")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = refused.bytes().await.unwrap();
        let in_trailer = body.windows(14).any(|w| w == b"grpc-status:16");
        assert!(
            status.as_deref() == Some("16") || in_trailer,
            "{status:?} {body:?}"
        );
    }
}
