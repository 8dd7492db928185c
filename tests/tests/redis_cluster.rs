//! A Redis Cluster of real servers on free loopback ports (`redis-cli
//! --cluster create`): revocations shared by two instances whose subjects
//! live on different primaries, nothing sent to any node by a steady-state
//! request, a primary that may evict refused, and a primary's failover and a
//! slot's migration under a prober that never sees a revoked token accepted.

use std::time::{Duration, Instant};

use paseto_runtime::denylist::RedisDenylist;
use paseto_runtime::{Access, AuthError, PasetoAuth, Refresh};
use paseto_tests::{App, Prober, RedisCluster, RedisServer, key, ok_user, until};
use reqwest::StatusCode;

/// A configuration over the cluster at `url`, connected, without a grace
/// for the reuse of a rotated refresh token; writes wait for `replicas`.
async fn auth(url: &str, replicas: u32) -> PasetoAuth {
    let denylist = RedisDenylist::cluster(&[url])
        .unwrap()
        .replicas(replicas)
        .unwrap();
    PasetoAuth::builder()
        .local_key(key())
        .rotation_grace(time::Duration::ZERO)
        .denylist(denylist.connect().await.expect("connected"))
        .build()
        .unwrap()
}

/// Users whose records live on each primary in turn: the first user of
/// `user0`, `user1`… whose sessions' key the primary holds.
async fn user_per_primary(cluster: &RedisCluster, primaries: usize) -> Vec<String> {
    let mut users: Vec<(u16, String)> = Vec::new();
    for n in 0..200 {
        let user = format!("user{n}");
        let primary = cluster.primary_of(&format!("paseto:ses:{{{user}}}")).await;
        if !users.iter().any(|(port, _)| *port == primary.port()) {
            users.push((primary.port(), user));
        }
        if users.len() == primaries {
            return users.into_iter().map(|(_, user)| user).collect();
        }
    }
    panic!("no user on every primary");
}

/// How many times every node has run `MGET`.
async fn reads(cluster: &RedisCluster) -> Vec<u64> {
    let mut counts = Vec::new();
    for node in &cluster.nodes {
        counts.push(node.calls("mget").await);
    }
    counts
}

