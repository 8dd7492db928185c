//! [`RedisDenylist`]: revocations shared by every instance of a service.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use time::OffsetDateTime;

use super::{BoxFuture, Denylist, DenylistError, Family, Record, Target};

/// A denylist in Redis, for many instances of a service. Each record expires in
/// Redis once no token it covers can verify (`PXAT`), so Redis holds only live
/// revocations and one record per rotated session.
///
/// Built on the `redis` crate's connection manager: when Redis cannot be reached
/// a request gets 503 within the operation timeout (fail closed), and once Redis
/// is back requests succeed again without a restart.
///
/// Redis must not evict these records: an evicted revocation is a revoked token
/// that works again. Run it with `maxmemory-policy noeviction` (Redis's default);
/// [`connect`](Self::connect) checks that.
#[derive(Clone)]
pub struct RedisDenylist {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    refuse_eviction: bool,
}

impl std::fmt::Debug for RedisDenylist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisDenylist")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("refuse_eviction", &self.refuse_eviction)
            .finish_non_exhaustive()
    }
}

/// The Redis eviction policy that never drops a record.
const NO_EVICTION: &str = "noeviction";

/// The Redis server could evict revocations; see [`RedisDenylist::refuse_eviction`].
#[derive(Debug, thiserror::Error)]
enum Eviction {
    #[error("Redis `maxmemory-policy` is `{0}`: it may evict revocations; set it to `noeviction`")]
    Possible(String),
    #[error(
        "Redis does not answer `CONFIG GET maxmemory-policy`: unless its policy is `noeviction`, it may evict revocations"
    )]
    Unknown,
}

impl RedisDenylist {
    /// How long one Redis operation may take before the request gets 503.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

