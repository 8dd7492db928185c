//! The attribute's arguments: parsing, repetition, and which combinations make sense.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

use crate::diag::Errors;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, Lit, LitStr, Path, Token, Type};

mod kw {
    syn::custom_keyword!(refresh);
    syn::custom_keyword!(optional);
    syn::custom_keyword!(token_type);
    syn::custom_keyword!(fresh);
    syn::custom_keyword!(state);
    syn::custom_keyword!(scopes);
    syn::custom_keyword!(check);
}

/// Which guard attribute is being expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guard {
    Required,
    FreshRequired,
}

impl Guard {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Required => "#[paseto_required]",
            Self::FreshRequired => "#[fresh_paseto_required]",
        }
    }
}

/// The token the handler expects.
pub(crate) enum Expected {
    Access,
    FreshAccess,
    Refresh,
    Custom(LitStr),
}

/// The checked arguments of one attribute.
pub(crate) struct Args {
    pub(crate) expected: Expected,
    /// The span of `optional`, when given.
    pub(crate) optional: Option<Span>,
    /// The router state named by `state = AppState`, checked to provide `PasetoAuth`.
    pub(crate) state: Option<Type>,
    /// The scopes of `scopes = [...]`, checked to be scope tokens; empty without.
    pub(crate) scopes: Vec<LitStr>,
    /// The function of `check = path`.
    pub(crate) check: Option<Path>,
    /// The path to the runtime crate, when renamed with `crate = "..."`.
    krate: Option<Path>,
}

/// Each argument as written, with its span, before the combinations are checked.
#[derive(Default)]
struct RawArgs {
    refresh: Option<Span>,
    optional: Option<Span>,
    token_type: Option<(Span, LitStr)>,
    state: Option<Type>,
    scopes: Option<(Span, Vec<LitStr>)>,
    check: Option<Path>,
    krate: Option<(Span, Path)>,
}

impl Args {
    /// The path to the runtime's support for generated code (`__private`), its
    /// tokens spanned at `span` so that errors in generated code point at the
    /// user's code.
    pub(crate) fn support(&self, span: Span) -> TokenStream {
        let root = self.root(span);
        quote::quote_spanned!(span=> #root::__private)
    }

    /// The path to the runtime crate: `::paseto_runtime`, spanned at `span`,
    /// or the path of `crate = "..."`.
    pub(crate) fn root(&self, span: Span) -> TokenStream {
        self.krate.as_ref().map_or_else(
            || quote::quote_spanned!(span=> ::paseto_runtime),
            Path::to_token_stream,
        )
    }

    /// Parses and checks the arguments of `attribute`. Mistakes are added to `errors`;
    /// `None` when the arguments cannot be used at all.
    pub(crate) fn parse(guard: Guard, tokens: TokenStream, errors: &mut Errors) -> Option<Self> {
        let mut written = RawArgs::default();
        let parser = |input: ParseStream<'_>| parse_each(input, &mut written, errors);
        if let Err(error) = parser.parse2(tokens) {
            errors.push(error);
            return None;
        }
        Some(written.check(guard, errors))
    }
}

fn parse_each(
    input: ParseStream<'_>,
    written: &mut RawArgs,
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
        } else if lookahead.peek(kw::scopes) {
            parse_scopes(input, written, errors)?;
        } else if lookahead.peek(kw::check) {
            parse_check(input, written, errors)?;
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
                    "unknown argument `{ident}`; expected `refresh`, `optional`, `token_type = \"...\"`, `scopes = [...]`, `check = path`, `state = AppState` or `crate = \"...\"`"
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

/// `scopes = ["...", ...]`.
fn parse_scopes(
    input: ParseStream<'_>,
    written: &mut RawArgs,
    errors: &mut Errors,
) -> syn::Result<()> {
    let span = input.parse::<kw::scopes>()?.span;
    let expected =
        "`scopes` takes an array of string literals, such as `scopes = [\"orders:write\"]`";
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(span, expected));
    }
    input.parse::<Token![=]>()?;
    match input.parse::<Expr>()? {
        Expr::Array(array) => {
            if let Some(scopes) = scope_list(&array, errors) {
                set(&mut written.scopes, span, (span, scopes), "scopes", errors);
            }
        }
        other => errors.spanned(other, expected),
    }
    Ok(())
}

