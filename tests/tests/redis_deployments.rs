//! The Redis people actually run, each a real `redis-server` on free loopback
//! ports: TLS with a private CA, mutual TLS, an untrusted certificate; an ACL
//! user held to the rule the guide gives; a wrong password; writes that wait
//! for a replica.

use paseto_runtime::PasetoAuth;
use paseto_runtime::denylist::{RedisDenylist, RedisTls};
use paseto_tests::{App, Pki, Prober, RedisServer, error_chain, key, ok_user, revoked, until};
use reqwest::StatusCode;

/// A server with a plain listener (for the test's own commands) and a TLS one
/// serving `pki`'s certificate: the server and the `rediss://` URL.
async fn tls_server(pki: &Pki, mutual: bool) -> Option<(RedisServer, String)> {
    let port = RedisServer::free_port();
    let args = pki.redis_args(port, mutual);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = RedisServer::start_with(&args).await?;
    Some((server, format!("rediss://127.0.0.1:{port}/")))
}

/// The example app over `denylist`.
async fn app(denylist: RedisDenylist) -> App {
    let auth = PasetoAuth::builder()
        .local_key(key())
        .denylist(denylist.connect().await.expect("connected"))
        .build()
        .unwrap();
    App::start(auth).await
}

/// A login, a logout, the logged-out token refused: revocation works there.
async fn revocation_works(app: &App) {
    let (access, refresh) = app.login().await;
    ok_user(&app.get("/protected", &access).await);
    let (access, _) = app.rotate(&refresh).await;
    let logout = app.post("/logout", &access, None).await;
    assert_eq!(logout.0, StatusCode::OK, "{logout:?}");
    revoked(&app.get("/protected", &access).await);
}

#[tokio::test]
async fn tls_with_a_private_ca() {
    let pki = Pki::new("paseto test CA");
    let Some((_server, url)) = tls_server(&pki, false).await else {
        return;
    };
    let tls = RedisTls::new().ca_cert(pki.ca.clone());
    let app = app(RedisDenylist::new(&url).unwrap().tls(tls).unwrap()).await;
    revocation_works(&app).await;
}

#[tokio::test]
async fn mutual_tls_needs_the_client_certificate() {
    let pki = Pki::new("paseto test CA");
    let Some((_server, url)) = tls_server(&pki, true).await else {
        return;
    };
    let anonymous = RedisTls::new().ca_cert(pki.ca.clone());
    let refused = RedisDenylist::new(&url)
        .unwrap()
        .tls(anonymous)
        .unwrap()
        .connect()
        .await
        .unwrap_err();
    assert!(!error_chain(&refused).is_empty());
    let identified = RedisTls::new()
        .ca_cert(pki.ca.clone())
        .client_cert(pki.client_cert.clone(), pki.client_key.clone());
    let app = app(RedisDenylist::new(&url).unwrap().tls(identified).unwrap()).await;
    revocation_works(&app).await;
}

/// A server whose certificate another CA signed stops the start, with an
/// error that says the certificate is the problem; so does one the
/// platform's roots do not know.
#[tokio::test]
async fn an_untrusted_certificate_stops_the_start() {
    let pki = Pki::new("paseto test CA");
    let stranger = Pki::new("someone else's CA");
    let Some((_server, url)) = tls_server(&pki, false).await else {
        return;
    };
    for denylist in [
        RedisDenylist::new(&url)
            .unwrap()
            .tls(RedisTls::new().ca_cert(stranger.ca.clone()))
            .unwrap(),
        RedisDenylist::new(&url).unwrap(),
    ] {
        let error = error_chain(&denylist.connect().await.unwrap_err());
        assert!(error.contains("certificate"), "{error}");
    }
    // A URL asking not to verify is refused as written, whatever features
    // the application's other dependencies enable in the Redis client.
    let insecure = RedisDenylist::new(&format!("{url}#insecure")).unwrap_err();
    assert!(error_chain(&insecure).contains("#insecure"), "{insecure}");
}

/// A server with the user `paseto` of the ACL rule the guide gives, whose
/// password is `password`.
async fn acl_server(password: &str) -> Option<RedisServer> {
    let server = RedisServer::start().await?;
    server.add_library_user(password).await;
    Some(server)
}

