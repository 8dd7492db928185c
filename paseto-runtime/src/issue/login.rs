//! [`Login`]: a new session, its pair of tokens and its record.

use std::net::IpAddr;

use http::HeaderMap;
use http::header::USER_AGENT;
use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::{IssueError, TokenPair};
use crate::auth::PasetoAuth;
use crate::denylist::{Session, user_agent};

/// A login being issued: see [`PasetoAuth::login`]. Await
/// [`tokens`](Self::tokens) for a [`TokenPair`], or
/// [`cookies`](Self::cookies) for a browser's cookies.
#[must_use = "a login issues nothing until `tokens` or `cookies` is awaited"]
pub struct Login<'a> {
    pub(crate) auth: &'a PasetoAuth,
    subject: String,
    scopes: Vec<String>,
    claims: Map<String, Value>,
    user_agent: Option<String>,
    ip: Option<IpAddr>,
    error: Option<IssueError>,
}

impl PasetoAuth {
    /// Starts a login of `subject`: a new session (a refresh family) whose
    /// first pair is a fresh access token and a refresh token. The
    /// [`on_grant`](crate::config::PasetoAuthBuilder::on_grant) hook decides
    /// what they carry, and with a denylist the session is kept, to be listed
    /// by [`sessions`](Self::sessions) and ended by
    /// [`end_session`](Self::end_session).
    ///
    /// ```
    /// use paseto_runtime::{PasetoAuth, keys::LocalKey};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?;
    /// let pair = auth
    ///     .login("alice")
    ///     .scopes(["read"])
    ///     .claims(&serde_json::json!({ "role": "editor" }))
    ///     .user_agent("Firefox/140.0")
    ///     .tokens()
    ///     .await?;
    /// # let _ = pair;
    /// # Ok(()) }
    /// ```
    pub fn login(&self, subject: impl Into<String>) -> Login<'_> {
        Login {
            auth: self,
            subject: subject.into(),
            scopes: Vec::new(),
            claims: Map::new(),
            user_agent: None,
            ip: None,
            error: None,
        }
    }

    /// A login's pair for `subject`, with no scopes nor claims beyond what
    /// the grant hook adds: [`login`](Self::login)`(subject).tokens()`.
    pub async fn login_tokens(&self, subject: &str) -> Result<TokenPair, IssueError> {
        self.login(subject).tokens().await
    }
}

impl Login<'_> {
    /// Grants `scopes` to both tokens and to every token refreshed or rotated
    /// from them.
    pub fn scopes<I>(mut self, scopes: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let scopes = scopes.into_iter();
        self.scopes
            .extend(scopes.map(|scope| scope.as_ref().to_owned()));
        self
    }

    /// Adds custom claims (a struct or map serializing to a JSON object) to
    /// both tokens; refreshing and rotating carry them on.
    pub fn claims(mut self, claims: &impl Serialize) -> Self {
        match serde_json::to_value(claims) {
            Ok(Value::Object(map)) => self.claims.extend(map),
            _ => {
                self.error.get_or_insert(IssueError::ClaimsNotObject);
            }
        }
        self
    }

    /// The client's `User-Agent`, which the session keeps (cut to
    /// [`MAX_USER_AGENT_LEN`](crate::denylist::MAX_USER_AGENT_LEN) bytes).
    pub fn user_agent(mut self, agent: &str) -> Self {
        self.user_agent = Some(user_agent(agent));
        self
    }

    /// The `User-Agent` of a request's `headers`, if it has a readable one.
    pub fn headers(self, headers: &HeaderMap) -> Self {
        match headers.get(USER_AGENT).and_then(|v| v.to_str().ok()) {
            Some(agent) => self.user_agent(agent),
            None => self,
        }
    }

    /// The client's address, which the session keeps.
    pub fn ip(mut self, ip: IpAddr) -> Self {
        self.ip = Some(ip);
        self
    }

    /// Issues the pair and keeps the session.
    pub async fn tokens(self) -> Result<TokenPair, IssueError> {
        self.pair(None).await
    }

    /// Issues the pair, each token with its CSRF value when given, and keeps
    /// the session.
    pub(crate) async fn pair(self, csrf: Option<[&str; 2]>) -> Result<TokenPair, IssueError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let auth = self.auth;
        let grant = auth
            .granted(&self.subject, self.scopes, self.claims)
            .await?;
        let family = uuid::Uuid::new_v4().hyphenated().to_string();
        let now = OffsetDateTime::now_utc();
        let mut access = (auth.access_token(&self.subject).fresh(true).family(&family))
            .granted(Some(&grant))
            .authenticated_at(now);
        let mut refresh = (auth.refresh_token(&self.subject).family(&family))
            .granted(Some(&grant))
            .authenticated_at(now);
        if let Some([access_csrf, refresh_csrf]) = csrf {
            access = access.csrf(access_csrf);
            refresh = refresh.csrf(refresh_csrf);
        }
        // Both tokens, and the session, name one time: a "log out
        // everywhere" before it ends all three, one after it none.
        let pair = TokenPair {
            access_token: access.issue_at(now)?,
            refresh_token: refresh.issue_at(now)?,
        };
        let session = Session {
            id: family,
            subject: self.subject,
            created_at: now,
            refreshed_at: now,
            user_agent: self.user_agent,
            ip: self.ip,
            until: auth.session_end(now),
        };
        auth.open_session(&session).await?;
        Ok(pair)
    }
}
