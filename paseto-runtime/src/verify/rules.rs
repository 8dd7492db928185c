//! The claim rules, one function each, applied in the documented order: times
//! (with the leeway), issuer, audience, then the shape of the remaining claims.

use std::borrow::Cow;

use time::OffsetDateTime;

use crate::claims::{Claims, Registered};
use crate::error::AuthError;
use crate::kind::interned;
use crate::scope::is_scope_token;
use crate::settings::{Options, Settings};
use crate::wire::{Raw, ReceivedPayload, parse_time};

/// Checks the registered claims of a parsed payload, in the documented order.
pub(super) fn validate<T>(
    settings: &Settings,
    payload: ReceivedPayload<'_, T>,
    now: OffsetDateTime,
) -> Result<Claims<T>, AuthError> {
    let options = &settings.options;
    let expires_at = expiry(options, payload.exp, now)?;
    // The latest moment a claimed time may name: now plus the leeway.
    let latest = now.checked_add(options.leeway).unwrap_or(now);
    let not_before = not_before(payload.nbf, latest)?;
    let issued_at = issued_at(payload.iat, latest)?;
    let issuer = issuer(options, payload.iss)?;
    let audience = audience(options, payload.aud)?;
    let registered = Registered {
        subject: string(payload.sub, "sub")?.into_owned(),
        token_id: string(payload.jti, "jti")?.into_owned(),
        token_type: interned(string(payload.token_type, "type")?),
        fresh: fresh(payload.fresh.as_ref())?,
        issued_at,
        not_before,
        expires_at,
        issuer: issuer.map(Cow::into_owned),
        audience: audience.into_iter().map(Cow::into_owned).collect(),
        family: optional_string(payload.fam, "fam")?.map(Cow::into_owned),
        generation: generation(payload.r#gen.as_ref())?,
        csrf: optional_string(payload.csrf, "csrf")?.map(Cow::into_owned),
        authenticated_at: authenticated_at(payload.auth_time, issued_at, latest)?,
        scopes: scopes(payload.scope)?,
        footer: None,
        payload: crate::claims::Payload::default(),
    };
    Ok(Claims {
        registered,
        extra: payload.extra,
    })
}

/// `exp`: required unless the configuration allows tokens without it; expired
/// once `exp` plus the leeway is reached. A time so far ahead that adding the
/// leeway overflows is not expired.
fn expiry(
    options: &Options,
    raw: Option<Raw<'_>>,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, AuthError> {
    let expires_at = match raw {
        None if options.allow_missing_expiry => return Ok(None),
        raw => time(raw, "exp")?,
    };
    match expires_at.checked_add(options.leeway) {
        Some(end) if end <= now => Err(AuthError::Expired),
        _ => Ok(Some(expires_at)),
    }
}

/// `nbf`, when present: not after `latest`, now plus the leeway.
fn not_before(
    raw: Option<Raw<'_>>,
    latest: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, AuthError> {
    let not_before = optional_time(raw, "nbf")?;
    if not_before.is_some_and(|nbf| nbf > latest) {
        return Err(AuthError::NotYetValid);
    }
    Ok(not_before)
}

/// `iat`, when present: not after `latest`, now plus the leeway; a token from
/// the future was made by a clock that is wrong, or by someone who wants it to
/// live longer.
fn issued_at(
    raw: Option<Raw<'_>>,
    latest: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, AuthError> {
    let issued_at = optional_time(raw, "iat")?;
    if issued_at.is_some_and(|iat| iat > latest) {
        return Err(AuthError::IssuedInFuture);
    }
    Ok(issued_at)
}

/// `auth_time`, when present: a login precedes its tokens, so not after `iat`
/// nor after `latest`; a later one would stretch the session it bounds.
fn authenticated_at(
    raw: Option<Raw<'_>>,
    issued_at: Option<OffsetDateTime>,
    latest: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, AuthError> {
    let authenticated_at = optional_time(raw, "auth_time")?;
    let bound = issued_at.map_or(latest, |iat| iat.min(latest));
    if authenticated_at.is_some_and(|at| at > bound) {
        return Err(AuthError::MalformedClaim("auth_time"));
    }
    Ok(authenticated_at)
}

/// `iss`: the required issuer, when one is configured.
fn issuer<'a>(options: &Options, raw: Option<Raw<'a>>) -> Result<Option<Cow<'a, str>>, AuthError> {
    let issuer = optional_string(raw, "iss")?;
    match &options.required_issuer {
        Some(required) if issuer.as_deref() != Some(required.as_str()) => {
            Err(AuthError::WrongIssuer)
        }
        _ => Ok(issuer),
    }
}

/// `aud` (RFC 7519 §4.1.3): a token addressed to audiences must name one of
/// ours; a service that requires none is addressed by no audience, unless it
/// allows any.
fn audience<'a>(options: &Options, raw: Option<Raw<'a>>) -> Result<Vec<Cow<'a, str>>, AuthError> {
    let audience = audiences(raw)?;
    let addressed = if options.audiences.is_empty() {
        audience.is_empty() || options.allow_any_audience
    } else {
        audience
            .iter()
            .any(|aud| options.audiences.iter().any(|want| want == aud))
    };
    if addressed {
        Ok(audience)
    } else {
        Err(AuthError::WrongAudience)
    }
}

