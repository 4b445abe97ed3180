//! Turns a panic anywhere in a command into a reportable message instead of a crash dump.
//!
//! The default panic hook prints "thread 'main' panicked at ..." plus a backtrace hint, which is
//! noise for a CLI user. Instead the hook records the message and `run` hands it back so that it
//! is reported as one `error: internal error: ...` line. Setting `RUST_BACKTRACE` keeps the
//! default hook's output as well, for debugging wasmtier itself.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Runs `f`; a panic inside it becomes `Err(message)`.
pub fn run<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_hook();
    // Unwind safety does not matter: after a panic nothing but the message is used.
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let recorded = LAST_PANIC.lock().ok().and_then(|mut last| last.take());
        recorded.unwrap_or_else(|| payload_message(payload.as_ref()))
    })
}

fn install_hook() {
    let default_hook = panic::take_hook();
    let verbose = std::env::var_os("RUST_BACKTRACE").is_some();
    panic::set_hook(Box::new(move |info| {
        let message = payload_message(info.payload());
        let message = match info.location() {
            Some(loc) => format!("{message} (at {}:{})", loc.file(), loc.line()),
            None => message,
        };
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(message);
        }
        if verbose {
            default_hook(info);
        }
    }));
}

fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}
