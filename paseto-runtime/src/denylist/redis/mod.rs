//! [`RedisDenylist`]: revocations shared by every instance of a service.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use time::OffsetDateTime;

use self::cluster::{Cluster, ClusterSpec};
pub use self::endpoint::RedisTls;
use self::endpoint::setting;
use self::follow::{Source, follow};
use self::mirror::{Mirror, stricter};
use self::records::{
    family, key, millis_until, session, session_value, sessions_key, unix_micros, unix_millis,
};
use self::route::{Endpoint, Route, SentinelSpec, Sentinels};
use super::{BoxFuture, Denylist, DenylistError, Family, MAX_SESSIONS, Record, Session, Target};

mod cluster;
mod endpoint;
mod follow;
mod mirror;
mod records;
mod route;

/// A denylist in Redis, for many instances of a service. Each record expires in
/// Redis once no token it covers can verify (`PX`, a lifetime, so that Redis's
/// clock does not matter), so Redis holds only live
/// revocations and one record per rotated session.
///
/// Requests do not wait for Redis: each instance keeps a copy of the records,
/// kept current by Redis itself (client tracking, Redis 6 or later), and reads
/// it locally. A revocation made on one instance is refused by the others as
/// soon as Redis tells them, typically within a millisecond. The copy answers
/// only while its connection is up and answered a ping within the last second;
/// otherwise requests ask Redis directly, and get 503 within the operation
/// timeout when it cannot be reached (fail closed). Once Redis is back, requests
/// succeed again without a restart. A revocation the copy has seen is kept
/// until it expires, even if Redis loses it. [`mirror(false)`](Self::mirror)
/// turns the copy off: then every request reads Redis.
///
/// The copy holds every live record, as a [`MemoryDenylist`](super::MemoryDenylist)
/// would; it is loaded when the first request or [`connect`](Self::connect)
/// starts it, and then follows Redis from a background task.
///
/// Redis must not evict these records: an evicted revocation is a revoked token
/// that works again. Run it with `maxmemory-policy noeviction` (Redis's default);
/// [`connect`](Self::connect) refuses any other policy unless told
/// [`refuse_eviction(false)`](Self::refuse_eviction).
#[derive(Clone)]
pub struct RedisDenylist {
    endpoint: Endpoint,
    connection: Route,
    /// The application's own commands ([`query`](Self::query)).
    app: Route,
    /// The connection writes take when they wait for replicas, so that a
    /// `WAIT` holds up no read.
    writes: Option<Route>,
    /// How many replicas acknowledge a write before it counts as done.
    replicas: u32,
    prefix: String,
    timeout: Duration,
    refuse_eviction: bool,
    /// The connection (see [`Route::generation`]) on whose server Redis's
    /// eviction policy was read and accepted; 0 before.
    policy_accepted: Arc<AtomicU64>,
    mirror: Option<Arc<Mirror>>,
}

impl std::fmt::Debug for RedisDenylist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisDenylist")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("refuse_eviction", &self.refuse_eviction)
            .field("replicas", &self.replicas)
            .field("mirror", &self.mirror.is_some())
            .finish_non_exhaustive()
    }
}

/// The Redis eviction policy that never drops a record.
const NO_EVICTION: &str = "noeviction";

/// The Redis server could evict revocations; see [`RedisDenylist::refuse_eviction`].
#[derive(Debug, thiserror::Error)]
enum Eviction {
    #[error(
        "Redis `maxmemory-policy` is `{0}`: it may evict revocations, and an evicted revocation is a revoked token that works again; set it to `noeviction` (or accept the risk with `refuse_eviction(false)`)"
    )]
    Possible(String),
    #[error(
        "Redis does not answer `INFO memory` with its `maxmemory_policy`: unless its policy is `noeviction`, it may evict revocations (accept the risk with `refuse_eviction(false)` once you have checked the policy)"
    )]
    Unknown,
}

impl RedisDenylist {
    /// How long one Redis operation may take before the request gets 503.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

    /// A denylist at `url`, keys prefixed `paseto:`: `redis://host:port/db`,
    /// `redis://user:password@host:port` for an ACL user, `rediss://…` for TLS
    /// verified by the platform's roots (see [`tls`](Self::tls) for a private
    /// CA or a client certificate). No error quotes the URL, so a password in
    /// it appears in no log.
    ///
    /// The connection is made lazily, so a service can start while Redis is down;
    /// call [`connect`](Self::connect) to connect now and check the eviction policy.
    pub fn new(url: &str) -> Result<Self, DenylistError> {
        let client = endpoint::client(endpoint::parse(url)?, None)?;
        Self::at(Endpoint::Server(Box::new(client)))
    }

