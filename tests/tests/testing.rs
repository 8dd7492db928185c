//! The README's "Testing your handlers": how an application tests its guarded
//! handlers with `paseto_runtime::testing`, one answer per case.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use paseto_runtime::testing::{self, OffsetDateTime, TokenTimes};
use paseto_runtime::{Claims, Duration, PasetoAuth, paseto_required};
use tower::ServiceExt;

#[paseto_required(scopes = ["reports:read"])]
async fn reports(claims: Claims) -> String {
    format!("reports for {}", claims.subject())
}

fn app(auth: PasetoAuth) -> Router {
    Router::new()
        .route("/reports", get(reports))
        .with_state(auth)
}

/// The status and `WWW-Authenticate` of `GET /reports` with `token`.
async fn call(auth: &PasetoAuth, token: &str) -> (StatusCode, Option<String>) {
    let request = Request::get("/reports")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app(auth.clone()).oneshot(request).await.unwrap();
    let challenge = response.headers().get(header::WWW_AUTHENTICATE);
    let challenge = challenge.map(|value| value.to_str().unwrap().to_owned());
    (response.status(), challenge)
}

#[tokio::test]
async fn every_answer_of_a_guarded_handler() {
    let auth = testing::auth();
    let now = OffsetDateTime::now_utc();
    let reader = || auth.access_token("alice").scopes(["reports:read"]);

    let good = reader().issue().unwrap();
    assert_eq!(call(&auth, &good).await.0, StatusCode::OK);

    let expired = reader()
        .expires_at(now - Duration::minutes(1))
        .issue()
        .unwrap();
    let early = reader()
        .not_before(now + Duration::hours(1))
        .issue()
        .unwrap();
    let stale = reader().issued_at(now - Duration::days(1)).issue().unwrap();
    for token in [expired, early, stale] {
        let invalid = Some(r#"Bearer error="invalid_token""#.to_owned());
        assert_eq!(
            call(&auth, &token).await,
            (StatusCode::UNAUTHORIZED, invalid)
        );
    }

    let unscoped = auth.access_token("alice").issue().unwrap();
    let insufficient = r#"Bearer error="insufficient_scope", scope="reports:read""#;
    assert_eq!(
        call(&auth, &unscoped).await,
        (StatusCode::FORBIDDEN, Some(insufficient.to_owned()))
    );

    let someone_else = testing::auth().access_token("alice").issue().unwrap();
    assert_eq!(call(&auth, &someone_else).await.0, StatusCode::UNAUTHORIZED);
}
