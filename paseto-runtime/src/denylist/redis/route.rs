//! Where a Redis denylist's commands go: one server, whichever server the
//! sentinels name primary now, or the primary of each key's slot in a Redis
//! Cluster. A connection to a Sentinel primary that failed over is dropped at
//! its first error, and the next command asks the sentinels again; a Cluster
//! connection follows its slots itself.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{AsyncConnectionConfig, Cmd, Pipeline, RedisFuture, RedisResult, TlsMode, Value};

use redis::cluster_async::ClusterConnection;

use super::cluster::{self, Cluster};
use super::endpoint::{RedisTls, setting, speak_tls};
use crate::denylist::DenylistError;

/// What a denylist connects to.
#[derive(Clone)]
pub(super) enum Endpoint {
    /// One server, at a fixed address.
    Server(Box<redis::Client>),
    /// The primary of a Sentinel deployment.
    Sentinel(Arc<Sentinels>),
    /// A Redis Cluster.
    Cluster(Arc<Cluster>),
}

/// A Sentinel deployment as configured: the sentinels, the name of the
/// primary they watch, the login of its servers, and TLS.
#[derive(Clone)]
pub(super) struct SentinelSpec {
    /// The sentinels, logged in to as the first URL says.
    pub urls: Vec<redis::ConnectionInfo>,
    pub primary: String,
    /// The user and password of the primary's servers.
    pub login: (Option<String>, Option<String>),
    /// Used when the sentinels' URLs are `rediss://`.
    pub tls: Option<RedisTls>,
}

/// A Sentinel deployment: asks the sentinels where the primary is.
pub(super) struct Sentinels {
    spec: SentinelSpec,
    client: tokio::sync::Mutex<SentinelClient>,
    /// A connection to a sentinel, to ask again and again.
    watcher: tokio::sync::Mutex<Option<MultiplexedConnection>>,
}

/// How long a connection to a Sentinel deployment's primary is used before
/// the sentinels are asked again whether it still is the primary: a primary
/// that came back after a failover must not keep clients that the new one
/// does not see.
const RECHECK: Duration = Duration::from_millis(250);

impl Sentinels {
    /// A client of the deployment `spec` describes.
    pub(super) fn new(spec: SentinelSpec) -> Result<Self, DenylistError> {
        let secure = speak_tls(&spec.urls, "sentinels")?;
        let first = &spec.urls[0];
        let mut builder = SentinelClientBuilder::new(
            spec.urls.iter().map(|info| info.addr().clone()),
            &spec.primary,
            SentinelServerType::Master,
        )
        .map_err(|_| setting("the sentinels' URLs name no server"))?;
        let sentinel_login = first.redis_settings();
        if let Some(username) = sentinel_login.username() {
            builder = builder.set_client_to_sentinel_username(username);
        }
        if let Some(password) = sentinel_login.password() {
            builder = builder.set_client_to_sentinel_password(password);
        }
        if let Some(username) = &spec.login.0 {
            builder = builder.set_client_to_redis_username(username);
        }
        if let Some(password) = &spec.login.1 {
            builder = builder.set_client_to_redis_password(password);
        }
        if secure {
            builder = builder
                .set_client_to_redis_tls_mode(TlsMode::Secure)
                .set_client_to_sentinel_tls_mode(TlsMode::Secure);
        }
        if let Some(tls) = spec.tls.clone() {
            let certificates = tls.certificates();
            builder = builder
                .set_client_to_redis_certificates(certificates.clone())
                .set_client_to_sentinel_certificates(certificates);
        }
        let client = builder
            .build()
            .map_err(|_| setting("no Sentinel client for these sentinels"))?;
        Ok(Self {
            spec,
            client: tokio::sync::Mutex::new(client),
            watcher: tokio::sync::Mutex::new(None),
        })
    }

