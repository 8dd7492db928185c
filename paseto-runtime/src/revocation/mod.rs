//! The revocation check, the read side of revocation: whether the denylist or
//! the application's own check refuses a verified token, with reuse detection
//! (RFC 9700 §4.14) for refresh tokens presented after their rotation. Logout
//! and rotation, which write, are in `revoke`.

mod outage;
mod standing;

use time::OffsetDateTime;

pub(crate) use standing::{Standing, record_end, standing};

use crate::claims::Claims;
use crate::denylist::{Denylist, DenylistError, end_family};
use crate::error::AuthError;
use crate::events::{SecurityEvent, raise};
use crate::kind::REFRESH;
use crate::settings::{Revocation, Settings};

/// What a revocation check does with a refresh token its family has rotated past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnReuse {
    /// Someone presented it again: revoke the family (verification).
    RevokeFamily,
    /// It was checked again, not presented: it is only spent (a watch).
    Refuse,
}

/// Runs the denylist and the user's check, for the configured token types.
/// A refresh token the family has rotated past is reuse, which revokes the
/// family, or with [`OnReuse::Refuse`] simply a spent token.
pub(crate) async fn consult(
    settings: &Settings,
    claims: &Claims,
    now: OffsetDateTime,
    on_reuse: OnReuse,
) -> Result<(), AuthError> {
    match settings.revocation_for(claims.token_type()) {
        Some(revocation) => consult_stores(settings, revocation, claims, now, on_reuse).await,
        None => Ok(()),
    }
}

/// Whether a sliding session may renew `claims`: a renewal is a refresh,
/// so it is refused when the token is revoked or when its family is, as a
/// refresh token's would be, even where the token's own type is not
/// checked.
pub(crate) async fn consult_for_renewal(
    settings: &Settings,
    claims: &Claims,
    now: OffsetDateTime,
) -> Result<(), AuthError> {
    let revocation = settings
        .revocation_for(claims.token_type())
        .or_else(|| settings.revocation_for(REFRESH));
    match revocation {
        Some(revocation) => {
            consult_stores(settings, revocation, claims, now, OnReuse::Refuse).await
        }
        None => Ok(()),
    }
}

/// The denylist's and the revocation check's answers for `claims`.
async fn consult_stores(
    settings: &Settings,
    revocation: &Revocation,
    claims: &Claims,
    now: OffsetDateTime,
    on_reuse: OnReuse,
) -> Result<(), AuthError> {
    if let Some(denylist) = &revocation.denylist {
        let (token, family, subject) = (claims.token_id(), claims.family_id(), claims.subject());
        let answer = match denylist.get_now(token, family, subject, now) {
            Some(record) => Ok(record),
            None => denylist.get(token, family, subject).await,
        };
        let record = revocation.observe(answer)?;
        match standing(claims, record, now, settings.options.rotation_grace) {
            Standing::Good => {}
            Standing::Revoked => return Err(presented_revoked(settings, claims)),
            Standing::Reused if on_reuse == OnReuse::Refuse => {
                return Err(AuthError::Revoked);
            }
            Standing::Reused => {
                revoke_reused_family(settings, revocation, &**denylist, claims, now).await?;
                return Err(AuthError::Reused);
            }
        }
    }
    if let Some(check) = &revocation.check {
        let answer = check(claims).await.map_err(DenylistError);
        if revocation.observe(answer)? {
            return Err(presented_revoked(settings, claims));
        }
    }
    Ok(())
}

/// The refusal of a revoked token, raised as a security event.
fn presented_revoked<T>(settings: &Settings, claims: &Claims<T>) -> AuthError {
    raise(settings.events.as_ref(), || SecurityEvent::RevokedToken {
        subject: claims.subject().to_owned(),
        session: claims.family_id().to_owned(),
    });
    AuthError::Revoked
}

/// Revokes a family whose spent refresh token was presented again: RFC 9700 §4.14
/// reuse detection, a security event worth a warning.
pub(crate) async fn revoke_reused_family<T>(
    settings: &Settings,
    revocation: &Revocation,
    denylist: &dyn Denylist,
    reused: &Claims<T>,
    now: OffsetDateTime,
) -> Result<(), AuthError> {
    tracing::warn!(
        kind = "reused",
        "paseto: a rotated refresh token was presented again; its family is revoked"
    );
    let until = family_lifetime_end(settings, now);
    let ended = end_family(denylist, reused.subject(), reused.family_id(), until).await;
    let revoked = revocation.observe(ended);
    // The family is revoked before the application hears of it.
    raise(settings.events.as_ref(), || SecurityEvent::RefreshReuse {
        subject: reused.subject().to_owned(),
        session: reused.family_id().to_owned(),
    });
    revoked
}

/// When every token of a family issued up to `now` has stopped verifying.
pub(crate) fn family_lifetime_end(settings: &Settings, now: OffsetDateTime) -> OffsetDateTime {
    let s = settings;
    record_end(now + s.options.family_ttl(), s.options.leeway)
}
