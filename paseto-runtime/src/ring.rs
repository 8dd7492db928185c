//! Keys over time: the current key, which issues, and keys that only verify,
//! each named by its PASERK id. A token's footer `kid` chooses its key; a token
//! without one goes to a single designated key, never to every key in turn.

use crate::error::AuthError;

/// The keys of one purpose, with their PASERK ids (`k4.lid.` or `k4.pid.`).
#[derive(Debug)]
pub(crate) struct Ring<K> {
    /// Every key that verifies, the current one first; no id twice.
    keys: Vec<(String, K)>,
    /// The index in `keys` of the key that verifies tokens without a `kid`.
    untagged: usize,
    /// The prefix of this ring's ids: `k4.lid.` or `k4.pid.`.
    prefix: &'static str,
}

/// The length of a k4 key id after its prefix: 33 bytes in unpadded base64url.
const ID_DIGEST_LEN: usize = 44;

impl<K> Ring<K> {
    /// A ring of `current` and the keys that only verify, each with its id; a
    /// key given twice is kept once. The untagged key is `untagged`, an id, or
    /// the current key; `None` when `untagged` names no key of the ring.
    pub(crate) fn new(
        prefix: &'static str,
        current: (String, K),
        verify_only: impl IntoIterator<Item = (String, K)>,
        untagged: Option<&str>,
    ) -> Option<Self> {
        let mut keys = vec![current];
        for (id, key) in verify_only {
            if keys.iter().all(|(known, _)| *known != id) {
                keys.push((id, key));
            }
        }
        let untagged = match untagged {
            None => 0,
            Some(id) => keys.iter().position(|(known, _)| known == id)?,
        };
        Some(Self {
            keys,
            untagged,
            prefix,
        })
    }

    /// The key that issues.
    pub(crate) fn current(&self) -> &K {
        &self.keys[0].1
    }

    /// The PASERK id of the key that issues, written as the footer's `kid`.
    pub(crate) fn current_id(&self) -> &str {
        &self.keys[0].0
    }

    /// The key that verifies a token whose footer names `kid`, or that names
    /// none: an id of this ring's type that the ring does not hold is
    /// [`AuthError::UnknownKeyId`]; anything else is [`AuthError::MalformedToken`].
    pub(crate) fn select(&self, kid: Option<&str>) -> Result<&K, AuthError> {
        let Some(kid) = kid else {
            return Ok(&self.keys[self.untagged].1);
        };
        if let Some((_, key)) = self.keys.iter().find(|(id, _)| id == kid) {
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

    fn ring(untagged: Option<&str>) -> Option<Ring<char>> {
        Ring::new(
            "k4.lid.",
            (A.to_owned(), 'a'),
            [(B.to_owned(), 'b'), (A.to_owned(), 'x')],
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
        assert_eq!(ring.current_id(), A);
        assert!(self::ring(Some(C)).is_none());
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
