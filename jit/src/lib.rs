//! The Cranelift JIT tier. Not implemented yet: see the JIT issue. The crate exists so that the
//! workspace layout is final and the tier can be added without moving code.
