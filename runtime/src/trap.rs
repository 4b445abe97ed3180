//! Traps: the faults a guest can cause, with the spec's messages.

use std::fmt;

/// Why execution stopped abnormally. `Display` prints the message the spec test suite expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrapCode {
    Unreachable,
    IntegerDivideByZero,
    IntegerOverflow,
    BadConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    /// `call_indirect` with an index past the end of the table.
    UndefinedElement,
    /// `call_indirect` on a null table entry.
    UninitializedElement,
    IndirectCallTypeMismatch,
    StackOverflow,
    /// `ref.as_non_null` of null.
    NullReference,
    /// `call_ref` or `return_call_ref` of null.
    NullFuncRef,
    /// `throw_ref` of null.
    NullExnRef,
    /// `i31.get_s` or `i31.get_u` of null.
    NullI31Ref,
    OutOfFuel,
    Interrupted,
    /// `call_indirect` on a table element that names no function of the store: a reference
    /// that is stale or corrupted (it cannot come from valid wasm and the embedding API,
    /// which check references; the JIT checks it rather than read out of bounds).
    BadFuncRef,
}

impl TrapCode {
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::NullReference => "null reference",
            TrapCode::NullFuncRef => "null function reference",
            TrapCode::NullExnRef => "null exception reference",
            TrapCode::NullI31Ref => "null i31 reference",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupted => "interrupted",
            TrapCode::BadFuncRef => "invalid function reference",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// One wasm frame of a trap's backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// Index of the function in its module's function index space.
    pub func_index: u32,
    /// Name from the module's name section, if any.
    pub func_name: Option<String>,
    /// Name of the module (from the name section), if any.
    pub module_name: Option<String>,
}

impl fmt::Display for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(m) = &self.module_name {
            write!(f, "{m}!")?;
        }
        match &self.func_name {
            Some(name) => f.write_str(name),
            None => write!(f, "<wasm function {}>", self.func_index),
        }
    }
}

/// What a trap carries: a spec trap code, or an error raised by a host function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrapKind {
    Code(TrapCode),
    Host(String),
    /// WASI `proc_exit` or a host asking to stop with an exit status.
    Exit(i32),
    /// Valid code this runtime cannot run: it exceeds one of the runtime's own limits. The
    /// interpreter finds this when it translates a function on its first call (lazy
    /// translation); the message says which limit.
    Unsupported(String),
    /// A wasm exception no handler caught, as a raw `exnref` (see `raw_ref::from_exn`) of
    /// the store it was thrown in. This is how an exception leaves an activation of one
    /// tier: a `try_table` further up (in the interpreter) that catches it turns it back
    /// into the exception; unlike every other kind, it is no trap in the spec's sense.
    Exception(u64),
}

/// A trap with its wasm backtrace (innermost frame first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    kind: TrapKind,
    backtrace: Vec<FrameInfo>,
}

impl Trap {
    pub fn new(code: TrapCode) -> Trap {
        Trap {
            kind: TrapKind::Code(code),
            backtrace: Vec::new(),
        }
    }

    pub fn host(message: impl Into<String>) -> Trap {
        Trap {
            kind: TrapKind::Host(message.into()),
            backtrace: Vec::new(),
        }
    }

    pub fn exit(status: i32) -> Trap {
        Trap {
            kind: TrapKind::Exit(status),
            backtrace: Vec::new(),
        }
    }

    /// See [`TrapKind::Unsupported`].
    pub fn unsupported(message: impl Into<String>) -> Trap {
        Trap {
            kind: TrapKind::Unsupported(message.into()),
            backtrace: Vec::new(),
        }
    }

    /// An exception thrown and not caught (yet): see [`TrapKind::Exception`].
    pub fn exception(exnref: u64) -> Trap {
        Trap {
            kind: TrapKind::Exception(exnref),
            backtrace: Vec::new(),
        }
    }

    /// The raw `exnref` of an uncaught exception.
    pub fn exnref(&self) -> Option<u64> {
        match self.kind {
            TrapKind::Exception(raw) => Some(raw),
            _ => None,
        }
    }

    pub fn kind(&self) -> &TrapKind {
        &self.kind
    }

    /// The spec trap code, when this is not a host error.
    pub fn code(&self) -> Option<TrapCode> {
        match self.kind {
            TrapKind::Code(c) => Some(c),
            _ => None,
        }
    }

    pub fn exit_status(&self) -> Option<i32> {
        match self.kind {
            TrapKind::Exit(s) => Some(s),
            _ => None,
        }
    }

    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }

    /// Appends a frame (callers add frames from the innermost outwards).
    pub fn push_frame(&mut self, frame: FrameInfo) {
        self.backtrace.push(frame);
    }

    pub fn has_backtrace(&self) -> bool {
        !self.backtrace.is_empty()
    }
}

impl From<TrapCode> for Trap {
    fn from(code: TrapCode) -> Trap {
        Trap::new(code)
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TrapKind::Code(c) => f.write_str(c.message()),
            TrapKind::Host(m) | TrapKind::Unsupported(m) => f.write_str(m),
            TrapKind::Exit(s) => write!(f, "exit with status {s}"),
            TrapKind::Exception(_) => f.write_str("uncaught exception"),
        }
    }
}

impl std::error::Error for Trap {}
