//! Keys fetched from an issuer's published [key set](crate::keyset) (feature
//! `remote-keys`), for a service that only verifies `v4.public` tokens. The
//! key set's URL is configuration, never something a token names; a token's
//! `kid` chooses among the keys fetched, as among keys configured.
//!
//! The set is fetched on first use (or [`PasetoAuth::fetch_keys`](crate::PasetoAuth::fetch_keys) at start),
//! then by one background task: again after the set's `max-age` (bounded),
//! and at once when a token names a `kid` the set lacks, at most once a
//! second however many ask. A fetch that fails keeps the last good set.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock, Weak};
use std::time::Duration;

use http::header::CACHE_CONTROL;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::key_set::KeySet;
use crate::keys::PublicKey;
use crate::ring::Ring;
use crate::settings::KeySource;

/// The largest key set read, in bytes.
pub const MAX_KEY_SET_BYTES: usize = 64 * 1024;

/// The most keys a key set may hold.
pub const MAX_KEYS: usize = 32;

/// How long one fetch may take, connection and body included.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The shortest and longest wait between two scheduled fetches, whatever the
/// set's `max-age` says.
const INTERVAL: (Duration, Duration) = (Duration::from_secs(30), Duration::from_secs(3600));

/// The wait before fetching again after a failure.
pub(crate) const RETRY: Duration = Duration::from_secs(2);

/// The least time between two fetches: a flood of unknown `kid`s costs one
/// fetch a second.
const MIN_GAP: Duration = Duration::from_secs(1);

/// How long the last good set is trusted while no fetch succeeds: a key the
/// issuer withdrew is not trusted for ever because it cannot be reached.
pub const MAX_STALENESS: Duration = Duration::from_secs(24 * 3600);

/// Keys fetched from a key set's URL, and the task that keeps them current.
pub(crate) struct RemoteKeys {
    url: String,
    client: reqwest::Client,
    /// This, for the task it starts.
    me: Weak<RemoteKeys>,
    /// The last good set, and when it was fetched.
    ring: RwLock<Option<(Arc<Ring<PublicKey>>, Instant)>>,
    /// Wakes the task early: a token named a `kid` the set lacks.
    wake: Arc<Notify>,
    started: AtomicBool,
}

/// Why a key set could not be fetched; the last good set stays.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The request failed: no connection, a timeout, a bad URL.
    #[error("the key set could not be fetched: {0}")]
    Request(#[from] reqwest::Error),
    /// The issuer answered with another status than 200.
    #[error("the key set URL answered {0}")]
    Status(http::StatusCode),
    /// The body is larger than [`MAX_KEY_SET_BYTES`].
    #[error("the key set is larger than {MAX_KEY_SET_BYTES} bytes")]
    TooLarge,
    /// The body is not a key set, or holds no key or more than [`MAX_KEYS`].
    #[error("the key set is malformed: {0}")]
    Malformed(String),
}

impl std::fmt::Debug for RemoteKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteKeys")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl RemoteKeys {
    /// Keys to fetch from `url`: an `https` URL, or `http` to a loopback
    /// host (a sidecar, a test), without credentials in it. Nothing is
    /// fetched yet. `None` for another URL.
    pub(crate) fn new(url: String) -> Option<Arc<Self>> {
        let parsed = reqwest::Url::parse(&url).ok()?;
        let host = parsed.host_str()?;
        let ip = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = host == "localhost"
            || ip
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let secure = parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback);
        if !secure || !parsed.username().is_empty() || parsed.password().is_some() {
            return None;
        }
        // Redirects are not followed: the key set's URL is the configured one.
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .ok()?;
        Some(Arc::new_cyclic(|me| Self {
            url,
            client,
            me: me.clone(),
            ring: RwLock::new(None),
            wake: Arc::new(Notify::new()),
            started: AtomicBool::new(false),
        }))
    }

    /// Starts the task, once, when a runtime is there to run it; its first
    /// fetch is `first` from now.
    pub(crate) fn start(&self, first: Duration) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if !self.started.swap(true, Ordering::AcqRel) {
            let running = Running(self.me.clone());
            let task = keep_current(self.me.clone(), Arc::clone(&self.wake), first);
            runtime.spawn(async move {
                let _running = running;
                task.await;
            });
        }
    }

    /// Fetches the set and keeps it: how long it may be kept, as its
    /// `Cache-Control: max-age` says.
    pub(crate) async fn fetch(&self) -> Result<Option<Duration>, FetchError> {
        let mut response = self.client.get(&self.url).send().await?;
        if response.status() != http::StatusCode::OK {
            return Err(FetchError::Status(response.status()));
        }
        if response
            .content_length()
            .is_some_and(|length| length > MAX_KEY_SET_BYTES as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let max_age = response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .and_then(max_age);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > MAX_KEY_SET_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let ring = ring_of(&body)?;
        let fetched = (Arc::new(ring), Instant::now());
        *self.ring.write().unwrap_or_else(PoisonError::into_inner) = Some(fetched);
        Ok(max_age)
    }
}

