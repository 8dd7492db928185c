//! The application's own user: loaded once per request, by the application's
//! one loader, from the claims the corridor verified.

use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;

use crate::auth::PasetoAuth;
use crate::authentication::authenticate;
use crate::claims::Claims;
use crate::describe::Usage;
use crate::error::AuthError;
use crate::events::{SecurityEvent, raise};
use crate::kind::Access;
use crate::rejection::AuthRejection;

/// How the application finds its user for a verified access token: its one
/// loader, which [`CurrentUser`] calls.
///
/// `State` is what the loader reads, such as a database pool: anything the
/// router's state provides through `FromRef`, as for axum's `State`. `Ok(None)`
/// means no such user (an account deleted or disabled): the request gets 401
/// `invalid_token`, `User not found`, so the account's unexpired tokens stop at
/// once. An error is 503 with `Retry-After` (fail closed, as for the denylist),
/// logged with its cause.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Arc;
///
/// use axum::{Router, extract::FromRef, routing::get};
/// use paseto_runtime::{Claims, CurrentUser, LoadUser, PasetoAuth, keys::LocalKey};
///
/// #[derive(Clone)]
/// struct User {
///     name: String,
/// }
///
/// #[derive(Clone, Default)]
/// struct Users(Arc<HashMap<String, User>>);
///
/// impl LoadUser for User {
///     type State = Users;
///     type Error = std::convert::Infallible;
///
///     async fn load(claims: &Claims, users: &Users) -> Result<Option<Self>, Self::Error> {
///         Ok(users.0.get(claims.subject()).cloned())
///     }
/// }
///
/// async fn me(CurrentUser(user): CurrentUser<User>) -> String {
///     user.name
/// }
///
/// #[derive(Clone)]
/// struct AppState {
///     auth: PasetoAuth,
///     users: Users,
/// }
///
/// impl FromRef<AppState> for PasetoAuth {
///     fn from_ref(state: &AppState) -> Self {
///         state.auth.clone()
///     }
/// }
///
/// impl FromRef<AppState> for Users {
///     fn from_ref(state: &AppState) -> Self {
///         state.users.clone()
///     }
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?;
/// let app: Router = Router::new()
///     .route("/me", get(me))
///     .with_state(AppState { auth, users: Users::default() });
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no user loader",
    label = "no `impl LoadUser for {Self}`",
    note = "`CurrentUser<{Self}>` loads the user with `<{Self} as paseto_runtime::LoadUser>::load`: implement it"
)]
pub trait LoadUser: Clone + Send + Sync + Sized + 'static {
    /// What the loader reads (a database pool, a user store), taken from the
    /// router's state with `FromRef`.
    type State: Send + Sync;
    /// Why the store could not answer.
    type Error: std::fmt::Display + Send;

    /// The user of verified access-token `claims`, or `None` when there is none.
    fn load(
        claims: &Claims,
        state: &Self::State,
    ) -> impl Future<Output = Result<Option<Self>, Self::Error>> + Send;
}

/// Extracts the application's user `U` for the request's access token: the
/// token goes through the same checks as [`Verified`](crate::Verified), then
/// `U`'s [`LoadUser::load`] finds the user, once per request however many
/// extractors ask. As `Option<CurrentUser<U>>`, no token gives `None`.
#[derive(Debug, Clone)]
pub struct CurrentUser<U>(pub U);

/// A user loaded for this request, kept for the next extractor that asks
/// under the same configuration (a request carries one token).
#[derive(Clone)]
struct Loaded<U> {
    user: U,
    /// The configuration that verified the token (its settings' address).
    config: usize,
}

impl<S, U> OptionalFromRequestParts<S> for CurrentUser<U>
where
    PasetoAuth: FromRef<S>,
    U::State: FromRef<S>,
    S: Send + Sync,
    U: LoadUser,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let auth = PasetoAuth::from_ref(state);
        current_user::<U>(&auth, parts, &U::State::from_ref(state), Usage::OPTIONAL).await
    }
}

impl<S, U> FromRequestParts<S> for CurrentUser<U>
where
    PasetoAuth: FromRef<S>,
    U::State: FromRef<S>,
    S: Send + Sync,
    U: LoadUser,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = PasetoAuth::from_ref(state);
        let found =
            current_user::<U>(&auth, parts, &U::State::from_ref(state), Usage::REQUIRED).await?;
        auth.settings.required(found)
    }
}

/// The request's user, if it carries a token; a failure rendered.
async fn current_user<U: LoadUser>(
    auth: &PasetoAuth,
    parts: &mut Parts,
    state: &U::State,
    usage: Usage,
) -> Result<Option<CurrentUser<U>>, AuthRejection> {
    match current::<U>(auth, parts, state, usage).await {
        Ok(user) => Ok(user.map(CurrentUser)),
        Err(error) => Err(auth.settings.reject(error)),
    }
}

/// The request's user for its access token, verified under this
/// configuration: the one already loaded under it, or the loader's answer,
/// kept for the next extractor. `None`: no token.
async fn current<U: LoadUser>(
    auth: &PasetoAuth,
    parts: &mut Parts,
    state: &U::State,
    usage: Usage,
) -> Result<Option<U>, AuthError> {
    let config = std::sync::Arc::as_ptr(&auth.settings) as usize;
    if let Some(loaded) = parts.extensions.get::<Loaded<U>>()
        && loaded.config == config
    {
        return Ok(Some(loaded.user.clone()));
    }
    let Some(claims) = authenticate::<Access, (), &str>(auth, parts, &[], usage).await? else {
        return Ok(None);
    };
    let user = load::<U>(auth, &claims, state).await?;
    parts.extensions.insert(Loaded {
        user: user.clone(),
        config,
    });
    Ok(Some(user))
}

/// The loader's user for verified `claims`: a user that is gone is
/// [`AuthError::UnknownUser`] (and a security event), a loader that fails
/// [`AuthError::UserUnavailable`], logged.
pub(crate) async fn load<U: LoadUser>(
    auth: &PasetoAuth,
    claims: &Claims,
    state: &U::State,
) -> Result<U, AuthError> {
    match U::load(claims, state).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => {
            raise(auth.settings.events.as_ref(), || {
                SecurityEvent::UserNotFound {
                    subject: claims.subject().to_owned(),
                }
            });
            Err(AuthError::UnknownUser)
        }
        Err(error) => {
            tracing::error!(%error, "paseto: the user loader could not answer");
            Err(AuthError::UserUnavailable)
        }
    }
}
