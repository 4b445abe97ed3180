//! The embedding API's error type.

use wasmtier_runtime::{InstantiationError, ModuleError, Trap};

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The WebAssembly text could not be parsed.
    #[error("failed to parse WebAssembly text: {0}")]
    Text(String),
    /// The binary is not well-formed (spec: "malformed").
    #[error("malformed module: {0}")]
    Malformed(String),
    /// The module does not validate (spec: "invalid").
    #[error("invalid module: {0}")]
    Invalid(String),
    /// A valid module or feature this runtime does not support.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An import is missing ("unknown import") or has the wrong type ("incompatible import type").
    #[error("{0}")]
    Link(String),
    /// Allocating a memory, table or other resource failed.
    #[error("{0}")]
    Resource(String),
    /// Wasm code trapped.
    #[error("{0}")]
    Trap(Trap),
    /// The embedder misused the API: wrong argument count or types, unknown export, ...
    #[error("{0}")]
    Usage(String),
    /// A precompiled module was refused: not one, damaged, or made by another wasmtier, for
    /// another CPU or with another configuration.
    #[error("{0}")]
    Artifact(String),
    /// Reading a file failed.
    #[error("{0}")]
    Io(String),
}

impl Error {
    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(t) => Some(t),
            _ => None,
        }
    }
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::Trap(t)
    }
}

impl From<ModuleError> for Error {
    fn from(e: ModuleError) -> Error {
        match e {
            ModuleError::Malformed(m) => Error::Malformed(m),
            ModuleError::Invalid(m) => Error::Invalid(m),
            ModuleError::Unsupported(m) => Error::Unsupported(m),
        }
    }
}

impl From<InstantiationError> for Error {
    fn from(e: InstantiationError) -> Error {
        match e {
            InstantiationError::Link(m) => Error::Link(m),
            InstantiationError::Resource(m) => Error::Resource(m),
            InstantiationError::Trap(t) => Error::Trap(t),
        }
    }
}
