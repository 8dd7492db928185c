//! Follows Redis into a [`Mirror`]. One task per denylist holds a RESP3
//! connection with client tracking on, in broadcast mode over the denylist's
//! prefix, to each server that holds records (the server, or every primary of
//! a cluster: tracking is per server): Redis then names every key of the
//! prefix that is written, deleted or expires. The task reads every record
//! when it connects, reads each named key again, and pings every
//! [`HEARTBEAT`]; once every server answered, the copy answers for [`TRUST`]
//! from when the pings were sent. In a cluster the beat asks each primary
//! whether it still is one, whether the cluster is ok and which primaries
//! there are: when any answer differs (a failover, a node added, a partition)
//! the cluster is followed anew.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use futures_util::future::try_join_all;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, ProtocolVersion, PushInfo, PushKind, Value};
use time::OffsetDateTime;
use tokio::sync::mpsc::unbounded_channel;

use super::cluster::{self, Beat};
use super::mirror::Mirror;
use super::records;
use super::route::{Connection, Endpoint};
use crate::denylist::Target;

/// How often the connection is pinged.
const HEARTBEAT: Duration = Duration::from_millis(250);
/// How long after a ping was sent its answer lets the copy answer.
const TRUST: Duration = Duration::from_secs(1);
/// Keys asked for per `SCAN` step.
const BATCH: usize = 500;
/// The first and the longest wait between two connection attempts.
const RETRY: (Duration, Duration) = (Duration::from_millis(100), Duration::from_secs(1));

/// Where the copy comes from.
pub(super) struct Source {
    /// The denylist's server, or its Sentinel deployment's primary; the
    /// copy's connection speaks RESP3 to it.
    pub endpoint: Endpoint,
    pub prefix: String,
    /// How long one Redis operation may take.
    pub timeout: Duration,
}

/// Starts following `source` into `mirror` on the current Tokio runtime, once
/// per mirror.
pub(super) fn follow(mirror: &Arc<Mirror>, source: impl FnOnce() -> Source) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current()
        && mirror.start()
    {
        runtime.spawn(run(Arc::downgrade(mirror), source()));
    }
}

