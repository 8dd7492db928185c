//! Keys over time: the current key, which issues, and keys that only verify,
//! each named by its PASERK id. A token's footer `kid` chooses its key; a token
//! without one goes to a single designated key, never to every key in turn.

use crate::error::AuthError;

/// The keys of one purpose, with their PASERK ids (`k4.lid.` or `k4.pid.`); a
/// raw secret has none.
#[derive(Debug)]
pub(crate) struct Ring<K> {
    /// Every key that verifies, the current one first; no id twice, at most one
    /// key without an id.
    keys: Vec<(Option<String>, K)>,
    /// The index in `keys` of the key that verifies tokens without a `kid`.
    untagged: usize,
    /// The prefix of this ring's ids: `k4.lid.` or `k4.pid.`.
    prefix: &'static str,
}

/// A ring that cannot be made, found when the configuration is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RingError {
    /// The untagged key named is none of the ring's.
    UnknownUntagged,
    /// Two keys without an id: both could only verify tokens without `kid`.
    TwoWithoutId,
    /// A key without an id, and another key named untagged: the first could
    /// verify nothing.
    WithoutIdNotUntagged,
}

/// The length of a k4 key id after its prefix: 33 bytes in unpadded base64url.
const ID_DIGEST_LEN: usize = 44;

impl<K> Ring<K> {
    /// A ring of `current` and the keys that only verify, each with its id; a
    /// key given twice is kept once. The untagged key is the key without an id
    /// if there is one, else `untagged`, an id, else the current key.
    pub(crate) fn new(
        prefix: &'static str,
        current: (Option<String>, K),
        verify_only: impl IntoIterator<Item = (Option<String>, K)>,
        untagged: Option<&str>,
    ) -> Result<Self, RingError> {
        let mut keys = vec![current];
        for (id, key) in verify_only {
            if id.is_none() || keys.iter().all(|(known, _)| *known != id) {
                keys.push((id, key));
            }
        }
        let mut without_id = (keys.iter().enumerate())
            .filter(|(_, (id, _))| id.is_none())
            .map(|(index, _)| index);
        let keyless = without_id.next();
        if without_id.next().is_some() {
            return Err(RingError::TwoWithoutId);
        }
        let named = match untagged {
            None => None,
            Some(id) => Some(
                keys.iter()
                    .position(|(known, _)| known.as_deref() == Some(id))
                    .ok_or(RingError::UnknownUntagged)?,
            ),
        };
        let untagged = match (keyless, named) {
            (Some(_), Some(_)) => return Err(RingError::WithoutIdNotUntagged),
            (Some(index), None) | (None, Some(index)) => index,
            (None, None) => 0,
        };
        Ok(Self {
            keys,
            untagged,
            prefix,
        })
    }

    /// The key that issues.
    pub(crate) fn current(&self) -> &K {
        &self.keys[0].1
    }

    /// The PASERK id of the key that issues, written as the footer's `kid`;
    /// `None` for a raw secret, whose tokens name no key.
    pub(crate) fn current_id(&self) -> Option<&str> {
        self.keys[0].0.as_deref()
    }

    /// Every key with its id, the current key first.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (Option<&str>, &K)> {
        self.keys.iter().map(|(id, key)| (id.as_deref(), key))
    }

    /// Whether a token without `kid` goes to the key that issues.
    pub(crate) fn untagged_is_current(&self) -> bool {
        self.untagged == 0
    }

    /// The key that verifies a token whose footer names `kid`, or that names
    /// none: an id of this ring's type that the ring does not hold is
    /// [`AuthError::UnknownKeyId`]; anything else is [`AuthError::MalformedToken`].
    pub(crate) fn select(&self, kid: Option<&str>) -> Result<&K, AuthError> {
        let Some(kid) = kid else {
            return Ok(&self.keys[self.untagged].1);
        };
        if let Some((_, key)) = self.keys.iter().find(|(id, _)| id.as_deref() == Some(kid)) {
            return Ok(key);
        }
        match kid.strip_prefix(self.prefix) {
            Some(digest)
                if digest.len() == ID_DIGEST_LEN
                    && digest
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Err(AuthError::UnknownKeyId)
            }
            _ => Err(AuthError::MalformedToken),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "k4.lid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const B: &str = "k4.lid.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    const C: &str = "k4.lid.CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";

    /// An entry's id, as the ring keeps it.
    #[allow(clippy::unnecessary_wraps, reason = "the ring keeps ids as options")]
    fn id(id: &str) -> Option<String> {
        Some(id.to_owned())
    }

    fn ring(untagged: Option<&str>) -> Result<Ring<char>, RingError> {
        Ring::new(
            "k4.lid.",
            (id(A), 'a'),
            [(id(B), 'b'), (id(A), 'x')],
            untagged,
        )
    }

    #[test]
    fn a_kid_chooses_its_key_and_no_kid_the_untagged_one() {
        let ring = ring(None).unwrap();
        assert_eq!(ring.select(Some(A)), Ok(&'a'));
        assert_eq!(ring.select(Some(B)), Ok(&'b'));
        assert_eq!(ring.select(None), Ok(&'a'));
        assert_eq!(ring.keys.len(), 2, "A given twice is kept once");
        let ring = self::ring(Some(B)).unwrap();
        assert_eq!(ring.select(None), Ok(&'b'));
        assert_eq!(ring.current_id(), Some(A));
        assert_eq!(self::ring(Some(C)).unwrap_err(), RingError::UnknownUntagged);
    }

    #[test]
    fn a_key_without_id_is_the_untagged_key() {
        let ring = Ring::new("k4.lid.", (id(A), 'a'), [(None, 's')], None).unwrap();
        assert_eq!(ring.select(None), Ok(&'s'));
        assert_eq!(ring.select(Some(A)), Ok(&'a'));
        let current = Ring::new("k4.lid.", (None, 's'), [(id(A), 'a')], None).unwrap();
        assert_eq!(
            (current.current_id(), current.select(None)),
            (None, Ok(&'s'))
        );
        let two = Ring::new("k4.lid.", (None, 's'), [(None, 't')], None);
        assert_eq!(two.unwrap_err(), RingError::TwoWithoutId);
        let named = Ring::new("k4.lid.", (id(A), 'a'), [(None, 's')], Some(A));
        assert_eq!(named.unwrap_err(), RingError::WithoutIdNotUntagged);
    }

    #[test]
    fn an_unknown_kid_fails_closed() {
        let ring = ring(None).unwrap();
        assert_eq!(ring.select(Some(C)), Err(AuthError::UnknownKeyId));
        let pid = C.replace("lid", "pid");
        let short = &C[..C.len() - 1];
        let dotted = C.replace('C', ".");
        for kid in [pid.as_str(), short, &dotted, "", "kid-1"] {
            assert_eq!(
                ring.select(Some(kid)),
                Err(AuthError::MalformedToken),
                "{kid}"
            );
        }
    }
}
