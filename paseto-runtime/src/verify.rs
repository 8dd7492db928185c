//! Verifying a token string into [`Claims`]: cryptography first, then every claim.

use std::borrow::Cow;

use pasetors::token::TrustedToken;
use pasetors::version4::{LocalToken, PublicToken};
use pasetors::{Local, Public};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use time::OffsetDateTime;

use crate::auth::PasetoAuth;
use crate::claims::{Claims, Registered};
use crate::error::AuthError;
use crate::kind::TokenKind;
use crate::settings::{KeyMaterial, Settings};
use crate::token_type::interned;
use crate::untrusted::{self, MAX_TOKEN_LEN};
use crate::wire::{Raw, ReceivedPayload, parse_time};

impl PasetoAuth {
    /// Verifies a token of kind `K` and returns its claims.
    ///
    /// The version and purpose come from the configuration, never from the token.
    /// Checks, in order: length, version and purpose, MAC or signature (with the
    /// configured footer and implicit assertion), a JSON object payload, `exp`,
    /// `nbf`, `iat` (with the leeway), issuer, audience, `sub` and `jti`,
    /// revocation (for the configured token types), `type`, freshness, and last
    /// the shape of the user's own claims.
    ///
    /// ```
    /// use paseto_runtime::{Access, AuthError, LocalKey, PasetoAuth, Refresh};
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

    pub(crate) async fn verify_at<K: TokenKind>(
        &self,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<Claims<K::Extra>, AuthError> {
        let (claims, extra) = self.decode::<K::Extra>(token, now)?;
        self.check_revocation(&claims, now).await?;
        if claims.registered.token_type != K::TOKEN_TYPE {
            return Err(AuthError::WrongType {
                expected: K::TOKEN_TYPE,
                found: claims.registered.token_type.into_owned(),
            });
        }
        if K::FRESH && !claims.registered.fresh {
            return Err(AuthError::NotFresh);
        }
        let extra = extra.ok_or(AuthError::UnexpectedClaims)?;
        Ok(claims.replace_extra(extra).0)
    }

    /// Everything before revocation: cryptography, then the registered claims.
    /// The user's claims come back apart, `None` when they do not fit `T`.
    pub(crate) fn decode<T: DeserializeOwned>(
        &self,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<(Claims<()>, Option<T>), AuthError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(AuthError::TooLarge);
        }
        let settings = &*self.settings;
        let trusted = open(settings, token)?;
        read(settings, trusted.payload(), now)
    }
}

/// Decrypts or verifies the token with the configured key, version and purpose.
fn open(settings: &Settings, token: &str) -> Result<TrustedToken, AuthError> {
    let footer = settings.options.footer.as_deref();
    let implicit = settings.options.implicit_assertion.as_deref();
    let opened = match &settings.keys {
        KeyMaterial::Local(key) => {
            let untrusted = untrusted::parse::<Local>(token, LocalToken::HEADER)?;
            LocalToken::decrypt(&key.0, &untrusted, footer, implicit)
        }
        KeyMaterial::Public { public, .. } => {
            let untrusted = untrusted::parse::<Public>(token, PublicToken::HEADER)?;
            PublicToken::verify(&public.0, &untrusted, footer, implicit)
        }
    };
    opened.map_err(|error| match error {
        pasetors::errors::Error::PayloadInvalidUtf8 => AuthError::NotJsonObject,
        _ => AuthError::InvalidToken,
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
            let (claims, extra) = validate(settings, parsed, now)?.replace_extra(());
            Ok((claims, Some(extra)))
        }
        Err(error) if error.classify() == Category::Data => {
            // The user's claims did not fit; read the rest, which may fail first.
            let registered = serde_json::from_str::<ReceivedPayload<'_, ()>>(payload)
                .map_err(|_| AuthError::UnexpectedClaims)?;
            Ok((validate(settings, registered, now)?, None))
        }
        Err(_) => Err(AuthError::NotJsonObject),
    }
}