/// Verifies `token` at `auth` until it is refused, for at most a second:
/// the refusal.
async fn refused_within_a_second<T: paseto_runtime::TokenKind>(
    auth: &PasetoAuth,
    token: &str,
) -> AuthError {
    let started = Instant::now();
    loop {
        match auth.verify::<T>(token).await {
            Err(error) => return error,
            Ok(_) => assert!(
                started.elapsed() < Duration::from_secs(1),
                "still accepted after a second"
            ),
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Three primaries, with the guide's ACL user; two instances that know one
/// node each. For a user on
/// each primary: a logout, the reuse of a rotated refresh token and a log
/// out everywhere made at one instance reach the other; every primary holds
/// records; and no steady-state verification reads any node.
#[tokio::test]
async fn a_cluster_shares_revocations_between_instances() {
    let Some(cluster) = RedisCluster::start(3, 0).await else {
        return;
    };
    // Under the guide's ACL rule, on every node.
    for node in &cluster.nodes {
        node.add_library_user("cluster secret").await;
    }
    let login =
        |node: &RedisServer| format!("redis://paseto:cluster%20secret@127.0.0.1:{}/", node.port());
    let one = auth(&login(&cluster.nodes[0]), 0).await;
    let other = auth(&login(&cluster.nodes[2]), 0).await;
    let users = user_per_primary(&cluster, 3).await;
    for user in &users {
        let pair = one.login(user).tokens().await.unwrap();
        let access = &pair.access_token;
        let before = reads(&cluster).await;
        for _ in 0..10 {
            assert_eq!(one.verify::<Access>(access).await.unwrap().subject(), user);
            assert_eq!(
                other.verify::<Access>(access).await.unwrap().subject(),
                user
            );
        }
        assert_eq!(reads(&cluster).await, before, "a verification read Redis");

        // A logout at one instance: the other refuses the token.
        one.revoke(&one.verify::<Access>(access).await.unwrap())
            .await
            .unwrap();
        let refusal = refused_within_a_second::<Access>(&other, access).await;
        assert_eq!(refusal, AuthError::Revoked);

        // A rotated refresh token used again at the other instance ends the
        // family everywhere.
        let refresh = one.verify::<Refresh>(&pair.refresh_token).await.unwrap();
        let next = one.rotate(&refresh).await.unwrap();
        assert!(other.verify::<Access>(&next.access_token).await.is_ok());
        let reuse = other.verify::<Refresh>(&pair.refresh_token).await;
        assert_eq!(reuse.unwrap_err(), AuthError::Reused);
        let refusal = refused_within_a_second::<Refresh>(&one, &next.refresh_token).await;
        assert_eq!(refusal, AuthError::Revoked);
        let refusal = refused_within_a_second::<Access>(&one, &next.access_token).await;
        assert_eq!(refusal, AuthError::Revoked);

        // Log out everywhere, at the other instance.
        let pair = one.login(user).tokens().await.unwrap();
        assert!(other.verify::<Access>(&pair.access_token).await.is_ok());
        other.revoke_subject(user).await.unwrap();
        let refusal = refused_within_a_second::<Access>(&one, &pair.access_token).await;
        assert_eq!(refusal, AuthError::Revoked);
        let after = one.login(user).tokens().await.unwrap();
        assert!(other.verify::<Access>(&after.access_token).await.is_ok());
    }
    for node in &cluster.nodes {
        let keys = node.command(&["DBSIZE"]).await.unwrap();
        assert_ne!(keys, ":0", "node {} holds no record", node.port());
    }

    // A primary that may evict revocations stops the start.
    let evicting = &cluster.nodes[1];
    let set = ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"];
    assert_eq!(evicting.command(&set).await.as_deref(), Some("+OK"));
    let refused = RedisDenylist::cluster(&[&cluster.url()])
        .unwrap()
        .connect()
        .await
        .expect_err("a primary may evict");
    let message = paseto_tests::error_chain(&refused);
    assert!(message.contains("allkeys-lru"), "{message}");
}

/// The example app over the cluster at `url`; writes wait for `replicas`.
async fn instance(url: &str, replicas: u32) -> App {
    App::start(auth(url, replicas).await).await
}

/// Three primaries with a replica each; revocations wait for a replica. The
/// primary holding a revoked token's records is killed while a prober sends
/// that token and a valid one of the same user to two instances: the revoked
/// one is never accepted, the valid one is served again within seconds of
/// the promotion. A logout is refused while the new primary has no replica;
/// once the old primary is back as its replica, it reaches the other instance.
#[tokio::test]
async fn a_cluster_failover_is_followed_without_accepting_a_revoked_token() {
    let Some(mut cluster) = RedisCluster::start(3, 1).await else {
        return;
    };
    let instances = [
        instance(&cluster.url(), 1).await,
        instance(&cluster.nodes[1].url(), 1).await,
    ];
    let user = "test";
    let (revoked_token, _) = instances[0].login().await;
    let logout = instances[0].post("/logout", &revoked_token, None).await;
    assert_eq!(logout.0, StatusCode::OK, "{logout:?}");
    let (valid, _) = instances[0].login().await;
    ok_user(&instances[1].get("/protected", &valid).await);

    let sessions = format!("paseto:ses:{{{user}}}");
    let port = cluster.primary_of(&sessions).await.port();
    let at = cluster.nodes.iter().position(|node| node.port() == port);
    let doomed: &mut RedisServer = &mut cluster.nodes[at.unwrap()];
    let prober = Prober::start(&instances, (revoked_token.clone(), valid.clone()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed = prober.elapsed();
    doomed.stop();
    let promoted = until(Duration::from_secs(15), async || {
        for node in cluster.nodes.iter().filter(|node| node.port() != port) {
            if node.command(&["EXISTS", &sessions]).await.as_deref() == Some(":1") {
                return true;
            }
        }
        false
    });
    assert!(promoted.await, "the replica was never promoted");
    prober
        .served_again("cluster failover", killed, &instances[1], &valid)
        .await;

    // The new primary has no replica: a logout, which waits for one, is
    // refused rather than acknowledged unreplicated.
    let logout = instances[0].post("/logout", &valid, None).await;
    assert_eq!(logout.0, StatusCode::SERVICE_UNAVAILABLE, "{logout:?}");
    // The old primary comes back as its replica: a logout on the new primary
    // reaches the other instance.
    let doomed = &mut cluster.nodes[at.unwrap()];
    doomed.restart().await;
    let in_sync = until(Duration::from_secs(10), async || {
        doomed
            .info("replication")
            .await
            .contains("master_link_status:up")
    });
    assert!(in_sync.await, "the old primary never became a replica");
    let (access, _) = instances[0].login().await;
    let logout = instances[0].post("/logout", &access, None).await;
    assert_eq!(logout.0, StatusCode::OK, "{logout:?}");
    paseto_tests::refused_within_a_second(async || instances[1].get("/protected", &access).await)
        .await;
}

/// `redis-cli -p <port> args…`: what it prints.
fn cli(node: &RedisServer, args: &[&str]) -> String {
    let output = std::process::Command::new("redis-cli")
        .arg("-p")
        .arg(node.port().to_string())
        .args(args)
        .output()
        .expect("redis-cli on the PATH");
    let printed = String::from_utf8(output.stdout).expect("text");
    // redis-cli exits with 0 on the server's errors too.
    let failed = printed.starts_with("ERR") || printed.starts_with("(error)");
    assert!(
        output.status.success() && !failed,
        "redis-cli {args:?}: {printed}"
    );
    printed.trim().to_owned()
}

/// Three primaries, and a fourth added without slots while two instances
/// run; the slot holding a user's records is moved to it, key by key
/// (`MIGRATING`, `IMPORTING`, `MIGRATE`, then the slot given to its new
/// primary on every node), while a prober sends the user's revoked token and
/// a valid one to both instances: the revoked one is never accepted. A
/// logout in the middle of the move, whose new record the new primary takes
/// (`ASK`) before it holds any slot, reaches the other instance; so does one
/// after the move.
#[tokio::test]
async fn a_slot_migration_is_followed_without_accepting_a_revoked_token() {
    let Some(mut cluster) = RedisCluster::start(3, 0).await else {
        return;
    };
    let instances = [
        instance(&cluster.url(), 0).await,
        instance(&cluster.nodes[1].url(), 0).await,
    ];
    let (revoked_token, _) = instances[0].login().await;
    let logout = instances[0].post("/logout", &revoked_token, None).await;
    assert_eq!(logout.0, StatusCode::OK, "{logout:?}");
    let (valid, _) = instances[0].login().await;
    ok_user(&instances[1].get("/protected", &valid).await);

    let (during, _) = instances[0].login().await;
    ok_user(&instances[1].get("/protected", &during).await);
    cluster.add_primary().await;
    // The instances follow the new primary: requests read Redis no more.
    let mut following = false;
    for _ in 0..200 {
        let before = reads(&cluster).await;
        for instance in &instances {
            ok_user(&instance.get("/protected", &valid).await);
        }
        if reads(&cluster).await == before {
            following = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(following, "the instances never trusted their copies again");
    let target = cluster.nodes.last().unwrap();
    let sessions = "paseto:ses:{test}";
    let source = cluster.primary_of(sessions).await;
    let slot = cli(source, &["CLUSTER", "KEYSLOT", sessions]);
    let (source_id, target_id) = (
        cli(source, &["CLUSTER", "MYID"]),
        cli(target, &["CLUSTER", "MYID"]),
    );
    let prober = Prober::start(&instances, (revoked_token.clone(), valid.clone()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    cli(
        target,
        &["CLUSTER", "SETSLOT", &slot, "IMPORTING", &source_id],
    );
    cli(
        source,
        &["CLUSTER", "SETSLOT", &slot, "MIGRATING", &target_id],
    );
    let keys = cli(source, &["CLUSTER", "GETKEYSINSLOT", &slot, "1000"]);
    assert!(keys.lines().count() >= 2, "the user's records: {keys}");
    // A new record of the moving slot goes to the new primary, slotless yet.
    let logout = instances[0].post("/logout", &during, None).await;
    assert_eq!(logout.0, StatusCode::OK, "{logout:?}");
    assert_eq!(
        cli(target, &["CLUSTER", "COUNTKEYSINSLOT", &slot]),
        "1",
        "the new record is on the new primary; the old one holds {}",
        cli(source, &["CLUSTER", "GETKEYSINSLOT", &slot, "1000"])
    );
    paseto_tests::refused_within_a_second(async || instances[1].get("/protected", &during).await)
        .await;
    let port = target.port().to_string();
    for key in keys.lines() {
        // One key at a time, with requests in between.
        cli(source, &["MIGRATE", "127.0.0.1", &port, key, "0", "5000"]);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for node in &cluster.nodes {
        cli(node, &["CLUSTER", "SETSLOT", &slot, "NODE", &target_id]);
    }
    let moved = prober.elapsed();
    assert_eq!(cluster.primary_of(sessions).await.port(), target.port());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (refused, answers) = prober.finish().await;
    eprintln!(
        "slot migration: moved by {moved:?}; {refused} of {answers} valid probes refused meanwhile"
    );
    ok_user(&instances[1].get("/protected", &valid).await);

    let (access, _) = instances[0].login().await;
    let logout = instances[0].post("/logout", &access, None).await;
    assert_eq!(logout.0, StatusCode::OK, "{logout:?}");
    paseto_tests::refused_within_a_second(async || instances[1].get("/protected", &access).await)
        .await;
}
