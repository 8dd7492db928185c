//! The builder's keys and what binds a token to them: the key ring, the
//! footer, the implicit assertion.

use super::PasetoAuthBuilder;
use crate::keys::{LocalKey, LocalSecret, PublicKey, SecretKey, VerifyKey};
use crate::settings::Opaque;

impl PasetoAuthBuilder {
    /// Uses `v4.local` tokens (encrypted, one shared key).
    pub fn local_key(mut self, key: LocalKey) -> Self {
        self.local = Some(key);
        self
    }

    /// Uses `v4.local` tokens under a raw secret of another length than 32
    /// bytes, as a fastapi-paseto service is configured: tokens it issues
    /// carry no `kid`, and it verifies tokens without one. For running beside
    /// such a service, or taking over its tokens; a new service uses a
    /// [`LocalKey`].
    pub fn local_secret(mut self, secret: LocalSecret) -> Self {
        self.local_secret = Some(secret);
        self
    }

    /// Uses `v4.public` tokens (signed), issuing with this key and verifying with its public half.
    pub fn secret_key(mut self, key: SecretKey) -> Self {
        self.secret = Some(key);
        self
    }

    /// Uses `v4.public` tokens, verifying with this key. Without a secret key the
    /// service only verifies; issuing is then an error.
    pub fn public_key(mut self, key: PublicKey) -> Self {
        self.public = Some(key);
        self
    }

    /// Verifies `v4.public` tokens with keys fetched from the issuer's published
    /// [key set](crate::keyset) at `url` (`https://issuer.example/.well-known/paserk`),
    /// for a service that only verifies. A token's `kid` chooses among them.
    /// The set is fetched on first use, or by
    /// [`PasetoAuth::fetch_keys`](crate::PasetoAuth::fetch_keys) at start;
    /// until one was fetched, guarded routes answer 503 with `Retry-After`. It
    /// is fetched again after its `max-age` (30 s to an hour) and when a token
    /// names a `kid` it lacks, at most once a second; a failed fetch keeps the
    /// last good set. No other key may be configured beside it.
    #[cfg(feature = "remote-keys")]
    pub fn remote_keys(mut self, url: impl Into<String>) -> Self {
        self.remote = Some(url.into());
        self
    }

    /// Adds a key that only verifies, of the same purpose as the current key: a
    /// key retired from issuing while its tokens live on, or the next key,
    /// deployed everywhere before it issues. Every token issued names its key's
    /// PASERK id in its footer's `kid`, which chooses the key that verifies it;
    /// an unknown `kid` is rejected. See [the guide](crate::guide::keys).
    ///
    /// ```
    /// use paseto_runtime::{PasetoAuth, keys::LocalKey};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let (old, new) = (LocalKey::generate()?, LocalKey::generate()?);
    /// let before = PasetoAuth::builder().local_key(old.clone()).build()?;
    /// let token = before.access_token("alice").issue()?;
    ///
    /// let after = PasetoAuth::builder().local_key(new).verify_key(old).build()?;
    /// assert_eq!(after.verify_any_type(&token).await?.subject(), "alice");
    /// # Ok(()) }
    /// ```
    pub fn verify_key(mut self, key: impl Into<VerifyKey>) -> Self {
        self.verify_keys.push(key.into());
        self
    }

    /// The key, by its PASERK id (`k4.lid.…` or `k4.pid.…`), that verifies
    /// tokens whose footer names no `kid`: tokens from before key ids, or from a
    /// service that writes none, such as fastapi-paseto. No other key is tried
    /// for them. Default: the current key.
    pub fn untagged_key(mut self, id: impl Into<String>) -> Self {
        self.options.untagged_key = Some(id.into());
        self
    }

    /// Members written into the footer of every token issued, beside the `kid`,
    /// and required on every token verified: its footer must hold them, and
    /// nothing else but a `kid`. They must serialize to a JSON object without a
    /// `kid` of its own. Footers are visible to anyone who holds the token.
    ///
    /// ```
    /// # use paseto_runtime::{PasetoAuth, keys::LocalKey};
    /// let auth = PasetoAuth::builder()
    ///     .local_key(LocalKey::generate()?)
    ///     .footer(&serde_json::json!({ "app": "billing" }))
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn footer(mut self, members: &(impl serde::Serialize + ?Sized)) -> Self {
        self.options.footer = Some(serde_json::to_value(members).unwrap_or_default());
        self
    }

    /// Whether issued tokens name their key in the footer's `kid` (default
    /// `true`). Turn it off only while a peer that refuses any footer verifies
    /// this service's tokens (fastapi-paseto 0.7 answers 422 `Invalid PASETO
    /// format` to them): tokens then carry no footer, and every verifier,
    /// this one included, takes them with its untagged key
    /// ([`untagged_key`](Self::untagged_key)), so a ring cannot choose their
    /// key by `kid`. Verifying is unchanged. Configured
    /// [`footer`](Self::footer) members need it on.
    pub fn kid_footer(mut self, on: bool) -> Self {
        self.options.kid_footer = on;
        self
    }

    /// An implicit assertion (bound into the MAC or signature but not carried in the
    /// token) used when issuing and required when verifying.
    pub fn implicit_assertion(mut self, assertion: impl Into<Vec<u8>>) -> Self {
        self.options.implicit_assertion = Some(Opaque(assertion.into()));
        self
    }

    /// The PASERK ids of the keys given so far.
    pub(crate) fn key_ids(&self) -> impl Iterator<Item = String> + '_ {
        let local = self.local.iter().map(LocalKey::id);
        let signing = self.secret.iter().map(|key| key.public_key().id());
        let public = self.public.iter().map(PublicKey::id);
        let verify = self.verify_keys.iter().filter_map(|key| match key {
            VerifyKey::Local(key) => Some(key.id()),
            VerifyKey::Public(key) => Some(key.id()),
            VerifyKey::Secret(_) => None,
        });
        local.chain(signing).chain(public).chain(verify)
    }

    /// Whether a key of either purpose has been given.
    pub fn has_key(&self) -> bool {
        #[cfg(feature = "remote-keys")]
        let remote = self.remote.is_some();
        #[cfg(not(feature = "remote-keys"))]
        let remote = false;
        self.local.is_some()
            || self.local_secret.is_some()
            || self.secret.is_some()
            || self.public.is_some()
            || remote
    }
}
