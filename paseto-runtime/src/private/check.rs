//! The handler's own check, `check = path`: a function of the claims and then
//! of any extractors (the app's state, the path's parameters, headers), sync or
//! async, answering `bool` or `Result<(), E>` with `E: IntoResponse`.

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;

use crate::claims::Claims;

/// Why a check refused the request.
pub enum Refusal {
    /// It answered `false`: 403 `insufficient_scope`, as a missing scope.
    Denied,
    /// It answered this, or one of its extractors rejected the request so.
    Answered(Response),
}

/// What a check answers: `bool`, or `Result<(), E>` for any rejection.
#[diagnostic::on_unimplemented(
    message = "a `check` function must answer `bool` or `Result<(), E>` with `E: IntoResponse`, or a future of either",
    label = "this answer is not a check's"
)]
pub trait Answer {
    /// The refusal it means, if any.
    fn refusal(self) -> Option<Refusal>;
}

impl Answer for bool {
    fn refusal(self) -> Option<Refusal> {
        (!self).then_some(Refusal::Denied)
    }
}

impl<E: IntoResponse> Answer for Result<(), E> {
    fn refusal(self) -> Option<Refusal> {
        self.err().map(|e| Refusal::Answered(e.into_response()))
    }
}

/// Marks a check that answers at once.
pub enum Now {}

/// Marks a check that answers with a future.
pub enum Later {}

/// A function that can be a guard's `check`, for claims `T` under the router
/// state `S`. `M` tells its shape apart: sync or async, and its extractors.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be this guard's `check`",
    label = "not a check of these claims",
    note = "a check takes `&Claims<T>`, with the handler's `T`, then any extractors, such as `State<Db>` or `Path<u64>`; and answers `bool` or `Result<(), E>` with `E: IntoResponse`, or a future of either",
    note = "a check that takes `State<…>` needs the router's state named: add `state = AppState` to the attribute"
)]
pub trait CheckFn<'a, T, S, M> {
    /// Runs the extractors, then the check: the refusal, if any.
    fn run(
        self,
        claims: &'a Claims<T>,
        parts: &'a mut Parts,
        state: &'a S,
    ) -> impl Future<Output = Option<Refusal>> + Send + 'a;
}

/// Extracts `$ty` from the request, or returns its rejection as the refusal.
macro_rules! extract {
    ($ty:ident, $parts:ident, $state:ident) => {
        match $ty::from_request_parts($parts, $state).await {
            Ok(value) => value,
            Err(rejection) => return Some(Refusal::Answered(rejection.into_response())),
        }
    };
}

/// The sync and async impls for checks with the extractors `$ty`.
macro_rules! check_fn {
    ($($ty:ident $value:ident),*) => {
        impl<'a, F, O, T, S, $($ty,)*> CheckFn<'a, T, S, (Now, $($ty,)*)> for F
        where
            F: FnOnce(&'a Claims<T>, $($ty,)*) -> O + Send + 'a,
            O: Answer,
            T: Sync + 'a,
            S: Send + Sync + 'a,
            $($ty: FromRequestParts<S> + Send,)*
        {
            #[allow(unused_variables)]
            fn run(
                self,
                claims: &'a Claims<T>,
                parts: &'a mut Parts,
                state: &'a S,
            ) -> impl Future<Output = Option<Refusal>> + Send + 'a {
                async move {
                    $(let $value = extract!($ty, parts, state);)*
                    self(claims, $($value,)*).refusal()
                }
            }
        }

        impl<'a, F, Fut, T, S, $($ty,)*> CheckFn<'a, T, S, (Later, $($ty,)*)> for F
        where
            F: FnOnce(&'a Claims<T>, $($ty,)*) -> Fut + Send + 'a,
            Fut: Future<Output: Answer> + Send + 'a,
            T: Sync + 'a,
            S: Send + Sync + 'a,
            $($ty: FromRequestParts<S> + Send,)*
        {
            #[allow(unused_variables)]
            fn run(
                self,
                claims: &'a Claims<T>,
                parts: &'a mut Parts,
                state: &'a S,
            ) -> impl Future<Output = Option<Refusal>> + Send + 'a {
                async move {
                    $(let $value = extract!($ty, parts, state);)*
                    self(claims, $($value,)*).await.refusal()
                }
            }
        }
    };
}

check_fn!();
check_fn!(E1 e1);
check_fn!(E1 e1, E2 e2);
check_fn!(E1 e1, E2 e2, E3 e3);
check_fn!(E1 e1, E2 e2, E3 e3, E4 e4);