/// Why the copy stopped following Redis.
#[derive(Debug, thiserror::Error)]
enum Lost {
    #[error(transparent)]
    Redis(#[from] redis::RedisError),
    #[error("the connection closed")]
    Closed,
    #[error("the server is no longer the primary")]
    Demoted,
    #[error("the cluster's primaries changed")]
    Reshaped,
    #[error("a primary says the cluster is down")]
    ClusterDown,
}

/// Follows Redis until the denylist is dropped, reconnecting after each loss
/// (to the primary the sentinels name then, in a Sentinel deployment).
async fn run(mirror: Weak<Mirror>, source: Source) {
    let mut retry = RETRY.0;
    let mut failing = false;
    loop {
        let error = match session(&mirror, &source, &mut || {
            retry = RETRY.0;
            if std::mem::take(&mut failing) {
                tracing::info!("paseto: the Redis denylist's local copy is current again");
            }
        })
        .await
        {
            Ok(()) => return,
            Err(error) => error,
        };
        let Some(copy) = mirror.upgrade() else { return };
        copy.distrust();
        drop(copy);
        if !std::mem::replace(&mut failing, true) {
            tracing::warn!(%error, "paseto: the Redis denylist's local copy is not current; requests ask Redis until it is");
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(RETRY.1);
    }
}

/// `client`, speaking RESP3.
fn resp3(client: &redis::Client) -> Result<redis::Client, Lost> {
    let info = client.get_connection_info().clone();
    let settings = info
        .redis_settings()
        .clone()
        .set_protocol(ProtocolVersion::RESP3);
    Ok(redis::Client::open(info.set_redis_settings(settings))?)
}

/// One connection per server that holds records: subscribes to changes,
/// reads every record, then keeps the copy current until a connection fails
/// or the cluster's primaries change (`Err`), or the denylist is dropped.
async fn session(
    mirror: &Weak<Mirror>,
    source: &Source,
    current: &mut impl FnMut(),
) -> Result<(), Lost> {
    let (sender, mut pushes) = unbounded_channel();
    let down = Arc::new(AtomicBool::new(false));
    let config = {
        let (mirror, down) = (mirror.clone(), Arc::clone(&down));
        AsyncConnectionConfig::new()
            .set_connection_timeout(Some(source.timeout))
            .set_response_timeout(Some(source.timeout))
            .set_push_sender(move |push: PushInfo| {
                if push.kind == PushKind::Disconnection {
                    down.store(true, Ordering::SeqCst);
                    if let Some(mirror) = mirror.upgrade() {
                        mirror.distrust();
                    }
                }
                sender.send(push)
            })
    };
    let watched = source.endpoint.watched(source.timeout).await?;
    // The revocation records only: sessions, kept under the same prefix, are
    // never read by a request, so their writes need not reach every instance.
    let mut tracking = redis::cmd("CLIENT");
    tracking.arg("TRACKING").arg("ON").arg("BCAST");
    for kind in records::KINDS {
        tracking
            .arg("PREFIX")
            .arg(format!("{}{kind}", source.prefix));
    }
    let mut servers = Vec::with_capacity(watched.servers.len());
    for client in &watched.servers {
        let client = resp3(client)?;
        let mut connection = client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        tracking.exec_async(&mut connection).await?;
        servers.push((client.get_connection_info().addr().clone(), connection));
    }
    // Records are read where their key lives: on the one server, or on the
    // primary of their slot (which the key a server names may have left).
    let (reader, primaries) = if let Some((cluster, primaries)) = watched.cluster {
        (Connection::Cluster(cluster), primaries)
    } else {
        let (_, first) = servers.first().ok_or(Lost::Closed)?;
        (Connection::Primary(first.clone()), Vec::new())
    };
    let mut everything = true;
    let mut keys = Vec::new();
    let mut beat = Instant::now();
    loop {
        let Some(copy) = mirror.upgrade() else {
            return Ok(());
        };
        if std::mem::take(&mut everything) {
            for (_, server) in &mut servers {
                read_all(&copy, server, &reader, &source.prefix).await?;
            }
        }
        read(&copy, &reader, &source.prefix, &std::mem::take(&mut keys)).await?;
        if Instant::now() >= beat {
            let sent = Instant::now();
            for (index, (addr, server)) in servers.iter_mut().enumerate() {
                check(
                    &source.endpoint,
                    addr,
                    server,
                    (primaries.get(index), &primaries),
                )
                .await?;
            }
            copy.trust_until(sent + TRUST, &down);
            current();
            beat = sent + HEARTBEAT;
        }
        drop(copy);
        let wait = beat.saturating_duration_since(Instant::now());
        if let Ok(push) = tokio::time::timeout(wait, pushes.recv()).await {
            take(push.ok_or(Lost::Closed)?, &mut keys, &mut everything)?;
            while let Ok(push) = pushes.try_recv() {
                take(push, &mut keys, &mut everything)?;
            }
        }
    }
}

/// One beat on a followed server: it answers; in a Sentinel deployment it is
/// still the primary the sentinels name; in a cluster it is the primary
/// expected (`cluster.0`), still a primary, says the cluster is ok and names
/// the primaries the copy follows (`cluster.1`).
async fn check(
    endpoint: &Endpoint,
    addr: &redis::ConnectionAddr,
    server: &mut MultiplexedConnection,
    cluster: (Option<&cluster::Primary>, &[cluster::Primary]),
) -> Result<(), Lost> {
    match endpoint {
        Endpoint::Server(_) => Ok(redis::cmd("PING").exec_async(server).await?),
        Endpoint::Sentinel(sentinels) => {
            // A primary demoted by a failover may stay up as a replica.
            let role: Vec<Value> = redis::cmd("ROLE").query_async(server).await?;
            let primary = match role.first() {
                Some(Value::BulkString(kind)) => kind == b"master",
                Some(Value::SimpleString(kind)) => kind == "master",
                _ => false,
            };
            // And one that came back as a primary nobody else follows.
            if !primary || !sentinels.names(addr).await? {
                return Err(Lost::Demoted);
            }
            Ok(())
        }
        // Each primary is asked, not any node: one cut off from the majority
        // says the cluster is down before the majority promotes its replica.
        Endpoint::Cluster(_) => {
            let (Some(expected), seen) = cluster else {
                return Err(Lost::Reshaped);
            };
            match cluster::beat(server, expected, seen).await? {
                Beat::Steady => Ok(()),
                Beat::Down => Err(Lost::ClusterDown),
                Beat::Demoted => Err(Lost::Demoted),
                Beat::Reshaped => Err(Lost::Reshaped),
            }
        }
    }
}

/// Notes what one message from Redis says has changed.
fn take(push: PushInfo, keys: &mut Vec<String>, everything: &mut bool) -> Result<(), Lost> {
    match push.kind {
        PushKind::Disconnection => return Err(Lost::Closed),
        PushKind::Invalidate => match push.data.into_iter().next() {
            Some(Value::Array(named)) => {
                keys.extend(named.into_iter().filter_map(|key| match key {
                    Value::BulkString(bytes) => String::from_utf8(bytes).ok(),
                    _ => None,
                }));
            }
            // A flush names no key; anything else is read as one too.
            _ => *everything = true,
        },
        _ => {}
    }
    Ok(())
}

/// Reads every record of the prefix that `server` holds into the copy,
/// through `reader`.
async fn read_all(
    mirror: &Mirror,
    server: &mut MultiplexedConnection,
    reader: &Connection,
    prefix: &str,
) -> Result<(), Lost> {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('*');
    let mut cursor = 0_u64;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(BATCH)
            .query_async(server)
            .await?;
        read(mirror, reader, prefix, &keys).await?;
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}

/// A record and its lifetime left in milliseconds (-2 without a record), in
/// one command: a cluster's node moving the key's slot redirects it whole
/// (`ASK`). No boolean in the reply, which RESP2 and RESP3 say differently.
const READ: &str = "local v = redis.call('GET', KEYS[1]) \
    if not v then return {'', -2} end \
    return {v, redis.call('PTTL', KEYS[1])}";

/// Reads the records under `keys` into the copy, with their expiries: each
/// key on its own, as a cluster's keys live on many servers.
async fn read(
    mirror: &Mirror,
    reader: &Connection,
    prefix: &str,
    keys: &[String],
) -> Result<(), Lost> {
    let named: Vec<(&String, (Cow<'_, str>, Target<'_>))> = keys
        .iter()
        .filter_map(|key| Some((key, records::target(prefix, key)?)))
        .collect();
    if named.is_empty() {
        return Ok(());
    }
    let answers = try_join_all(named.iter().map(|(key, _)| {
        let mut reader = reader.clone();
        async move {
            redis::cmd("EVAL")
                .arg(READ)
                .arg(1)
                .arg(*key)
                .query_async::<(String, i64)>(&mut reader)
                .await
        }
    }))
    .await?;
    let now = OffsetDateTime::now_utc();
    for ((_, (subject, target)), (value, left)) in named.into_iter().zip(answers) {
        if left != -2 {
            mirror.absorb(&subject, target, &value, left, now);
        }
    }
    Ok(())
}
