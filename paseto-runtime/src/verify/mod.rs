//! Verifying a token string into [`Claims`]: cryptography first, then every claim.

use serde::de::DeserializeOwned;
use serde_json::error::Category;
use time::OffsetDateTime;

use crate::auth::PasetoAuth;
use crate::claims::Claims;
use crate::error::AuthError;
use crate::events::{SecurityEvent, raise};
use crate::footer;
use crate::kind::TokenKind;
use crate::revocation::{self, OnReuse};
use crate::ring::Ring;
use crate::secret_cipher;
use crate::settings::{KeyMaterial, SCOPE, Settings};
use crate::signature;
use crate::untrusted::{self, MAX_TOKEN_LEN};
use crate::wire::{ReceivedPayload, named_claim};

mod rules;

impl PasetoAuth {
    /// Verifies a token of kind `K` and returns its claims.
    ///
    /// The version and purpose come from the configuration, never from the token.
    /// Checks, in order: length, version and purpose, the footer (its `kid`
    /// chooses the key; the configured members), MAC or signature (with the
    /// implicit assertion), a JSON object payload, `exp`,
    /// `nbf`, `iat` (with the leeway), issuer, audience, `sub` and `jti`,
    /// revocation (for the configured token types), `type`, freshness, and last
    /// the shape of the user's own claims.
    ///
    /// ```
    /// use paseto_runtime::{Access, AuthError, PasetoAuth, Refresh, keys::LocalKey};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?;
    /// let token = auth.access_token("alice").issue()?;
    /// assert_eq!(auth.verify::<Access>(&token).await?.subject(), "alice");
    /// assert!(matches!(auth.verify::<Refresh>(&token).await, Err(AuthError::WrongType { .. })));
    /// # Ok(()) }
    /// ```
    pub async fn verify<K: TokenKind>(&self, token: &str) -> Result<Claims<K::Extra>, AuthError> {
        self.verify_at::<K>(token, OffsetDateTime::now_utc()).await
    }

    /// Verifies a token of any type: every check of [`verify`](Self::verify)
    /// but the type and freshness, with the user's claims as a JSON object. For
    /// tools that show a token, such as the `paseto` command-line tool; a guard
    /// names the kind it accepts with `verify`.
    ///
    /// It changes no state: a spent refresh token is refused as revoked, and
    /// its family is left as it was (a guard's `verify` takes it as reuse and
    /// revokes the family).
    pub async fn verify_any_type(
        &self,
        token: &str,
    ) -> Result<Claims<serde_json::Map<String, serde_json::Value>>, AuthError> {
        let now = OffsetDateTime::now_utc();
        let (claims, extra) = self.authenticate(token, now)?;
        revocation::consult(&self.settings, &claims, now, OnReuse::Refuse).await?;
        let extra = extra.ok_or(AuthError::UnexpectedClaims)?;
        Ok(claims.replace_extra(extra).0)
    }

    pub(crate) async fn verify_at<K: TokenKind>(
        &self,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<Claims<K::Extra>, AuthError> {
        let (claims, extra) = self.authenticate::<K::Extra>(token, now)?;
        self.admit::<K>(&claims, now).await?;
        let extra = extra.ok_or(AuthError::UnexpectedClaims)?;
        Ok(claims.replace_extra(extra).0)
    }

    /// What follows authentication for a token of kind `K`: revocation, then
    /// its type and freshness.
    pub(crate) async fn admit<K: TokenKind>(
        &self,
        claims: &Claims<()>,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        revocation::consult(&self.settings, claims, now, OnReuse::RevokeFamily).await?;
        of_kind::<K>(claims)
    }

    /// Everything before revocation: cryptography, then the registered claims,
    /// which keep the payload. The user's claims come back apart, `None` when
    /// they do not fit `T`.
    pub(crate) fn authenticate<T: DeserializeOwned>(
        &self,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<(Claims<()>, Option<T>), AuthError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(AuthError::TooLarge);
        }
        let settings = &*self.settings;
        let mut opened = open(settings, token)?;
        let (mut claims, extra) = read(settings, &opened.payload, now)?;
        // `open` read the footer as UTF-8 before trusting it.
        let footer = std::mem::take(&mut opened.footer);
        claims.registered.footer = (!footer.is_empty()).then(|| {
            String::from_utf8(footer)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        });
        claims.registered.payload = crate::claims::Payload(opened.payload);
        Ok((claims, extra))
    }
}

