//! A Redis Cluster deployment: the client that routes each command to the
//! primary holding its key's slot, and the primaries a local copy follows.

use std::time::Duration;

use redis::aio::ConnectionLike;
use redis::cluster::{ClusterClient, ClusterClientBuilder, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::{ConnectionAddr, RedisResult};

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
/// (`CLUSTER NODES`), sorted: every node flagged `master` and not `fail`,
/// with slots or not yet (a slot being imported already takes writes). An
/// error when it names none.
pub(super) async fn primaries(connection: &mut impl ConnectionLike) -> RedisResult<Vec<Addr>> {
    let nodes: String = redis::cmd("CLUSTER")
        .arg("NODES")
        .query_async(connection)
        .await?;
    let view = View::read(&nodes)?;
    Ok(view.primaries)
}

/// One beat on a cluster's node the local copy follows: the node says the
/// cluster is ok, is still a primary itself, and names the primaries `seen`.
pub(super) async fn beat(connection: &mut impl ConnectionLike, seen: &[Addr]) -> RedisResult<Beat> {
    let (info, nodes): (String, String) = redis::pipe()
        .cmd("CLUSTER")
        .arg("INFO")
        .cmd("CLUSTER")
        .arg("NODES")
        .query_async(connection)
        .await?;
    let view = View::read(&nodes)?;
    Ok(
        if !info.lines().any(|line| line.trim() == "cluster_state:ok") {
            Beat::Down
        } else if !view.myself_primary {
            Beat::Demoted
        } else if view.primaries != seen {
            Beat::Reshaped
        } else {
            Beat::Steady
        },
    )
}

/// What one beat on a cluster's node found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Beat {
    /// As seen when the copy began to follow.
    Steady,
    /// The node says the cluster is down (it may be cut off from the majority).
    Down,
    /// The node is no longer a primary.
    Demoted,
    /// The node names other primaries.
    Reshaped,
}

/// A node's view of the cluster, from `CLUSTER NODES`.
struct View {
    primaries: Vec<Addr>,
    /// Whether the answering node is a primary.
    myself_primary: bool,
}

impl View {
    /// Reads the lines `<id> <ip:port@cport[,hostname]> <flags> …`.
    fn read(nodes: &str) -> RedisResult<Self> {
        let mut primaries = Vec::new();
        let mut myself_primary = false;
        for line in nodes.lines().filter(|line| !line.trim().is_empty()) {
            let mut fields = line.split_whitespace();
            let (Some(_id), Some(address), Some(flags)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(malformed());
            };
            let flags: Vec<&str> = flags.split(',').collect();
            let primary = flags.contains(&"master");
            if flags.contains(&"myself") {
                myself_primary = primary;
            }
            let gone = ["fail", "noaddr", "handshake"];
            if !primary || flags.iter().any(|flag| gone.contains(flag)) {
                continue;
            }
            let address = address.split(['@', ',']).next().unwrap_or_default();
            let (host, port) = address.rsplit_once(':').ok_or_else(malformed)?;
            let port = port.parse().map_err(|_| malformed())?;
            if host.is_empty() || port == 0 {
                return Err(malformed());
            }
            primaries.push((host.to_owned(), port));
        }
        if primaries.is_empty() {
            return Err(malformed());
        }
        primaries.sort_unstable();
        primaries.dedup();
        Ok(Self {
            primaries,
            myself_primary,
        })
    }
}

fn malformed() -> redis::RedisError {
    (
        redis::ErrorKind::Parse,
        "a CLUSTER NODES reply that names no primary's address",
    )
        .into()
}

fn is_tls(info: &redis::ConnectionInfo) -> bool {
    matches!(info.addr(), ConnectionAddr::TcpTls { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES: &str = "\
07c3 127.0.0.1:30004@31004,host4 slave e7d1 0 1426238317239 4 connected
67ed 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922
292f 127.0.0.1:30003@31003 master,fail - 1426238318243 1426238315000 3 disconnected
6ec2 127.0.0.1:30005@31005 master - 0 1426238316232 5 connected
e7d1 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 10923-16383
";

    #[test]
    fn a_view_names_live_primaries_with_or_without_slots() {
        let view = View::read(NODES).unwrap();
        let addr = |port| ("127.0.0.1".to_owned(), port);
        assert_eq!(view.primaries, [addr(30001), addr(30002), addr(30005)]);
        assert!(view.myself_primary);
        let replica = NODES.replace("myself,master", "myself,slave");
        assert!(!View::read(&replica).unwrap().myself_primary);
    }

    #[test]
    fn a_view_without_a_primary_is_an_error() {
        for bad in [
            "",
            "07c3 127.0.0.1:30004@31004 slave e7d1 0 0 4 connected",
            "67ed :0@0 master,noaddr - 0 0 2 connected",
            "67ed :30002@31002 master - 0 0 2 connected",
            "67ed 127.0.0.1 master - 0 0 2 connected",
            "67ed",
        ] {
            assert!(View::read(bad).is_err(), "{bad:?}");
        }
    }
}
