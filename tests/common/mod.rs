//! Helpers shared by the integration tests (`mod common;` in each that uses them).

use wasmtier::{Config, Tier};

/// One configuration per tier this build has: `interp`; with the `jit` feature also `jit`,
/// and `auto` with promotion forced early (every function runs interpreted on its first
/// call and compiled from its second; loops move to machine code after 8 iterations).
pub fn tiers() -> Vec<(&'static str, Config)> {
    let mut all = vec![("interp", Config::new())];
    all[0].1.tier(Tier::Interp);
    if cfg!(feature = "jit") {
        let mut jit = Config::new();
        jit.tier(Tier::Jit);
        all.push(("jit", jit));
        let mut auto = Config::new();
        auto.tier(Tier::Auto)
            .tier_threshold(2)
            .synchronous_compilation(true);
        all.push(("auto", auto));
    }
    all
}
