//! A token's own claims survive what succeeds it: the access token a refresh
//! endpoint issues, and both tokens of a rotation, carry the refresh token's
//! custom claims; a handler can still replace them, and the grant hook
//! re-derives or narrows them, and the scopes, from the app's data at login,
//! refresh and rotation.

use axum::routing::{get, post};
use axum::{Json, Router, extract::State};
use paseto_runtime::denylist::MemoryDenylist;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use paseto_runtime::issue::Occasion;
use paseto_runtime::{
    Access, AuthError, Claims, IssueError, PasetoAuth, RevokeError, TokenPair, paseto_required,
};
use paseto_tests::{key, post as post_with, send_token};
use serde_json::{Map, Value, json};

#[paseto_required(refresh)]
async fn refresh(claims: Claims, State(auth): State<PasetoAuth>) -> Result<String, IssueError> {
    auth.refresh_access(&claims).issue()
}

#[paseto_required(refresh)]
async fn narrowed(claims: Claims, State(auth): State<PasetoAuth>) -> Result<String, IssueError> {
    auth.refresh_access(&claims)
        .claims(&json!({ "role": "viewer" }))
        .issue()
}

#[paseto_required(refresh)]
async fn rotate(
    claims: Claims,
    State(auth): State<PasetoAuth>,
) -> Result<Json<TokenPair>, RevokeError> {
    Ok(Json(auth.rotate(&claims).await?))
}

/// The user's own claims, whatever they are.
type Own = Map<String, Value>;

#[paseto_required]
async fn whoami(claims: Claims<Own>) -> Json<Value> {
    Json(json!({ "sub": claims.subject(), "claims": claims.extra() }))
}

#[paseto_required(refresh)]
async fn whoami_refresh(claims: Claims<Own>) -> Json<Value> {
    Json(json!({ "sub": claims.subject(), "claims": claims.extra() }))
}

fn app() -> (Router, PasetoAuth) {
    let auth = PasetoAuth::builder()
        .local_key(key())
        .denylist(MemoryDenylist::new())
        .build()
        .unwrap();
    let router = Router::new()
        .route("/refresh", post(refresh))
        .route("/narrowed", post(narrowed))
        .route("/rotate", post(rotate))
        .route("/whoami", get(whoami))
        .route("/whoami-refresh", get(whoami_refresh))
        .with_state(auth.clone());
    (router, auth)
}

fn bearer(token: &str) -> [(&'static str, String); 1] {
    [("authorization", format!("Bearer {token}"))]
}

async fn custom_claims(app: &Router, path: &str, token: &str) -> Value {
    let reply = send_token(app, path, token).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.body["claims"].clone()
}

#[tokio::test]
async fn custom_claims_survive_refresh_and_rotation() {
    let (app, auth) = app();
    let mine = json!({ "role": "editor", "tenant": "acme" });
    let refresh_token = auth
        .refresh_token("alice")
        .claims(&mine)
        .scopes(["docs:read"])
        .issue()
        .unwrap();

    let [(name, value)] = bearer(&refresh_token);
    let refreshed = post_with(&app, "/refresh", &[(name, &value)], "").await;
    assert_eq!(refreshed.status, 200, "{refreshed:?}");
    let access = refreshed.body.as_str().unwrap().to_owned();
    assert_eq!(custom_claims(&app, "/whoami", &access).await, mine);

    let narrowed = post_with(&app, "/narrowed", &[(name, &value)], "").await;
    let access = narrowed.body.as_str().unwrap().to_owned();
    assert_eq!(
        custom_claims(&app, "/whoami", &access).await,
        json!({ "role": "viewer", "tenant": "acme" })
    );

    let rotated = post_with(&app, "/rotate", &[(name, &value)], "").await;
    assert_eq!(rotated.status, 200, "{rotated:?}");
    let access = rotated.body["access_token"].as_str().unwrap();
    let refresh = rotated.body["refresh_token"].as_str().unwrap();
    assert_eq!(custom_claims(&app, "/whoami", access).await, mine);
    assert_eq!(custom_claims(&app, "/whoami-refresh", refresh).await, mine);
    let scopes: Vec<String> = auth
        .verify::<paseto_runtime::Access>(access)
        .await
        .unwrap()
        .scopes()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        scopes,
        ["docs:read"],
        "the scope claim is carried as scopes, not as a custom claim"
    );

    // A second rotation, from the rotated refresh token, keeps them too.
    let [(name, value)] = bearer(refresh);
    let again = post_with(&app, "/rotate", &[(name, &value)], "").await;
    let access = again.body["access_token"].as_str().unwrap();
    assert_eq!(custom_claims(&app, "/whoami", access).await, mine);
}

#[paseto_required(refresh)]
async fn refresh_granted(
    claims: Claims,
    State(auth): State<PasetoAuth>,
) -> Result<String, RevokeError> {
    auth.refresh(&claims).await
}

/// What the app knows of its users: each one's role, or an error when the
/// store is down. The hook writes down each occasion it sees.
#[derive(Clone, Default)]
struct Roles {
    by_subject: Arc<Mutex<HashMap<String, String>>>,
    down: Arc<Mutex<bool>>,
    seen: Arc<Mutex<Vec<Occasion>>>,
}