    /// A denylist on the primary of a Sentinel deployment: the sentinels at
    /// `sentinels` (`redis://host:26379`, with the sentinels' own user and
    /// password if they need one; `rediss://` for TLS everywhere) watch the
    /// primary they name `primary`. After a failover the denylist follows the
    /// new primary without a restart; until the sentinels name one, requests
    /// that need Redis get 503. [`primary_login`](Self::primary_login) logs in
    /// to the primary.
    pub fn sentinel(sentinels: &[&str], primary: &str) -> Result<Self, DenylistError> {
        let urls = sentinels
            .iter()
            .map(|url| endpoint::parse(url))
            .collect::<Result<Vec<_>, _>>()?;
        Self::at(Endpoint::Sentinel(Arc::new(Sentinels::new(
            SentinelSpec {
                urls,
                primary: primary.to_owned(),
                login: (None, None),
                tls: None,
            },
        )?)))
    }

    /// A denylist on a Redis Cluster: `nodes` are some of its nodes
    /// (`redis://host:7000`, with the user and password every node shares;
    /// `rediss://` for TLS), from which the client learns the others. Each
    /// command goes to the primary of its key's slot; a subject's records
    /// share one slot. The client follows failovers and resharding without a
    /// restart; while a slot has no primary, requests that need it get 503.
    pub fn cluster(nodes: &[&str]) -> Result<Self, DenylistError> {
        let nodes = nodes
            .iter()
            .map(|url| endpoint::parse(url))
            .collect::<Result<Vec<_>, _>>()?;
        Self::at(Endpoint::Cluster(Arc::new(Cluster::new(ClusterSpec {
            nodes,
            tls: None,
        })?)))
    }

    /// The user (ACL) and password a Sentinel deployment's servers are logged
    /// in to with; the URL carries them for one server.
    pub fn primary_login(
        self,
        username: Option<&str>,
        password: &str,
    ) -> Result<Self, DenylistError> {
        let Endpoint::Sentinel(sentinels) = &self.endpoint else {
            return Err(setting(
                "primary_login is for Sentinel deployments; one server's URL carries its login",
            ));
        };
        let mut spec = sentinels.spec().clone();
        spec.login = (username.map(str::to_owned), Some(password.to_owned()));
        let endpoint = Endpoint::Sentinel(Arc::new(Sentinels::new(spec)?));
        self.moved(endpoint)
    }

    /// A denylist configured by the environment, or `None` when none of
    /// `REDIS_URL`, `REDIS_SENTINELS` and `REDIS_CLUSTER_NODES` is set: one
    /// server at `REDIS_URL`; a Sentinel deployment (`REDIS_SENTINELS`,
    /// comma-separated URLs; `REDIS_SENTINEL_MASTER`, the name the sentinels
    /// give the primary; `REDIS_USERNAME` and `REDIS_PASSWORD`, its login); or
    /// a Redis Cluster (`REDIS_CLUSTER_NODES`, comma-separated URLs). With
    /// `REDIS_CA_CERT`, `REDIS_CLIENT_CERT` and `REDIS_CLIENT_KEY` (PEM files,
    /// see [`RedisTls`]) and `REDIS_REPLICAS` (see [`replicas`](Self::replicas)).
    pub fn from_env() -> Result<Option<Self>, DenylistError> {
        let deployments = ["REDIS_URL", "REDIS_SENTINELS", "REDIS_CLUSTER_NODES"];
        if deployments
            .iter()
            .filter(|name| std::env::var_os(name).is_some())
            .count()
            > 1
        {
            return Err(setting(
                "set one of REDIS_URL, REDIS_SENTINELS and REDIS_CLUSTER_NODES: they are three ways to reach Redis",
            ));
        }
        let mut denylist = if let Ok(nodes) = std::env::var("REDIS_CLUSTER_NODES") {
            Self::cluster(&nodes.split(',').map(str::trim).collect::<Vec<_>>())?
        } else if let Ok(sentinels) = std::env::var("REDIS_SENTINELS") {
            let primary = std::env::var("REDIS_SENTINEL_MASTER").map_err(|_| {
                setting("REDIS_SENTINELS needs REDIS_SENTINEL_MASTER, the name the sentinels give the primary")
            })?;
            let urls: Vec<&str> = sentinels.split(',').map(str::trim).collect();
            let denylist = Self::sentinel(&urls, &primary)?;
            match std::env::var("REDIS_PASSWORD") {
                Ok(password) => denylist
                    .primary_login(std::env::var("REDIS_USERNAME").ok().as_deref(), &password)?,
                Err(_) => denylist,
            }
        } else if let Ok(url) = std::env::var("REDIS_URL") {
            Self::new(&url)?
        } else {
            return Ok(None);
        };
        if let Some(tls) = RedisTls::from_env()? {
            denylist = denylist.tls(tls)?;
        }
        if let Ok(replicas) = std::env::var("REDIS_REPLICAS") {
            let replicas = replicas.parse().map_err(|_| {
                setting("REDIS_REPLICAS is how many replicas acknowledge a revocation: 0, 1, 2…")
            })?;
            denylist = denylist.replicas(replicas)?;
        }
        Ok(Some(denylist))
    }

