//! What the handler's signature says, checked: an `async fn` without a
//! receiver, and at most one `Claims` parameter that fits the arguments; and
//! an extractor put before its parameters.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::token::Comma;
use syn::{FnArg, GenericArgument, ItemFn, Pat, PathArguments, Type};

use crate::args::{Args, Guard};
use crate::diag::Errors;

/// A handler whose signature fits its attribute.
pub(crate) struct Handler {
    pub(crate) function: ItemFn,
    /// The claims parameter's position and type, when there is one.
    pub(crate) claims: Option<(usize, Param)>,
    /// The `U` of each `CurrentUser<U>` parameter (or `Option<CurrentUser<U>>`),
    /// which must have a user loader; none for a generic handler, whose `U` may
    /// name its parameters.
    pub(crate) users: Vec<Type>,
}

/// What a parameter's type says about it.
pub(crate) enum Param {
    /// `Claims` or `Claims<T>`, as written.
    Claims(Type),
    /// `Option<Claims>` or `Option<Claims<T>>`: the `Claims` type inside, as written.
    OptionalClaims(Type),
    Other,
}

/// Checks the handler's signature against the attribute's arguments and finds
/// its claims parameter. Every mistake is added to `errors`; `None` when there
/// was one.
pub(crate) fn analyze(
    guard: Guard,
    args: &Args,
    function: ItemFn,
    errors: &mut Errors,
) -> Option<Handler> {
    let name = guard.name();
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        errors.add(
            sig.fn_token.span,
            format_args!("`{name}` requires an `async fn`; the `async` keyword is missing"),
        );
    }
    if let Some(receiver) = sig.receiver() {
        errors.spanned(
            receiver,
            format_args!("`{name}` cannot be used on a method that takes `self`: axum handlers take no receiver"),
        );
    }

    let mut claims: Option<(usize, Param)> = None;
    for (index, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(typed) = input else { continue };
        let param = classify(&typed.ty);
        if matches!(param, Param::Other) {
            continue;
        }
        if claims.is_some() {
            errors.spanned(
                &typed.ty,
                "only one `Claims` parameter is allowed; this is the second",
            );
            continue;
        }
        match (&param, args.optional, guard) {
            (Param::OptionalClaims(_), _, Guard::FreshRequired) => errors.spanned(
                &typed.ty,
                "`#[fresh_paseto_required]` always requires a token; take `Claims`, not `Option<Claims>`",
            ),
            (Param::OptionalClaims(_), None, Guard::Required) => errors.spanned(
                &typed.ty,
                "`Option<Claims>` needs `#[paseto_required(optional)]`",
            ),
            (Param::Claims(_), Some(_), _) => errors.spanned(
                &typed.ty,
                "`optional` needs the parameter to be `Option<Claims>`",
            ),
            _ => {}
        }
        claims = Some((index, param));
    }
    if let (Some(optional), None) = (args.optional, &claims) {
        errors.add(optional, "`optional` needs an `Option<Claims>` parameter");
    }
    if !errors.is_empty() {
        return None;
    }
    let users = if sig.generics.params.is_empty() {
        sig.inputs.iter().filter_map(user_type).cloned().collect()
    } else {
        Vec::new()
    };
    Some(Handler {
        function,
        claims,
        users,
    })
}

/// The `U` of a `CurrentUser<U>` or `Option<CurrentUser<U>>` parameter.
fn user_type(input: &FnArg) -> Option<&Type> {
    let FnArg::Typed(typed) = input else {
        return None;
    };
    let ty = last_segment(&typed.ty, "Option")
        .and_then(single_type)
        .unwrap_or(&typed.ty);
    last_segment(ty, "CurrentUser").and_then(single_type)
}

/// The single type argument of a path type whose last segment is `name`.
fn last_segment<'a>(ty: &'a Type, name: &str) -> Option<&'a PathArguments> {
    let Type::Path(path) = ungroup(ty) else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    (last.ident == name).then_some(&last.arguments)
}

fn ungroup(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => ungroup(&group.elem),
        Type::Paren(paren) => ungroup(&paren.elem),
        other => other,
    }
}

/// The type in `<T>`, when that is what the arguments are.
fn single_type(arguments: &PathArguments) -> Option<&Type> {
    match arguments {
        PathArguments::AngleBracketed(angle) if angle.args.len() == 1 => match &angle.args[0] {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        },
        _ => None,
    }
}

fn classify(ty: &Type) -> Param {
    // A `Claims` with the wrong number of type arguments is left to rustc's own error.
    if last_segment(ty, "Claims").is_some() {
        return Param::Claims(ty.clone());
    }
    if let Some(inner) = last_segment(ty, "Option").and_then(single_type)
        && let Param::Claims(claims) = classify(inner)
    {
        return Param::OptionalClaims(claims);
    }
    Param::Other
}

/// Makes the extractor `ty` run before the handler's own parameters. Wrapping
/// the first parameter in a tuple, rather than adding one, keeps the arity, so
/// `#[debug_handler]` above the attribute still matches the function it checks.
pub(crate) fn run_first(inputs: &mut Punctuated<FnArg, Comma>, ty: &TokenStream, span: Span) {
    match inputs.first_mut() {
        Some(FnArg::Typed(first)) => {
            let (pat, first_ty) = (&first.pat, &first.ty);
            *first.pat = Pat::Verbatim(quote!((_, #pat)));
            *first.ty = syn::parse_quote_spanned!(first_ty.span()=> (#ty, #first_ty));
        }
        _ => inputs.insert(0, syn::parse_quote_spanned!(span=> _: #ty)),
    }
}
