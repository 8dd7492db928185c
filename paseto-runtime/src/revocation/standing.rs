//! Where a token stands against what the denylist holds: the one rule that
//! verification and rotation both apply.

use time::{Duration, OffsetDateTime};

use crate::claims::Claims;
use crate::denylist::{Family, Record};
use crate::kind::REFRESH;
use crate::wire::token_id;

/// Where a token stands against what the denylist holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Standing {
    Good,
    Revoked,
    /// A refresh token of a generation the family has rotated past.
    Reused,
}

/// The one rule for every token: revoked itself or by its family, and for a
/// refresh token, of the family's current generation, or of the one before it
/// within `grace` of the rotation. A refresh token of a generation the store does
/// not know (its record was lost) is refused: revocation fails closed.
pub(crate) fn standing<T>(
    claims: &Claims<T>,
    record: Record,
    now: OffsetDateTime,
    grace: Duration,
) -> Standing {
    if record.token_revoked || record.family == Some(Family::Revoked) {
        return Standing::Revoked;
    }
    if let Some(before) = record.subject_revoked_before {
        let before = before.unix_timestamp_nanos().div_euclid(1000);
        if issued_micros(claims).is_none_or(|issued| issued < before) {
            return Standing::Revoked;
        }
    }
    if claims.token_type() != REFRESH {
        return Standing::Good;
    }
    let (current, rotated_at) = match record.family {
        Some(Family::Rotated { generation, at }) => (generation, Some(at)),
        _ => (0, None),
    };
    let generation = claims.generation();
    let in_grace = grace.is_positive()
        && generation.checked_add(1) == Some(current)
        && rotated_at.is_some_and(|at| now < at.saturating_add(grace));
    if generation == current || in_grace {
        Standing::Good
    } else if generation < current {
        Standing::Reused
    } else {
        Standing::Revoked
    }
}

/// When the token was issued, in unix microseconds: as its `jti` names it (the
/// ids this library writes) within the second `iat` names, else that second.
/// `None` without `iat`, which a subject's record then revokes.
fn issued_micros<T>(claims: &Claims<T>) -> Option<i128> {
    let second = i128::from(claims.issued_at()?.unix_timestamp()) * 1_000_000;
    let precise = token_id::issued_micros(claims.token_id())
        .filter(|micros| micros.div_euclid(1_000_000) * 1_000_000 == second);
    Some(precise.unwrap_or(second))
}

/// When a revocation record of a token expiring at `exp` may go: the last
/// moment the token can verify (`exp` plus the leeway), plus the leeway again
/// for a store whose clock runs ahead of a verifying instance's (Redis expires
/// records by its own clock), rounded up to a whole second.
pub(crate) fn record_end(exp: OffsetDateTime, leeway: Duration) -> OffsetDateTime {
    let end = exp.saturating_add(leeway).saturating_add(leeway);
    match end.nanosecond() {
        0 => end,
        _ => end
            .replace_nanosecond(0)
            .map_or(end, |whole| whole.saturating_add(Duration::SECOND)),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::settings::MAX_DURATION;

    #[test]
    fn the_record_end_rounds_up_past_twice_the_leeway() {
        let exp = datetime!(2026-01-01 0:00:04.001 UTC);
        assert_eq!(
            record_end(exp, Duration::seconds(60)),
            datetime!(2026-01-01 0:02:05 UTC)
        );
        let whole = datetime!(2026-01-01 0:00:04 UTC);
        assert_eq!(record_end(whole, Duration::ZERO), whole);
        let last = datetime!(9999-12-31 23:59:59.5 UTC);
        assert_eq!(record_end(last, MAX_DURATION).year(), 9999, "saturates");
    }
}
