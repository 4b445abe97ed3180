//! Running independent jobs on a few scoped threads: the JIT compiles a module's functions
//! this way (`compile_with`).

use std::panic::resume_unwind;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Applies `work` to every item on up to `threads` threads (the calling thread is one of
/// them) and returns the results in the items' order, whatever thread computed each.
///
/// Each thread makes its own state with `init` and passes it to every `work` call it makes,
/// so that per-thread scratch space is reused from item to item. Threads take the items one
/// at a time, the most costly (by `cost`) first, so that a big item does not come last and
/// leave the other threads idle. A thread that cannot be spawned is simply not used; a panic
/// in `work` is propagated with its original payload once every thread has stopped.
pub(crate) fn map_ordered<T, R, S>(
    items: &[T],
    threads: usize,
    cost: impl Fn(&T) -> usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let mut order: Vec<usize> = (0..items.len()).collect();
    // Stable: equal costs keep their order, so runs hand out items alike.
    order.sort_by_key(|&i| std::cmp::Reverse(cost(&items[i])));
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut state = init();
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = order.get(k) else {
                return done;
            };
            done.push((i, work(&mut state, &items[i])));
        }
    };
    let threads = threads.clamp(1, items.len().max(1));
    let batches: Vec<Vec<(usize, R)>> = thread::scope(|scope| {
        let spawned: Vec<_> = (1..threads)
            .filter_map(|n| {
                thread::Builder::new()
                    .name(format!("wasmtier-jit-compile-{n}"))
                    .spawn_scoped(scope, worker)
                    .ok()
            })
            .collect();
        let mut batches = vec![worker()];
        for handle in spawned {
            batches.push(handle.join().unwrap_or_else(|panic| resume_unwind(panic)));
        }
        batches
    });
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    for (i, result) in batches.into_iter().flatten() {
        results[i] = Some(result);
    }
    results
        .into_iter()
        .map(|r| r.expect("every item is taken by exactly one thread"))
        .collect()
}

/// How many threads to compile a module with when not told: one per core the process may use.
pub(crate) fn default_threads() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_with_any_thread_count() {
        let items: Vec<u64> = (0..200).collect();
        for threads in [1, 2, 3, 8, 500] {
            let squares = map_ordered(&items, threads, |&x| (x % 7) as usize, || (), |_, &x| x * x);
            assert_eq!(squares, items.iter().map(|x| x * x).collect::<Vec<_>>());
        }
        assert!(map_ordered(&[] as &[u8], 4, |_| 0, || (), |_, _| ()).is_empty());
    }

    #[test]
    fn each_thread_reuses_its_own_state() {
        let items = vec![(); 100];
        // Every call sees its thread's count of earlier calls; the counts over all threads
        // add up to the items.
        let seen = map_ordered(
            &items,
            4,
            |_| 0,
            || 0usize,
            |calls, _| {
                *calls += 1;
                *calls
            },
        );
        let first_calls = seen.iter().filter(|&&c| c == 1).count();
        assert!(
            (1..=4).contains(&first_calls),
            "{first_calls} threads started"
        );
    }

    #[test]
    #[should_panic(expected = "item 13")]
    fn a_panic_in_a_worker_keeps_its_message() {
        let items: Vec<u32> = (0..64).collect();
        map_ordered(
            &items,
            2,
            |_| 0,
            || (),
            |_, &x| assert!(x != 13, "item {x}"),
        );
    }
}
