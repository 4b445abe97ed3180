//! Turns a panic inside wasmtier into an error message instead of aborting the whole run.
//!
//! The default panic hook would print every caught panic to stderr, which floods the output
//! when a tier is incomplete and every module panics. A process-wide hook (installed once)
//! stays silent for threads that are inside [`catch_panic`] and records the message and
//! location for the failure report; other threads keep the previous hook's behaviour.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

thread_local! {
    /// Whether this thread is inside `catch_panic`.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// The message of the last panic the hook saw on this thread while catching.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL_HOOK: Once = Once::new();

fn install_hook() {
    INSTALL_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if CATCHING.with(Cell::get) {
                LAST_PANIC.with(|last| *last.borrow_mut() = Some(describe(info)));
            } else {
                previous(info);
            }
        }));
    });
}

fn describe(info: &PanicHookInfo<'_>) -> String {
    let message = payload_message(info.payload());
    match info.location() {
        Some(at) => format!("{message} (at {}:{})", at.file(), at.line()),
        None => message,
    }
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

/// Runs `f`, returning the panic message (with its source location) if it panicked.
pub(crate) fn catch_panic<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_hook();
    let was_catching = CATCHING.with(|c| c.replace(true));
    // Unwind safety: after a panic the caller reports it and carries on with the same store;
    // any broken invariant there shows up as further failures, which is what we want to see.
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(was_catching));
    result.map_err(|payload| {
        LAST_PANIC
            .with(|last| last.borrow_mut().take())
            .unwrap_or_else(|| payload_message(&*payload))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_value_without_panic() {
        assert_eq!(catch_panic(|| 7), Ok(7));
    }

    #[test]
    fn reports_message_and_location() {
        let err = catch_panic(|| -> i32 { panic!("boom {}", 42) }).unwrap_err();
        assert!(err.starts_with("boom 42 (at "), "{err}");
        assert!(err.contains("panic_guard.rs"), "{err}");
    }

    #[test]
    fn nested_catch_restores_state() {
        let outer = catch_panic(|| {
            let inner = catch_panic(|| -> () { panic!("inner") });
            assert!(inner.unwrap_err().starts_with("inner"));
            panic!("outer")
        });
        assert!(outer.unwrap_err().starts_with("outer"));
        assert!(!CATCHING.with(Cell::get));
    }
}
