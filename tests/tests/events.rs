//! Security events: each reaches the application's hook as it happens, with
//! subject and session where it has them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use paseto_runtime::config::PasetoAuthBuilder;
use paseto_runtime::denylist::MemoryDenylist;
use paseto_runtime::keys::LocalKey;
use paseto_runtime::{
    Claims, CurrentUser, LoadUser, PasetoAuth, RevokeError, SecurityEvent, paseto_required,
};
use paseto_tests::{key, post as post_with, send_token};

/// The events a configuration raised, in order.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<SecurityEvent>>>);

impl Seen {
    fn hooked(&self, builder: PasetoAuthBuilder) -> PasetoAuthBuilder {
        let seen = self.clone();
        builder.on_event(move |event| seen.0.lock().unwrap().push(event.clone()))
    }

    fn take(&self) -> Vec<SecurityEvent> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[paseto_required]
async fn protected(claims: Claims) -> String {
    claims.subject().to_owned()
}

#[paseto_required(refresh)]
async fn rotate(claims: Claims, State(auth): State<PasetoAuth>) -> Result<String, RevokeError> {
    Ok(auth.rotate(&claims).await?.refresh_token)
}

#[derive(Clone)]
struct Nobody;

impl LoadUser for Nobody {
    type State = PasetoAuth;
    type Error = std::convert::Infallible;

    async fn load(_: &Claims, _: &PasetoAuth) -> Result<Option<Self>, Self::Error> {
        Ok(None)
    }
}

async fn me(_: CurrentUser<Nobody>) -> &'static str {
    "never"
}

fn app(auth: &PasetoAuth) -> Router {
    Router::new()
        .route("/protected", get(protected))
        .route("/rotate", post(rotate))
        .route("/me", get(me))
        .with_state(auth.clone())
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn each_security_event_reaches_the_hook() {
    let seen = Seen::default();
    let auth = seen
        .hooked(
            PasetoAuth::builder()
                .local_key(key())
                .denylist(MemoryDenylist::new()),
        )
        .build()
        .unwrap();
    let router = app(&auth);
    let pair = auth.login_tokens("alice").await.unwrap();
    let session = auth
        .verify::<paseto_runtime::Refresh>(&pair.refresh_token)
        .await
        .unwrap()
        .family_id()
        .to_owned();

    // A refresh token rotated, then presented again past the grace period.
    let auth_no_grace = seen
        .hooked(
            PasetoAuth::builder()
                .local_key(key())
                .denylist(MemoryDenylist::new())
                .rotation_grace(paseto_runtime::Duration::ZERO),
        )
        .build()
        .unwrap();
    let strict = app(&auth_no_grace);
    let value = bearer(&pair.refresh_token);
    let first = post_with(&strict, "/rotate", &[("authorization", &value)], "").await;
    assert_eq!(first.status, 200, "{first:?}");
    let again = post_with(&strict, "/rotate", &[("authorization", &value)], "").await;
    assert_eq!(again.status, 401, "{again:?}");
    let reuse = SecurityEvent::RefreshReuse {
        subject: "alice".to_owned(),
        session: session.clone(),
    };
    assert_eq!(seen.take(), [reuse]);

    // A revoked token presented.
    let access = auth
        .verify::<paseto_runtime::Access>(&pair.access_token)
        .await
        .unwrap();
    auth.revoke(&access).await.unwrap();
    send_token(&router, "/protected", &pair.access_token)
        .await
        .assert_rejected(
            401,
            r#"Bearer error="invalid_token""#,
            "Token has been revoked",
        );
    let revoked = SecurityEvent::RevokedToken {
        subject: "alice".to_owned(),
        session,
    };
    assert_eq!(seen.take(), [revoked]);

    // A token under a key this service does not hold.
    let other = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .build()
        .unwrap();
    let foreign = other.access_token("mallory").issue().unwrap();
    send_token(&router, "/protected", &foreign)
        .await
        .assert_rejected(401, r#"Bearer error="invalid_token""#, "Unknown key id");
    assert_eq!(seen.take(), [SecurityEvent::UnknownKeyId]);

    // A valid token whose user the loader does not find.
    let token = auth.access_token("ghost").issue().unwrap();
    send_token(&router, "/me", &token).await.assert_rejected(
        401,
        r#"Bearer error="invalid_token""#,
        "User not found",
    );
    let missing = SecurityEvent::UserNotFound {
        subject: "ghost".to_owned(),
    };
    assert_eq!(seen.take(), [missing]);

    // Nothing is raised for a request that passes, nor for plain bad input.
    let good = auth.access_token("bob").issue().unwrap();
    send_token(&router, "/protected", &good)
        .await
        .assert_ok("bob");
    send_token(&router, "/protected", "v4.local.garbage").await;
    assert_eq!(seen.take(), []);
}

#[tokio::test]
async fn an_outage_is_raised_once_and_so_is_the_recovery() {
    let seen = Seen::default();
    let down = Arc::new(AtomicBool::new(true));
    let store = Arc::clone(&down);
    let auth = seen
        .hooked(
            PasetoAuth::builder()
                .local_key(key())
                .revocation_check(move |_: &Claims| {
                    let down = store.load(Ordering::SeqCst);
                    async move {
                        if down {
                            Err("connection refused".into())
                        } else {
                            Ok::<bool, Box<dyn std::error::Error + Send + Sync>>(false)
                        }
                    }
                }),
        )
        .build()
        .unwrap();
    let router = app(&auth);
    let token = auth.access_token("alice").issue().unwrap();
    for _ in 0..3 {
        assert_eq!(send_token(&router, "/protected", &token).await.status, 503);
    }
    down.store(false, Ordering::SeqCst);
    send_token(&router, "/protected", &token)
        .await
        .assert_ok("alice");
    send_token(&router, "/protected", &token)
        .await
        .assert_ok("alice");
    let outage = SecurityEvent::StoreOutage {
        cause: "the denylist is unavailable: connection refused".to_owned(),
    };
    assert_eq!(seen.take(), [outage, SecurityEvent::StoreRecovered]);
}
