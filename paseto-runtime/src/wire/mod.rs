//! What is read from and written to a token's payload: the payload as received
//! (lenient, so a wrong type is a precise error), the payload as issued
//! (fastapi-paseto's layout), the claim names the library owns, and the time
//! format.

mod issued;
mod received;
mod timestamp;

pub(crate) mod token_id;

pub(crate) use issued::IssuedPayload;
pub(crate) use received::{Raw, ReceivedPayload, named_claim};
pub(crate) use timestamp::{TimeText, format_time, parse_time};

/// The claim names the library writes and checks; a user's own claims cannot use them.
pub(crate) const RESERVED: [&str; 13] = [
    "sub",
    "jti",
    "type",
    "fresh",
    "iat",
    "nbf",
    "exp",
    "iss",
    "aud",
    "fam",
    "gen",
    "csrf",
    "auth_time",
];
