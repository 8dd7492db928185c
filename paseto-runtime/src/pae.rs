//! PASETO's pre-authentication encoding: the count of pieces, then each piece
//! after its length, as 64-bit little-endian numbers with the top bit clear.
//! The MAC and the signature hash it as it is produced; no buffer is built.

/// Hands the encoding of `pieces` to `update`, in order, stopping at its first
/// error.
pub(crate) fn feed<E>(
    pieces: &[&[u8]],
    mut update: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    update(&length(pieces.len()))?;
    for piece in pieces {
        update(&length(piece.len()))?;
        update(piece)?;
    }
    Ok(())
}

fn length(n: usize) -> [u8; 8] {
    (u64::try_from(n).unwrap_or(u64::MAX) & (u64::MAX >> 1)).to_le_bytes()
}

/// The encoding of `pieces`, whole: for comparing with implementations that
/// take a message, such as ed25519-compact.
#[cfg(any(test, fuzzing))]
pub fn encode(pieces: &[&[u8]]) -> Vec<u8> {
    let mut encoded = Vec::new();
    let fed = feed(pieces, |bytes| {
        encoded.extend_from_slice(bytes);
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(()) = fed;
    encoded
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_specification_examples() {
        // PASETO's PAE examples: no piece, one empty piece, and "test".
        assert_eq!(super::encode(&[]), [0; 8]);
        assert_eq!(
            super::encode(&[b""]),
            [[1, 0, 0, 0, 0, 0, 0, 0], [0; 8]].concat()
        );
        let test = super::encode(&[b"test"]);
        assert_eq!(
            test,
            [
                &[1, 0, 0, 0, 0, 0, 0, 0],
                &[4, 0, 0, 0, 0, 0, 0, 0],
                &b"test"[..]
            ]
            .concat()
        );
    }
}
