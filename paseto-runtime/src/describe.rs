//! Routes that say what they require. A request carrying [`Describe`] (only
//! ever inserted in process, by [`routes::table`](crate::routes::table): a
//! client cannot send an extension) collects a [`Mark`] from every layer and
//! extractor of this crate on its way; otherwise it is served as any anonymous
//! request is. Each stop pays one extension lookup.

use std::sync::{Arc, Mutex, PoisonError};

use http::{Extensions, Method};
use serde::Serialize;

use crate::kind::TokenKind;
use crate::settings::{Settings, TokenSource};
use crate::source::BodyKeys;

/// The marks a described request collected, in the order it met them.
#[derive(Clone, Default)]
pub(crate) struct Describe(Arc<Mutex<Vec<Mark>>>);

/// A request that only asks which methods a path serves (inserted in process
/// only, as [`Describe`]), with a method no route serves: a
/// [`RequireLayer`](crate::layer::RequireLayer) lets it through without a
/// token, as with `pass_through`, to the router's own 405 and `Allow` header.
/// A guard beneath still refuses it; a handler or service beneath that takes
/// any method and relies on the layer alone runs, with no claims.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MethodProbe;

/// What one layer or extractor on a route said.
#[derive(Clone, Debug)]
pub(crate) enum Mark {
    /// `#[public]` or [`PublicLayer`](crate::layer::PublicLayer): open on purpose.
    Public,
    /// [`JsonBodyLayer`](crate::layer::JsonBodyLayer): tokens may come in a JSON body,
    /// under these keys.
    Body(Arc<BodyKeys>),
    /// An introspection or revocation endpoint: HTTP Basic client credentials.
    Client,
    /// A token guard.
    Guard(Guard),
}

/// A token guard on a route: what a request's token must be, and where it may come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[allow(
    clippy::struct_excessive_bools,
    reason = "a description: each flag is a column of the route table"
)]
pub struct Guard {
    /// The `type` claim required: `access`, `refresh` or a custom name.
    pub token_type: &'static str,
    /// Whether the token must be fresh.
    pub fresh: bool,
    /// Whether a request without a token is let through, as anonymous.
    pub optional: bool,
    /// Whether a layer ([`RequireLayer`](crate::layer::RequireLayer)) guards,
    /// rather than the handler's own parameter.
    pub layer: bool,
    /// The scopes the token must carry.
    pub scopes: Vec<String>,
    /// Whether the handler's own `check` runs on the verified claims.
    pub check: bool,
    /// Where the token may come from, in the order they are tried.
    pub sources: Vec<TokenSource>,
    /// Whether a token from a cookie must come with the CSRF header on this method.
    pub csrf: bool,
    /// The keys of a JSON body's tokens, where a body layer reads them.
    #[serde(skip)]
    pub(crate) body: Option<Arc<BodyKeys>>,
}

impl Describe {
    /// The marks collected so far.
    pub(crate) fn marks(&self) -> Vec<Mark> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records the mark `make` gives, when `extensions` belong to a described request.
    pub(crate) fn note(extensions: &Extensions, make: impl FnOnce(&[Mark]) -> Mark) {
        if let Some(Self(marks)) = extensions.get::<Self>() {
            let mut marks = marks.lock().unwrap_or_else(PoisonError::into_inner);
            let mark = make(&marks);
            marks.push(mark);
        }
    }
}

/// How a caller takes the corridor's answer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Usage {
    /// A request without a token goes on, as anonymous.
    pub(crate) optional: bool,
    /// The caller runs a check of its own on the verified claims.
    pub(crate) check: bool,
    /// The caller is a layer, not the handler's own extractor.
    pub(crate) layer: bool,
}

impl Usage {
    /// A token is required; no check of the caller's own.
    pub(crate) const REQUIRED: Self = Self {
        optional: false,
        check: false,
        layer: false,
    };
    /// A request without a token goes on; no check of the caller's own.
    pub(crate) const OPTIONAL: Self = Self {
        optional: true,
        check: false,
        layer: false,
    };
}

/// The guard a corridor for kind `K` with `scopes`, used as `usage`, is on a
/// request with `method`, under the `marks` met before it.
pub(crate) fn guard<K: TokenKind, S: AsRef<str>>(
    settings: &Settings,
    method: &Method,
    scopes: &[S],
    usage: Usage,
    marks: &[Mark],
) -> Guard {
    let options = &settings.options;
    let body = marks.iter().find_map(|mark| match mark {
        Mark::Body(keys) => Some(Arc::clone(keys)),
        _ => None,
    });
    let sources: Vec<TokenSource> = (options.token_sources.iter().copied())
        .filter(|source| match source {
            TokenSource::Header => true,
            TokenSource::Query => {
                settings.query.is_some() && (method == Method::GET || method == Method::CONNECT)
            }
            TokenSource::JsonBody => body.is_some(),
            TokenSource::Cookie => options.cookie_tokens,
        })
        .collect();
    Guard {
        token_type: K::TOKEN_TYPE,
        fresh: K::FRESH,
        optional: usage.optional,
        layer: usage.layer,
        scopes: scopes
            .iter()
            .map(|scope| scope.as_ref().to_owned())
            .collect(),
        check: usage.check,
        csrf: sources.contains(&TokenSource::Cookie) && options.csrf_methods.contains(method),
        sources,
        body,
    }
}
