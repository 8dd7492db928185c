//! A Redis Cluster deployment: the client that routes each command to the
//! primary holding its key's slot, and the primaries a local copy follows.

use std::time::Duration;

use redis::cluster::{ClusterClient, ClusterClientBuilder, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::{ConnectionAddr, RedisResult, Value};

use super::endpoint::{RedisTls, setting};
use crate::denylist::DenylistError;

/// A Redis Cluster as configured: some of its nodes (the client learns the
/// others), and TLS.
#[derive(Clone)]
pub(super) struct ClusterSpec {
    /// Nodes to ask for the cluster's layout; the first one's login and TLS
    /// are every node's.
    pub nodes: Vec<redis::ConnectionInfo>,
    /// Used when the URLs are `rediss://`.
    pub tls: Option<RedisTls>,
}

/// A Redis Cluster: a client that follows its slots through failovers and
/// resharding.
pub(super) struct Cluster {
    spec: ClusterSpec,
    client: ClusterClient,
    /// The local copy's connection, kept while the copy reconnects to each
    /// primary: it knows every node, where the URLs may name one that died.
    reader: tokio::sync::OnceCell<ClusterConnection>,
}

impl Cluster {
    /// A client of the cluster `spec` describes.
    pub(super) fn new(spec: ClusterSpec) -> Result<Self, DenylistError> {
        let first = spec
            .nodes
            .first()
            .ok_or_else(|| setting("name at least one Redis Cluster node"))?;
        let secure = is_tls(first);
        if spec.nodes.iter().any(|info| is_tls(info) != secure) {
            return Err(setting(
                "the cluster nodes' URLs are all redis:// or all rediss://: TLS is for every node or none",
            ));
        }
        let login = first.redis_settings();
        if spec.nodes.iter().any(|info| {
            let other = info.redis_settings();
            other.username() != login.username() || other.password() != login.password()
        }) {
            return Err(setting(
                "the cluster nodes' URLs carry one login: every node has the same user and password",
            ));
        }
        let mut builder = ClusterClientBuilder::new(spec.nodes.clone());
        if let Some(tls) = spec.tls.clone() {
            if !secure {
                return Err(setting(
                    "TLS settings (a CA or a client certificate) need rediss:// URLs",
                ));
            }
            builder = builder.certs(tls.certificates());
        }
        let client = builder
            .build()
            .map_err(|_| setting("no Redis Cluster client for these nodes"))?;
        Ok(Self {
            spec,
            client,
            reader: tokio::sync::OnceCell::new(),
        })
    }

    /// How the cluster was described.
    pub(super) fn spec(&self) -> &ClusterSpec {
        &self.spec
    }

    /// A connection that sends each command to the primary of its key's slot,
    /// following redirections.
    pub(super) async fn connect(&self, timeout: Duration) -> RedisResult<ClusterConnection> {
        let config = ClusterConfig::new()
            .set_connection_timeout(timeout)
            .set_response_timeout(timeout);
        self.client.get_async_connection_with_config(config).await
    }

    /// The local copy's connection, made on first use.
    pub(super) async fn reader(&self, timeout: Duration) -> RedisResult<ClusterConnection> {
        let reader = self.reader.get_or_try_init(|| self.connect(timeout));
        Ok(reader.await?.clone())
    }

    /// A client of the node at `addr`, with the cluster's login and TLS.
    pub(super) fn node(&self, addr: &Addr) -> RedisResult<redis::Client> {
        let first = &self.spec.nodes[0];
        let (host, port) = (addr.0.clone(), addr.1);
        let info = first.clone().set_addr(if is_tls(first) {
            ConnectionAddr::TcpTls {
                host,
                port,
                insecure: false,
                tls_params: None,
            }
        } else {
            ConnectionAddr::Tcp(host, port)
        });
        match &self.spec.tls {
            Some(tls) => redis::Client::build_with_tls(info, tls.clone().certificates()),
            None => redis::Client::open(info),
        }
    }
}

/// A node's host and port.
pub(super) type Addr = (String, u16);

/// The primaries of the cluster as the node `connection` reaches sees them
/// (`CLUSTER SLOTS`), sorted: those that hold at least one slot.
pub(super) async fn primaries(connection: &mut ClusterConnection) -> RedisResult<Vec<Addr>> {
    let slots: Vec<Value> = redis::cmd("CLUSTER")
        .arg("SLOTS")
        .query_async(connection)
        .await?;
    let mut primaries = Vec::new();
    for range in slots {
        let Value::Array(range) = range else {
            return Err(malformed());
        };
        let Some(Value::Array(node)) = range.get(2) else {
            return Err(malformed());
        };
        let host: String = redis::from_redis_value_ref(node.first().ok_or_else(malformed)?)?;
        let port: u16 = redis::from_redis_value_ref(node.get(1).ok_or_else(malformed)?)?;
        if host.is_empty() {
            return Err(malformed());
        }
        primaries.push((host, port));
    }
    primaries.sort_unstable();
    primaries.dedup();
    Ok(primaries)
}

fn malformed() -> redis::RedisError {
    (
        redis::ErrorKind::Parse,
        "a CLUSTER SLOTS reply without a primary's address",
    )
        .into()
}

fn is_tls(info: &redis::ConnectionInfo) -> bool {
    matches!(info.addr(), ConnectionAddr::TcpTls { .. })
}
