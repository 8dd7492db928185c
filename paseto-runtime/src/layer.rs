//! What the library's tower layers share.

/// The service a layer's boxed future calls: the clone that was polled ready,
/// leaving a fresh clone in its place for the next `poll_ready`.
pub(crate) fn take_ready<S: Clone>(inner: &mut S) -> S {
    let fresh = inner.clone();
    std::mem::replace(inner, fresh)
}
