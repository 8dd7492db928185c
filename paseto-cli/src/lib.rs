//! What the `paseto` command-line tool makes of a token, apart from its binary
//! so that a fuzz target drives it too; and what `paseto audit-diff` finds
//! between two OpenAPI documents ([`audit`]).

pub mod audit;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paseto_runtime::{Claims, Duration, PasetoAuth};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Appends a line to what a command prints.
#[macro_export]
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        $out.push_str(&format!($($arg)*));
        $out.push('\n');
    }};
}

/// What `paseto inspect` prints for `token`: verified under `auth`, or what it
/// shows unverified without one. `Err` is why it is invalid.
pub async fn inspect(token: &str, auth: Option<&PasetoAuth>) -> Result<String, String> {
    let mut out = String::new();
    let shown = Shown::of(token)?;
    let Some(auth) = auth else {
        shown.print_unverified(&mut out);
        return Ok(out);
    };
    let claims = auth
        .verify_any_type(token)
        .await
        .map_err(|e| e.to_string())?;
    say!(out, "valid {} token", shown.header);
    if let Some(footer) = claims.footer() {
        say!(out, "footer: {footer}");
    }
    if let Some(kid) = claims.key_id() {
        say!(out, "kid: {kid}");
    }
    say!(out, "{}", pretty(&claims_json(&claims)));
    if let Some(exp) = claims.expires_at() {
        say!(out, "{}", time_left(exp - OffsetDateTime::now_utc()));
    }
    Ok(out)
}

/// What a token shows without a key: its header, footer and `kid`, and for
/// `v4.public` its payload (signed, not encrypted).
struct Shown {
    header: String,
    footer: Option<String>,
    payload: Option<String>,
}

impl Shown {
    fn of(token: &str) -> Result<Self, String> {
        let malformed = || "Malformed token".to_owned();
        let mut parts = token.split('.');
        let (Some(version), Some(purpose), Some(message)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let footer = match parts.next() {
            Some(footer) => Some(decode_text(footer).ok_or_else(malformed)?),
            None => None,
        };
        if parts.next().is_some() {
            return Err(malformed());
        }
        let payload = if (version, purpose) == ("v4", "public") {
            let bytes = URL_SAFE_NO_PAD.decode(message).map_err(|_| malformed())?;
            let body = bytes.len().checked_sub(64).ok_or_else(malformed)?;
            Some(String::from_utf8_lossy(&bytes[..body]).into_owned())
        } else {
            None
        };
        Ok(Self {
            header: format!("{version}.{purpose}"),
            footer,
            payload,
        })
    }

    fn print_footer(&self, out: &mut String) {
        if let Some(footer) = &self.footer {
            say!(out, "footer: {footer}");
            let kid = serde_json::from_str::<Value>(footer)
                .ok()
                .and_then(|footer| footer.get("kid")?.as_str().map(str::to_owned));
            if let Some(kid) = kid {
                say!(out, "kid: {kid}");
            }
        }
    }

    fn print_unverified(&self, out: &mut String) {
        say!(
            out,
            "{} token, NOT VERIFIED (no key in the environment)",
            self.header
        );
        self.print_footer(out);
        if let Some(payload) = &self.payload {
            let shown = serde_json::from_str::<Value>(payload)
                .map_or_else(|_| payload.clone(), |json| pretty(&json));
            say!(out, "payload (unverified):\n{shown}");
        } else {
            say!(
                out,
                "payload: encrypted; set PASETO_SECRET_KEY to verify and read it"
            );
        }
    }
}

fn decode_text(part: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    String::from_utf8(bytes).ok()
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// The claims as the token holds them: registered, then the user's own.
fn claims_json(claims: &Claims<Map<String, Value>>) -> Value {
    let time = |t: Option<OffsetDateTime>| t.and_then(|t| t.format(&Rfc3339).ok());
    let mut shown = json!({
        "sub": claims.subject(),
        "jti": claims.token_id(),
        "type": claims.token_type(),
        "fresh": claims.is_fresh(),
        "iat": time(claims.issued_at()),
        "nbf": time(claims.not_before()),
        "exp": time(claims.expires_at()),
        "iss": claims.issuer(),
        "aud": claims.audience(),
        "fam": claims.family(),
        "gen": claims.generation(),
    });
    if let Value::Object(map) = &mut shown {
        map.retain(|_, value| !value.is_null() && *value != json!([]));
        map.extend(claims.extra().clone());
    }
    shown
}

/// `expires in 14 minutes 59 seconds`, in words.
fn time_left(left: Duration) -> String {
    let seconds = left.whole_seconds();
    let (days, hours, minutes, secs) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    );
    let words: Vec<String> = [
        (days, "day"),
        (hours, "hour"),
        (minutes, "minute"),
        (secs, "second"),
    ]
    .into_iter()
    .filter(|&(n, _)| n > 0)
    .map(|(n, unit)| format!("{n} {unit}{}", if n == 1 { "" } else { "s" }))
    .collect();
    if words.is_empty() {
        "expires now".to_owned()
    } else {
        format!("expires in {}", words.join(" "))
    }
}
