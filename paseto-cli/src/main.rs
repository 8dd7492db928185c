//! `paseto`: make keys, issue tokens and inspect them, with the `PASETO_*`
//! environment a service reads. Exit codes: 0 valid, 1 invalid (with the reason
//! a service would give), 2 a usage or configuration error, 3 shown but not
//! verified (no key in the environment).

use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use paseto_cli::say;
use paseto_runtime::{
    Duration, PasetoAuth,
    config::PasetoAuthBuilder,
    keys::{LocalKey, PublicKey, SecretKey},
};
use serde_json::{Map, Value};

/// Make keys, issue tokens and inspect them.
#[derive(Parser)]
#[command(name = "paseto", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prints a new key as PASERK, with its id.
    Keygen {
        /// `local` (v4.local) or `public` (v4.public: the secret and public keys).
        purpose: Purpose,
    },
    /// Prints the PASERK id of a `k4.local`, `k4.secret` or `k4.public` key;
    /// without one, of the environment's key (`PASETO_SECRET_KEY`,
    /// `PASETO_PRIVATE_KEY`, `PASETO_PUBLIC_KEY`, or their `_FILE`).
    Id {
        /// The key, as PASERK; `-` reads it from standard input, which keeps it
        /// out of the shell's history and the process list.
        paserk: Option<String>,
    },
    /// Issues a token with the `PASETO_*` configuration of the environment.
    Issue {
        /// The `sub` claim.
        subject: String,
        /// `access`, `refresh`, or a custom type's name.
        #[arg(long = "type", default_value = "access")]
        token_type: String,
        /// Marks an access token fresh.
        #[arg(long)]
        fresh: bool,
        /// The lifetime in seconds, instead of the configured one.
        #[arg(long)]
        ttl: Option<i64>,
        /// A claim of your own, `name=value` (a JSON value, else a string); repeatable.
        #[arg(long = "claim", value_name = "NAME=VALUE")]
        claims: Vec<String>,
    },
    /// Verifies a token with the environment's key and prints its claims; without
    /// a key, prints what a token shows unverified.
    Inspect {
        /// The token; `-` reads it from standard input.
        token: String,
    },
    /// Compares the security requirements of two OpenAPI 3.x documents: prints
    /// each operation of NEW that got weaker than in OLD (a requirement or a
    /// scope removed, made public, new without a `security` member) and exits
    /// 1; exits 0 when none did, 2 when a document cannot be read.
    AuditDiff {
        /// Yesterday's document (JSON).
        old: std::path::PathBuf,
        /// Today's document (JSON).
        new: std::path::PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Purpose {
    Local,
    Public,
}

/// Why the command failed, and the exit code that says so.
enum Failure {
    /// The token or key is not valid: exit 1.
    Invalid(String),
    /// The command cannot run as given: exit 2.
    Usage(String),
    /// Operations got weaker, one line each on standard output: exit 1.
    Weaker(String),
}

/// What a command printed, and whether it verified what it showed.
struct Printed {
    text: String,
    /// `false` for a token shown without a key: exit 3, not 0.
    verified: bool,
}

impl From<String> for Printed {
    fn from(text: String) -> Self {
        Self {
            text,
            verified: true,
        }
    }
}

/// The exit code of a token shown without being verified.
const NOT_VERIFIED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Keygen { purpose } => keygen(purpose).map(Printed::from),
        Command::Id { paserk } => id(paserk.as_deref()).map(Printed::from),
        Command::Issue {
            subject,
            token_type,
            fresh,
            ttl,
            claims,
        } => issue(&subject, &token_type, fresh, ttl, &claims).map(Printed::from),
        Command::Inspect { token } => inspect(&token),
        Command::AuditDiff { old, new } => audit_diff(&old, &new),
    };
    match outcome {
        // Written in one piece; a reader that went away (`| head`) is no error.
        Ok(printed) => match std::io::stdout().lock().write_all(printed.text.as_bytes()) {
            Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
                eprintln!("error: {error}");
                ExitCode::from(2)
            }
            _ if !printed.verified => ExitCode::from(NOT_VERIFIED),
            _ => ExitCode::SUCCESS,
        },
        Err(Failure::Invalid(reason)) => {
            eprintln!("invalid: {reason}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(reason)) => {
            eprintln!("error: {reason}");
            ExitCode::from(2)
        }
        Err(Failure::Weaker(lines)) => {
            let _ = std::io::stdout().lock().write_all(lines.as_bytes());
            ExitCode::from(1)
        }
    }
}

/// `paseto audit-diff`: one line per operation that got weaker, exit 1; a
/// line that says none did, exit 0.
fn audit_diff(old: &std::path::Path, new: &std::path::Path) -> Result<Printed, Failure> {
    let read = |path: &std::path::Path| -> Result<Value, Failure> {
        let text = std::fs::read(path)
            .map_err(|e| Failure::Usage(format!("{} cannot be read: {e}", path.display())))?;
        serde_json::from_slice(&text)
            .map_err(|e| Failure::Usage(format!("{} is not JSON: {e}", path.display())))
    };
    let findings = paseto_cli::audit::diff(&read(old)?, &read(new)?).map_err(Failure::Usage)?;
    if findings.is_empty() {
        return Ok(Printed::from("no operation got weaker\n".to_owned()));
    }
    let lines: Vec<String> = findings
        .iter()
        .map(|finding| format!("{finding}\n"))
        .collect();
    Err(Failure::Weaker(lines.concat()))
}