    /// Speaks TLS as `tls` says: a private CA, a client certificate. The URLs
    /// must be `rediss://`. A server whose certificate does not verify is an
    /// error of [`connect`](Self::connect) that says so.
    pub fn tls(self, tls: RedisTls) -> Result<Self, DenylistError> {
        let endpoint = match &self.endpoint {
            Endpoint::Cluster(cluster) => {
                let mut spec = cluster.spec().clone();
                spec.tls = Some(tls);
                Endpoint::Cluster(Arc::new(Cluster::new(spec)?))
            }
            Endpoint::Server(client) => {
                let info = client.get_connection_info().clone();
                Endpoint::Server(Box::new(endpoint::client(info, Some(tls))?))
            }
            Endpoint::Sentinel(sentinels) => {
                let mut spec = sentinels.spec().clone();
                if !spec.urls.iter().all(endpoint::is_tls) {
                    return Err(endpoint::tls_without_rediss());
                }
                spec.tls = Some(tls);
                Endpoint::Sentinel(Arc::new(Sentinels::new(spec)?))
            }
        };
        self.moved(endpoint)
    }

    fn at(endpoint: Endpoint) -> Result<Self, DenylistError> {
        let timeout = Self::DEFAULT_TIMEOUT;
        Ok(Self {
            connection: Route::new(&endpoint, timeout)?,
            app: Route::new(&endpoint, timeout)?,
            endpoint,
            writes: None,
            replicas: 0,
            prefix: "paseto:".to_owned(),
            timeout,
            refuse_eviction: true,
            policy_accepted: Arc::new(AtomicU64::new(0)),
            mirror: Some(Arc::new(Mirror::new())),
        })
    }

    /// The same denylist, connecting to `endpoint`.
    fn moved(self, endpoint: Endpoint) -> Result<Self, DenylistError> {
        let replicas = self.replicas;
        Self {
            connection: Route::new(&endpoint, self.timeout)?,
            app: Route::new(&endpoint, self.timeout)?,
            endpoint,
            ..self
        }
        .replicas(replicas)
    }

    /// Counts a revocation, rotation, login or ended session as done only once
    /// `replicas` replicas have it (`WAIT`, bounded by the operation timeout),
    /// so that a failover right after cannot lose it; 0 (the default) does not
    /// wait. A write that fewer replicas acknowledge in time is an error: the
    /// request gets 503 and the client may try again. These writes take a
    /// connection of their own, so that waiting holds up no read.
    pub fn replicas(mut self, replicas: u32) -> Result<Self, DenylistError> {
        self.replicas = replicas;
        self.writes = (replicas > 0)
            .then(|| Route::new(&self.endpoint, self.timeout * 2))
            .transpose()?;
        Ok(self)
    }