#[tokio::test]
async fn an_acl_user_held_to_the_prefix_is_enough() {
    let Some(server) = acl_server("correct horse").await else {
        return;
    };
    let url = format!(
        "redis://paseto:correct%20horse@127.0.0.1:{}/",
        server.port()
    );
    let app = app(RedisDenylist::new(&url).unwrap()).await;
    revocation_works(&app).await;
    // Sessions and logging out everywhere, which scripts write.
    let (access, _) = app.login().await;
    let sessions = app.get("/sessions", &access).await;
    assert_eq!(sessions.0, StatusCode::OK, "{sessions:?}");
    let everywhere = app.status(http::Method::POST, "/logout-all", &access).await;
    assert_eq!(everywhere, StatusCode::NO_CONTENT);
    revoked(&app.get("/protected", &access).await);
    // The rule keeps the user to the prefix.
    let mut outside = redis::cmd("GET");
    outside.arg("other:key");
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let denied = outside
        .query_async::<Option<String>>(&mut connection)
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("NOPERM"), "{denied}");
}

/// A wrong password stops the start, and the password appears in no error
/// and no log line.
#[tokio::test]
async fn a_wrong_password_is_never_echoed() {
    let Some(server) = acl_server("the right one").await else {
        return;
    };
    let (logs, _guard) = paseto_tests::capture_logs();
    let secret = "wrong-Secret-42";
    let url = format!("redis://paseto:{secret}@127.0.0.1:{}/", server.port());
    let denylist = RedisDenylist::new(&url).unwrap();
    let debug = format!("{denylist:?}");
    let error = denylist.connect().await.unwrap_err();
    let said = format!("{}\n{error:?}\n{debug}", error_chain(&error));
    assert!(said.contains("authentication failed"), "{said}");
    // The mirror's task, started by a request, logs its own failures.
    let auth = PasetoAuth::builder()
        .local_key(key())
        .denylist(RedisDenylist::new(&url).unwrap())
        .build()
        .unwrap();
    let access = auth.access_token("test").issue().unwrap();
    let app = App::start(auth).await;
    let answer = app.get("/protected", &access).await;
    assert_eq!(answer.0, StatusCode::SERVICE_UNAVAILABLE, "{answer:?}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for text in [said, logs.text(), answer.2.to_string()] {
        assert!(!text.contains(secret), "the password leaked: {text}");
    }
    let unparsable = RedisDenylist::new(&format!("redis://paseto:{secret}@127.0.0.1:notaport/"));
    assert!(!error_chain(&unparsable.unwrap_err()).contains(secret));
}

