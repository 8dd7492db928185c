//! [`Session`]: what a store keeps about one login, its refresh family.

use std::net::IpAddr;

use serde::ser::{Serialize, SerializeStruct, Serializer};
use time::OffsetDateTime;

use crate::wire::format_time;

/// How many open sessions a subject keeps: a login beyond ends the oldest.
pub const MAX_SESSIONS: usize = 100;

/// The longest user agent a session keeps, in bytes; a longer one is cut.
pub const MAX_USER_AGENT_LEN: usize = 256;

/// One login, from its first tokens to its last: a refresh family. Its id is
/// the `fam` claim of every token of the login, and what
/// [`PasetoAuth::end_session`](crate::PasetoAuth::end_session) takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The session's id: the refresh family's.
    pub id: String,
    /// The subject that logged in.
    pub subject: String,
    /// When the login issued its tokens.
    pub created_at: OffsetDateTime,
    /// The last refresh or rotation; the login's time before the first.
    pub refreshed_at: OffsetDateTime,
    /// The login request's `User-Agent`, cut to [`MAX_USER_AGENT_LEN`] bytes
    /// and without control characters.
    pub user_agent: Option<String>,
    /// The login request's address, when the application gave it.
    pub ip: Option<IpAddr>,
    /// Until when the session can last: its tokens have all expired by then.
    /// Each refresh or rotation moves it to the end of its new tokens' lives.
    pub until: OffsetDateTime,
}

/// What a client is shown: `id`, `created_at` and `refreshed_at` (RFC 3339,
/// whole seconds), `user_agent` and `ip` (`null` when unknown). The subject,
/// which the client knows, is left out.
impl Serialize for Session {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut shown = serializer.serialize_struct("Session", 5)?;
        shown.serialize_field("id", &self.id)?;
        shown.serialize_field("created_at", &format_time(self.created_at))?;
        shown.serialize_field("refreshed_at", &format_time(self.refreshed_at))?;
        shown.serialize_field("user_agent", &self.user_agent)?;
        shown.serialize_field("ip", &self.ip)?;
        shown.end()
    }
}

/// `agent` as a session keeps it: control characters dropped, cut to
/// [`MAX_USER_AGENT_LEN`] bytes on a character boundary.
pub(crate) fn user_agent(agent: &str) -> String {
    let mut kept = String::with_capacity(agent.len().min(MAX_USER_AGENT_LEN));
    for c in agent.chars().filter(|c| !c.is_control()) {
        if kept.len() + c.len_utf8() > MAX_USER_AGENT_LEN {
            break;
        }
        kept.push(c);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_are_cut_and_cleaned() {
        assert_eq!(user_agent("curl/8.5\r\n\0x"), "curl/8.5x");
        let long = "é".repeat(200);
        let kept = user_agent(&long);
        assert!(kept.len() <= MAX_USER_AGENT_LEN && kept.len() >= MAX_USER_AGENT_LEN - 1);
        assert!(kept.chars().all(|c| c == 'é'));
    }
}
