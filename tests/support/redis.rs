//! A real `redis-server` per test.

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::services::available;

/// A `redis-server` on a free loopback port, started for one test and stopped
/// when dropped. Nothing is persisted.
pub struct RedisServer {
    port: u16,
    args: Vec<String>,
    /// A sentinel's configuration file, which it rewrites as it learns.
    sentinel: Option<std::path::PathBuf>,
    /// The server's own directory, where a replica's full sync writes its
    /// snapshot, so that no other server ever loads it.
    dir: std::path::PathBuf,
    process: Option<std::process::Child>,
}

impl RedisServer {
    /// Starts a server and waits until it answers; `None` (the test skipped)
    /// on a machine without `redis-server`.
    pub async fn start() -> Option<Self> {
        Self::start_with(&[]).await
    }

    /// Starts a server with extra command-line arguments, such as
    /// `["--rename-command", "INFO", ""]`, and waits until it answers; `None`
    /// (the test skipped) on a machine without `redis-server`.
    pub async fn start_with(args: &[&str]) -> Option<Self> {
        if !available("redis-server") {
            return None;
        }
        let port = Self::free_port();
        let mut server = Self {
            port,
            args: args.iter().map(|&arg| arg.to_owned()).collect(),
            sentinel: None,
            dir: own_dir(port),
            process: None,
        };
        server.restart().await;
        Some(server)
    }

    /// Starts a sentinel (`redis-sentinel`) watching `primary` under the name
    /// `mymaster`, with quorum 1, declaring it down after half a second;
    /// `None` (the test skipped) on a machine without `redis-sentinel`.
    pub async fn start_sentinel(primary: &Self) -> Option<Self> {
        if !available("redis-sentinel") {
            return None;
        }
        let port = Self::free_port();
        let file = std::env::temp_dir().join(format!("paseto-sentinel-{port}.conf"));
        let config = format!(
            "sentinel monitor mymaster 127.0.0.1 {} 1\n\
             sentinel down-after-milliseconds mymaster 500\n\
             sentinel failover-timeout mymaster 2000\n",
            primary.port
        );
        std::fs::write(&file, config).expect("a sentinel configuration file");
        let mut server = Self {
            port,
            args: Vec::new(),
            sentinel: Some(file),
            dir: own_dir(port),
            process: None,
        };
        server.restart().await;
        Some(server)
    }

    /// A free loopback port, for a second listener such as `--tls-port`.
    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port()
    }

    /// The URL clients connect to.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port of the plain listener.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server; clients then cannot reach it.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }

    /// Starts the server (again) on the same port and waits until it answers.
    pub async fn restart(&mut self) {
        self.stop();
        let mut command = match &self.sentinel {
            Some(file) => {
                let mut command = std::process::Command::new("redis-sentinel");
                command.arg(file);
                command
            }
            None => std::process::Command::new("redis-server"),
        };
        let process = command
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(["--dir", &self.dir.to_string_lossy()])
            .args(&self.args)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server on the PATH: run `scripts/test`, which installs it");
        self.process = Some(process);
        for _ in 0..200 {
            if let Some(process) = &mut self.process
                && let Ok(Some(status)) = process.try_wait()
            {
                panic!("redis-server exited ({status}): port {} taken?", self.port);
            }
            if self.command(&["PING"]).await.as_deref() == Some("+PONG") {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("redis-server did not answer on port {}", self.port);
    }
}

impl RedisServer {
    /// Sends one command; the reply to read, or `None` when the server cannot be
    /// reached.
    async fn send(&self, args: &[&str]) -> Option<BufReader<TcpStream>> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await.ok()?;
        let request: String = std::iter::once(format!("*{}\r\n", args.len()))
            .chain(
                args.iter()
                    .map(|arg| format!("${}\r\n{arg}\r\n", arg.len())),
            )
            .collect();
        stream.write_all(request.as_bytes()).await.ok()?;
        Some(BufReader::new(stream))
    }

    /// Sends one command and returns the first line of the reply (`+PONG`,
    /// `:42`), or `None` when the server cannot be reached.
    pub async fn command(&self, args: &[&str]) -> Option<String> {
        let mut line = String::new();
        self.send(args).await?.read_line(&mut line).await.ok()?;
        Some(line.trim_end().to_owned())
    }

    /// Adds the user `paseto`, whose password is `password`, with exactly
    /// the ACL rule the guide gives.
    pub async fn add_library_user(&self, password: &str) {
        let page = include_str!("../../paseto-runtime/src/docs/redis.md");
        let line = page
            .lines()
            .find(|line| line.starts_with("ACL SETUSER paseto "))
            .expect("the guide gives the ACL rule");
        let rule: Vec<String> = line
            .split_whitespace()
            .map(|word| match word {
                ">PASSWORD" => format!(">{password}"),
                other => other.to_owned(),
            })
            .collect();
        let rule: Vec<&str> = rule.iter().map(String::as_str).collect();
        assert_eq!(self.command(&rule).await.as_deref(), Some("+OK"));
    }

    /// The text of `INFO section`.
    pub async fn info(&self, section: &str) -> String {
        self.text(&["INFO", section]).await
    }

    /// The text of a command whose reply is one bulk string (`CLUSTER INFO`).
    pub async fn text(&self, args: &[&str]) -> String {
        let mut reply = self.send(args).await.expect("Redis answers");
        let mut header = String::new();
        reply.read_line(&mut header).await.expect("a reply");
        let length: usize = header
            .trim_end()
            .trim_start_matches('$')
            .parse()
            .expect("a bulk reply");
        let mut body = vec![0; length];
        reply.read_exact(&mut body).await.expect("the whole reply");
        String::from_utf8(body).expect("text")
    }

    /// How many times the server has run `command` (lowercase, such as `mget`)
    /// since it started, from `INFO commandstats`.
    pub async fn calls(&self, command: &str) -> u64 {
        let prefix = format!("cmdstat_{command}:calls=");
        self.info("commandstats")
            .await
            .lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .map_or(0, |rest| {
                rest.split(',')
                    .next()
                    .and_then(|calls| calls.parse().ok())
                    .expect("a count")
            })
    }
}

