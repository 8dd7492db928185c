//! The attribute's arguments: parsing, repetition, and which combinations make sense.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, Lit, LitStr, Path, Token, Type};

mod kw {
    syn::custom_keyword!(refresh);
    syn::custom_keyword!(optional);
    syn::custom_keyword!(token_type);
    syn::custom_keyword!(fresh);
    syn::custom_keyword!(state);
}

/// Which attribute is being expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attribute {
    Required,
    FreshRequired,
}

impl Attribute {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Required => "#[paseto_required]",
            Self::FreshRequired => "#[fresh_paseto_required]",
        }
    }
}

/// The kind of token the handler requires.
pub(crate) enum Kind {
    Access,
    FreshAccess,
    Refresh,
    Custom(LitStr),
}

/// The checked arguments of one attribute.
pub(crate) struct Args {
    pub(crate) kind: Kind,
    /// The span of `optional`, when given.
    pub(crate) optional: Option<Span>,
    /// The router state named by `state = AppState`, checked to provide `PasetoAuth`.
    pub(crate) state: Option<Type>,
    /// The path to the runtime crate, when renamed with `crate = "..."`.
    krate: Option<Path>,
}

/// Each argument as written, with its span, before the combinations are checked.
#[derive(Default)]
struct Written {
    refresh: Option<Span>,
    optional: Option<Span>,
    token_type: Option<(Span, LitStr)>,
    state: Option<Type>,
    krate: Option<(Span, Path)>,
}

/// Collects errors so one compile reports every independent mistake.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn add(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// An error covering all of `tokens`, first to last.
    pub(crate) fn spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub(crate) fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }
}

impl Args {
    /// The runtime's `__private` module, its tokens spanned at `span` so that errors
    /// in generated code point at the user's code.
    pub(crate) fn private(&self, span: Span) -> TokenStream {
        let root = self.krate.as_ref().map_or_else(
            || quote::quote_spanned!(span=> ::paseto_runtime),
            Path::to_token_stream,
        );
        quote::quote_spanned!(span=> #root::__private)
    }

    /// Parses and checks the arguments of `attribute`. Mistakes are added to `errors`;
    /// `None` when the arguments cannot be used at all.
    pub(crate) fn parse(
        attribute: Attribute,
        tokens: TokenStream,
        errors: &mut Errors,
    ) -> Option<Self> {
        let mut written = Written::default();
        let parser = |input: ParseStream<'_>| parse_each(input, &mut written, errors);
        if let Err(error) = parser.parse2(tokens) {
            errors.push(error);
            return None;
        }
        Some(written.check(attribute, errors))
    }
}

fn parse_each(
    input: ParseStream<'_>,
    written: &mut Written,
    errors: &mut Errors,
) -> syn::Result<()> {
    while !input.is_empty() {
        let lookahead = input.lookahead1();
        if lookahead.peek(kw::refresh) {
            let span = input.parse::<kw::refresh>()?.span;
            set(&mut written.refresh, span, span, "refresh", errors);
        } else if lookahead.peek(kw::optional) {
            let span = input.parse::<kw::optional>()?.span;
            set(&mut written.optional, span, span, "optional", errors);
        } else if lookahead.peek(kw::token_type) {
            let span = input.parse::<kw::token_type>()?.span;
            let value = string_value(input, span, "token_type", "\"email-verify\"", errors)?;
            if let Some(value) = value.and_then(|v| token_type(v, errors)) {
                set(
                    &mut written.token_type,
                    span,
                    (span, value),
                    "token_type",
                    errors,
                );
            }
        } else if lookahead.peek(kw::state) {
            let span = input.parse::<kw::state>()?.span;
            if !input.peek(Token![=]) {
                return Err(syn::Error::new(
                    span,
                    "`state` takes the router's state type, such as `state = AppState`",
                ));
            }
            input.parse::<Token![=]>()?;
            let state = input.parse::<Type>()?;
            set(&mut written.state, span, state, "state", errors);
        } else if lookahead.peek(Token![crate]) {
            let span = input.parse::<Token![crate]>()?.span;
            if let Some(value) = string_value(input, span, "crate", "\"::paseto_runtime\"", errors)?
            {
                match value.parse::<Path>() {
                    Ok(path) => set(&mut written.krate, span, (span, path), "crate", errors),
                    Err(_) => errors.add(
                        value.span(),
                        "`crate` must be a path, such as `crate = \"::paseto_runtime\"`",
                    ),
                }
            }
        } else if input.peek(kw::fresh) {
            let span = input.parse::<kw::fresh>()?.span;
            errors.add(
                span,
                "unknown argument `fresh`; for a fresh access token use `#[fresh_paseto_required]`",
            );
        } else if input.peek(Ident::peek_any) {
            let ident = input.call(Ident::parse_any)?;
            errors.add(
                ident.span(),
                format_args!(
                    "unknown argument `{ident}`; expected `refresh`, `optional`, `token_type = \"...\"`, `state = AppState` or `crate = \"...\"`"
                ),
            );
            if input.peek(Token![=]) {
                input.parse::<Token![=]>()?;
                input.parse::<Expr>()?;
            }
        } else {
            return Err(lookahead.error());
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(())
}

/// Records an argument, or reports it as repeated.
fn set<T>(slot: &mut Option<T>, span: Span, value: T, name: &str, errors: &mut Errors) {
    if slot.is_some() {
        errors.add(span, format_args!("repeated argument `{name}`"));
    } else {
        *slot = Some(value);
    }
}

/// Parses `= "..."`; a value that is not a string literal is reported and skipped.
fn string_value(
    input: ParseStream<'_>,
    key: Span,
    name: &str,
    example: &str,
    errors: &mut Errors,
) -> syn::Result<Option<LitStr>> {
    let expected = format!("`{name}` takes a string literal, such as `{name} = {example}`");
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(key, expected));
    }
    input.parse::<Token![=]>()?;
    match input.parse::<Expr>()? {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(value),
            ..
        }) => Ok(Some(value)),
        other => {
            errors.spanned(other, expected);
            Ok(None)
        }
    }
}

