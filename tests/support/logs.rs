//! What the code under test logs, per test thread.
//!
//! One global subscriber formats every event and hands it to the thread that
//! logged it: a thread that called [`capture_logs`] keeps it, any other thread
//! drops it. A thread-local default subscriber would not do: tracing caches, per
//! call site, whether anyone listens, and a test running on another thread can
//! settle that before the capturing test starts.

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex, Once};

/// What [`capture_logs`] has captured so far.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

thread_local! {
    static CAPTURING: RefCell<Option<Logs>> = const { RefCell::new(None) };
}

/// Stops capturing on this thread when dropped.
pub struct Capture(());

impl Drop for Capture {
    fn drop(&mut self) {
        CAPTURING.with(|capturing| capturing.borrow_mut().take());
    }
}

/// Writes an event to the logging thread's capture, if it has one.
struct ThreadWriter;

impl Write for ThreadWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURING.with(|capturing| {
            if let Some(logs) = &*capturing.borrow() {
                logs.0.lock().expect("not poisoned").extend_from_slice(buf);
            }
        });
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures what this thread logs at DEBUG and above, without colours, until the
/// guard is dropped. A `#[tokio::test]` runs the served app on the same thread.
pub fn capture_logs() -> (Logs, Capture) {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(|| ThreadWriter)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
    });
    let logs = Logs::default();
    CAPTURING.with(|capturing| *capturing.borrow_mut() = Some(logs.clone()));
    (logs, Capture(()))
}

/// The message of an error and every error beneath it, as a log shows them.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
