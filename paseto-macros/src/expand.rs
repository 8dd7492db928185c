//! Generating the rewritten handler: only its parameter list changes. Runs on a
//! handler that [`analyze`] has checked.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, PatType};

use crate::args::{Args, Expected, Guard};
use crate::diag::Errors;
use crate::handler::{Handler, Param, analyze, run_first};

/// Expands one attribute over one item. On any mistake the item is emitted as
/// written, beside the errors, so one mistake gives one message.
pub(crate) fn expand(guard: Guard, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = Args::parse(guard, args, &mut errors);
    let Ok(function) = syn::parse2::<ItemFn>(item.clone()) else {
        errors.push(syn::Error::new_spanned(
            &item,
            format_args!(
                "`{}` can only be applied to an `async fn` handler",
                guard.name()
            ),
        ));
        return with_errors(item, errors);
    };
    if let Some(conflict) = crate::public::conflict(&function) {
        errors.push(conflict);
    }
    let Some(args) = args else {
        return with_errors(item, errors);
    };
    match analyze(guard, &args, function, &mut errors) {
        Some(handler) if errors.is_empty() => rewrite(&args, handler),
        _ => with_errors(item, errors),
    }
}

fn with_errors(mut item: TokenStream, errors: Errors) -> TokenStream {
    if let Err(error) = errors.finish() {
        item.extend(error.to_compile_error());
    }
    item
}

/// Rewrites a checked handler: its claims parameter becomes the verifying
/// extractor and moves first, or an unnamed guard is added.
fn rewrite(args: &Args, handler: Handler) -> TokenStream {
    let Handler {
        mut function,
        claims,
        users,
    } = handler;
    let loaders = users.iter().map(|user| {
        let private = args.support(user.span());
        quote_spanned! {user.span()=>
            const _: () = {
                fn __paseto_user_loader<U: #private::LoadUser>() {}
                let _ = __paseto_user_loader::<#user>;
            };
        }
    });
    let loaders = quote!(#(#loaders)*);
    crate::openapi::document(&mut function, args);
    // Generated tokens point at the `Claims` type as written, so errors land there.
    let (span, extra) = if let Some((_, Param::Claims(ty) | Param::OptionalClaims(ty))) = &claims {
        let span = ty.span();
        let private = args.support(span);
        (
            span,
            quote_spanned!(span=> <#ty as #private::ClaimsType>::Extra),
        )
    } else {
        (Span::call_site(), quote!(()))
    };
    let (kind, marker) = kind(args, &function, &extra, span);
    let required = requirement(args, &function, &extra, span);
    let private = args.support(span);
    let wrapper = match (args.optional.is_some(), required.is_some()) {
        (false, false) => quote_spanned!(span=> #private::Verified),
        (true, false) => quote_spanned!(span=> #private::MaybeVerified),
        (false, true) => quote_spanned!(span=> #private::Guarded),
        (true, true) => quote_spanned!(span=> #private::MaybeGuarded),
    };
    // `Guarded` also holds its requirement's marker, matched by `_`.
    let (mut guard, requirement_items, marker_field) = match required {
        Some((name, items)) => (
            quote_spanned!(span=> #wrapper<#kind, #name>),
            items,
            quote!(, _),
        ),
        None => (quote_spanned!(span=> #wrapper<#kind>), quote!(), quote!()),
    };
    // A `State<S>` parameter may name a sub-state, so only the router state the
    // user names is checked here; without it, axum's own bound applies at `.route`.
    if let Some(state) = &args.state {
        let private = args.support(state.span());
        guard = quote_spanned!(state.span()=> #private::Checked<#state, #guard>);
    }

    let inputs = &mut function.sig.inputs;
    match claims {
        Some((index, _)) => {
            let FnArg::Typed(PatType { attrs, pat, .. }) = &inputs[index] else {
                unreachable!("`Claims` parameters are typed")
            };
            let param: FnArg =
                syn::parse_quote_spanned!(span=> #(#attrs)* #wrapper(#pat #marker_field): #guard);
            let mut rest: Vec<FnArg> = std::mem::take(inputs).into_iter().collect();
            rest.remove(index);
            inputs.push(param);
            inputs.extend(rest);
        }
        None => run_first(inputs, &guard, span),
    }
    quote!(#marker #requirement_items #loaders #function)
}

/// For `scopes = [...]` or `check = path`: the marker type that names what the
/// guard requires beyond the token's kind, and its items.
fn requirement(
    args: &Args,
    function: &ItemFn,
    extra: &TokenStream,
    span: Span,
) -> Option<(TokenStream, TokenStream)> {
    if args.scopes.is_empty() && args.check.is_none() {
        return None;
    }
    let private = args.support(span);
    let name = format_ident!("__paseto_requirement_{}", function.sig.ident);
    let vis = &function.vis;
    let scopes = &args.scopes;
    // Without the router state named, the requirement holds under any state,
    // so a check may take any extractor that does (`Path`, headers), but not
    // `State`, which needs the state.
    let (generics, state) = match &args.state {
        Some(state) => (quote!(), quote!(#state)),
        None => (
            quote!(<__PasetoState: ::core::marker::Send + ::core::marker::Sync>),
            quote!(__PasetoState),
        ),
    };
    let check = args.check.as_ref().map(|path| {
        let private = args.support(path.span());
        quote_spanned! {path.span()=>
            const CHECK: bool = true;
            fn check<'a>(
                claims: &'a #private::Claims<#extra>,
                parts: &'a mut #private::Parts,
                state: &'a #state,
            ) -> impl ::core::future::Future<Output = ::core::option::Option<#private::Refusal>>
                   + ::core::marker::Send + 'a {
                // The claims and the state are named, so a function that does
                // not fit is reported as no check of them.
                <_ as #private::CheckFn<'a, #extra, #state, _>>::run(#path, claims, parts, state)
            }
        }
    });
    let items = quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis enum #name {}
        impl #generics #private::Requirement<#extra, #state> for #name {
            const SCOPES: &'static [&'static str] = &[#(#scopes),*];
            #check
        }
    };
    Some((quote!(#name), items))
}

/// The token kind, and for a custom type the marker item that names it.
fn kind(
    args: &Args,
    function: &ItemFn,
    extra: &TokenStream,
    span: Span,
) -> (TokenStream, TokenStream) {
    let private = args.support(span);
    match &args.expected {
        Expected::Access => (quote_spanned!(span=> #private::Access<#extra>), quote!()),
        Expected::FreshAccess => (
            quote_spanned!(span=> #private::FreshAccess<#extra>),
            quote!(),
        ),
        Expected::Refresh => (quote_spanned!(span=> #private::Refresh<#extra>), quote!()),
        Expected::Custom(token_type) => {
            let marker = format_ident!("__paseto_token_type_{}", function.sig.ident);
            let vis = &function.vis;
            (
                quote_spanned!(span=> #private::CustomKind<#marker, #extra>),
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
