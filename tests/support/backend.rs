//! Where revocations are kept in the tests: memory, or a real `redis-server`.

use paseto_runtime::PasetoAuth;

use super::fixtures::key;
use super::redis::RedisServer;

/// Where revocations are kept; each `builder()` is one app instance's configuration.
pub enum Backend {
    /// One in-process denylist, shared by every instance built from this backend.
    Memory(std::sync::Arc<paseto_runtime::denylist::MemoryDenylist>),
    /// A real `redis-server`.
    Redis(RedisServer),
}

impl Backend {
    /// A configuration over the test key with this backend's denylist.
    pub fn builder(&self) -> paseto_runtime::config::PasetoAuthBuilder {
        let builder = PasetoAuth::builder().local_key(key());
        match self {
            Self::Memory(denylist) => builder.denylist(std::sync::Arc::clone(denylist)),
            Self::Redis(server) => builder.denylist(
                paseto_runtime::denylist::RedisDenylist::new(&server.url()).expect("a Redis URL"),
            ),
        }
    }

    /// [`builder`](Self::builder) with the defaults, built.
    pub fn auth(&self) -> PasetoAuth {
        self.builder().build().expect("valid configuration")
    }

    /// How many revocation records the store holds, sessions apart.
    pub async fn records(&self) -> usize {
        match self {
            Self::Memory(denylist) => denylist.len(),
            Self::Redis(server) => {
                let count = "local n = 0 for _, kind in ipairs({'jti', 'fam', 'sub'}) do \
                    n = n + #redis.call('KEYS', 'paseto:' .. kind .. ':*') end return n";
                let reply = server
                    .command(&["EVAL", count, "0"])
                    .await
                    .expect("Redis answers");
                reply.trim_start_matches(':').parse().expect("a count")
            }
        }
    }
}

/// Runs each named `async fn(Backend)` as two tests, in modules `memory` and `redis`.
#[macro_export]
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario($crate::Backend::Memory(Default::default())).await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let Some(server) = $crate::RedisServer::start().await else {
        return;
    };
                    super::$scenario($crate::Backend::Redis(server)).await;
                }
            )*
        }
    };
}
