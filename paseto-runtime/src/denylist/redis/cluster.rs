//! A Redis Cluster deployment: the client that routes each command to the
//! primary holding its key's slot, and the primaries a local copy follows.

use std::time::Duration;

use redis::aio::ConnectionLike;
use redis::cluster::{ClusterClient, ClusterClientBuilder, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::{ConnectionAddr, RedisResult};

use super::endpoint::{RedisTls, is_tls, setting, speak_tls, tls_without_rediss};
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
        let secure = speak_tls(&spec.nodes, "cluster nodes")?;
        let first = &spec.nodes[0];
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
                return Err(tls_without_rediss());
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

/// A primary of the cluster: its node id, and where to reach it (its
/// hostname when it announces one, as a certificate may name it).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Primary {
    pub id: String,
    pub addr: Addr,
}

/// The primaries of the cluster as the node `connection` reaches sees them
/// (`CLUSTER NODES`), by node id: every node flagged `master` that holds
/// slots, failed or not (so that a shard without a live primary keeps the
/// copy from answering), and every other one not flagged `fail` (a slot being
/// imported already takes writes). An error when it names none.
pub(super) async fn primaries(connection: &mut impl ConnectionLike) -> RedisResult<Vec<Primary>> {
    let nodes: String = redis::cmd("CLUSTER")
        .arg("NODES")
        .query_async(connection)
        .await?;
    Ok(View::read(&nodes)?.primaries)
}

/// One beat on the cluster's node `expected`, which the local copy follows:
/// it is that node, says the cluster is ok, is still a primary, and names the
/// primaries `seen`.
pub(super) async fn beat(
    connection: &mut impl ConnectionLike,
    expected: &Primary,
    seen: &[Primary],
) -> RedisResult<Beat> {
    let (info, nodes): (String, String) = redis::pipe()
        .cmd("CLUSTER")
        .arg("INFO")
        .cmd("CLUSTER")
        .arg("NODES")
        .query_async(connection)
        .await?;
    let view = View::read(&nodes)?;
    Ok(match view.myself {
        _ if !info.lines().any(|line| line.trim() == "cluster_state:ok") => Beat::Down,
        Some((ref id, _)) if *id != expected.id => Beat::Reshaped,
        Some((_, true)) if same_ids(&view.primaries, seen) => Beat::Steady,
        Some((_, true)) => Beat::Reshaped,
        _ => Beat::Demoted,
    })
}

/// Whether two lists name the same primaries, in order.
fn same_ids(a: &[Primary], b: &[Primary]) -> bool {
    a.iter().map(|p| &p.id).eq(b.iter().map(|p| &p.id))
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
    /// The node names other primaries, or is another node than expected.
    Reshaped,
}

/// A node's view of the cluster, from `CLUSTER NODES`.
struct View {
    /// Sorted by node id.
    primaries: Vec<Primary>,
    /// The answering node's id, and whether it is a primary.
    myself: Option<(String, bool)>,
}

impl View {
    /// Reads the lines `<id> <ip:port@cport[,hostname]> <flags> <master>
    /// <ping-sent> <pong-recv> <config-epoch> <link-state> <slot>…`.
    fn read(nodes: &str) -> RedisResult<Self> {
        let mut primaries = Vec::new();
        let mut myself = None;
        for line in nodes.lines().filter(|line| !line.trim().is_empty()) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [id, address, flags, ..] = fields[..] else {
                return Err(malformed());
            };
            let flags: Vec<&str> = flags.split(',').collect();
            let primary = flags.contains(&"master");
            if flags.contains(&"myself") {
                myself = Some((id.to_owned(), primary));
            }
            // Slots, not the `[slot->-id]` of one being moved.
            let holds_slots = fields.iter().skip(8).any(|slot| !slot.starts_with('['));
            let gone = ["fail", "noaddr", "handshake"];
            if !primary || !holds_slots && flags.iter().any(|flag| gone.contains(flag)) {
                continue;
            }
            let (ip, hostname) = match address.split_once(',') {
                Some((ip, hostname)) => (ip, Some(hostname).filter(|h| !h.is_empty())),
                None => (address, None),
            };
            let ip = ip.split('@').next().unwrap_or_default();
            let (ip, port) = ip.rsplit_once(':').ok_or_else(malformed)?;
            let port = port.parse().map_err(|_| malformed())?;
            let host = hostname.unwrap_or(ip);
            if host.is_empty() || port == 0 {
                return Err(malformed());
            }
            primaries.push(Primary {
                id: id.to_owned(),
                addr: (host.to_owned(), port),
            });
        }
        if primaries.is_empty() {
            return Err(malformed());
        }
        primaries.sort_unstable();
        primaries.dedup();
        Ok(Self { primaries, myself })
    }
}

fn malformed() -> redis::RedisError {
    (
        redis::ErrorKind::Parse,
        "a CLUSTER NODES reply that names no primary's address",
    )
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES: &str = "\
07c3 127.0.0.1:30004@31004,host4 slave e7d1 0 1426238317239 4 connected
67ed 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922
292f 127.0.0.1:30003@31003 master,fail - 1426238318243 1426238315000 3 disconnected 10923-16383
6ec2 127.0.0.1:30005@31005,host5 master - 0 1426238316232 5 connected
e7d1 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 [5461->-67ed]
";

    #[test]
    fn a_view_names_primaries_by_id() {
        let view = View::read(NODES).unwrap();
        let primary = |id: &str, host: &str, port| Primary {
            id: id.to_owned(),
            addr: (host.to_owned(), port),
        };
        assert_eq!(
            view.primaries,
            [
                // Failed, and holding slots: followed, so the copy waits for it.
                primary("292f", "127.0.0.1", 30003),
                primary("67ed", "127.0.0.1", 30002),
                // Slotless: it may be importing one.
                primary("6ec2", "host5", 30005),
                primary("e7d1", "127.0.0.1", 30001),
            ]
        );
        assert_eq!(view.myself, Some(("e7d1".to_owned(), true)));
        let replica = NODES.replace("myself,master", "myself,slave");
        assert_eq!(
            View::read(&replica).unwrap().myself,
            Some(("e7d1".to_owned(), false))
        );
        let gone = NODES.replace(
            "1426238315000 3 disconnected 10923-16383",
            "0 3 disconnected",
        );
        let ids: Vec<String> = View::read(&gone)
            .unwrap()
            .primaries
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(
            ids,
            ["67ed", "6ec2", "e7d1"],
            "a failed primary without slots is gone"
        );
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