    /// A denylist at `url` (`redis://host:port/db`), keys prefixed `paseto:`.
    ///
    /// The connection is made lazily, so a service can start while Redis is down;
    /// call [`connect`](Self::connect) to connect now and check the eviction policy.
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
            refuse_eviction: false,
        })
    }

    /// Uses another key prefix, to share one Redis between services.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Makes [`connect`](Self::connect) fail, rather than warn, when Redis may evict
    /// records or will not say whether it may.
    #[must_use]
    pub fn refuse_eviction(mut self, refuse: bool) -> Self {
        self.refuse_eviction = refuse;
        self
    }

    /// Connects now and reads Redis's `maxmemory-policy`. Any policy but
    /// `noeviction` may drop revocations under memory pressure, which would make
    /// revoked tokens valid again: that is logged as a warning, or is an error with
    /// [`refuse_eviction`](Self::refuse_eviction). So is a server that will not
    /// answer `CONFIG GET` (as some managed services do).
    pub async fn connect(self) -> Result<Self, DenylistError> {
        let mut command = redis::cmd("CONFIG");
        command.arg("GET").arg("maxmemory-policy");
        let problem = match self.query::<Vec<String>>(command).await {
            Ok(reply) => match reply.get(1) {
                Some(policy) if policy == NO_EVICTION => None,
                Some(policy) => Some(Eviction::Possible(policy.clone())),
                None => Some(Eviction::Unknown),
            },
            Err(error) if is_refused_command(&error) => Some(Eviction::Unknown),
            Err(error) => return Err(error),
        };
        if let Some(problem) = problem {
            if self.refuse_eviction {
                return Err(DenylistError(problem.into()));
            }
            tracing::warn!("paseto: {problem}");
        }
        Ok(self)
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

/// Whether Redis answered that it has no such command: a managed Redis that
/// renames or disables `CONFIG`. Any other failure (no connection, `NOAUTH`) is
/// the caller's error.
fn is_refused_command(error: &DenylistError) -> bool {
    error
        .0
        .downcast_ref::<redis::RedisError>()
        .is_some_and(|e| {
            e.code() == Some("ERR") && e.detail().is_some_and(|d| d.contains("unknown command"))
        })
}

/// The value of a revoked token or family.
const REVOKED: &str = "revoked";

/// Marks `KEYS[1]` revoked until at least `ARGV[1]` (unix milliseconds), keeping
/// a longer expiry it already has.
const REVOKE: &str = r"
local deadline = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left == -1 then
  return redis.call('SET', KEYS[1], 'revoked', 'KEEPTTL')
end
if left > 0 then
  local now = redis.call('TIME')
  local kept = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + left
  if kept > deadline then deadline = kept end
end
return redis.call('SET', KEYS[1], 'revoked', 'PXAT', deadline)
";

/// Advances the family `KEYS[1]` from generation `ARGV[1]` to the record `ARGV[2]`
/// (`<generation>:<unix ms>`) kept until `ARGV[3]` (unix milliseconds), when it
/// is not revoked and is at that generation (0 without a record). Returns the
/// record as it was.
const ADVANCE: &str = r"
local before = redis.call('GET', KEYS[1])
local generation = 0
if before then generation = tonumber(string.match(before, '^(%d+):')) end
if generation == tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
end
return before
";

/// Unix milliseconds, rounded down (when a rotation happened) or up (until when
/// a record must live).
fn unix_millis(time: OffsetDateTime, up: bool) -> i64 {
    let nanos = time.unix_timestamp_nanos();
    let rest = up && nanos.rem_euclid(1_000_000) > 0;
    i64::try_from(nanos.div_euclid(1_000_000) + i128::from(rest)).unwrap_or(i64::MAX)
}

/// Reads a family record: `revoked` or `<generation>:<unix ms>`.
fn family(value: &str) -> Result<Family, DenylistError> {
    if value == REVOKED {
        return Ok(Family::Revoked);
    }
    let malformed = || DenylistError(format!("malformed family record `{value}`").into());
    let (generation, at) = value.split_once(':').ok_or_else(malformed)?;
    let generation = generation.parse().map_err(|_| malformed())?;
    let millis: i64 = at.parse().map_err(|_| malformed())?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .map_err(|_| malformed())?;
    Ok(Family::Rotated { generation, at })
}

impl Denylist for RedisDenylist {
    fn get<'a>(
        &'a self,
        token: &'a str,
        family_id: &'a str,
    ) -> BoxFuture<'a, Result<Record, DenylistError>> {
        Box::pin(async move {
            let mut command = redis::cmd("MGET");
            command
                .arg(self.key(Target::Token(token)))
                .arg(self.key(Target::Family(family_id)));
            let (token, family_value): (Option<String>, Option<String>) =
                self.query(command).await?;
            Ok(Record {
                token_revoked: token.is_some(),
                family: family_value.as_deref().map(family).transpose()?,
            })
        })
    }

    fn revoke<'a>(
        &'a self,
        target: Target<'a>,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        Box::pin(async move {
            let mut command = redis::cmd("EVAL");
            command
                .arg(REVOKE)
                .arg(1)
                .arg(self.key(target))
                .arg(unix_millis(until, true));
            self.query::<()>(command).await
        })
    }

    fn advance<'a>(
        &'a self,
        family_id: &'a str,
        from: u64,
        at: OffsetDateTime,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Option<Family>, DenylistError>> {
        Box::pin(async move {
            let mut command = redis::cmd("EVAL");
            command
                .arg(ADVANCE)
                .arg(1)
                .arg(self.key(Target::Family(family_id)))
                .arg(from)
                .arg(format!("{}:{}", from + 1, unix_millis(at, false)))
                .arg(unix_millis(until, true));
            let before: Option<String> = self.query(command).await?;
            before.as_deref().map(family).transpose()
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn family_records_round_trip() {
        let at = datetime!(2026-01-01 0:00:00.5 UTC);
        let text = format!("3:{}", unix_millis(at, false));
        assert_eq!(
            family(&text).unwrap(),
            Family::Rotated { generation: 3, at }
        );
        assert_eq!(family("revoked").unwrap(), Family::Revoked);
        for bad in ["", "3", "x:1", "3:x", "-1:5"] {
            assert!(family(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn milliseconds_round_up() {
        let tiny = datetime!(1970-01-01 0:00:00.0000001 UTC);
        assert_eq!(unix_millis(tiny, true), 1);
        assert_eq!(unix_millis(tiny, false), 0);
        assert_eq!(unix_millis(datetime!(1970-01-01 0:00:01 UTC), true), 1000);
    }
}
