//! `grpc_methods!`: each gRPC method's requirement in the attributes' words,
//! checked when it compiles, expanded to the `(path, Need)` pairs that
//! `GrpcGuardBuilder::methods` takes.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token};

use crate::args::{Args, Expected, Guard};
use crate::diag::Errors;

/// One `"/package.Service/Method" => requirement` entry, as written.
struct Entry {
    path: LitStr,
    requirement: Ident,
    /// The tokens inside the requirement's parentheses, when it has them.
    args: Option<TokenStream>,
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path = input.parse::<LitStr>()?;
        input.parse::<Token![=>]>()?;
        let requirement = input.parse::<Ident>()?;
        let args = if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            Some(content.parse::<TokenStream>()?)
        } else {
            None
        };
        Ok(Self {
            path,
            requirement,
            args,
        })
    }
}

/// Expands `grpc_methods! { ... }` to an array of `(path, Need)`, or to the
/// errors of every entry.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let entries = match Punctuated::<Entry, Token![,]>::parse_terminated.parse2(input) {
        Ok(entries) => entries,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Errors::default();
    if entries.is_empty() {
        errors.add(
            Span::call_site(),
            "`grpc_methods!` names at least one method, such as `\"/package.Service/Method\" => paseto_required`",
        );
    }
    let mut seen: Vec<String> = Vec::new();
    let mut pairs = Vec::new();
    for entry in &entries {
        let path = entry.path.value();
        if !crate::rules::is_method_path(&path) {
            errors.add(
                entry.path.span(),
                "a gRPC method path is `/package.Service/Method`, such as `\"/paseto.example.v1.Greeter/WhoAmI\"`",
            );
        } else if seen.contains(&path) {
            errors.add(
                entry.path.span(),
                format_args!("repeated method `{path}`: a method has one requirement"),
            );
        } else {
            seen.push(path);
        }
        if let Some(need) = need(entry, &mut errors) {
            let path = &entry.path;
            pairs.push(quote! { (#path, #need) });
        }
    }
    match errors.finish() {
        Ok(()) => quote! { [#(#pairs),*] },
        // A block, so that several errors stand as statements in an expression.
        Err(error) => {
            let error = error.to_compile_error();
            quote! {{ #error }}
        }
    }
}

/// The `Need` an entry's requirement names, once its arguments are checked.
fn need(entry: &Entry, errors: &mut Errors) -> Option<TokenStream> {
    let span = entry.requirement.span();
    let guard = match entry.requirement.to_string().as_str() {
        "public" => {
            if let Some(args) = &entry.args {
                errors.spanned(args, "`public` takes no arguments");
                return None;
            }
            return Some(quote_spanned!(span=> ::paseto_runtime::layer::Need::Nothing));
        }
        "paseto_required" => Guard::Required,
        "fresh_paseto_required" => Guard::FreshRequired,
        other => {
            errors.add(
                span,
                format_args!(
                    "unknown requirement `{other}`; expected `paseto_required`, `paseto_required(refresh)`, `fresh_paseto_required` or `public`, each with the attributes' `scopes = [...]`"
                ),
            );
            return None;
        }
    };
    let args = Args::parse(guard, entry.args.clone().unwrap_or_default(), errors)?;
    refuse_http_only(&args, errors);
    let root = args.root(span);
    let need = quote_spanned!(span=> #root::layer::Need);
    let scopes = args.scopes.iter();
    let scopes = quote_spanned!(span=> ::std::vec![#(::std::string::String::from(#scopes)),*]);
    Some(match args.expected {
        Expected::Access | Expected::Custom(_) => quote_spanned!(span=> #need::Access(#scopes)),
        Expected::FreshAccess => quote_spanned!(span=> #need::FreshAccess(#scopes)),
        Expected::Refresh => quote_spanned!(span=> #need::Refresh),
    })
}

/// Reports the attributes' arguments that have no meaning on a gRPC method.
fn refuse_http_only(args: &Args, errors: &mut Errors) {
    if let Some(span) = args.optional {
        errors.add(
            span,
            "`optional` is not available on a gRPC method; `public` lets every call through, and the method reads claims with `grpc_claims` when they are there",
        );
    }
    if let Expected::Custom(name) = &args.expected {
        errors.add(
            name.span(),
            "`token_type` is not available on a gRPC method: it requires an access or a refresh token",
        );
    }
    if let Some(check) = &args.check {
        errors.spanned(
            check,
            "`check` is not available on a gRPC method; check in the method, with the claims of `grpc_claims`",
        );
    }
    if let Some(state) = &args.state {
        errors.spanned(
            state,
            "`state` is not available on a gRPC method: a tonic service has no router state",
        );
    }
}