    /// Whether the sentinels name the server at `addr` primary now.
    pub(super) async fn names(&self, addr: &redis::ConnectionAddr) -> RedisResult<bool> {
        let (host, port) = match addr {
            redis::ConnectionAddr::Tcp(host, port)
            | redis::ConnectionAddr::TcpTls { host, port, .. } => (host, *port),
            _ => return Ok(false),
        };
        let mut watcher = self.watcher.lock().await;
        let mut ask = redis::cmd("SENTINEL");
        ask.arg("GET-MASTER-ADDR-BY-NAME").arg(&self.spec.primary);
        if let Some(connection) = watcher.as_mut() {
            match ask.query_async::<Option<(String, u16)>>(connection).await {
                Ok(named) => return Ok(named.is_some_and(|(h, p)| h == *host && p == port)),
                Err(_) => *watcher = None,
            }
        }
        let mut last = None;
        for info in &self.spec.urls {
            let client = match &self.spec.tls {
                Some(tls) => {
                    redis::Client::build_with_tls(info.clone(), tls.clone().certificates())
                }
                None => redis::Client::open(info.clone()),
            }?;
            let answer = async {
                let mut connection = client.get_multiplexed_async_connection().await?;
                let named = ask
                    .query_async::<Option<(String, u16)>>(&mut connection)
                    .await?;
                Ok::<_, redis::RedisError>((connection, named))
            };
            match answer.await {
                Ok((connection, named)) => {
                    *watcher = Some(connection);
                    return Ok(named.is_some_and(|(h, p)| h == *host && p == port));
                }
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| (redis::ErrorKind::Io, "no sentinel answers").into()))
    }

    /// How the deployment was described.
    pub(super) fn spec(&self) -> &SentinelSpec {
        &self.spec
    }

    /// A client of the server the sentinels name primary now.
    pub(super) async fn primary(&self) -> RedisResult<redis::Client> {
        self.client.lock().await.async_get_client().await
    }
}

/// The servers that hold the records now, as a local copy follows them.
pub(super) struct Watched {
    /// Clients of the one server, the Sentinel deployment's primary, or each
    /// primary of a cluster.
    pub servers: Vec<redis::Client>,
    /// For a cluster: a connection that reads each key on its slot's
    /// primary, and the primaries it saw, in the order of `servers`.
    pub cluster: Option<(ClusterConnection, Vec<cluster::Primary>)>,
}

impl Endpoint {
    /// The servers that hold the records now.
    pub(super) async fn watched(&self, timeout: Duration) -> RedisResult<Watched> {
        let servers = match self {
            Self::Server(client) => vec![client.as_ref().clone()],
            Self::Sentinel(sentinels) => vec![sentinels.primary().await?],
            Self::Cluster(cluster) => {
                let mut connection = cluster.reader(timeout).await?;
                let primaries = cluster::primaries(&mut connection).await?;
                let servers = primaries
                    .iter()
                    .map(|primary| cluster.node(&primary.addr))
                    .collect::<RedisResult<_>>()?;
                return Ok(Watched {
                    servers,
                    cluster: Some((connection, primaries)),
                });
            }
        };
        Ok(Watched {
            servers,
            cluster: None,
        })
    }
}

/// Commands to an [`Endpoint`], each bounded by a timeout.
#[derive(Clone)]
pub(super) enum Route {
    Server(ConnectionManager),
    Sentinel(Arc<PrimaryRoute>),
    Cluster(Arc<ClusterRoute>),
}

/// Commands to a Redis Cluster: one connection, made by the first command
/// while the others wait for it, which then follows the cluster's slots.
pub(super) struct ClusterRoute {
    cluster: Arc<Cluster>,
    connection: tokio::sync::OnceCell<ClusterConnection>,
    timeout: Duration,
    made: Instant,
}

/// How often the eviction policy of a cluster's primaries is read again: a
/// failover may have promoted a replica configured otherwise.
const POLICY_RECHECK: Duration = Duration::from_secs(30);

/// Commands to a Sentinel deployment's primary: one connection at a time,
/// made by one command while the others wait for it, and used only while the
/// sentinels, asked again every [`RECHECK`], still name its server.
pub(super) struct PrimaryRoute {
    sentinels: Arc<Sentinels>,
    current: Mutex<Option<Primary>>,
    /// Held by the one command that asks the sentinels or connects.
    asking: tokio::sync::Mutex<()>,
    /// How many connections the route has made.
    connections: AtomicU64,
    timeout: Duration,
}

/// A connection to the server the sentinels named primary, and when they last did.
#[derive(Clone)]
struct Primary {
    connection: MultiplexedConnection,
    addr: redis::ConnectionAddr,
    named: Instant,
}

