//! Dynamic profile of handler pairs, for finding which instruction sequences are worth
//! fusing (cargo feature `op-profile`, which dispatches through the loop so that every
//! instruction passes through `record`). Off in every normal build.
//!
//! With `WASMTIER_OP_PROFILE=FILE` set, each run of the interpreter writes the cumulative
//! counts to FILE: one line `count previous-handler handler` per pair, addresses relative to
//! the `unreachable` handler, which `scripts/op-profile.sh` resolves to names.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;

use crate::code::Handler;

/// The last handler run, and the count of each (previous, current) pair of handlers.
#[derive(Default)]
struct Pairs {
    previous: usize,
    counts: HashMap<(usize, usize), u64>,
}

thread_local! {
    static PAIRS: RefCell<Pairs> = RefCell::default();
}

/// Counts `handler` after the one recorded before it.
pub(crate) fn record(handler: Handler) {
    let current = handler as usize;
    PAIRS.with(|pairs| {
        let pairs = &mut *pairs.borrow_mut();
        *pairs.counts.entry((pairs.previous, current)).or_default() += 1;
        pairs.previous = current;
    });
}

/// Writes the counts so far to `$WASMTIER_OP_PROFILE`, if set.
pub(crate) fn dump() {
    let Some(path) = std::env::var_os("WASMTIER_OP_PROFILE") else {
        return;
    };
    let anchor = crate::handlers::unreachable as Handler as usize as i64;
    PAIRS.with(|pairs| {
        let pairs = pairs.borrow();
        let mut rows: Vec<_> = pairs.counts.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1));
        let mut text = Vec::new();
        for ((previous, current), count) in rows {
            let relative = |a: usize| if a == 0 { 0 } else { a as i64 - anchor };
            let _ = writeln!(
                text,
                "{count} {} {}",
                relative(*previous),
                relative(*current)
            );
        }
        let _ = std::fs::write(path, text);
    });
}
