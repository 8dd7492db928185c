//! `#[public]`: a handler open on purpose. It says so to the reader, to
//! OpenAPI (`security: []`), to the compiler, which refuses it beside a guard,
//! and to the route table, through an extractor that does nothing else (run
//! first, as a guard would be, keeping the handler's arity).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, ItemFn};

use crate::diag::Errors;

/// Said where a handler is both `public` and guarded.
const CONFLICT: &str = "a handler is either `public` or guarded: remove `public`, or the guard";

/// The guard attributes, as a handler's attributes name them.
const GUARDS: [&str; 2] = ["paseto_required", "fresh_paseto_required"];

/// Expands `#[public]` over `item`.
pub(crate) fn expand(args: &TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let root = root(args).unwrap_or_else(|error| {
        errors.spanned(args, error);
        quote!(::paseto_runtime)
    });
    let Ok(mut function) = syn::parse2::<ItemFn>(item.clone()) else {
        errors.spanned(&item, "`public` can only be applied to a handler function");
        return with_errors(item, errors);
    };
    if let Some(guard) = function.attrs.iter().find(|a| names_one_of(a, &GUARDS)) {
        errors.spanned(guard, CONFLICT);
        return with_errors(quote!(#function), errors);
    }
    crate::openapi::document_public(&mut function);
    let span = function.sig.ident.span();
    let marker = quote::quote_spanned!(span=> #root::__private::Public);
    crate::handler::run_first(&mut function.sig.inputs, &marker, span);
    with_errors(quote!(#function), errors)
}

/// The path to the runtime: `::paseto_runtime`, or that of `crate = "..."`.
fn root(args: &TokenStream) -> Result<TokenStream, &'static str> {
    const EXPECTED: &str =
        "`public` takes no arguments but the runtime's path: `crate = \"::paseto_runtime\"`";
    if args.is_empty() {
        return Ok(quote!(::paseto_runtime));
    }
    let parser = |input: syn::parse::ParseStream<'_>| {
        input.parse::<syn::Token![crate]>()?;
        input.parse::<syn::Token![=]>()?;
        input.parse::<syn::LitStr>()?.parse::<syn::Path>()
    };
    let path = syn::parse::Parser::parse2(parser, args.clone()).map_err(|_| EXPECTED)?;
    Ok(quote!(#path))
}

/// Whether a guard's handler also says `#[public]`: the error to report there.
pub(crate) fn conflict(function: &ItemFn) -> Option<syn::Error> {
    function
        .attrs
        .iter()
        .find(|attribute| names_one_of(attribute, &["public"]))
        .map(|public| syn::Error::new_spanned(public, CONFLICT))
}

/// Whether `attribute` is one of `names`, alone or as the last segment of a
/// path into this library (`paseto_runtime::public`).
fn names_one_of(attribute: &Attribute, names: &[&str]) -> bool {
    let segments = crate::openapi::path_of(attribute);
    match segments.as_slice() {
        [name] => names.contains(&name.as_str()),
        [.., name] => names.contains(&name.as_str()) && segments[0].starts_with("paseto"),
        [] => false,
    }
}

fn with_errors(mut item: TokenStream, errors: Errors) -> TokenStream {
    if let Err(error) = errors.finish() {
        item.extend(error.to_compile_error());
    }
    item
}