/// `fresh`: a boolean; absent means not fresh.
fn fresh(raw: Option<&Raw<'_>>) -> Result<bool, AuthError> {
    match raw {
        None => Ok(false),
        Some(Raw::Bool(fresh)) => Ok(*fresh),
        Some(_) => Err(AuthError::MalformedClaim("fresh")),
    }
}

/// `gen`: a whole number; absent means a login's refresh token, generation 0.
fn generation(raw: Option<&Raw<'_>>) -> Result<u64, AuthError> {
    match raw {
        None => Ok(0),
        Some(Raw::Int(generation)) => Ok(*generation),
        Some(_) => Err(AuthError::MalformedClaim("gen")),
    }
}

/// The scope claim: a space-separated string (RFC 8693 §4.2) or an array of
/// scope tokens, kept as one string with single spaces; each scope once.
fn scopes(raw: Option<Raw<'_>>) -> Result<String, AuthError> {
    let malformed = AuthError::MalformedClaim("scope");
    let mut kept = String::new();
    let mut keep = |scope: &str| {
        if !is_scope_token(scope) {
            return Err(malformed.clone());
        }
        if !kept.split(' ').any(|have| have == scope) {
            if !kept.is_empty() {
                kept.push(' ');
            }
            kept.push_str(scope);
        }
        Ok(())
    };
    match raw {
        None => {}
        Some(Raw::Str(text)) => text
            .split(' ')
            .filter(|s| !s.is_empty())
            .try_for_each(&mut keep)?,
        Some(Raw::List(items)) => {
            for item in items {
                match item {
                    Raw::Str(scope) => keep(&scope)?,
                    _ => return Err(malformed),
                }
            }
        }
        Some(_) => return Err(malformed),
    }
    Ok(kept)
}

/// A required string claim.
fn string<'a>(raw: Option<Raw<'a>>, name: &'static str) -> Result<Cow<'a, str>, AuthError> {
    match raw {
        Some(Raw::Str(text)) => Ok(text),
        Some(_) => Err(AuthError::MalformedClaim(name)),
        None => Err(AuthError::MissingClaim(name)),
    }
}

/// A string claim that may be absent.
fn optional_string<'a>(
    raw: Option<Raw<'a>>,
    name: &'static str,
) -> Result<Option<Cow<'a, str>>, AuthError> {
    raw.map(|raw| string(Some(raw), name)).transpose()
}

/// A required RFC 3339 time claim.
fn time(raw: Option<Raw<'_>>, name: &'static str) -> Result<OffsetDateTime, AuthError> {
    parse_time(&string(raw, name)?).ok_or(AuthError::MalformedClaim(name))
}

/// An RFC 3339 time claim that may be absent.
fn optional_time(
    raw: Option<Raw<'_>>,
    name: &'static str,
) -> Result<Option<OffsetDateTime>, AuthError> {
    raw.map(|raw| time(Some(raw), name)).transpose()
}

/// `aud` as RFC 7519 allows it: one string or an array of strings.
fn audiences(raw: Option<Raw<'_>>) -> Result<Vec<Cow<'_, str>>, AuthError> {
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
