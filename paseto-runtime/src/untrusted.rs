//! A token string split and decoded, ready for its cryptography.
//!
//! pasetors decodes token base64 with a constant-time decoder, which is made for
//! secrets and was 42% of a whole v4.local verification. A token is no secret
//! from its sender, whose timing is all a decoder could leak, so this module
//! decodes it with `base64`, as strictly (no padding, canonical trailing bits),
//! and makes the checks pasetors makes (and refuses an empty footer after a dot,
//! which pasetors lets through). Keys are still decoded in constant time.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AuthError;

/// The longest token accepted, checked before any decoding.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Nonce and tag of a v4.local message, or signature of a v4.public one: a
/// message must be longer, since PASETO forbids an empty payload.
const OVERHEAD: usize = 64;

/// Splits `token`, which must start with `header`, into its decoded message
/// and footer (empty when there is none).
///
/// A token of another version or purpose is [`AuthError::UnsupportedToken`];
/// bad base64, a message without payload, an empty footer after its dot, or a
/// fifth part is [`AuthError::MalformedToken`].
pub(crate) fn split(token: &str, header: &str) -> Result<(Vec<u8>, Vec<u8>), AuthError> {
    let rest = token
        .strip_prefix(header)
        .ok_or(AuthError::UnsupportedToken)?;
    let (message, footer) = match rest.split_once('.') {
        Some((message, footer)) => (message, Some(footer)),
        None => (rest, None),
    };
    let message = decode(message)?;
    if message.len() <= OVERHEAD {
        return Err(AuthError::MalformedToken);
    }
    let footer = match footer {
        None => Vec::new(),
        Some(footer) => match decode(footer)? {
            footer if footer.is_empty() => return Err(AuthError::MalformedToken),
            footer => footer,
        },
    };
    Ok((message, footer))
}

/// Decodes unpadded base64url, rejecting any other alphabet (a `.` included).
fn decode(part: &str) -> Result<Vec<u8>, AuthError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| AuthError::MalformedToken)
}

#[cfg(test)]
mod tests {
    use pasetors::Local;
    use pasetors::keys::{Generate, SymmetricKey};
    use pasetors::token::UntrustedToken;
    use pasetors::version4::{LocalToken, V4};

    use super::*;

    fn token(footer: Option<&[u8]>) -> String {
        let key = SymmetricKey::<V4>::generate().unwrap();
        LocalToken::encrypt(&key, b"{}", footer, None).unwrap()
    }

    #[test]
    fn same_parts_as_pasetors() {
        for footer in [None, Some(&b"kid"[..])] {
            let token = token(footer);
            let ours = split(&token, LocalToken::HEADER).unwrap();
            let theirs = UntrustedToken::<Local, V4>::try_from(token.as_str()).unwrap();
            let parts = (theirs.untrusted_message(), theirs.untrusted_footer());
            assert_eq!((&ours.0[..], &ours.1[..]), parts);
        }
    }

    #[test]
    fn rejects_what_is_not_a_canonical_token() {
        let token = token(None);
        let zeros = "A".repeat(86);
        let short = format!("v4.local.{}", URL_SAFE_NO_PAD.encode([1; OVERHEAD]));
        for bad in [
            format!("{token}."),
            format!("{token}.a2lk.a2lk"),
            format!("{token}="),
            format!("{token}+"),
            // 65 bytes with a nonzero trailing bit, and a length no bytes have.
            format!("v4.local.{zeros}B"),
            format!("v4.local.{zeros}AAA"),
            "v4.local.".to_owned(),
            short,
        ] {
            assert!(
                matches!(
                    split(&bad, LocalToken::HEADER),
                    Err(AuthError::MalformedToken)
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            split(&token, "v4.public."),
            Err(AuthError::UnsupportedToken)
        ));
    }
}
