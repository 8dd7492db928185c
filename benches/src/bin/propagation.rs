//! How long a revocation made through one `RedisDenylist` takes to be seen by
//! another, each with its own connections and local copy, as two instances of a
//! service would be; and how many `MGET`s the watching side sent Redis.
//!
//! `REDIS_URL=redis://127.0.0.1:6379/ cargo run --release -p paseto-benches --bin propagation [trials]`
//! (`scripts/propagation` starts a throwaway `redis-server` and runs this.)

use std::time::{Duration, Instant};

use paseto_runtime::denylist::{Denylist, RedisDenylist, Target};
use time::OffsetDateTime;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("REDIS_URL").map_err(|_| "set REDIS_URL")?;
    let trials: usize = std::env::args().nth(1).map_or(Ok(1000), |n| n.parse())?;
    let one = RedisDenylist::new(&url)?.connect().await?;
    let other = RedisDenylist::new(&url)?.connect().await?;
    let client = redis::Client::open(url.as_str())?;
    let mut stats = client.get_multiplexed_async_connection().await?;
    let reads_before = mget_calls(&mut stats).await?;

    let run = OffsetDateTime::now_utc().unix_timestamp_nanos();
    let mut delays = Vec::with_capacity(trials);
    for trial in 0..trials {
        let id = format!("propagation-{run}-{trial}");
        assert!(!other.get(&id, "-", "-").await?.token_revoked, "fresh id");
        let until = OffsetDateTime::now_utc() + time::Duration::minutes(1);
        one.revoke("-", Target::Token(&id), until).await?;
        let revoked = Instant::now();
        while !other.get(&id, "-", "-").await?.token_revoked {
            if revoked.elapsed() > Duration::from_secs(5) {
                return Err(format!("trial {trial}: not seen after 5 s").into());
            }
            tokio::task::yield_now().await;
        }
        delays.push(revoked.elapsed());
    }
    let reads = mget_calls(&mut stats).await? - reads_before;

    delays.sort_unstable();
    let at = |q: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let index = ((delays.len() - 1) as f64 * q).round() as usize;
        delays[index]
    };
    println!("{trials} revocations through one denylist, each awaited on the other");
    println!(
        "seen after: median {:?}, p99 {:?}, worst {:?}",
        at(0.5),
        at(0.99),
        delays[delays.len() - 1]
    );
    println!("MGET commands the watching side sent: {reads}");
    Ok(())
}

/// How many `MGET`s Redis has run, from `INFO commandstats`.
async fn mget_calls(
    connection: &mut redis::aio::MultiplexedConnection,
) -> Result<u64, Box<dyn std::error::Error>> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(connection)
        .await?;
    Ok(info
        .lines()
        .find_map(|line| line.strip_prefix("cmdstat_mget:calls="))
        .and_then(|rest| rest.split(',').next()?.parse().ok())
        .unwrap_or(0))
}
