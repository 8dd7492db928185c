//! [`Grant`]: what new tokens carry beyond their subject, and the
//! application's hook that decides it at login, refresh and rotation.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{IssueError, TokenBuilder};
use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::denylist::BoxFuture;
use crate::error::AuthError;

/// When tokens are granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Occasion {
    /// A login: a new session's first pair.
    Login,
    /// A refresh token buys an access token.
    Refresh,
    /// A refresh token is rotated for a new pair.
    Rotation,
}

/// The scopes and custom claims of the tokens about to be issued, handed to the
/// [`on_grant`](crate::config::PasetoAuthBuilder::on_grant) hook, which may
/// change them. At login they are what the login asked for; at a refresh or
/// rotation, what the refresh token carries.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Grant {
    subject: String,
    occasion: Occasion,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The custom claims, without the registered ones nor the scope claim.
    pub claims: Map<String, Value>,
}

impl Grant {
    /// The subject the tokens are for.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Whether this is a login, a refresh or a rotation.
    pub fn occasion(&self) -> Occasion {
        self.occasion
    }
}

/// The application's hook: the grant as it will be issued, or the rejection
/// that refuses it.
pub(crate) type GrantHook =
    Arc<dyn Fn(Grant) -> BoxFuture<'static, Result<Grant, AuthError>> + Send + Sync>;

impl PasetoAuth {
    /// What a login for `subject` asking for `scopes` and `claims` is
    /// granted: the hook's answer, or the request as it is.
    pub(crate) async fn granted(
        &self,
        subject: &str,
        scopes: Vec<String>,
        claims: Map<String, Value>,
    ) -> Result<Grant, IssueError> {
        let grant = Grant {
            subject: subject.to_owned(),
            occasion: Occasion::Login,
            scopes,
            claims,
        };
        match &self.settings.grant {
            Some(hook) => hook(grant)
                .await
                .map_err(|e| IssueError::Rejected(self.reject(e))),
            None => Ok(grant),
        }
    }

    /// What the successors of `previous` are granted on `occasion`: `None`
    /// without a hook, when they carry what `previous` carries.
    pub(crate) async fn granted_after<T>(
        &self,
        previous: &Claims<T>,
        occasion: Occasion,
    ) -> Result<Option<Grant>, IssueError> {
        let Some(hook) = &self.settings.grant else {
            return Ok(None);
        };
        let grant = Grant {
            subject: previous.subject().to_owned(),
            occasion,
            scopes: previous.scopes().map(str::to_owned).collect(),
            claims: previous.custom(&self.settings.options.scope_claim),
        };
        match hook(grant).await {
            Ok(grant) => Ok(Some(grant)),
            Err(error) => Err(IssueError::Rejected(self.reject(error))),
        }
    }
}

impl<K> TokenBuilder<'_, K> {
    /// The token carries `grant`'s scopes and claims in place of any it had.
    pub(crate) fn granted(mut self, grant: Option<&Grant>) -> Self {
        let Some(grant) = grant else { return self };
        self.scopes.clear();
        self.extra.clear();
        self.scopes(grant.scopes.iter().cloned())
            .claims(&grant.claims)
    }
}
