//! Shared logic of wasmtier's fuzz targets, usable from regression tests too.
//!
//! - [`generate`]: the wasm-smith configuration (Wasm 2.0 with SIMD and the Wasm 3.0
//!   features wasmtier implements, no imports).
//! - [`diff`]: runs one module in several engines (wasmtier tiers and the wasmi oracle)
//!   and compares every call's outcome and the exported state afterwards.
//! - [`validate`]: wasmtier must never panic on any input, and its verdict must agree with
//!   wasmparser's validator for the same feature set.

pub mod diff;
pub mod engines;
pub mod generate;
pub mod validate;

pub use diff::{DiffOptions, Report, run_differential, run_differential_bytes};
pub use validate::run_validate;
