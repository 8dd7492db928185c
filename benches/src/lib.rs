//! The measurement drivers: the criterion benchmark (`benches/speed.rs`) and
//! the binaries the long runs in `scripts/` start (`src/bin`): `soak`,
//! `chaos`, `propagation`, and the counters `allocations` and `verify_loop`.
//! This library holds what they share.

use std::task::{Context, Poll, Waker};

/// Polls a future that never waits (verification without a remote denylist)
/// to its end, so its figure holds no executor overhead that pasetors' does
/// not pay.
pub fn ready<F: Future>(future: F) -> F::Output {
    match std::pin::pin!(future)
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("verification here never waits"),
    }
}