/// A Redis Cluster of real servers on free loopback ports: primaries, and
/// replicas of each, made with `redis-cli --cluster create`. A node is
/// declared failed after a second.
pub struct RedisCluster {
    /// The primaries first, then the replicas, as `redis-cli` paired them.
    pub nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts `primaries` primaries with `replicas` replicas each, and waits
    /// until every node says the cluster is ok and every replica is in sync;
    /// `None` (the test skipped) on a machine without `redis-server`.
    pub async fn start(primaries: usize, replicas: usize) -> Option<Self> {
        let mut nodes = Vec::new();
        for _ in 0..primaries * (1 + replicas) {
            nodes.push(Self::node().await?);
        }
        let addrs: Vec<String> = nodes
            .iter()
            .map(|node| format!("127.0.0.1:{}", node.port))
            .collect();
        let created = std::process::Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addrs)
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("redis-cli on the PATH: run `scripts/test`, which installs it");
        assert!(created.success(), "redis-cli --cluster create failed");
        let cluster = Self { nodes };
        for node in &cluster.nodes {
            let mut tries = 0;
            loop {
                let replication = node.info("replication").await;
                let in_sync = replication.contains("role:master")
                    || replication.contains("master_link_status:up");
                let info = node.text(&["CLUSTER", "INFO"]).await;
                if in_sync && info.contains("cluster_state:ok") {
                    break;
                }
                tries += 1;
                assert!(tries < 400, "node {} never joined the cluster", node.port);
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
        }
        Some(cluster)
    }

    /// A server ready to join a cluster.
    async fn node() -> Option<RedisServer> {
        RedisServer::start_with(&[
            "--cluster-enabled",
            "yes",
            "--cluster-node-timeout",
            "1000",
            "--repl-diskless-sync-delay",
            "0",
        ])
        .await
    }

    /// Adds a primary without slots (`redis-cli --cluster add-node`), once
    /// the first node knows it is connected: the new node, last of `nodes`.
    pub async fn add_primary(&mut self) -> &RedisServer {
        let node = Self::node().await.expect("redis-server, as for the others");
        let added = std::process::Command::new("redis-cli")
            .args(["--cluster", "add-node"])
            .arg(format!("127.0.0.1:{}", node.port))
            .arg(format!("127.0.0.1:{}", self.nodes[0].port))
            .stdout(std::process::Stdio::null())
            .status()
            .expect("redis-cli on the PATH");
        assert!(added.success(), "redis-cli --cluster add-node failed");
        let address = format!("127.0.0.1:{}@", node.port);
        for _ in 0..400 {
            let mut known = true;
            for other in &self.nodes {
                let nodes = other.text(&["CLUSTER", "NODES"]).await;
                known &= nodes.lines().any(|line| {
                    line.contains(&address)
                        && line.contains("master - ")
                        && line.ends_with(" connected")
                });
            }
            if known {
                self.nodes.push(node);
                return self.nodes.last().expect("just added");
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("node {} never joined the cluster", node.port);
    }

    /// A URL of one node, from which a client learns the others.
    pub fn url(&self) -> String {
        self.nodes[0].url()
    }

    /// The node that is a primary holding `key`'s slot now.
    pub async fn primary_of(&self, key: &str) -> &RedisServer {
        for node in &self.nodes {
            // The owner answers; another node redirects (`-MOVED`), and a
            // stopped one not at all.
            if let Some(reply) = node.command(&["EXISTS", key]).await
                && reply.starts_with(':')
                && node.info("replication").await.contains("role:master")
            {
                return node;
            }
        }
        panic!("no primary holds {key}");
    }
}

/// A new, empty directory for the server on `port`.
fn own_dir(port: u16) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("paseto-redis-{}-{port}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a directory for redis-server");
    dir
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(file) = &self.sentinel {
            let _ = std::fs::remove_file(file);
        }
    }
}