/// Whether verified claims are of kind `K`: its type, and fresh if it must be.
pub(crate) fn of_kind<K: TokenKind>(claims: &Claims<()>) -> Result<(), AuthError> {
    if claims.registered.token_type != K::TOKEN_TYPE {
        return Err(AuthError::WrongType {
            expected: K::TOKEN_TYPE,
            found: claims.registered.token_type.clone().into_owned(),
        });
    }
    if K::FRESH && !claims.registered.fresh {
        return Err(AuthError::NotFresh);
    }
    Ok(())
}

/// The user's claims `T` of a payload that was already verified.
pub(crate) fn extra_of<T: DeserializeOwned>(payload: &str) -> Result<T, AuthError> {
    serde_json::from_str::<ReceivedPayload<'_, T>>(payload)
        .map(|parsed| parsed.extra)
        .map_err(|_| AuthError::UnexpectedClaims)
}

/// A token whose MAC or signature verified: its payload and its footer (empty
/// when there is none).
pub(crate) struct Opened {
    pub(crate) payload: String,
    pub(crate) footer: Vec<u8>,
}

/// Decrypts or verifies the token with the key its footer names, in the
/// configured version and purpose.
pub(crate) fn open(settings: &Settings, token: &str) -> Result<Opened, AuthError> {
    let implicit = settings
        .options
        .implicit_assertion
        .as_deref()
        .unwrap_or_default();
    // The footer is compared by `choose`, and authenticated here with the payload.
    let (payload, footer) = match &settings.keys {
        KeyMaterial::Local(ring) => {
            let (message, footer) = untrusted::split(token, secret_cipher::HEADER)?;
            let prepared = choose(settings, ring, &footer)?;
            let payload = secret_cipher::open(prepared, message, &footer, implicit)
                .map_err(|_| AuthError::InvalidToken)?;
            (payload, footer)
        }
        KeyMaterial::Public { ring, .. } => {
            let (message, footer) = untrusted::split(token, signature::HEADER)?;
            let key = choose(settings, ring, &footer)?;
            (key.1.open(message, &footer, implicit)?, footer)
        }
        #[cfg(feature = "remote-keys")]
        KeyMaterial::Remote(remote) => {
            let (message, footer) = untrusted::split(token, signature::HEADER)?;
            let ring = remote.ring().ok_or(AuthError::KeysUnavailable)?;
            let key = choose(settings, &ring, &footer).inspect_err(|error| {
                if *error == AuthError::UnknownKeyId {
                    remote.wanted();
                }
            })?;
            (key.1.open(message, &footer, implicit)?, footer)
        }
    };
    let payload = String::from_utf8(payload).map_err(|_| AuthError::NotJsonObject)?;
    Ok(Opened { payload, footer })
}

/// The key of `ring` that a token's footer names, once the footer holds what
/// the configuration requires; nothing in it is trusted yet.
fn choose<'r, K>(
    settings: &Settings,
    ring: &'r Ring<K>,
    footer: &[u8],
) -> Result<&'r K, AuthError> {
    let kid = footer::key_id(footer)?;
    if !settings.footer.admits(footer) {
        return Err(AuthError::InvalidToken);
    }
    ring.select(kid).inspect_err(|error| {
        if *error == AuthError::UnknownKeyId {
            raise(settings.events.as_ref(), || SecurityEvent::UnknownKeyId);
        }
    })
}

