//! The one corridor every request takes: [`authenticate`] finds the token,
//! verifies it, asks the revocation check, checks its kind and freshness, the
//! CSRF and origin rules of a cookie, and the scopes. The extractors, the
//! attributes' guards and [`RequireLayer`](crate::layer::RequireLayer) all call
//! it; they differ only in what they do with its answer.

use std::sync::{Arc, Mutex, PoisonError};

use http::request::Parts;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::csrf;
use crate::describe::{self, Describe, Mark, Usage};
use crate::error::AuthError;
use crate::kind::{ACCESS, TokenKind, TokenType};
use crate::rejection::AuthRejection;
use crate::scope;
use crate::settings::TokenSource;
use crate::source;
use crate::verify::{extra_of, of_kind};

/// Authenticates a request for a token of kind `K` that must also carry
/// `scopes`, reading the user's claims as `T`. `Ok(None)`: the request carries
/// no token for this kind (the caller decides whether that is allowed, and
/// says in `usage` what it will decide, for a route describing itself).
///
/// The claims a layer above verified for this kind's type are taken over, not
/// verified again; another type's are left for whoever asks for that type.
pub(crate) async fn authenticate<K, T, S>(
    auth: &PasetoAuth,
    parts: &mut Parts,
    scopes: &[S],
    usage: Usage,
) -> Result<Option<Claims<T>>, AuthError>
where
    K: TokenKind,
    T: DeserializeOwned,
    S: AsRef<str>,
{
    let settings = &auth.settings;
    Describe::note(&parts.extensions, |marks| {
        Mark::Guard(describe::guard::<K, S>(
            settings,
            &parts.method,
            scopes,
            usage,
            marks,
        ))
    });
    let wanted = TokenType::of(K::TOKEN_TYPE);
    if let Some(done) = parts.extensions.remove::<Authenticated>() {
        if done.token_type == wanted {
            of_kind::<K>(&done.claims)?;
            let extra = extra_of::<T>(&done.claims.registered.payload.0)?;
            scope::must_hold(&done.claims, scopes)?;
            return Ok(Some(done.claims.replace_extra(extra).0));
        }
        parts.extensions.insert(done);
    }
    let Some((token, via)) = source::find(settings, parts, wanted)? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc();
    let (claims, extra) = auth.authenticate::<T>(&token, now)?;
    auth.admit::<K>(&claims, now).await?;
    let extra = extra.ok_or(AuthError::UnexpectedClaims)?;
    let claims = accept(parts, via, claims.replace_extra(extra).0, auth)?;
    scope::must_hold(&claims, scopes)?;
    Ok(Some(claims))
}

/// What a request must also pass once its token verified: for a cookie, the
/// CSRF and origin checks; the scopes of pass-through layers above; and a
/// cookie's access token is recorded for a sliding session, where the layer
/// runs.
fn accept<T>(
    parts: &Parts,
    via: TokenSource,
    claims: Claims<T>,
    auth: &PasetoAuth,
) -> Result<Claims<T>, AuthError> {
    if via == TokenSource::Cookie {
        csrf::enforce(&auth.settings, parts, &claims)?;
    }
    if let Some(PendingScopes(pending)) = parts.extensions.get() {
        for (token_type, scopes) in pending {
            if claims.token_type() == *token_type {
                scope::must_hold(&claims, scopes)?;
            }
        }
    }
    if via == TokenSource::Cookie
        && claims.token_type() == ACCESS
        && let Some(session) = parts.extensions.get::<CookieSession>()
    {
        session.record(&claims);
    }
    Ok(claims)
}

/// The claims a [`RequireLayer`](crate::layer::RequireLayer) verified for a
/// request, kept in its extensions for the extractors below it.
#[derive(Clone)]
pub(crate) struct Authenticated {
    /// The claims, with the payload the user's own claims are read from.
    pub(crate) claims: Claims,
    /// Which type the layer looked for: an extractor for another (a refresh
    /// guard under an access layer) finds its own.
    pub(crate) token_type: TokenType,
}

/// The scopes of pass-through [`RequireLayer`](crate::layer::RequireLayer)s
/// that let a request through without a token, with the token type each layer
/// is for: a token of that type that an extractor below them finds must hold
/// them all.
#[derive(Clone)]
pub(crate) struct PendingScopes(pub(crate) Vec<(&'static str, Arc<[String]>)>);

/// Where the corridor leaves the claims of a cookie-authenticated access token
/// for the sliding session layer around the route.
#[derive(Clone, Default)]
pub(crate) struct CookieSession(Arc<Mutex<Option<Claims>>>);

impl CookieSession {
    /// Records the claims a cookie authenticated.
    fn record<T>(&self, claims: &Claims<T>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(claims.without_extra());
    }

    /// The claims recorded, if a cookie authenticated the request.
    pub(crate) fn take(&self) -> Option<Claims> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

impl PasetoAuth {
    /// Refuses claims that lack any of `required` with 403
    /// `Bearer error="insufficient_scope", scope="…"`, rendered as this
    /// configuration renders rejections: the check
    /// `#[paseto_required(scopes = [...])]` makes, for handlers that take
    /// [`Verified`](crate::Verified) instead.
    ///
    /// ```
    /// use paseto_runtime::{Access, PasetoAuth, keys::LocalKey};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?;
    /// let token = auth.access_token("alice").scopes(["orders:read"]).issue()?;
    /// let claims = auth.verify::<Access>(&token).await?;
    /// assert!(auth.require_scopes(&claims, &["orders:read"]).is_ok());
    /// assert!(auth.require_scopes(&claims, &["orders:write"]).is_err());
    /// # Ok(()) }
    /// ```
    pub fn require_scopes<T>(
        &self,
        claims: &Claims<T>,
        required: &[&str],
    ) -> Result<(), AuthRejection> {
        scope::must_hold(claims, required).map_err(|error| self.settings.reject(error))
    }
}
