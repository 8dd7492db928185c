//! PASETO access and refresh tokens for axum, in the manner of Python's
//! `fastapi-paseto`: issue tokens, guard handlers with one attribute, reject
//! bad requests with errors a client can act on. The version and purpose are
//! fixed by the configuration (v4 `local` or `public`), never chosen by a token.
//!
//! ```
//! use axum::{Json, Router, extract::State, routing::{get, post}};
//! use paseto_runtime::{Claims, IssueError, PasetoAuth, TokenPair, keys::LocalKey, paseto_required};
//! use serde_json::{Value, json};
//!
//! async fn login(State(auth): State<PasetoAuth>) -> Result<Json<TokenPair>, IssueError> {
//!     // ...check the user's credentials first...
//!     Ok(Json(auth.login_tokens("alice").await?)) // a fresh access token and a refresh token
//! }
//!
//! #[paseto_required]
//! async fn protected(claims: Claims) -> Json<Value> {
//!     Json(json!({ "user": claims.subject() }))
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = PasetoAuth::builder().local_key(LocalKey::generate()?).build()?; // or PasetoAuth::from_env()
//! let app: Router = Router::new()
//!     .route("/login", post(login))
//!     .route("/protected", get(protected))
//!     .with_state(auth);
//! # Ok(()) }
//! ```
//!
//! # The guide
//!
//! [`guide`] holds the manual, one page a subject, each example compiled:
//! [getting started](guide::getting_started), [guards](guide::guards),
//! [where tokens travel](guide::transport), [issuing](guide::issuing),
//! [revocation](guide::revocation), [Redis deployments](guide::redis),
//! [users and sessions](guide::users), [keys](guide::keys),
//! [several services](guide::services), [gRPC](guide::grpc),
//! [every option](guide::configuration), [errors on the wire](guide::errors),
//! [OpenAPI](guide::openapi), [testing handlers](guide::testing),
//! [authorization you can see](guide::audit),
//! [fastapi-paseto](guide::fastapi), [the command-line tool](guide::cli),
//! [security](guide::security) and [performance](guide::performance).
//!
//! # The API, by who uses it
//!
//! | where | for | holds |
//! |---|---|---|
//! | the crate root | handler authors | [`PasetoAuth`], [`Claims`], the attributes, [`Verified`] and the kinds it takes ([`Access`], [`FreshAccess`], [`Refresh`], [`TokenKind`]), [`CurrentUser`] and its [`LoadUser`], the errors handlers return |
//! | [`config`] | whoever deploys | [`config::PasetoAuthBuilder`], [`config::ConfigError`], the types the builder takes |
//! | [`keys`] | whoever deploys | local, secret and public keys, raw secrets |
//! | [`issue`] | login and refresh handlers | [`issue::Login`] and [`issue::Grant`]: what [`PasetoAuth::login`] and the grant hook take; [`issue::TokenBuilder`], for tokens beyond a login |
//! | [`cookies`] | browser handlers | [`cookies::SetCookies`], what [`issue::Login::cookies`] returns |
//! | [`layer`] | whoever assembles the router | [`layer::RequireLayer`], [`layer::PublicLayer`], [`layer::JsonBodyLayer`], [`layer::SlidingSessionLayer`] |
//! | [`keyset`] | issuers and the services that only verify | [`keyset::KeySet`], what [`PasetoAuth::key_set`] publishes, and the limits of fetching one (feature `remote-keys`) |
//! | [`introspection`] | issuers answering other services | [`introspection::TokenRequest`] (RFC 7662, RFC 7009), [`introspection::Clients`] |
//! | [`denylist`] | store implementers | [`denylist::Denylist`] and the stores that ship: memory, Redis (feature `redis`) |
//! | `openapi` | API documenters | `PasetoSecurity` (feature `utoipa`) |
//! | [`routes`] | reviewers and tools | [`routes::table`]: every route of a router and what it requires |
//! | `testing` | test authors | configurations and tokens with chosen times, and the route audit (feature `testing`) |
//!
//! The crate's internals, a request's path through them and the rules they
//! keep are described in the repository's `ARCHITECTURE.md`.