impl Roles {
    fn set(&self, subject: &str, role: Option<&str>) {
        let mut roles = self.by_subject.lock().unwrap();
        match role {
            Some(role) => roles.insert(subject.to_owned(), role.to_owned()),
            None => roles.remove(subject),
        };
    }
}

/// An app whose grant hook sets the `role` claim from `roles`, keeps the
/// `admin` scope for admins alone, and refuses a user it does not know.
fn granting_app(roles: &Roles) -> (Router, PasetoAuth) {
    let hooked = roles.clone();
    let auth = PasetoAuth::builder()
        .local_key(key())
        .denylist(MemoryDenylist::new())
        // No grace: a spent refresh token presented again is reuse.
        .rotation_grace(paseto_runtime::Duration::ZERO)
        .on_grant(move |mut grant| {
            let roles = hooked.clone();
            async move {
                roles.seen.lock().unwrap().push(grant.occasion());
                if *roles.down.lock().unwrap() {
                    return Err(AuthError::UserUnavailable);
                }
                let role = roles
                    .by_subject
                    .lock()
                    .unwrap()
                    .get(grant.subject())
                    .cloned();
                let role = role.ok_or(AuthError::UnknownUser)?;
                grant
                    .scopes
                    .retain(|scope| scope != "admin" || role == "admin");
                grant.claims.insert("role".to_owned(), Value::from(role));
                Ok(grant)
            }
        })
        .build()
        .unwrap();
    let router = Router::new()
        .route("/refresh", post(refresh_granted))
        .route("/rotate", post(rotate))
        .route("/whoami", get(whoami))
        .with_state(auth.clone());
    (router, auth)
}

async fn scopes(auth: &PasetoAuth, access: &str) -> Vec<String> {
    let claims = auth.verify::<Access>(access).await.unwrap();
    claims.scopes().map(str::to_owned).collect()
}

#[tokio::test]
async fn the_grant_hook_decides_claims_and_scopes_at_login_refresh_and_rotation() {
    let roles = Roles::default();
    roles.set("alice", Some("admin"));
    let (app, auth) = granting_app(&roles);
    let pair = auth
        .login("alice")
        .scopes(["docs:read", "admin"])
        .claims(&json!({ "tenant": "acme", "role": "asked-for" }))
        .tokens()
        .await
        .unwrap();
    let at_login = json!({ "role": "admin", "tenant": "acme" });
    assert_eq!(
        custom_claims(&app, "/whoami", &pair.access_token).await,
        at_login
    );
    assert_eq!(
        scopes(&auth, &pair.access_token).await,
        ["docs:read", "admin"]
    );

    // The role changes in the app's data: the next refresh carries it, and
    // the admin scope is gone.
    roles.set("alice", Some("viewer"));
    let [(name, value)] = bearer(&pair.refresh_token);
    let refreshed = post_with(&app, "/refresh", &[(name, &value)], "").await;
    assert_eq!(refreshed.status, 200, "{refreshed:?}");
    let access = refreshed.body.as_str().unwrap();
    let now_viewer = json!({ "role": "viewer", "tenant": "acme" });
    assert_eq!(custom_claims(&app, "/whoami", access).await, now_viewer);
    assert_eq!(scopes(&auth, access).await, ["docs:read"]);

    let rotated = post_with(&app, "/rotate", &[(name, &value)], "").await;
    assert_eq!(rotated.status, 200, "{rotated:?}");
    let access = rotated.body["access_token"].as_str().unwrap();
    assert_eq!(custom_claims(&app, "/whoami", access).await, now_viewer);
    let refresh = rotated.body["refresh_token"].as_str().unwrap();
    let refresh_claims = auth
        .verify::<paseto_runtime::Refresh>(refresh)
        .await
        .unwrap();
    assert_eq!(refresh_claims.scopes().collect::<Vec<_>>(), ["docs:read"]);
    assert_eq!(
        *roles.seen.lock().unwrap(),
        [Occasion::Login, Occasion::Refresh, Occasion::Rotation]
    );
    roles.seen.lock().unwrap().clear();

    // An account gone is refused as the loader refuses it; a store down is 503.
    let [(name, value)] = bearer(refresh);
    *roles.down.lock().unwrap() = true;
    let down = post_with(&app, "/refresh", &[(name, &value)], "").await;
    assert_eq!(down.status, 503, "{down:?}");
    assert_eq!(down.retry_after.as_deref(), Some("5"));
    assert_eq!(down.body, json!({ "detail": "User store is unavailable" }));
    // A rotation the hook refuses leaves the refresh token unspent: once the
    // store is back, the same token rotates (there is no grace for retries).
    let refused = post_with(&app, "/rotate", &[(name, &value)], "").await;
    assert_eq!(refused.status, 503, "{refused:?}");
    *roles.down.lock().unwrap() = false;
    let retried = post_with(&app, "/rotate", &[(name, &value)], "").await;
    assert_eq!(retried.status, 200, "not taken for reuse: {retried:?}");
    let refresh = retried.body["refresh_token"].as_str().unwrap();
    let [(name, value)] = bearer(refresh);
    roles.set("alice", None);
    let gone = post_with(&app, "/rotate", &[(name, &value)], "").await;
    assert_eq!(gone.status, 401, "{gone:?}");
    assert_eq!(gone.body, json!({ "detail": "User not found" }));
    let login = auth.login("alice").tokens().await.unwrap_err();
    assert_eq!(login.to_string(), "User not found");
}