/// With `replicas(1)` a logout is answered once the replica has it; with no
/// replica to acknowledge, it fails closed within the bound.
#[tokio::test]
async fn revocations_wait_for_a_replica() {
    let Some(primary) = RedisServer::start_with(&["--repl-diskless-sync-delay", "0"]).await else {
        return;
    };
    let of = primary.port().to_string();
    let Some(replica) = RedisServer::start_with(&["--replicaof", "127.0.0.1", &of]).await else {
        return;
    };
    let mut synced = false;
    for _ in 0..200 {
        if primary.info("replication").await.contains("state=online") {
            synced = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(synced, "the replica never came online");
    let waiting = RedisDenylist::new(&primary.url())
        .unwrap()
        .replicas(1)
        .unwrap();
    let replicated = app(waiting).await;
    let (access, _) = replicated.login().await;
    let logout = replicated.post("/logout", &access, None).await;
    assert_eq!(logout.0, StatusCode::OK, "{logout:?}");
    // The replica had the record before the logout was answered.
    let keys = replica.command(&["DBSIZE"]).await.unwrap();
    assert_ne!(keys, ":0", "the replica holds nothing");
    revoked(&replicated.get("/protected", &access).await);

    let Some(alone) = RedisServer::start().await else {
        return;
    };
    let lonely = RedisDenylist::new(&alone.url())
        .unwrap()
        .replicas(1)
        .unwrap();
    let auth = PasetoAuth::builder()
        .local_key(key())
        .denylist(lonely.connect().await.unwrap())
        .build()
        .unwrap();
    let access = auth.access_token("test").issue().unwrap();
    let unreplicated = App::start(auth).await;
    let started = std::time::Instant::now();
    let logout = unreplicated.post("/logout", &access, None).await;
    assert_eq!(logout.0, StatusCode::SERVICE_UNAVAILABLE, "{logout:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

/// A primary, a replica started with `replica_args` too, once it is in sync,
/// and a sentinel watching them as `mymaster`.
async fn sentinel_deployment(
    replica_args: &[&str],
) -> Option<(RedisServer, RedisServer, RedisServer)> {
    let primary = RedisServer::start_with(&["--repl-diskless-sync-delay", "0"]).await?;
    let of = primary.port().to_string();
    let mut args = vec!["--replicaof", "127.0.0.1", &of];
    args.extend_from_slice(replica_args);
    let replica = RedisServer::start_with(&args).await?;
    let online = until(std::time::Duration::from_secs(5), async || {
        primary.info("replication").await.contains("state=online")
    });
    assert!(online.await, "the replica never came online");
    let sentinel = RedisServer::start_sentinel(&primary).await?;
    Some((primary, replica, sentinel))
}

/// A Sentinel deployment (a primary, a replica, a sentinel) whose primary is
/// killed while a prober sends a revoked token to two instances throughout:
/// it is never accepted; a valid token is served again within seconds of the
/// promotion, and a logout on the new primary reaches the other instance.
#[tokio::test]
async fn a_sentinel_failover_is_followed_without_accepting_a_revoked_token() {
    use std::time::Duration;
    let Some((mut primary, replica, sentinel)) = sentinel_deployment(&[]).await else {
        return;
    };
    let sentinels = [format!("redis://127.0.0.1:{}", sentinel.port())];
    let sentinels: Vec<&str> = sentinels.iter().map(String::as_str).collect();
    let mut instances = Vec::new();
    for _ in 0..2 {
        let denylist = RedisDenylist::sentinel(&sentinels, "mymaster").unwrap();
        instances.push(app(denylist).await);
    }
    let (revoked_token, _) = instances[0].login().await;
    let logout = instances[0].post("/logout", &revoked_token, None).await;
    assert_eq!(logout.0, StatusCode::OK, "{logout:?}");
    let replicated = until(Duration::from_secs(2), async || {
        replica.command(&["DBSIZE"]).await.as_deref() != Some(":0")
    });
    assert!(replicated.await, "the replica never had the revocation");
    let (valid, _) = instances[0].login().await;
    // Steady state: requests send the primary nothing.
    let reads = primary.calls("mget").await;
    for instance in &instances {
        for _ in 0..20 {
            ok_user(&instance.get("/protected", &valid).await);
        }
    }
    assert_eq!(primary.calls("mget").await, reads, "a request read Redis");

    let prober = Prober::start(&instances, (revoked_token.clone(), valid.clone()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed = prober.elapsed();
    primary.stop();
    let promoted = until(Duration::from_secs(10), async || {
        replica
            .command(&["ROLE"])
            .await
            .is_some_and(|role| role.starts_with("*3"))
            && replica.info("replication").await.contains("role:master")
    });
    assert!(promoted.await, "the sentinel never promoted the replica");
    prober
        .served_again("sentinel failover", killed, &instances[1], &valid)
        .await;

    // A logout on the new primary reaches the other instance.
    let logout = instances[0].post("/logout", &valid, None).await;
    assert_eq!(logout.0, StatusCode::OK, "{logout:?}");
    paseto_tests::refused_within_a_second(async || instances[1].get("/protected", &valid).await)
        .await;
}

/// A replica that may evict revocations, once promoted, is refused as the
/// first server would have been: its policy is read again on the new primary.
#[tokio::test]
async fn a_promoted_replica_that_may_evict_is_refused() {
    use std::time::Duration;
    let may_evict = ["--maxmemory-policy", "allkeys-lru"];
    let Some((mut primary, replica, sentinel)) = sentinel_deployment(&may_evict).await else {
        return;
    };
    let url = format!("redis://127.0.0.1:{}", sentinel.port());
    let app = app(RedisDenylist::sentinel(&[&url], "mymaster").unwrap()).await;
    let (access, _) = app.login().await;
    primary.stop();
    let promoted = until(Duration::from_secs(10), async || {
        replica.info("replication").await.contains("role:master")
    });
    assert!(promoted.await, "the sentinel never promoted the replica");
    // Long after the instance could reach the new primary, logouts are
    // refused, and nothing of them is written there.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for _ in 0..3 {
        let logout = app.post("/logout", &access, None).await;
        assert_eq!(logout.0, StatusCode::SERVICE_UNAVAILABLE, "{logout:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let revocations = replica.command(&["KEYS", "paseto:jti:*"]).await;
    assert_eq!(
        revocations.as_deref(),
        Some("*0"),
        "a revocation was written"
    );
}
