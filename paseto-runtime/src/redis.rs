//! [`RedisDenylist`]: revocations shared by every instance of a service.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use time::OffsetDateTime;

use crate::denylist::{BoxFuture, Denylist, DenylistError, Mark, Target};

/// A denylist in Redis, for many instances of a service. Each entry expires in
/// Redis at its token's `exp` (`SET … NX EXAT`), so Redis holds only live
/// revocations.
///
/// Built on the `redis` crate's connection manager: when Redis cannot be reached
/// a request gets 503 within the operation timeout (fail closed), and once Redis
/// is back requests succeed again without a restart.
#[derive(Clone)]
pub struct RedisDenylist {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
}

impl std::fmt::Debug for RedisDenylist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisDenylist")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisDenylist {
    /// How long one Redis operation may take before the request gets 503.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

    /// Connects to `url` (`redis://host:port/db`). Keys are prefixed `paseto:`.
    ///
    /// The first connection is made lazily, so a service can start while Redis is down.
    pub fn new(url: &str) -> Result<Self, DenylistError> {
        let client = redis::Client::open(url).map_err(|e| DenylistError(e.into()))?;
        let timeout = Self::DEFAULT_TIMEOUT;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(timeout);
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| DenylistError(e.into()))?;
        Ok(Self {
            connection,
            prefix: "paseto:".to_owned(),
            timeout,
        })
    }

    /// Uses another key prefix, to share one Redis between services.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    fn key(&self, target: Target<'_>) -> String {
        match target {
            Target::Token(id) => format!("{}jti:{id}", self.prefix),
            Target::Family(id) => format!("{}fam:{id}", self.prefix),
        }
    }

    /// Runs one command, bounded by the timeout whatever the connection does.
    async fn query<T: redis::FromRedisValue>(
        &self,
        command: redis::Cmd,
    ) -> Result<T, DenylistError> {
        let mut connection = self.connection.clone();
        match tokio::time::timeout(self.timeout, command.query_async(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(DenylistError(error.into())),
            Err(elapsed) => Err(DenylistError(elapsed.into())),
        }
    }
}

const ROTATED: &str = "rotated";
const REVOKED: &str = "revoked";

impl Denylist for RedisDenylist {
    fn get<'a>(
        &'a self,
        targets: &'a [Target<'a>],
    ) -> BoxFuture<'a, Result<Option<Mark>, DenylistError>> {
        Box::pin(async move {
            let mut command = redis::cmd("MGET");
            for &target in targets {
                command.arg(self.key(target));
            }
            let values: Vec<Option<String>> = self.query(command).await?;
            Ok(values
                .iter()
                .filter_map(|value| match value.as_deref() {
                    Some(ROTATED) => Some(Mark::Rotated),
                    Some(_) => Some(Mark::Revoked),
                    None => None,
                })
                .max())
        })
    }

    fn insert<'a>(
        &'a self,
        target: Target<'a>,
        mark: Mark,
        expires_at: OffsetDateTime,
    ) -> BoxFuture<'a, Result<bool, DenylistError>> {
        Box::pin(async move {
            // An expiry already past is kept for a second: the mark must still land.
            let at = expires_at
                .unix_timestamp()
                .max(OffsetDateTime::now_utc().unix_timestamp() + 1);
            let mut command = redis::cmd("SET");
            command
                .arg(self.key(target))
                .arg(match mark {
                    Mark::Rotated => ROTATED,
                    Mark::Revoked => REVOKED,
                })
                .arg("NX")
                .arg("EXAT")
                .arg(at);
            let reply: Option<String> = self.query(command).await?;
            Ok(reply.is_some())
        })
    }
}
