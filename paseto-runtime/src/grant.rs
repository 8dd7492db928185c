//! [`Grant`]: what new tokens carry beyond their subject, which the
//! application's hook may change at login, refresh and rotation.

use std::sync::Arc;

use serde_json::{Map, Value};

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
    pub(crate) subject: String,
    pub(crate) occasion: Occasion,
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
