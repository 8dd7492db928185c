//! Rewriting the handler: only its parameter list changes.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemFn, Pat, PatType, PathArguments, Type};

use crate::args::{Args, Attribute, Errors, Kind};

/// Expands one attribute over one item. On any mistake the item is emitted as
/// written, beside the errors, so one mistake gives one message.
pub(crate) fn expand(attribute: Attribute, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = Args::parse(attribute, args, &mut errors);
    let Ok(function) = syn::parse2::<ItemFn>(item.clone()) else {
        errors.push(syn::Error::new_spanned(
            &item,
            format_args!(
                "`{}` can only be applied to an `async fn` handler",
                attribute.name()
            ),
        ));
        return with_errors(item, errors);
    };
    let Some(args) = args else {
        return with_errors(item, errors);
    };
    match rewrite(attribute, &args, function, &mut errors) {
        Some(expanded) if errors.is_empty() => expanded,
        _ => with_errors(item, errors),
    }
}

fn with_errors(mut item: TokenStream, errors: Errors) -> TokenStream {
    if let Err(error) = errors.finish() {
        item.extend(error.to_compile_error());
    }
    item
}

/// What a parameter's type says about it.
enum Param {
    /// `Claims` or `Claims<T>`, as written.
    Claims(Type),
    /// `Option<Claims>` or `Option<Claims<T>>`: the `Claims` type inside, as written.
    OptionalClaims(Type),
    Other,
}

fn rewrite(
    attribute: Attribute,
    args: &Args,
    mut function: ItemFn,
    errors: &mut Errors,
) -> Option<TokenStream> {
    let name = attribute.name();
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
        match (&param, args.optional, attribute) {
            (Param::OptionalClaims(_), _, Attribute::FreshRequired) => errors.spanned(
                &typed.ty,
                "`#[fresh_paseto_required]` always requires a token; take `Claims`, not `Option<Claims>`",
            ),
            (Param::OptionalClaims(_), None, Attribute::Required) => errors.spanned(
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

    // Generated tokens point at the `Claims` type as written, so errors land there.
    let (span, extra) = if let Some((_, Param::Claims(ty) | Param::OptionalClaims(ty))) = &claims {
        let span = ty.span();
        let private = args.private(span);
        (
            span,
            quote_spanned!(span=> <#ty as #private::ClaimsType>::Extra),
        )
    } else {
        (Span::call_site(), quote!(()))
    };
    let (kind, marker) = kind(args, &function, &extra, span);
    let private = args.private(span);
    let wrapper = if args.optional.is_some() {
        quote_spanned!(span=> #private::MaybeVerified)
    } else {
        quote_spanned!(span=> #private::Verified)
    };
    let mut guard = quote_spanned!(span=> #wrapper<#kind>);
    // A `State<S>` parameter may name a sub-state, so only the router state the
    // user names is checked here; without it, axum's own bound applies at `.route`.
    if let Some(state) = &args.state {
        let private = args.private(state.span());
        guard = quote_spanned!(state.span()=> #private::Checked<#state, #guard>);
    }

    let inputs = &mut function.sig.inputs;
    match claims {
        Some((index, _)) => {
            let FnArg::Typed(PatType { attrs, pat, .. }) = &inputs[index] else {
                unreachable!("`Claims` parameters are typed")
            };
            let param: FnArg = syn::parse_quote_spanned!(span=> #(#attrs)* #wrapper(#pat): #guard);
            let mut rest: Vec<FnArg> = std::mem::take(inputs).into_iter().collect();
            rest.remove(index);
            inputs.push(param);
            inputs.extend(rest);
        }
        // The guard runs first. Wrapping the first parameter in a tuple, rather than
        // adding one, keeps the arity, so `#[debug_handler]` above this attribute
        // still matches the function it checks.
        None => match inputs.first_mut() {
            Some(FnArg::Typed(first)) => {
                let (pat, ty) = (&first.pat, &first.ty);
                *first.pat = Pat::Verbatim(quote!((_, #pat)));
                *first.ty = syn::parse_quote_spanned!(ty.span()=> (#guard, #ty));
            }
            _ => inputs.insert(0, syn::parse_quote_spanned!(span=> _: #guard)),
        },
    }
    Some(quote!(#marker #function))
}

/// The token kind, and for a custom type the marker item that names it.
fn kind(
    args: &Args,
    function: &ItemFn,
    extra: &TokenStream,
    span: Span,
) -> (TokenStream, TokenStream) {
    let private = args.private(span);
    match &args.kind {
        Kind::Access => (quote_spanned!(span=> #private::Access<#extra>), quote!()),
        Kind::FreshAccess => (
            quote_spanned!(span=> #private::FreshAccess<#extra>),
            quote!(),
        ),
        Kind::Refresh => (quote_spanned!(span=> #private::Refresh<#extra>), quote!()),
        Kind::Custom(token_type) => {
            let marker = format_ident!("__paseto_token_type_{}", function.sig.ident);
            let vis = &function.vis;
            (
                quote_spanned!(span=> #private::Custom<#marker, #extra>),
                quote! {
                    #[doc(hidden)]
                    #[allow(non_camel_case_types)]
                    #vis enum #marker {}
                    impl #private::TypeName for #marker {
                        const NAME: &'static str = #token_type;
                    }
                },
            )
        }
    }
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