mod auth;
mod authentication;
mod builder;
mod claims;
mod clients;
pub mod cookies;
mod csrf;
pub mod denylist;
mod describe;
mod env;
mod error;
mod events;
mod extract;
mod footer;
mod grant;
pub mod introspection;
pub mod issue;
mod key_set;
pub mod keys;
mod kind;
pub mod layer;
#[cfg(feature = "utoipa")]
pub mod openapi;
mod pae;
mod publish;
mod rejection;
#[cfg(feature = "remote-keys")]
mod remote;
mod revocation;
mod revoke;
mod ring;
pub mod routes;
mod scope;
mod secret_cipher;
mod sessions;
mod settings;
mod signature;
mod source;
#[cfg(feature = "testing")]
pub mod testing;
mod untrusted;
mod user;
#[cfg(test)]
mod vectors;
mod verify;
mod watch;
mod wire;

/// The READMEs' examples, compiled by `cargo test --doc` like the guide's.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;

/// The rules the attributes check when a handler compiles, from the macros'
/// crate, which cannot depend on this one.
#[cfg(test)]
#[cfg_attr(
    not(feature = "utoipa"),
    allow(
        dead_code,
        reason = "the scheme name is compared with the utoipa feature"
    )
)]
#[path = "../../paseto-macros/src/rules.rs"]
mod attribute_rules;

/// The attributes' copies of this crate's rules are this crate's rules.
#[cfg(test)]
mod rules_of_the_macros {
    use crate::attribute_rules;

    #[test]
    fn the_attributes_check_the_rules_the_runtime_applies() {
        let mut names: Vec<String> = [
            "",
            "access",
            "refresh",
            "Access",
            "email-verify",
            "a b",
            "quo\"te",
            "back\\slash",
            "é",
            "\u{7f}",
        ]
        .map(str::to_owned)
        .to_vec();
        names.extend((0..=0x17f_u32).filter_map(char::from_u32).map(String::from));
        names.extend((0..=0x7f_u8).map(|b| format!("scope{}", char::from(b))));
        for name in &names {
            assert_eq!(
                attribute_rules::is_scope_token(name),
                crate::scope::is_scope_token(name),
                "scope {name:?}"
            );
            assert_eq!(
                attribute_rules::is_custom_name(name),
                crate::kind::is_custom_name(name),
                "token type {name:?}"
            );
        }
        let paths = [
            "/paseto.example.v1.Greeter/WhoAmI",
            "/Greeter/WhoAmI",
            "Greeter/WhoAmI",
            "/Greeter",
            "/Greeter/",
            "//WhoAmI",
            "/a/b/c",
            "/",
            "",
            "/a/b/",
        ];
        for path in paths {
            assert_eq!(
                attribute_rules::is_method_path(path),
                crate::layer::is_method_path(path),
                "method path {path:?}"
            );
        }
        #[cfg(feature = "utoipa")]
        assert_eq!(
            attribute_rules::SECURITY_SCHEME,
            crate::openapi::SECURITY_SCHEME
        );
    }
}

/// Not public API: what the differential fuzz targets compare with pasetors.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod __fuzz {
    pub use crate::pae::encode as pae;
    pub use crate::secret_cipher::fuzzing::*;
    pub use crate::signature::fuzzing::*;
}

/// Not public API: support for the code `paseto-macros` generates.
#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;

pub use auth::PasetoAuth;
pub use claims::Claims;
pub use error::AuthError;
pub use events::SecurityEvent;
pub use extract::Verified;
pub use issue::{IssueError, TokenPair};
pub use kind::{Access, FreshAccess, Refresh, TokenKind};
pub use paseto_macros::{fresh_paseto_required, paseto_required, public};
pub use rejection::AuthRejection;
pub use revoke::RevokeError;
pub use time::Duration;
pub use untrusted::MAX_TOKEN_LEN;
pub use user::{CurrentUser, LoadUser};