impl KeySource for RemoteKeys {
    /// The keys fetched last; `None` until a set was fetched once. Starts the
    /// task that keeps them current, on first use inside a Tokio runtime.
    fn ring(&self) -> Option<Arc<Ring<PublicKey>>> {
        if !self.started.load(Ordering::Relaxed) {
            self.start(Duration::ZERO);
        }
        let ring = self.ring.read().unwrap_or_else(PoisonError::into_inner);
        let (ring, fetched_at) = ring.as_ref()?;
        (fetched_at.elapsed() < MAX_STALENESS).then(|| Arc::clone(ring))
    }

    /// A token named a `kid` the set lacks: fetch soon (at most once a second).
    fn wanted(&self) {
        self.wake.notify_one();
    }
}

/// The ring of a key set's body: `k4.public` keys only, each under its own
/// PASERK id, at least one and at most [`MAX_KEYS`].
fn ring_of(body: &[u8]) -> Result<Ring<PublicKey>, FetchError> {
    let malformed = |why: &str| FetchError::Malformed(why.to_owned());
    let set: KeySet = serde_json::from_slice(body).map_err(|_| malformed("not a key set"))?;
    if set.keys.is_empty() || set.keys.len() > MAX_KEYS {
        return Err(malformed("it must hold from 1 to 32 keys"));
    }
    let mut keys = Vec::with_capacity(set.keys.len());
    for published in set.keys {
        let key = PublicKey::from_paserk(&published.key)
            .map_err(|_| malformed("a key is not a k4.public PASERK"))?;
        if key.id() != published.kid {
            return Err(malformed("a key's kid is not its PASERK id"));
        }
        keys.push((Some(published.kid), key));
    }
    let mut keys = keys.into_iter();
    let first = keys.next().ok_or_else(|| malformed("no key"))?;
    Ring::new("k4.pid.", first, keys, None)
        .map_err(|_| malformed("keys that do not belong together"))
}

/// `max-age=N` of a `Cache-Control` value, whatever its case.
fn max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|directive| {
        let (name, seconds) = directive.trim().split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("max-age") {
            return None;
        }
        seconds
            .trim()
            .trim_matches('"')
            .parse()
            .ok()
            .map(Duration::from_secs)
    })
}

/// Marks the task stopped when it ends, however it ends (a runtime shut
/// down drops it), so that the next use starts another.
struct Running(Weak<RemoteKeys>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(remote) = self.0.upgrade() {
            remote.started.store(false, Ordering::Release);
        }
    }
}

/// A configuration dropped wakes its task, which then ends.
impl Drop for RemoteKeys {
    fn drop(&mut self) {
        self.wake.notify_one();
    }
}

/// How long to keep a set whose `Cache-Control` says `max_age`, if anything.
pub(crate) fn keep_for(max_age: Option<Duration>) -> Duration {
    max_age
        .unwrap_or(INTERVAL.0 * 10)
        .clamp(INTERVAL.0, INTERVAL.1)
}

/// The task: wait `wait` or a wake-up, never fetching twice within a second,
/// fetch, and again; ends when the configuration is dropped.
async fn keep_current(keys: Weak<RemoteKeys>, wake: Arc<Notify>, mut wait: Duration) {
    let mut failing = false;
    let mut last: Option<Instant> = None;
    loop {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = wake.notified() => {}
        }
        if let Some(last) = last {
            tokio::time::sleep_until(last + MIN_GAP).await;
        }
        let Some(remote) = keys.upgrade() else { return };
        last = Some(Instant::now());
        wait = match remote.fetch().await {
            Ok(max_age) => {
                if failing {
                    tracing::info!(url = %remote.url, "paseto: the key set is fetched again");
                }
                failing = false;
                keep_for(max_age)
            }
            Err(error) => {
                if !failing {
                    tracing::warn!(url = %remote.url, %error, "paseto: the key set could not be fetched; the last good one, if any, stays");
                }
                failing = true;
                RETRY
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;

    fn body(keys: &[(String, String)]) -> Vec<u8> {
        let keys: Vec<_> = keys
            .iter()
            .map(|(kid, key)| serde_json::json!({ "kid": kid, "key": key }))
            .collect();
        serde_json::json!({ "keys": keys }).to_string().into_bytes()
    }

    #[test]
    fn a_key_set_holds_public_keys_under_their_own_ids() {
        let public = SecretKey::generate().unwrap().public_key();
        let good = body(&[(public.id(), public.to_paserk())]);
        assert!(ring_of(&good).is_ok());
        let other = SecretKey::generate().unwrap().public_key();
        let wrong_id = body(&[(other.id(), public.to_paserk())]);
        let local = crate::keys::LocalKey::generate().unwrap();
        let secret = body(&[(local.id(), local.to_paserk())]);
        let many: Vec<_> = (0..33).map(|_| (public.id(), public.to_paserk())).collect();
        for bad in [
            wrong_id,
            secret,
            body(&[]),
            body(&many),
            b"[]".to_vec(),
            b"{".to_vec(),
        ] {
            assert!(matches!(ring_of(&bad), Err(FetchError::Malformed(_))));
        }
    }

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(
            max_age("public, max-age=300"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(max_age("no-cache"), None);
        assert_eq!(max_age("max-age=x"), None);
        assert_eq!(max_age("Max-Age=60"), Some(Duration::from_secs(60)));
    }
}
