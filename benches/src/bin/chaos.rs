//! The chaos driver `scripts/chaos` runs: a `redis-server` that persists every
//! write, two example-app instances sharing it, steady load on both, and Redis
//! killed (SIGKILL) and restarted twice. Throughout, a prober sends a token
//! revoked before the first kill to both instances; it must never be accepted.
//! Load requests may get 503 only from a kill until 2 s after the restart; each
//! recovery is timed. Prints a timeline and a summary; exits 1 on a violation.
//!
//! With `sentinel`, Redis is a Sentinel deployment instead (a primary, a
//! replica, a sentinel; the instances follow it with `REDIS_SENTINELS`): the
//! primary is killed twice, each time the replica is promoted, and the killed
//! one comes back as the new replica. 503s are allowed from a kill until 2 s
//! after the promotion.
//!
//! `chaos <example-app binary> [seconds of each phase, default 8] [sentinel]`

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use paseto_tests::{RedisServer, login};
use reqwest::{Client, StatusCode};

/// Who sent a request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sender {
    /// A valid access token on `/protected`.
    Load,
    /// The revoked token on `/protected`.
    Prober,
}

/// One answer: when (ms since the start), who asked, and the status (0 when
/// no answer came).
type Answer = (u64, Sender, u16);

/// How long after Redis is back load requests may still get 503.
const RECOVERY: Duration = Duration::from_secs(2);

/// An example-app instance, killed when dropped.
struct Instance {
    process: Child,
    addr: SocketAddr,
}