/// Reads an authenticated payload and checks its registered claims.
fn read<T: DeserializeOwned>(
    settings: &Settings,
    payload: &str,
    now: OffsetDateTime,
) -> Result<(Claims<()>, Option<T>), AuthError> {
    if !payload.trim_start().starts_with('{') {
        return Err(AuthError::NotJsonObject);
    }
    match serde_json::from_str::<ReceivedPayload<'_, T>>(payload) {
        Ok(parsed) => {
            let parsed = with_scope(settings, payload, parsed)?;
            let (claims, extra) = rules::validate(settings, parsed, now)?.replace_extra(());
            Ok((claims, Some(extra)))
        }
        Err(error) if error.classify() == Category::Data => {
            // The user's claims did not fit; read the rest, which may fail first.
            let registered = serde_json::from_str::<ReceivedPayload<'_, ()>>(payload)
                .map_err(|_| AuthError::UnexpectedClaims)?;
            let registered = with_scope(settings, payload, registered)?;
            Ok((rules::validate(settings, registered, now)?, None))
        }
        Err(_) => Err(AuthError::NotJsonObject),
    }
}

/// The payload with its scopes read from the configured claim: the `scope`
/// field already holds them unless another name is configured.
fn with_scope<'a, T>(
    settings: &Settings,
    payload: &'a str,
    mut parsed: ReceivedPayload<'a, T>,
) -> Result<ReceivedPayload<'a, T>, AuthError> {
    if settings.options.scope_claim != SCOPE {
        parsed.scope = named_claim(payload, &settings.options.scope_claim)
            .map_err(|()| AuthError::MalformedClaim("scope"))?;
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::keys::LocalKey;
    use crate::kind::Access;

    fn auth(leeway: i64) -> PasetoAuth {
        PasetoAuth::builder()
            .local_key(LocalKey::from_bytes(&[7; 32]).unwrap())
            .leeway(time::Duration::seconds(leeway))
            .build()
            .unwrap()
    }

    fn token(auth: &PasetoAuth, exp: &str) -> String {
        let KeyMaterial::Local(ring) = &auth.settings.keys else {
            unreachable!("a local configuration")
        };

        let payload = format!(
            r#"{{"sub":"a","jti":"j","type":"access","iat":"2026-01-01T00:00:00Z","exp":"{exp}"}}"#
        );
        secret_cipher::seal(ring.current(), &[7; 32], payload.as_bytes(), b"", b"").unwrap()
    }

    #[tokio::test]
    async fn a_token_expires_at_exp_plus_leeway() {
        let now = datetime!(2026-01-01 00:10:00 UTC);
        let strict = auth(0);
        let at_now = token(&strict, "2026-01-01T00:10:00Z");
        assert_eq!(
            strict.verify_at::<Access>(&at_now, now).await,
            Err(AuthError::Expired)
        );
        let lenient = auth(2);
        let one_second_ago = token(&lenient, "2026-01-01T00:09:59Z");
        assert!(
            lenient
                .verify_at::<Access>(&one_second_ago, now)
                .await
                .is_ok()
        );
        let three_seconds_ago = token(&lenient, "2026-01-01T00:09:57Z");
        assert_eq!(
            lenient.verify_at::<Access>(&three_seconds_ago, now).await,
            Err(AuthError::Expired)
        );
    }

    #[tokio::test]
    async fn the_latest_representable_expiry_with_the_largest_leeway_does_not_overflow() {
        let auth = auth(100 * 365 * 24 * 3600);
        let token = token(&auth, "9999-12-31T23:59:59Z");
        let claims = auth
            .verify_at::<Access>(&token, datetime!(2026-01-01 0:00 UTC))
            .await;
        assert_eq!(claims.unwrap().subject(), "a");
    }

    #[tokio::test]
    async fn length_is_checked_before_anything_else() {
        let huge = "v4.local.".to_owned() + &"A".repeat(MAX_TOKEN_LEN);
        assert_eq!(
            auth(0).verify::<Access>(&huge).await,
            Err(AuthError::TooLarge)
        );
        let short = "x".repeat(MAX_TOKEN_LEN);
        assert_eq!(
            auth(0).verify::<Access>(&short).await,
            Err(AuthError::UnsupportedToken)
        );
    }
}