/// Checks the registered claims of a parsed payload, in the documented order.
fn validate<T>(
    settings: &Settings,
    payload: ReceivedPayload<'_, T>,
    now: OffsetDateTime,
) -> Result<Claims<T>, AuthError> {
    let leeway = settings.options.leeway;

    let expires_at = match payload.exp {
        None if settings.options.allow_missing_expiry => None,
        exp => Some(time_claim(exp, "exp")?),
    };
    // A time so far ahead that adding the leeway overflows is not expired.
    if expires_at.is_some_and(|exp| exp.checked_add(leeway).is_some_and(|end| end <= now)) {
        return Err(AuthError::Expired);
    }
    let latest = now.checked_add(leeway).unwrap_or(now);
    let not_before = optional_time_claim(payload.nbf, "nbf")?;
    if not_before.is_some_and(|nbf| nbf > latest) {
        return Err(AuthError::NotYetValid);
    }
    let issued_at = optional_time_claim(payload.iat, "iat")?;
    if issued_at.is_some_and(|iat| iat > latest) {
        return Err(AuthError::IssuedInFuture);
    }

    let issuer = match payload.iss {
        None => None,
        Some(Raw::Str(iss)) => Some(iss),
        Some(_) => return Err(AuthError::MalformedClaim("iss")),
    };
    if let Some(required) = &settings.options.required_issuer
        && issuer.as_deref() != Some(required.as_str())
    {
        return Err(AuthError::WrongIssuer);
    }
    // RFC 7519 §4.1.3: a token addressed to audiences must name one of ours; a
    // service that requires none is addressed by no audience.
    let audience = audience_claim(payload.aud)?;
    let addressed = if settings.options.audiences.is_empty() {
        audience.is_empty() || settings.options.allow_any_audience
    } else {
        audience
            .iter()
            .any(|aud| settings.options.audiences.iter().any(|want| want == aud))
    };
    if !addressed {
        return Err(AuthError::WrongAudience);
    }

    let subject = string_claim(payload.sub, "sub")?;
    let token_id = string_claim(payload.jti, "jti")?;
    let token_type = string_claim(payload.token_type, "type")?;
    let fresh = match payload.fresh {
        None => false,
        Some(Raw::Bool(fresh)) => fresh,
        Some(_) => return Err(AuthError::MalformedClaim("fresh")),
    };
    let family = match payload.fam {
        None => None,
        Some(Raw::Str(family)) => Some(family.into_owned()),
        Some(_) => return Err(AuthError::MalformedClaim("fam")),
    };

    let generation = match payload.r#gen {
        None => 0,
        Some(Raw::Int(generation)) => generation,
        Some(_) => return Err(AuthError::MalformedClaim("gen")),
    };

    let registered = Registered {
        subject: subject.into_owned(),
        token_id: token_id.into_owned(),
        token_type: interned(token_type),
        fresh,
        issued_at,
        not_before,
        expires_at,
        issuer: issuer.map(Cow::into_owned),
        audience: audience.into_iter().map(Cow::into_owned).collect(),
        family,
        generation,
    };
    Ok(Claims {
        registered,
        extra: payload.extra,
    })
}

fn string_claim<'a>(raw: Option<Raw<'a>>, name: &'static str) -> Result<Cow<'a, str>, AuthError> {
    match raw {
        Some(Raw::Str(text)) => Ok(text),
        Some(_) => Err(AuthError::MalformedClaim(name)),
        None => Err(AuthError::MissingClaim(name)),
    }
}

fn time_claim(raw: Option<Raw<'_>>, name: &'static str) -> Result<OffsetDateTime, AuthError> {
    parse_time(&string_claim(raw, name)?).ok_or(AuthError::MalformedClaim(name))
}

fn optional_time_claim(
    raw: Option<Raw<'_>>,
    name: &'static str,
) -> Result<Option<OffsetDateTime>, AuthError> {
    raw.map(|raw| time_claim(Some(raw), name)).transpose()
}

/// `aud` as RFC 7519 allows it: one string or an array of strings.
fn audience_claim(raw: Option<Raw<'_>>) -> Result<Vec<Cow<'_, str>>, AuthError> {
    match raw {
        None => Ok(Vec::new()),
        Some(Raw::Str(aud)) => Ok(vec![aud]),
        Some(Raw::List(items)) => items
            .into_iter()
            .map(|item| match item {
                Raw::Str(aud) => Ok(aud),
                _ => Err(AuthError::MalformedClaim("aud")),
            })
            .collect(),
        Some(_) => Err(AuthError::MalformedClaim("aud")),
    }
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
        let KeyMaterial::Local(key) = &auth.settings.keys else {
            unreachable!("a local configuration")
        };
        let payload = format!(
            r#"{{"sub":"a","jti":"j","type":"access","iat":"2026-01-01T00:00:00Z","exp":"{exp}"}}"#
        );
        LocalToken::encrypt(&key.0, payload.as_bytes(), None, None).unwrap()
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