impl Instance {
    /// Starts `binary` with the Redis `variables` (`REDIS_URL`, or the
    /// Sentinel ones).
    async fn start(binary: &str, variables: &Variables) -> Self {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port");
        let mut process = Command::new(binary)
            .env("PORT", addr.port().to_string())
            .envs(variables.iter().map(|(name, value)| (name, value)))
            .env("RUST_LOG", "warn")
            .env(
                "PASETO_SECRET_KEY",
                "k4.local.YW4tZXhhbXBsZS1rZXktb2YtMzItYnl0ZXMtbG9uZyE",
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the example app starts");
        let http = Client::new();
        for _ in 0..100 {
            if http
                .get(format!("http://{addr}/health"))
                .send()
                .await
                .is_ok()
            {
                return Self { process, addr };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = process.kill();
        let _ = process.wait();
        panic!("the example app at {addr} did not answer");
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Sends `token` to `/protected` on each base in turn, `pause` apart, until
/// `done`, recording every answer.
async fn ask(
    bases: Vec<String>,
    token: String,
    sender: Sender,
    pause: Duration,
    started: Instant,
    done: Arc<Mutex<bool>>,
    answers: Arc<Mutex<Vec<Answer>>>,
) {
    let http = Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("a client");
    let mut mine = Vec::new();
    for base in bases.iter().cycle() {
        if *done.lock().expect("a flag") {
            break;
        }
        let status = http
            .get(format!("{base}/protected"))
            .bearer_auth(&token)
            .send()
            .await
            .map_or(0, |answer| answer.status().as_u16());
        let at = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        mine.push((at, sender, status));
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
    answers.lock().expect("answers").extend(mine);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let binary = args
        .next()
        .expect("usage: chaos <example-app binary> [seconds]");
    let phase = Duration::from_secs(args.next().map_or(8, |s| s.parse().expect("seconds")));
    let data = std::env::temp_dir().join(format!("paseto-chaos-{}", std::process::id()));
    std::fs::create_dir_all(&data).expect("a data directory");
    let data_dir = data.to_str().expect("a UTF-8 path").to_owned();
    let sentinel_mode = args.next().as_deref() == Some("sentinel");
    let (mut redis, mut deployment, variables) = deploy(sentinel_mode, &data_dir).await;
    let instances = [
        Instance::start(&binary, &variables).await,
        Instance::start(&binary, &variables).await,
    ];
    let bases: Vec<String> = instances
        .iter()
        .map(|i| format!("http://{}", i.addr))
        .collect();

    let http = Client::new();
    let (revoked, _) = login(&http, instances[0].addr).await;
    let logout = http
        .post(format!("{}/logout", bases[0]))
        .bearer_auth(&revoked)
        .send()
        .await
        .expect("logout");
    assert_eq!(
        logout.status(),
        StatusCode::OK,
        "the prober's token is revoked"
    );
    let (valid, _) = login(&http, instances[1].addr).await;

    let started = Instant::now();
    let done = Arc::new(Mutex::new(false));
    let answers = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for client in 0..16 {
        let mut order = bases.clone();
        order.rotate_left(client % 2);
        tasks.push(tokio::spawn(ask(
            order,
            valid.clone(),
            Sender::Load,
            Duration::ZERO,
            started,
            Arc::clone(&done),
            Arc::clone(&answers),
        )));
    }
    tasks.push(tokio::spawn(ask(
        bases.clone(),
        revoked,
        Sender::Prober,
        Duration::from_millis(2),
        started,
        Arc::clone(&done),
        Arc::clone(&answers),
    )));

    let at = |instant: Instant| instant.duration_since(started);
    let mut outages = Vec::new();
    for _ in 0..2 {
        tokio::time::sleep(phase).await;
        let outage = match &mut deployment {
            Some((replica, _)) => fail_over(&mut redis, replica, &at).await,
            None => restart(&mut redis, phase / 2, &at).await,
        };
        outages.push(outage);
        tokio::time::sleep(phase / 2).await;
    }
    tokio::time::sleep(phase).await;
    *done.lock().expect("a flag") = true;
    for task in tasks {
        task.await.expect("a client task");
    }
    drop(instances);
    drop(redis);
    drop(deployment);
    let _ = std::fs::remove_dir_all(&data);

    let mut answers = std::mem::take(&mut *answers.lock().expect("answers"));
    answers.sort_unstable_by_key(|answer| answer.0);
    std::process::exit(report(&answers, &outages));
}

/// The Redis variables of an instance.
type Variables = Vec<(&'static str, String)>;

/// Starts Redis: one server persisting every write to `data_dir`, or a
/// Sentinel deployment (the primary, then its replica and sentinel).
async fn deploy(
    sentinel_mode: bool,
    data_dir: &str,
) -> (RedisServer, Option<(RedisServer, RedisServer)>, Variables) {
    if !sentinel_mode {
        // Every write reaches the disk before Redis answers, so a kill loses none.
        let redis = RedisServer::start_with(&[
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            data_dir,
        ])
        .await
        .expect("redis-server on the PATH");
        let variables = vec![("REDIS_URL", redis.url())];
        return (redis, None, variables);
    }
    let fast_sync = ["--repl-diskless-sync-delay", "0"];
    let primary = RedisServer::start_with(&fast_sync)
        .await
        .expect("redis-server on the PATH");
    let of = primary.port().to_string();
    let replica =
        RedisServer::start_with(&["--replicaof", "127.0.0.1", &of, fast_sync[0], fast_sync[1]])
            .await
            .expect("a replica");
    while !primary.info("replication").await.contains("state=online") {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sentinel = RedisServer::start_sentinel(&primary)
        .await
        .expect("a sentinel");
    let variables = vec![
        (
            "REDIS_SENTINELS",
            format!("redis://127.0.0.1:{}", sentinel.port()),
        ),
        ("REDIS_SENTINEL_MASTER", "mymaster".to_owned()),
    ];
    (primary, Some((replica, sentinel)), variables)
}

/// Kills Redis, then restarts it `down` later: the outage, from the kill to
/// when it answers again.
async fn restart(
    redis: &mut RedisServer,
    down: Duration,
    at: &impl Fn(Instant) -> Duration,
) -> (Duration, Duration) {
    let killed = Instant::now();
    redis.stop();
    println!("{:>7.3} s  Redis killed", at(killed).as_secs_f64());
    tokio::time::sleep(down).await;
    redis.restart().await;
    let back = Instant::now();
    println!("{:>7.3} s  Redis answers again", at(back).as_secs_f64());
    (at(killed), at(back))
}

/// Kills the primary; the sentinel promotes the replica; the killed one comes
/// back at once (as a process supervisor would restart it), and once it
/// replicates the new primary the two swap names. The outage, from the kill
/// to the promotion.
async fn fail_over(
    primary: &mut RedisServer,
    replica: &mut RedisServer,
    at: &impl Fn(Instant) -> Duration,
) -> (Duration, Duration) {
    let killed = Instant::now();
    primary.stop();
    println!("{:>7.3} s  the primary killed", at(killed).as_secs_f64());
    while !replica.info("replication").await.contains("role:master") {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let back = Instant::now();
    println!("{:>7.3} s  the replica promoted", at(back).as_secs_f64());
    primary.restart().await;
    while !primary
        .info("replication")
        .await
        .contains("master_link_status:up")
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "{:>7.3} s  the killed primary is the new replica",
        at(Instant::now()).as_secs_f64()
    );
    std::mem::swap(primary, replica);
    (at(killed), at(back))
}

/// Prints the timeline and the summary; the exit code.
fn report(answers: &[Answer], outages: &[(Duration, Duration)]) -> i32 {
    let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let excused = |at: u64| {
        outages
            .iter()
            .any(|&(killed, back)| at >= millis(killed) && at <= millis(back + RECOVERY))
    };
    println!(
        "\n  second | load 200 | load 503 | load other | prober 401 | prober 503 | prober other"
    );
    let last = answers.last().map_or(0, |answer| answer.0 / 1000);
    for second in 0..=last {
        let count = |sender: Sender, status: Option<u16>| {
            answers
                .iter()
                .filter(|a| a.0 / 1000 == second && a.1 == sender)
                .filter(|a| match status {
                    Some(status) => a.2 == status,
                    None => a.2 != 200 && a.2 != 503 && a.2 != 401,
                })
                .count()
        };
        println!(
            "  {second:>6} | {:>8} | {:>8} | {:>10} | {:>10} | {:>10} | {:>12}",
            count(Sender::Load, Some(200)),
            count(Sender::Load, Some(503)),
            count(Sender::Load, None),
            count(Sender::Prober, Some(401)),
            count(Sender::Prober, Some(503)),
            count(Sender::Prober, None) + count(Sender::Prober, Some(200)),
        );
    }

    let accepted = answers
        .iter()
        .filter(|a| a.1 == Sender::Prober && a.2 == 200)
        .count();
    let probes = answers.iter().filter(|a| a.1 == Sender::Prober).count();
    let stray = answers
        .iter()
        .filter(|a| match a.1 {
            Sender::Load => a.2 != 200 && !(a.2 == 503 && excused(a.0)),
            Sender::Prober => a.2 != 401 && !(a.2 == 503 && excused(a.0)),
        })
        .count();
    let load = answers.iter().filter(|a| a.1 == Sender::Load).count();
    println!("\n{load} load requests, {probes} probes with the revoked token");
    println!("revoked token accepted: {accepted}");
    println!(
        "answers outside what is allowed (503 only from a kill to 2 s after the restart): {stray}"
    );
    let mut slow = false;
    for (n, &(killed, back)) in outages.iter().enumerate() {
        let until = outages.get(n + 1).map_or(u64::MAX, |next| millis(next.0));
        let refusals: Vec<u64> = answers
            .iter()
            .filter(|a| a.1 == Sender::Load && a.2 != 200)
            .map(|a| a.0)
            .filter(|&at| at >= millis(killed) && at < until)
            .collect();
        let recovered = refusals.iter().max().map_or(Duration::ZERO, |&at| {
            Duration::from_millis(at).saturating_sub(back)
        });
        slow |= recovered > RECOVERY;
        println!(
            "outage {}: Redis down {:.3} s, {} load requests refused, the last {:.3} s after it was back",
            n + 1,
            back.saturating_sub(killed).as_secs_f64(),
            refusals.len(),
            recovered.as_secs_f64()
        );
    }
    i32::from(accepted > 0 || stray > 0 || slow)
}
