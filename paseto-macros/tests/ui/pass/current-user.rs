use axum::{Router, routing::get};
use paseto_runtime::{Claims, CurrentUser, LoadUser, PasetoAuth, keys::LocalKey, paseto_required};

#[derive(Clone)]
struct Account {
    name: String,
}

impl LoadUser for Account {
    type State = PasetoAuth;
    type Error = std::convert::Infallible;

    async fn load(claims: &Claims, _: &PasetoAuth) -> Result<Option<Self>, Self::Error> {
        Ok(Some(Self { name: claims.subject().to_owned() }))
    }
}

#[paseto_required]
async fn me(CurrentUser(account): CurrentUser<Account>) -> String {
    account.name
}

#[paseto_required(optional)]
async fn maybe(claims: Option<Claims>, account: Option<CurrentUser<Account>>) -> String {
    format!("{:?} {:?}", claims.map(|c| c.subject().to_owned()), account.map(|a| a.0.name))
}

fn main() {
    let auth = PasetoAuth::builder().local_key(LocalKey::generate().unwrap()).build().unwrap();
    let _app: Router = Router::new()
        .route("/me", get(me))
        .route("/maybe", get(maybe))
        .with_state(auth);
}
