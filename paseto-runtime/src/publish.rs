//! Publishing this service's key set, and fetching an issuer's: the methods
//! of [`PasetoAuth`] over [`KeySet`]s.

use crate::auth::PasetoAuth;
use crate::key_set::{DEFAULT_MAX_AGE, KeySet, KeySetError, PublishedKey};
#[cfg(feature = "remote-keys")]
use crate::remote::{FetchError, RETRY, RemoteKeys, keep_for};
use crate::settings::KeyMaterial;

impl PasetoAuth {
    /// The key set to publish at [`WELL_KNOWN_PATH`](crate::keyset::WELL_KNOWN_PATH): the public half of the
    /// key that issues, then every key that only verifies.
    ///
    /// ```
    /// use axum::{Router, extract::State, routing::get};
    /// use paseto_runtime::{PasetoAuth, keys::SecretKey, keyset::{KeySet, KeySetError, WELL_KNOWN_PATH}};
    ///
    /// async fn key_set(State(auth): State<PasetoAuth>) -> Result<KeySet, KeySetError> {
    ///     auth.key_set()
    /// }
    ///
    /// let auth = PasetoAuth::builder().secret_key(SecretKey::generate()?).build()?;
    /// let set = auth.key_set()?;
    /// assert!(set.keys[0].key.starts_with("k4.public."));
    /// let app: Router = Router::new().route(WELL_KNOWN_PATH, get(key_set)).with_state(auth);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key_set(&self) -> Result<KeySet, KeySetError> {
        let ring = match &self.settings.keys {
            KeyMaterial::Public { ring, .. } => ring,
            KeyMaterial::Local(_) => return Err(KeySetError::Local),
            #[cfg(feature = "remote-keys")]
            KeyMaterial::Remote(_) => return Err(KeySetError::Remote),
        };
        let keys = ring
            .entries()
            .map(|(id, key)| PublishedKey {
                kid: id.map_or_else(|| key.id(), str::to_owned),
                key: key.to_paserk(),
            })
            .collect();
        Ok(KeySet {
            keys,
            max_age: DEFAULT_MAX_AGE,
        })
    }
}

#[cfg(feature = "remote-keys")]
impl PasetoAuth {
    /// Fetches the key set now, for a configuration with
    /// [`remote_keys`](crate::config::PasetoAuthBuilder::remote_keys), and
    /// starts keeping it current. A service calls it at start: an error says
    /// why the issuer could not be reached, and the service may start anyway,
    /// answering 503 until a set is fetched. Without remote keys, nothing.
    pub async fn fetch_keys(&self) -> Result<(), FetchError> {
        let KeyMaterial::Remote(source) = &self.settings.keys else {
            return Ok(());
        };
        let source: &dyn std::any::Any = source.as_ref();
        let Some(remote) = source.downcast_ref::<RemoteKeys>() else {
            return Ok(());
        };
        let fetched = remote.fetch().await;
        let next = fetched.as_ref().map_or(RETRY, |max_age| keep_for(*max_age));
        remote.start(next);
        fetched.map(|_| ())
    }
}
