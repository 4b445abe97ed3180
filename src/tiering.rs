//! Statistics of tiered execution (`Tier::Auto`): which functions ran, how often, and which
//! were promoted to machine code.

use std::time::Duration;

use crate::Module;

/// Where a function stands in tiered execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FuncTier {
    /// Runs in the interpreter (not hot, or the engine does not tier up).
    Interpreted,
    /// Hot; its compilation is queued or running.
    Compiling,
    /// Promoted: calls run its machine code.
    Compiled,
    /// Compilation failed; the function stays in the interpreter. The reason.
    Failed(String),
}

/// One defined function's statistics.
#[derive(Debug, Clone)]
pub struct FuncStats {
    /// Index in the module's function index space.
    pub index: u32,
    /// Name from the name section.
    pub name: Option<String>,
    /// Calls counted: interpreted ones always, compiled ones with `Config::count_calls`.
    pub calls: u64,
    /// Loop iterations run in the interpreter.
    pub loop_iterations: u64,
    /// Times a running interpreted activation moved to machine code at a hot loop
    /// (on-stack replacement).
    pub osr_entries: u64,
    pub tier: FuncTier,
    /// CPU time its compilation took, on-stack-replacement entries included (zero if it was
    /// not compiled).
    pub compile_time: Duration,
}

/// Statistics of a module's functions (see `Module::tier_stats`).
#[derive(Debug, Clone)]
pub struct TierStats {
    /// Every defined function, in index order.
    pub funcs: Vec<FuncStats>,
}

impl TierStats {
    /// Functions that ran and stayed in the interpreter.
    pub fn interpreted_only(&self) -> usize {
        self.funcs
            .iter()
            .filter(|f| f.calls > 0 && !matches!(f.tier, FuncTier::Compiled))
            .count()
    }

    /// Functions promoted to machine code.
    pub fn promoted(&self) -> usize {
        self.count(|t| matches!(t, FuncTier::Compiled))
    }

    /// Functions whose compilation failed.
    pub fn failed(&self) -> impl Iterator<Item = &FuncStats> {
        self.funcs
            .iter()
            .filter(|f| matches!(f.tier, FuncTier::Failed(_)))
    }

    /// Running activations moved to machine code, over all functions.
    pub fn osr_entries(&self) -> u64 {
        self.funcs.iter().map(|f| f.osr_entries).sum()
    }

    /// Total CPU time spent compiling.
    pub fn compile_time(&self) -> Duration {
        self.funcs.iter().map(|f| f.compile_time).sum()
    }

    /// The `n` functions with the most calls, most called first.
    pub fn top_by_calls(&self, n: usize) -> Vec<&FuncStats> {
        let mut funcs: Vec<&FuncStats> = self.funcs.iter().filter(|f| f.calls > 0).collect();
        funcs.sort_by(|a, b| b.calls.cmp(&a.calls).then(a.index.cmp(&b.index)));
        funcs.truncate(n);
        funcs
    }

    fn count(&self, pred: impl Fn(&FuncTier) -> bool) -> usize {
        self.funcs.iter().filter(|f| pred(&f.tier)).count()
    }
}

impl Module {
    /// Per-function statistics of tiered execution, summed over every instance of this
    /// module. Under `Tier::Jit` the tiers are what compiling the module gave (`Compiled`;
    /// `Failed` for a function the JIT could not compile, which runs interpreted;
    /// `Interpreted` for one the JIT filter left out), with no counts. Without the JIT
    /// (`Tier::Interp`, or a build without it) every function shows as interpreted with no
    /// counts.
    pub fn tier_stats(&self) -> TierStats {
        let first = self.info.num_imported_funcs;
        let funcs = (0..self.info.func_types.len() as u32 - first)
            .map(|def| {
                let index = first + def;
                // A function not translated yet never ran in the interpreter: no counts.
                let hot = self.code.translated(def).map(|f| &f.hotness);
                FuncStats {
                    index,
                    name: self.info.func_name(index).map(str::to_string),
                    calls: hot.map_or(0, |h| h.calls()),
                    loop_iterations: hot.map_or(0, |h| h.loop_iterations()),
                    osr_entries: self.osr_entries(def),
                    tier: self.func_tier(def),
                    compile_time: self.compile_time(def),
                }
            })
            .collect();
        TierStats { funcs }
    }

    /// Waits until no compilation of this module's functions is queued or running, for at
    /// most `timeout`; returns whether that happened. For tests and reports: a program never
    /// needs to wait.
    pub fn wait_for_compilations(&self, timeout: Duration) -> bool {
        #[cfg(feature = "jit")]
        if let Some(lazy) = &self.lazy {
            return lazy.wait_idle(timeout);
        }
        let _ = timeout;
        true
    }

    fn func_tier(&self, def: u32) -> FuncTier {
        // `Tier::Jit`: what compiling the module achieved for the function.
        #[cfg(feature = "jit")]
        if let Some(jit) = &self.jit {
            use wasmtier_jit::FuncStatus as S;
            return match jit.func_status(def) {
                S::Compiled => FuncTier::Compiled,
                S::LeftOut => FuncTier::Interpreted,
                S::Failed(reason) => FuncTier::Failed(reason.to_string()),
            };
        }
        #[cfg(feature = "jit")]
        if let Some(lazy) = &self.lazy {
            use wasmtier_jit::tiering::FuncTier as J;
            return match lazy.func_tier(def) {
                J::Interpreted => FuncTier::Interpreted,
                J::Compiling => FuncTier::Compiling,
                J::Compiled => FuncTier::Compiled,
                J::Failed(reason) => FuncTier::Failed(reason),
            };
        }
        let _ = def;
        FuncTier::Interpreted
    }

    fn osr_entries(&self, def: u32) -> u64 {
        #[cfg(feature = "jit")]
        if let Some(lazy) = &self.lazy {
            return lazy.osr_entries(def);
        }
        let _ = def;
        0
    }

    fn compile_time(&self, def: u32) -> Duration {
        #[cfg(feature = "jit")]
        if let Some(lazy) = &self.lazy {
            return lazy.compile_time(def);
        }
        let _ = def;
        Duration::ZERO
    }
}
