//! The grant hook at work: what a login's and a successor's tokens carry.

use serde_json::{Map, Value};

use super::{IssueError, TokenBuilder};
use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::grant::{Grant, Occasion};

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