fn keygen(purpose: Purpose) -> Result<String, Failure> {
    let mut out = String::new();
    let failed = |e: paseto_runtime::keys::KeyError| Failure::Usage(e.to_string());
    match purpose {
        Purpose::Local => {
            let key = LocalKey::generate().map_err(failed)?;
            say!(
                out,
                "secret key: {}\nid:         {}",
                key.to_paserk(),
                key.id()
            );
        }
        Purpose::Public => {
            let secret = SecretKey::generate().map_err(failed)?;
            let public = secret.public_key();
            say!(
                out,
                "secret key: {}\nsecret id:  {}\npublic key: {}\npublic id:  {}",
                secret.to_paserk(),
                secret.id(),
                public.to_paserk(),
                public.id()
            );
        }
    }
    Ok(out)
}

/// An argument as given, or standard input for `-`, without its trailing
/// newline: secrets and tokens passed this way stay out of the shell's history
/// and `/proc/*/cmdline`.
fn argument(given: &str) -> Result<String, Failure> {
    if given != "-" {
        return Ok(given.to_owned());
    }
    let mut text = String::new();
    std::io::stdin()
        .take(MAX_INPUT + 1)
        .read_to_string(&mut text)
        .map_err(|e| Failure::Usage(format!("standard input: {e}")))?;
    if text.len() as u64 > MAX_INPUT {
        return Err(Failure::Usage(format!(
            "standard input: more than {} KiB, which no key or token is",
            MAX_INPUT / 1024
        )));
    }
    Ok(text.trim().to_owned())
}

/// The most read from standard input: far more than any key or token.
const MAX_INPUT: u64 = 64 * 1024;

fn id(paserk: Option<&str>) -> Result<String, Failure> {
    let Some(paserk) = paserk else {
        let auth = configuration(environment()?)?;
        return match auth.key_id() {
            Some(id) => Ok(format!("{id}\n")),
            None => Err(Failure::Usage(
                "the environment's key is a raw secret, which has no PASERK id".to_owned(),
            )),
        };
    };
    let paserk = argument(paserk)?;
    let paserk = paserk.as_str();
    let invalid = |e: paseto_runtime::keys::KeyError| Failure::Invalid(e.to_string());
    let id = if paserk.starts_with("k4.local.") {
        LocalKey::from_paserk(paserk).map_err(invalid)?.id()
    } else if paserk.starts_with("k4.secret.") {
        SecretKey::from_paserk(paserk).map_err(invalid)?.id()
    } else if paserk.starts_with("k4.public.") {
        PublicKey::from_paserk(paserk).map_err(invalid)?.id()
    } else {
        let expected = "a `k4.local.`, `k4.secret.` or `k4.public.` PASERK";
        return Err(Failure::Invalid(format!("expected {expected}")));
    };
    Ok(format!("{id}\n"))
}

/// The `PASETO_*` configuration of the environment, not yet checked for a key.
fn environment() -> Result<PasetoAuthBuilder, Failure> {
    PasetoAuth::builder()
        .env()
        .map_err(|e| Failure::Usage(e.to_string()))
}

/// A configuration that must hold a key.
fn configuration(builder: PasetoAuthBuilder) -> Result<PasetoAuth, Failure> {
    if !builder.has_key() {
        return Err(Failure::Usage(
            "no key: set PASETO_SECRET_KEY, or PASETO_PURPOSE=public with PASETO_PRIVATE_KEY or PASETO_PUBLIC_KEY"
                .to_owned(),
        ));
    }
    builder.build().map_err(|e| Failure::Usage(e.to_string()))
}

fn issue(
    subject: &str,
    token_type: &str,
    fresh: bool,
    ttl: Option<i64>,
    claims: &[String],
) -> Result<String, Failure> {
    let auth = configuration(environment()?)?;
    let mut extra = Map::new();
    for claim in claims {
        let (name, value) = claim
            .split_once('=')
            .ok_or_else(|| Failure::Usage(format!("`--claim {claim}`: expected NAME=VALUE")))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::from(value));
        extra.insert(name.to_owned(), value);
    }
    if fresh && token_type != "access" {
        return Err(Failure::Usage("`--fresh` is for access tokens".to_owned()));
    }
    let expiry = ttl.map(Duration::seconds);
    let token = match token_type {
        "access" => finish(auth.access_token(subject).fresh(fresh), expiry, &extra),
        "refresh" => finish(auth.refresh_token(subject), expiry, &extra),
        custom => finish(auth.token(subject, custom.to_owned()), expiry, &extra),
    }
    .map_err(|e| Failure::Usage(e.to_string()))?;
    Ok(format!("{token}\n"))
}

/// Adds the lifetime and the user's claims, and issues.
fn finish<K>(
    builder: paseto_runtime::issue::TokenBuilder<'_, K>,
    expiry: Option<Duration>,
    extra: &Map<String, Value>,
) -> Result<String, paseto_runtime::IssueError> {
    let builder = match expiry {
        Some(ttl) => builder.expires_in(ttl),
        None => builder,
    };
    let builder = if extra.is_empty() {
        builder
    } else {
        builder.claims(extra)
    };
    builder.issue()
}

fn inspect(token: &str) -> Result<Printed, Failure> {
    let token = argument(token)?;
    let builder = environment()?;
    let auth = if builder.has_key() {
        Some(configuration(builder)?)
    } else {
        None
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let text = runtime
        .block_on(paseto_cli::inspect(&token, auth.as_ref()))
        .map_err(Failure::Invalid)?;
    Ok(Printed {
        text,
        verified: auth.is_some(),
    })
}
