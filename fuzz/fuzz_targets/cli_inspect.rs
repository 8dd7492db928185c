//! The `paseto inspect` command on arbitrary tokens: without a key (what a
//! token shows unverified: its parts, footer and `kid`, a public token's
//! payload) and with one, where a token that verifies is printed with its
//! claims and the time it has left. Never a panic; a valid token always prints.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paseto_fuzz::fixture;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (auth, runtime) = (&fixture().auth, &fixture().runtime);
    let token = match mode % 3 {
        0 => text.to_owned(),
        1 => format!("v4.public.{text}"),
        // A valid token carrying the input as its user's claims, when it is a
        // JSON object the issuer takes.
        _ => {
            let Ok(serde_json::Value::Object(claims)) = serde_json::from_str(text) else {
                return;
            };
            let Ok(token) = auth.access_token("fuzz").claims(&claims).issue() else {
                return;
            };
            // Tokens over 8 KiB are refused before anything else.
            if token.len() <= 8 * 1024 {
                let printed = runtime.block_on(paseto_cli::inspect(&token, Some(auth)));
                assert!(
                    printed
                        .as_deref()
                        .is_ok_and(|out| out.starts_with("valid v4.local token")),
                    "{printed:?}"
                );
            }
            token
        }
    };
    let _ = runtime.block_on(paseto_cli::inspect(&token, None));
    let _ = runtime.block_on(paseto_cli::inspect(&token, Some(auth)));
});