impl Route {
    /// A route to `endpoint`, its connection made on first use.
    pub(super) fn new(endpoint: &Endpoint, timeout: Duration) -> Result<Self, DenylistError> {
        Ok(match endpoint {
            Endpoint::Server(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout))
                    .set_number_of_retries(1)
                    .set_max_delay(timeout);
                let manager =
                    ConnectionManager::new_lazy_with_config(client.as_ref().clone(), config)
                        .map_err(|e| DenylistError(e.into()))?;
                Self::Server(manager)
            }
            Endpoint::Sentinel(sentinels) => Self::Sentinel(Arc::new(PrimaryRoute {
                sentinels: Arc::clone(sentinels),
                current: Mutex::new(None),
                asking: tokio::sync::Mutex::new(()),
                connections: AtomicU64::new(0),
                timeout,
            })),
            Endpoint::Cluster(cluster) => Self::Cluster(Arc::new(ClusterRoute {
                cluster: Arc::clone(cluster),
                connection: tokio::sync::OnceCell::new(),
                timeout,
                made: Instant::now(),
            })),
        })
    }

    /// A connection to the server commands go to now.
    pub(super) async fn connection(&self) -> RedisResult<Connection> {
        match self {
            Self::Server(manager) => Ok(Connection::Server(manager.clone())),
            Self::Sentinel(route) => route.connection().await.map(Connection::Primary),
            Self::Cluster(route) => {
                let connection = route
                    .connection
                    .get_or_try_init(|| route.cluster.connect(route.timeout))
                    .await?;
                Ok(Connection::Cluster(connection.clone()))
            }
        }
    }

    /// Which servers commands reach now, counted from 1: a new connection
    /// may reach another server (a Sentinel deployment's new primary); a
    /// cluster's primaries are counted anew every [`POLICY_RECHECK`].
    pub(super) fn generation(&self) -> u64 {
        match self {
            Self::Server(_) => 1,
            Self::Sentinel(route) => route.connections.load(Ordering::Acquire) + 1,
            Self::Cluster(route) => route.made.elapsed().as_secs() / POLICY_RECHECK.as_secs() + 1,
        }
    }

    /// Drops the connection after it failed, so that the next command asks
    /// the sentinels where the primary is.
    pub(super) fn failed(&self) {
        if let Self::Sentinel(route) = self {
            *route.slot() = None;
        }
    }
}

impl PrimaryRoute {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Primary>> {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The kept connection, when the sentinels named its server less than
    /// [`RECHECK`] ago.
    fn fresh(&self) -> Option<MultiplexedConnection> {
        self.slot()
            .as_ref()
            .filter(|kept| kept.named.elapsed() < RECHECK)
            .map(|kept| kept.connection.clone())
    }

    async fn connection(&self) -> RedisResult<MultiplexedConnection> {
        if let Some(connection) = self.fresh() {
            return Ok(connection);
        }
        let _asking = self.asking.lock().await;
        // Another command may have asked while this one waited.
        if let Some(connection) = self.fresh() {
            return Ok(connection);
        }
        let kept = self.slot().clone();
        if let Some(kept) = kept {
            if self.sentinels.names(&kept.addr).await? {
                if let Some(slot) = self.slot().as_mut() {
                    slot.named = Instant::now();
                }
                return Ok(kept.connection);
            }
            *self.slot() = None;
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout));
        let client = self.sentinels.primary().await?;
        let connection = client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        self.connections.fetch_add(1, Ordering::AcqRel);
        *self.slot() = Some(Primary {
            connection: connection.clone(),
            addr: client.get_connection_info().addr().clone(),
            named: Instant::now(),
        });
        Ok(connection)
    }
}

/// One connection of a [`Route`].
#[derive(Clone)]
pub(super) enum Connection {
    Server(ConnectionManager),
    Primary(MultiplexedConnection),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Server(connection) => connection.req_packed_command(cmd),
            Self::Primary(connection) => connection.req_packed_command(cmd),
            Self::Cluster(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Server(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Primary(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Cluster(connection) => connection.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Server(connection) => connection.get_db(),
            Self::Primary(connection) => connection.get_db(),
            Self::Cluster(connection) => connection.get_db(),
        }
    }
}