    /// Uses another key prefix, to share one Redis between services. A
    /// brace is refused: it would move the hash tag that keeps a subject's
    /// records in one Redis Cluster slot.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Result<Self, DenylistError> {
        let prefix = prefix.into();
        if prefix.contains(['{', '}']) {
            return Err(setting(
                "a Redis key prefix holds no brace: keys name their subject between braces",
            ));
        }
        self.prefix = prefix;
        let mirrored = self.mirror.is_some();
        Ok(self.mirror(mirrored))
    }

    /// Whether requests read a local copy of the records (the default) or ask
    /// Redis every time. Without the copy each verification of a checked token
    /// costs one Redis round trip, and an instance holds no records.
    #[must_use]
    pub fn mirror(mut self, enabled: bool) -> Self {
        self.mirror = enabled.then(|| Arc::new(Mirror::new()));
        self
    }

    /// Whether [`connect`](Self::connect), or the first use of a denylist not
    /// connected, fails (the default) or only warns when Redis may evict
    /// records or will not say whether it may. Every record has
    /// an expiry, so every policy but `noeviction`, `volatile-*` ones included,
    /// may evict revocations; `false` accepts that risk, for a managed Redis
    /// that hides `INFO` and whose policy you have checked by other means.
    #[must_use]
    pub fn refuse_eviction(mut self, refuse: bool) -> Self {
        self.refuse_eviction = refuse;
        self
    }

    /// Connects now and reads Redis's `maxmemory-policy`. Any policy but
    /// `noeviction` may drop revocations under memory pressure, which would make
    /// revoked tokens valid again: that is an error naming the policy, or with
    /// [`refuse_eviction(false)`](Self::refuse_eviction) a warning. So is a
    /// server that will not answer `INFO memory` (as some managed services do).
    /// A denylist used without `connect` reads the policy on first use, and
    /// answers nothing (requests get 503) until it is accepted.
    pub async fn connect(self) -> Result<Self, DenylistError> {
        self.check_policy().await?;
        if let Some(mirror) = &self.mirror {
            self.follow(mirror);
            let started = std::time::Instant::now();
            while !mirror.is_current() && started.elapsed() < self.timeout {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        Ok(self)
    }

    /// Reads the eviction policy until it is accepted: an error when Redis may
    /// evict records and `refuse_eviction` holds, else at most a warning.
    async fn check_policy(&self) -> Result<(), DenylistError> {
        // Read again on the server a failover promoted: the connection
        // commands take is made (or checked) first.
        let route = &self.connection;
        bounded(self.timeout, route, async {
            route.connection().await.map(drop)
        })
        .await?;
        let generation = route.generation();
        let accepted = self.policy_accepted.load(Ordering::Acquire);
        if accepted == generation {
            return Ok(());
        }
        // `INFO`, not `CONFIG GET`: an ACL user may read it without being
        // able to read the server's passwords, and managed services answer it.
        let mut command = redis::cmd("INFO");
        command.arg("memory");
        let problem = match self.ask::<redis::Value>(command).await.and_then(eviction) {
            Ok(problem) => problem,
            Err(error) if is_refused_command(&error) => Some(Eviction::Unknown),
            // A cluster's policies are read again from time to time (every
            // primary answering): one primary down keeps the last reading
            // until the next time, no longer.
            // Never before a first reading: a cluster is not let through
            // unread.
            Err(_)
                if accepted != 0
                    && accepted + 1 == generation
                    && matches!(route, Route::Cluster(_)) =>
            {
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        if let Some(problem) = problem {
            if self.refuse_eviction {
                return Err(DenylistError(problem.into()));
            }
            tracing::warn!("paseto: {problem}");
        }
        self.policy_accepted.store(generation, Ordering::Release);
        Ok(())
    }

    fn key(&self, subject: &str, target: Target<'_>) -> String {
        key(&self.prefix, subject, target)
    }

    /// Starts the local copy, once.
    fn follow(&self, mirror: &Arc<Mirror>) {
        follow(mirror, || Source {
            endpoint: self.endpoint.clone(),
            prefix: self.prefix.clone(),
            timeout: self.timeout,
        });
    }

    /// Runs one command on the server the denylist writes to (a Sentinel
    /// deployment's current primary), with its TLS, login and timeout, on a
    /// connection of the application's own: for its keys, beside the
    /// denylist's. A command that changes the connection's state (`SELECT`,
    /// `MULTI`) affects only the application's later commands.
    pub async fn query<T: redis::FromRedisValue>(
        &self,
        command: redis::Cmd,
    ) -> Result<T, DenylistError> {
        run(&self.app, self.timeout, command).await
    }

    /// Runs one of the denylist's own commands.
    async fn ask<T: redis::FromRedisValue>(&self, command: redis::Cmd) -> Result<T, DenylistError> {
        run(&self.connection, self.timeout, command).await
    }

    /// Runs one write and, when replicas must have it, waits for them: the
    /// write's answer, once it counts as done.
    async fn write<T: redis::FromRedisValue>(
        &self,
        command: redis::Cmd,
    ) -> Result<T, DenylistError> {
        let Some(route) = &self.writes else {
            return self.ask(command).await;
        };
        let wait = u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX);
        let mut pipeline = redis::pipe();
        pipeline
            .add_command(command)
            .cmd("WAIT")
            .arg(self.replicas)
            .arg(wait);
        let (answer, acknowledged): (T, u32) = bounded(self.timeout * 2, route, async {
            pipeline.query_async(&mut route.connection().await?).await
        })
        .await?;
        if acknowledged < self.replicas {
            return Err(setting(format!(
                "a write reached {acknowledged} of the {} replicas it waits for within {wait} ms",
                self.replicas
            )));
        }
        Ok(answer)
    }
}

/// The answer to `command` on `route`, bounded by `timeout`.
async fn run<T: redis::FromRedisValue>(
    route: &Route,
    timeout: Duration,
    command: redis::Cmd,
) -> Result<T, DenylistError> {
    bounded(timeout, route, async {
        command.query_async(&mut route.connection().await?).await
    })
    .await
}

/// The answer of `operation` on `route`, or an error once `timeout` has
/// passed. A connection that failed, timed out or reached a server that is no
/// longer a writable primary is dropped (a Sentinel route then asks the
/// sentinels again); a command the server refused keeps it.
async fn bounded<T>(
    timeout: Duration,
    route: &Route,
    operation: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, DenylistError> {
    let error = match tokio::time::timeout(timeout, operation).await {
        Ok(Ok(value)) => return Ok(value),
        Ok(Err(error)) => {
            let lost = error.is_io_error()
                || error.is_connection_dropped()
                || error.is_timeout()
                || matches!(error.code(), Some("READONLY" | "MASTERDOWN" | "LOADING"));
            if lost {
                route.failed();
            }
            return Err(DenylistError(error.into()));
        }
        Err(_) => setting(format!("Redis did not answer within {timeout:?}")),
    };
    route.failed();
    Err(error)
}

/// How Redis may evict records, by its answer to `INFO memory`: one server's
/// text, or a cluster's map of each primary's.
fn eviction(reply: redis::Value) -> Result<Option<Eviction>, DenylistError> {
    let text = match reply {
        // Any primary that may evict is a problem, whatever the others said.
        redis::Value::Map(replies) => {
            let mut failed = None;
            for (_, reply) in replies {
                match eviction(reply) {
                    Ok(Some(problem)) => return Ok(Some(problem)),
                    Ok(None) => {}
                    Err(error) => failed = Some(error),
                }
            }
            return failed.map_or(Ok(None), Err);
        }
        redis::Value::ServerError(error) => {
            let error = DenylistError(redis::RedisError::from(error).into());
            return if is_refused_command(&error) {
                Ok(Some(Eviction::Unknown))
            } else {
                Err(error)
            };
        }
        reply => redis::from_redis_value::<String>(reply).map_err(|e| DenylistError(e.into()))?,
    };
    Ok(
        match text
            .lines()
            .find_map(|line| line.strip_prefix("maxmemory_policy:"))
        {
            Some(policy) if policy.trim() == NO_EVICTION => None,
            Some(policy) => Some(Eviction::Possible(policy.trim().to_owned())),
            None => Some(Eviction::Unknown),
        },
    )
}

/// Whether Redis refused the command itself: a managed Redis that renames or
/// disables `INFO`, or an ACL user without it (`NOPERM`). Any other failure
/// (no connection, `NOAUTH`) is the caller's error.
fn is_refused_command(error: &DenylistError) -> bool {
    error
        .0
        .downcast_ref::<redis::RedisError>()
        .is_some_and(|e| {
            e.code() == Some("NOPERM")
                || e.code() == Some("ERR")
                    && e.detail().is_some_and(|d| d.contains("unknown command"))
        })
}

/// The Lua function `revoke(key, ttl)`: marks `key` revoked for at least
/// `ttl` milliseconds, keeping a longer expiry it already has.
macro_rules! revoke_lua {
    () => {
        r"
local function revoke(key, ttl)
  local left = redis.call('PTTL', key)
  if left == -1 then
    redis.call('SET', key, 'revoked', 'KEEPTTL')
    return
  end
  if left > ttl then ttl = left end
  redis.call('SET', key, 'revoked', 'PX', ttl)
end
"
    };
}

/// Marks `KEYS[1]` revoked for at least `ARGV[1]` milliseconds, keeping a
/// longer expiry it already has. Lifetimes are relative, so a Redis whose clock
/// differs from the service's keeps a record just as long.
const REVOKE: &str = concat!(revoke_lua!(), "revoke(KEYS[1], tonumber(ARGV[1]))");

/// Revokes the tokens of the subject `KEYS[1]` issued before the unix
/// microseconds `ARGV[2]`, for at least `ARGV[1]` milliseconds; a later time or
/// a longer expiry already recorded is kept. The subject's sessions started
/// before, in the hash `KEYS[2]`, are forgotten.
const REVOKE_SUBJECT: &str = r"
local ttl = tonumber(ARGV[1])
local before = ARGV[2]
local kept = redis.call('GET', KEYS[1])
if kept and (tonumber(kept) or 0) > tonumber(before) then before = kept end
local sessions = redis.call('HGETALL', KEYS[2])
for i = 1, #sessions, 2 do
  local created = tonumber(string.match(sessions[i + 1], '^(%d+)|'))
  if created == nil or created < tonumber(before) then redis.call('HDEL', KEYS[2], sessions[i]) end
end
local left = redis.call('PTTL', KEYS[1])
if left == -1 then
  return redis.call('SET', KEYS[1], before, 'KEEPTTL')
end
if left > ttl then ttl = left end
return redis.call('SET', KEYS[1], before, 'PX', ttl)
";

/// Advances the family `KEYS[1]` from generation `ARGV[1]` to the record `ARGV[2]`
/// (`<generation>:<unix ms>:<nonce>`) kept for `ARGV[3]` milliseconds, when it
/// is not revoked and is at that generation (0 without a record). Returns the
/// record as it was, or `ADVANCED` when it already is `ARGV[2]`: this very
/// call, sent again by a client that lost its connection before the answer.
const ADVANCE: &str = r"
local before = redis.call('GET', KEYS[1])
if before == ARGV[2] then return 'advanced' end
local generation = 0
if before then generation = tonumber(string.match(before, '^(%d+):')) end
if generation == tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return before
";

/// Keeps the session `ARGV[1]` as `ARGV[2]` in the subject's hash `KEYS[1]`,
/// as of the unix microseconds `ARGV[3]`: sessions past their `until`, and an
/// earlier record of this one, are dropped; of the others, beyond `ARGV[5]`
/// the oldest end, their families (keys `ARGV[6]` then the id) revoked. The
/// hash lives at least `ARGV[4]` milliseconds more. Every key it writes is
/// named in `KEYS`, as Redis Cluster asks of a script (a slot being moved
/// redirects only the keys it is told of): when a session to end has its
/// family's key among `KEYS[2..]`, it is done, and the answer is empty;
/// otherwise nothing is written and the answer is the ids of the sessions to
/// end, for a call that names their keys.
const OPEN_SESSION: &str = concat!(
    revoke_lua!(),
    r"
local now = tonumber(ARGV[3])
local named = {}
for i = 2, #KEYS do named[KEYS[i]] = true end
local kept = redis.call('HGETALL', KEYS[1])
local open, stale = {}, {}
for i = 1, #kept, 2 do
  local created, untilus = string.match(kept[i + 1], '^(%d+)|%d+|(%d+)|')
  if untilus == nil or tonumber(untilus) <= now or kept[i] == ARGV[1] then
    table.insert(stale, kept[i])
  else
    table.insert(open, { kept[i], tonumber(created), tonumber(untilus) })
  end
end
table.sort(open, function(a, b) return a[2] < b[2] end)
local ending, unnamed = {}, {}
for i = 1, #open - tonumber(ARGV[5]) + 1 do
  table.insert(ending, open[i])
  if not named[ARGV[6] .. open[i][1]] then table.insert(unnamed, open[i][1]) end
end
if #unnamed > 0 then return unnamed end
for _, id in ipairs(stale) do redis.call('HDEL', KEYS[1], id) end
for _, session in ipairs(ending) do
  redis.call('HDEL', KEYS[1], session[1])
  revoke(ARGV[6] .. session[1], math.ceil((session[3] - now) / 1000))
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return {}
"
);

/// How many times a login names the families of the sessions it ends before
/// it gives up: each call names those the previous one answered, which only
/// concurrent logins of the subject can change.
const OPEN_SESSION_TRIES: usize = 3;

/// Moves the refresh time of the session `ARGV[1]` in the hash `KEYS[1]` to
/// the unix microseconds `ARGV[2]` and its `until` to `ARGV[3]`, each when
/// later than kept; the hash lives at least `ARGV[4]` milliseconds more.
const TOUCH_SESSION: &str = r"
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value then return 0 end
local created, refreshed, untilus, rest = string.match(value, '^(%d+)|(%d+)|(%d+)|(.*)$')
if created == nil then return 0 end
if tonumber(ARGV[2]) > tonumber(refreshed) then refreshed = ARGV[2] end
if tonumber(ARGV[3]) > tonumber(untilus) then untilus = ARGV[3] end
redis.call('HSET', KEYS[1], ARGV[1], created .. '|' .. refreshed .. '|' .. untilus .. '|' .. rest)
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
";

/// Ends the session `ARGV[1]` kept in the hash `KEYS[1]` and not past its
/// `until` at the unix microseconds `ARGV[3]`: forgets it and revokes its
/// family `KEYS[2]` for at least `ARGV[2]` milliseconds. 0, and nothing
/// revoked, when the hash does not hold it open.
const END_SESSION: &str = concat!(
    revoke_lua!(),
    r"
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
local untilus = tonumber(string.match(value, '^%d+|%d+|(%d+)|'))
if untilus == nil or untilus <= tonumber(ARGV[3]) then return 0 end
revoke(KEYS[2], tonumber(ARGV[2]))
return 1
"
);

/// What [`ADVANCE`] answers when it had already advanced the family.
const ADVANCED: &str = "advanced";

impl Denylist for RedisDenylist {
    fn get<'a>(
        &'a self,
        token_id: &'a str,
        family_id: &'a str,
        subject: &'a str,
    ) -> BoxFuture<'a, Result<Record, DenylistError>> {
        Box::pin(async move {
            let now = OffsetDateTime::now_utc();
            if let Some(record) = self.get_now(token_id, family_id, subject, now) {
                return Ok(record);
            }
            self.check_policy().await?;
            if let Some(mirror) = &self.mirror {
                self.follow(mirror);
            }
            let mut command = redis::cmd("MGET");
            command
                .arg(self.key(subject, Target::Token(token_id)))
                .arg(self.key(subject, Target::Family(family_id)))
                .arg(self.key(subject, Target::All));
            let (token, family_value, subject_value): (
                Option<String>,
                Option<String>,
                Option<String>,
            ) = self.ask(command).await?;
            let record = Record {
                token_revoked: token.is_some(),
                family: family_value.as_deref().map(family).transpose()?,
                subject_revoked_before: subject_value
                    .as_deref()
                    .map(records::subject)
                    .transpose()?,
            };
            let kept = self
                .mirror
                .as_ref()
                .and_then(|mirror| mirror.records().get_now(token_id, family_id, subject, now));
            Ok(match kept {
                Some(kept) => stricter(record, kept),
                None => record,
            })
        })
    }

    fn get_now(
        &self,
        token: &str,
        family: &str,
        subject: &str,
        now: OffsetDateTime,
    ) -> Option<Record> {
        self.mirror.as_ref()?.current(token, family, subject, now)
    }

    fn revoke<'a>(
        &'a self,
        subject: &'a str,
        target: Target<'a>,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        Box::pin(async move {
            self.check_policy().await?;
            let now = OffsetDateTime::now_utc();
            let mut command = redis::cmd("EVAL");
            match target {
                Target::All => command
                    .arg(REVOKE_SUBJECT)
                    .arg(2)
                    .arg(self.key(subject, target))
                    .arg(sessions_key(&self.prefix, subject)),
                Target::Token(_) | Target::Family(_) => {
                    command.arg(REVOKE).arg(1).arg(self.key(subject, target))
                }
            };
            command.arg(millis_until(until, now)).arg(unix_micros(now));
            self.write::<()>(command).await?;
            if let Some(mirror) = &self.mirror {
                mirror.records().record_revoked(subject, target, until, now);
            }
            Ok(())
        })
    }

    fn advance<'a>(
        &'a self,
        subject: &'a str,
        family_id: &'a str,
        from: u64,
        at: OffsetDateTime,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Option<Family>, DenylistError>> {
        Box::pin(async move {
            self.check_policy().await?;
            let mut command = redis::cmd("EVAL");
            command
                .arg(ADVANCE)
                .arg(1)
                .arg(self.key(subject, Target::Family(family_id)))
                .arg(from)
                .arg(format!(
                    "{}:{}:{}",
                    from + 1,
                    unix_millis(at),
                    uuid::Uuid::new_v4().simple()
                ))
                .arg(millis_until(until, OffsetDateTime::now_utc()));
            let before: Option<String> = self.write(command).await?;
            let before = match before.as_deref() {
                // Sent twice, advanced once: the first answer said `from`.
                Some(ADVANCED) => (from > 0).then_some(Family::Rotated {
                    generation: from,
                    at,
                }),
                before => before.map(family).transpose()?,
            };
            let advanced = match before {
                None => from == 0,
                Some(Family::Rotated { generation, .. }) => generation == from,
                Some(Family::Revoked) => false,
            };
            if let Some(mirror) = self.mirror.as_ref().filter(|_| advanced) {
                let now = OffsetDateTime::now_utc();
                mirror
                    .records()
                    .record_generation(family_id, from + 1, at, until, now);
            }
            Ok(before)
        })
    }

    fn open_session<'a>(
        &'a self,
        session: &'a Session,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        Box::pin(async move {
            self.check_policy().await?;
            let families = self.key(&session.subject, Target::Family(""));
            let mut ending: Vec<String> = Vec::new();
            for _ in 0..OPEN_SESSION_TRIES {
                let now = OffsetDateTime::now_utc();
                let mut command = redis::cmd("EVAL");
                command
                    .arg(OPEN_SESSION)
                    .arg(1 + ending.len())
                    .arg(sessions_key(&self.prefix, &session.subject));
                for id in &ending {
                    command.arg(format!("{families}{id}"));
                }
                command
                    .arg(&session.id)
                    .arg(session_value(session))
                    .arg(unix_micros(now))
                    .arg(millis_until(session.until, now))
                    .arg(MAX_SESSIONS)
                    .arg(&families);
                let unnamed: Vec<String> = self.write(command).await?;
                if unnamed.is_empty() {
                    return Ok(());
                }
                ending.extend(unnamed);
            }
            Err(setting(
                "the subject's sessions kept changing while a login ended the oldest",
            ))
        })
    }

    fn touch_session<'a>(
        &'a self,
        subject: &'a str,
        id: &'a str,
        at: OffsetDateTime,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<(), DenylistError>> {
        Box::pin(async move {
            self.check_policy().await?;
            let mut command = redis::cmd("EVAL");
            command
                .arg(TOUCH_SESSION)
                .arg(1)
                .arg(sessions_key(&self.prefix, subject))
                .arg(id)
                .arg(unix_micros(at))
                .arg(unix_micros(until))
                .arg(millis_until(until, OffsetDateTime::now_utc()));
            self.ask::<()>(command).await
        })
    }

    fn sessions<'a>(
        &'a self,
        subject: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Vec<Session>, DenylistError>> {
        Box::pin(async move {
            self.check_policy().await?;
            let mut command = redis::cmd("HGETALL");
            command.arg(sessions_key(&self.prefix, subject));
            let kept: Vec<(String, String)> = self.ask(command).await?;
            let mut sessions = Vec::with_capacity(kept.len());
            for (id, value) in &kept {
                match session(subject, id, value) {
                    Ok(session) if session.until > now => sessions.push(session),
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "paseto: a session record is skipped"),
                }
            }
            if sessions.is_empty() {
                return Ok(sessions);
            }
            // The subject's record and each session's family, in one reading.
            let mut command = redis::cmd("MGET");
            command.arg(self.key(subject, Target::All));
            for session in &sessions {
                command.arg(self.key(subject, Target::Family(&session.id)));
            }
            let records: Vec<Option<String>> = self.ask(command).await?;
            let cutoff = records.first().cloned().flatten();
            let cutoff = cutoff.as_deref().map(records::subject).transpose()?;
            let revoked = records
                .iter()
                .skip(1)
                .map(|r| r.as_deref() == Some(records::REVOKED));
            Ok(sessions
                .into_iter()
                .zip(revoked)
                .filter(|(session, revoked)| {
                    !revoked && cutoff.is_none_or(|cutoff| session.created_at >= cutoff)
                })
                .map(|(session, _)| session)
                .collect())
        })
    }

    fn end_session<'a>(
        &'a self,
        subject: &'a str,
        id: &'a str,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<bool, DenylistError>> {
        Box::pin(async move {
            self.check_policy().await?;
            let now = OffsetDateTime::now_utc();
            let family = Target::Family(id);
            let mut command = redis::cmd("EVAL");
            command
                .arg(END_SESSION)
                .arg(2)
                .arg(sessions_key(&self.prefix, subject))
                .arg(self.key(subject, family))
                .arg(id)
                .arg(millis_until(until, now))
                .arg(unix_micros(now));
            let ended: i64 = self.write(command).await?;
            if let (Some(mirror), true) = (&self.mirror, ended == 1) {
                mirror.records().record_revoked(subject, family, until, now);
            }
            Ok(ended == 1)
        })
    }
}
