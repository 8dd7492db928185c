//! The grant hook at work: what a login's and a successor's tokens carry.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::{IssueError, TokenBuilder};
use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::grant::{Grant, Occasion};
use crate::kind::Access;

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

impl PasetoAuth {
    /// The access token that succeeds `previous` at `now` on `occasion` (a
    /// refresh, a sliding renewal): [`refresh_access`](Self::refresh_access)
    /// with what the grant hook decides, issued at `now`.
    pub(crate) async fn granted_access<T>(
        &self,
        previous: &Claims<T>,
        occasion: Occasion,
        now: OffsetDateTime,
    ) -> Result<TokenBuilder<'_, Access>, IssueError> {
        let grant = self.granted_after(previous, occasion).await?;
        let mut access = self.refresh_access(previous).granted(grant.as_ref());
        access.times.issued_at = Some(now);
        Ok(access)
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
