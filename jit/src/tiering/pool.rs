//! The background threads that compile hot functions: one pool per engine, started on first
//! use, running the cheapest queued compilation first.

use std::collections::BinaryHeap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};

pub(crate) type Job = Box<dyn FnOnce() + Send>;

/// A queued compilation; the smallest function body runs first.
struct QueuedJob {
    /// Body size in bytes: small functions compile fast and pay off sooner, so one huge
    /// function never holds up the many small hot ones behind it.
    cost: usize,
    /// Arrival order among equal costs.
    seq: u64,
    job: Job,
}

impl PartialEq for QueuedJob {
    fn eq(&self, other: &Self) -> bool {
        (self.cost, self.seq) == (other.cost, other.seq)
    }
}
impl Eq for QueuedJob {}
impl PartialOrd for QueuedJob {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for QueuedJob {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the cheapest, oldest job.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.cost, other.seq).cmp(&(self.cost, self.seq))
    }
}

#[derive(Default)]
struct Queue {
    jobs: BinaryHeap<QueuedJob>,
    next_seq: u64,
    /// Set when the pool is dropped: threads finish and exit.
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
}

/// Background compilation threads of one engine, started on first use. Dropping the pool
/// lets the threads finish their current job and exit (queued jobs are dropped).
pub struct CompilePool {
    threads: usize,
    shared: Arc<Shared>,
    /// Whether at least one thread runs; decided on first use.
    started: OnceLock<bool>,
}

impl std::fmt::Debug for CompilePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompilePool")
            .field("threads", &self.threads)
            .finish()
    }
}

impl CompilePool {
    pub fn new(threads: usize) -> CompilePool {
        CompilePool {
            threads: threads.max(1),
            shared: Arc::new(Shared {
                queue: Mutex::new(Queue::default()),
                ready: Condvar::new(),
            }),
            started: OnceLock::new(),
        }
    }

    /// The number of threads when the embedder does not choose: one per core but one, at
    /// least one. The thread running the program keeps interpreting while functions compile,
    /// and compilation should take cores from it only where there are spare ones.
    pub fn default_threads() -> usize {
        crate::parallel::default_threads().saturating_sub(1).max(1)
    }

    /// Starts the threads; false if not even one could be started.
    fn start(&self) -> bool {
        let mut started = 0;
        for i in 0..self.threads {
            let shared = self.shared.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("wasmtier-jit-{i}"))
                .spawn(move || {
                    while let Some(job) = shared.next_job() {
                        job();
                    }
                });
            started += spawned.is_ok() as usize;
        }
        started > 0
    }

    /// Runs `job` (of size `cost`) on a pool thread, or right here if no thread could be
    /// started.
    pub(crate) fn submit(&self, cost: usize, job: Job) {
        if !*self.started.get_or_init(|| self.start()) {
            return job();
        }
        let mut queue = self.shared.lock();
        let seq = queue.next_seq;
        queue.next_seq += 1;
        queue.jobs.push(QueuedJob { cost, seq, job });
        drop(queue);
        self.shared.ready.notify_one();
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next job to run, waiting for one; `None` once the pool is gone.
    fn next_job(&self) -> Option<Job> {
        let mut queue = self.lock();
        loop {
            if queue.closed {
                return None;
            }
            if let Some(queued) = queue.jobs.pop() {
                return Some(queued.job);
            }
            queue = self.ready.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for CompilePool {
    fn drop(&mut self) {
        let mut queue = self.shared.lock();
        queue.closed = true;
        queue.jobs.clear();
        drop(queue);
        self.shared.ready.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn queued_jobs_run_cheapest_first() {
        let pool = CompilePool::new(1);
        let (release, blocked) = mpsc::channel::<()>();
        let (started, wait_started) = mpsc::channel::<()>();
        // Occupy the only thread so that the next jobs queue up.
        pool.submit(
            0,
            Box::new(move || {
                started.send(()).unwrap();
                blocked.recv().unwrap();
            }),
        );
        wait_started.recv().unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let (done, all_done) = mpsc::channel::<()>();
        for cost in [30, 10, 20, 10] {
            let order = order.clone();
            let done = done.clone();
            pool.submit(
                cost,
                Box::new(move || {
                    order.lock().unwrap().push(cost);
                    done.send(()).unwrap();
                }),
            );
        }
        release.send(()).unwrap();
        for _ in 0..4 {
            all_done.recv().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [10, 10, 20, 30]);
    }
}
