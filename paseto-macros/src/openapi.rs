//! OpenAPI: a guarded handler that also carries `#[utoipa::path(...)]` (written
//! below the guard, so that the guard expands first) gets the `paseto`
//! security requirement, with its scopes, and its 401 and 403 responses, unless
//! the handler already says them.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::quote;
use syn::{Attribute, ItemFn, Meta};

use crate::args::{Args, Expected};

/// Adds what the guard implies to the handler's `#[utoipa::path(...)]`, if any.
pub(crate) fn document(function: &mut ItemFn, args: &Args) {
    edit_utoipa_path(function, |tokens| with_security(tokens, args));
}

/// Adds `security()`, no requirement, to the `#[utoipa::path(...)]` of
/// a public handler that says none.
pub(crate) fn document_public(function: &mut ItemFn) {
    edit_utoipa_path(function, |tokens| {
        let mut items: Vec<TokenTree> = tokens.into_iter().collect();
        if named(&items, "security").is_none() {
            push_item(&mut items, quote!(security()));
        }
        items.into_iter().collect()
    });
}

/// Rewrites the arguments of the handler's `#[utoipa::path(...)]`, if any.
fn edit_utoipa_path(function: &mut ItemFn, edit: impl Fn(TokenStream) -> TokenStream) {
    for attribute in &mut function.attrs {
        if path_of(attribute) == ["utoipa", "path"]
            && let Meta::List(list) = &mut attribute.meta
        {
            list.tokens = edit(std::mem::take(&mut list.tokens));
        }
    }
}

/// The path an attribute is named by, segment by segment.
pub(crate) fn path_of(attribute: &Attribute) -> Vec<String> {
    attribute
        .path()
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect()
}

/// The arguments of `#[utoipa::path(...)]` with a `security(...)` (unless one is
/// written) and the guard's responses added to `responses(...)`.
fn with_security(tokens: TokenStream, args: &Args) -> TokenStream {
    let mut items: Vec<TokenTree> = tokens.into_iter().collect();
    let responses = guard_responses(args);
    if let Some(at) = named(&items, "responses") {
        let TokenTree::Group(group) = &items[at + 1] else {
            unreachable!("`named` found a group after the name")
        };
        let mut inner = group.stream();
        let written = inner.to_string();
        for (status, response) in responses {
            if !written.contains(&format!("status = {status}")) {
                if !inner.is_empty() && !ends_with_comma(&inner) {
                    inner.extend(quote!(,));
                }
                inner.extend(response);
            }
        }
        let mut replaced = Group::new(Delimiter::Parenthesis, inner);
        replaced.set_span(group.span());
        items[at + 1] = TokenTree::Group(replaced);
    } else {
        let list: Vec<TokenStream> = responses.into_iter().map(|(_, r)| r).collect();
        push_item(&mut items, quote!(responses(#(#list),*)));
    }
    if named(&items, "security").is_none() {
        let scopes = &args.scopes;
        let scheme = crate::rules::SECURITY_SCHEME;
        let requirement = quote!((#scheme = [#(#scopes),*]));
        if args.optional.is_some() {
            push_item(&mut items, quote!(security((), #requirement)));
        } else {
            push_item(&mut items, quote!(security(#requirement)));
        }
    }
    items.into_iter().collect()
}

/// Where `name(...)` is among the arguments `items`.
fn named(items: &[TokenTree], name: &str) -> Option<usize> {
    items.windows(2).position(|pair| {
        matches!(&pair[0], TokenTree::Ident(ident) if ident == name)
            && matches!(&pair[1], TokenTree::Group(group) if group.delimiter() == Delimiter::Parenthesis)
    })
}

fn ends_with_comma(tokens: &TokenStream) -> bool {
    matches!(tokens.clone().into_iter().last(), Some(TokenTree::Punct(p)) if p.as_char() == ',')
}

fn push_item(items: &mut Vec<TokenTree>, item: TokenStream) {
    let list: TokenStream = items.iter().cloned().collect();
    if !items.is_empty() && !ends_with_comma(&list) {
        items.extend(quote!(,));
    }
    items.extend(item);
}

/// The responses the guard gives, by status: 401, and 403 where scopes or a
/// check can refuse a valid token.
fn guard_responses(args: &Args) -> Vec<(u16, TokenStream)> {
    let unauthorized = match args.expected {
        Expected::FreshAccess => {
            "No token, or a bad, expired, revoked or not fresh one (`WWW-Authenticate: Bearer`)"
        }
        _ => "No token, or a bad, expired or revoked one (`WWW-Authenticate: Bearer`)",
    };
    let mut responses = vec![(401, quote!((status = 401, description = #unauthorized)))];
    if !args.scopes.is_empty() || args.check.is_some() {
        let forbidden = "A valid token without the required scope (`insufficient_scope`)";
        responses.push((403, quote!((status = 403, description = #forbidden))));
    }
    responses
}