/// The guide: the manual of this crate, one page a subject. Every Rust example
/// in it is compiled and run by `cargo test --doc`.
pub mod guide {
    #[doc = include_str!("docs/getting-started.md")]
    pub mod getting_started {}
    #[doc = include_str!("docs/guards.md")]
    pub mod guards {}
    #[doc = include_str!("docs/transport.md")]
    pub mod transport {}
    #[doc = include_str!("docs/issuing.md")]
    pub mod issuing {}
    #[doc = include_str!("docs/revocation.md")]
    pub mod revocation {}
    #[cfg_attr(feature = "redis", doc = include_str!("docs/redis.md"))]
    #[cfg_attr(
        not(feature = "redis"),
        doc = "# Redis deployments\n\nWith the cargo feature `redis`: this page is built with it."
    )]
    pub mod redis {}
    #[doc = include_str!("docs/users.md")]
    pub mod users {}
    #[cfg_attr(feature = "remote-keys", doc = include_str!("docs/services.md"))]
    #[cfg_attr(
        not(feature = "remote-keys"),
        doc = "# Several services\n\nWith the cargo feature `remote-keys`: this page is built with it."
    )]
    pub mod services {}
    #[doc = include_str!("docs/grpc.md")]
    pub mod grpc {}
    #[doc = include_str!("docs/keys.md")]
    pub mod keys {}
    #[doc = include_str!("docs/configuration.md")]
    pub mod configuration {}
    #[doc = include_str!("docs/errors.md")]
    pub mod errors {}
    #[cfg_attr(feature = "utoipa", doc = include_str!("docs/openapi.md"))]
    #[cfg_attr(
        not(feature = "utoipa"),
        doc = "# OpenAPI\n\nWith the cargo feature `utoipa`: this page is built with it."
    )]
    pub mod openapi {}
    #[cfg_attr(feature = "testing", doc = include_str!("docs/testing.md"))]
    #[cfg_attr(
        not(feature = "testing"),
        doc = "# Testing your handlers\n\nWith the cargo feature `testing`: this page is built with it."
    )]
    pub mod testing {}
    #[cfg_attr(
        all(feature = "utoipa", feature = "testing"),
        doc = include_str!("docs/audit.md")
    )]
    #[cfg_attr(
        not(all(feature = "utoipa", feature = "testing")),
        doc = "# Authorization you can see\n\nWith the cargo features `utoipa` and `testing`: this page is built with them."
    )]
    pub mod audit {}
    #[doc = include_str!("docs/fastapi.md")]
    pub mod fastapi {}
    #[doc = include_str!("docs/cli.md")]
    pub mod cli {}
    #[doc = include_str!("docs/security.md")]
    pub mod security {}
    #[doc = include_str!("docs/performance.md")]
    pub mod performance {}
}

pub mod keyset {
    //! Key sets, for services that only verify: what an issuer publishes at
    //! [`WELL_KNOWN_PATH`] ([`PasetoAuth::key_set`](crate::PasetoAuth::key_set)),
    //! and with the feature `remote-keys`, the limits of fetching one with
    //! `remote_keys`.

    pub use crate::key_set::{DEFAULT_MAX_AGE, KeySet, KeySetError, PublishedKey, WELL_KNOWN_PATH};
    #[cfg(feature = "remote-keys")]
    pub use crate::remote::{FETCH_TIMEOUT, FetchError, MAX_KEY_SET_BYTES, MAX_KEYS};
}

pub mod config {
    //! Configuration, for whoever deploys the service: the builder, its error,
    //! and the types its setters take. Every option is listed in
    //! [the guide](crate::guide::configuration).

    pub use crate::builder::PasetoAuthBuilder;
    pub use crate::settings::{ConfigError, TokenSource};
    pub use cookie::SameSite;
}