/// A custom token type must be non-empty and not one the library names itself.
fn token_type(value: LitStr, errors: &mut Errors) -> Option<LitStr> {
    let message = match value.value().as_str() {
        "" => "`token_type` must not be empty",
        "access" => "`token_type = \"access\"` is the default; remove the argument",
        "refresh" => "`token_type = \"refresh\"` is written `#[paseto_required(refresh)]`",
        _ => return Some(value),
    };
    errors.add(value.span(), message);
    None
}

impl Written {
    fn check(self, attribute: Attribute, errors: &mut Errors) -> Args {
        let krate = self.krate.map(|(_, path)| path);
        if attribute == Attribute::FreshRequired {
            let takes = "it takes only `state = ...` and `crate = \"...\"`";
            for (span, name) in [
                (self.refresh, "refresh"),
                (self.optional, "optional"),
                (
                    self.token_type.as_ref().map(|(span, _)| *span),
                    "token_type",
                ),
            ] {
                if let Some(span) = span {
                    errors.add(
                        span,
                        format_args!("`#[fresh_paseto_required]` does not take `{name}`; {takes}"),
                    );
                }
            }
            return Args {
                kind: Kind::FreshAccess,
                optional: None,
                state: self.state,
                krate,
            };
        }
        if let (Some(_), Some(optional)) = (self.refresh, self.optional) {
            errors.add(
                optional,
                "`refresh` and `optional` cannot be combined: a refresh endpoint exists to receive a refresh token",
            );
        }
        let kind = match (self.refresh, self.token_type) {
            (Some(_), Some((span, _))) => {
                errors.add(
                    span,
                    "`refresh` and `token_type` cannot be combined: a token has one type",
                );
                Kind::Refresh
            }
            (Some(_), None) => Kind::Refresh,
            (None, Some((_, name))) => Kind::Custom(name),
            (None, None) => Kind::Access,
        };
        Args {
            kind,
            optional: self.optional,
            state: self.state,
            krate,
        }
    }
}