/// `check = path`.
fn parse_check(
    input: ParseStream<'_>,
    written: &mut RawArgs,
    errors: &mut Errors,
) -> syn::Result<()> {
    let span = input.parse::<kw::check>()?.span;
    let expected = "`check` takes the path of a function of the claims, such as `check = is_admin`";
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(span, expected));
    }
    input.parse::<Token![=]>()?;
    match input.parse::<Expr>()? {
        Expr::Path(path) if path.qself.is_none() => {
            set(&mut written.check, span, path.path, "check", errors);
        }
        other => errors.spanned(other, expected),
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

/// The scopes of `scopes = [...]`: string literals, at least one, each an RFC
/// 6749 scope token (`rules::is_scope_token`, which the runtime applies too),
/// none twice.
fn scope_list(array: &syn::ExprArray, errors: &mut Errors) -> Option<Vec<LitStr>> {
    if array.elems.is_empty() {
        errors.spanned(
            array,
            "`scopes` must name at least one scope; remove the argument to require none",
        );
        return None;
    }
    let mut valid = true;
    let mut scopes: Vec<LitStr> = Vec::new();
    for element in &array.elems {
        let Expr::Lit(syn::ExprLit {
            lit: Lit::Str(scope),
            ..
        }) = element
        else {
            errors.spanned(
                element,
                "a scope is a string literal, such as `\"orders:write\"`",
            );
            valid = false;
            continue;
        };
        let value = scope.value();
        if !crate::rules::is_scope_token(&value) {
            errors.add(
                scope.span(),
                "a scope is visible ASCII without spaces, `\"` or `\\`, such as `\"orders:write\"`",
            );
            valid = false;
        } else if scopes.iter().any(|known| known.value() == value) {
            errors.add(scope.span(), format_args!("repeated scope `{value}`"));
            valid = false;
        } else {
            scopes.push(scope.clone());
        }
    }
    valid.then_some(scopes)
}

/// A custom token type must be non-empty and not one the library names itself:
/// the rule `PasetoAuth::token` applies when it issues (`rules::is_custom_name`),
/// checked here when the handler compiles.
fn token_type(value: LitStr, errors: &mut Errors) -> Option<LitStr> {
    let name = value.value();
    if crate::rules::is_custom_name(&name) {
        return Some(value);
    }
    let message = match name.as_str() {
        "access" => "`token_type = \"access\"` is the default; remove the argument",
        "refresh" => "`token_type = \"refresh\"` is written `#[paseto_required(refresh)]`",
        _ => "`token_type` must not be empty: a custom type is named as for `PasetoAuth::token`",
    };
    errors.add(value.span(), message);
    None
}

impl RawArgs {
    fn check(self, guard: Guard, errors: &mut Errors) -> Args {
        let krate = self.krate.map(|(_, path)| path);
        let scopes_span = self.scopes.as_ref().map(|(span, _)| *span);
        let scopes = self.scopes.map(|(_, scopes)| scopes).unwrap_or_default();
        if guard == Guard::FreshRequired {
            let takes = "it takes only `scopes = [...]`, `check = path`, `state = ...` and `crate = \"...\"`";
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
                expected: Expected::FreshAccess,
                optional: None,
                state: self.state,
                scopes,
                check: self.check,
                krate,
            };
        }
        if let (Some(_), Some(optional)) = (self.refresh, self.optional) {
            errors.add(
                optional,
                "`refresh` and `optional` cannot be combined: a refresh endpoint exists to receive a refresh token",
            );
        }
        if let (Some(_), Some(span)) = (self.refresh, scopes_span) {
            errors.add(
                span,
                "`refresh` and `scopes` cannot be combined: scopes are granted to the access tokens a refresh token obtains, and checked on those",
            );
        }
        let expected = match (self.refresh, self.token_type) {
            (Some(_), Some((span, _))) => {
                errors.add(
                    span,
                    "`refresh` and `token_type` cannot be combined: a token has one type",
                );
                Expected::Refresh
            }
            (Some(_), None) => Expected::Refresh,
            (None, Some((_, name))) => Expected::Custom(name),
            (None, None) => Expected::Access,
        };
        Args {
            expected,
            optional: self.optional,
            state: self.state,
            scopes,
            check: self.check,
            krate,
        }
    }
}
