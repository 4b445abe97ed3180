//! Describing wasmtier errors and checking them against what a script expects.

use wasmtier::Error;

/// An error with its category spelled out, since several categories display only a message.
pub(crate) fn describe_error(error: &Error) -> String {
    match error {
        Error::Trap(trap) => format!("trap \"{trap}\""),
        Error::Link(m) => format!("link error: {m}"),
        Error::Resource(m) => format!("resource error: {m}"),
        Error::Usage(m) => format!("usage error: {m}"),
        Error::Io(m) => format!("I/O error: {m}"),
        // The remaining variants' messages already name their category.
        other => other.to_string(),
    }
}

/// The spec suite's messages are what a reference interpreter prints; an engine may add
/// detail, so the expected text only has to occur in the actual message.
pub(crate) fn message_matches(actual: &str, expected: &str) -> bool {
    actual.contains(expected) || actual.contains(without_element_index(expected))
}

/// The reference interpreter appends the table index to one trap message
/// (`uninitialized element 2`, bulk.wast); engines report the message without it.
fn without_element_index(expected: &str) -> &str {
    const MESSAGE: &str = "uninitialized element";
    match expected.strip_prefix(MESSAGE) {
        Some(rest) if rest.strip_prefix(' ').is_some_and(is_decimal) => MESSAGE,
        _ => expected,
    }
}

fn is_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Ok when `error` is a trap whose message matches `expected`.
pub(crate) fn expect_trap(error: &Error, expected: &str) -> Result<(), String> {
    match error.as_trap() {
        Some(trap) if message_matches(&trap.to_string(), expected) => Ok(()),
        Some(trap) => Err(format!("expected trap \"{expected}\", got trap \"{trap}\"")),
        None => Err(format!(
            "expected trap \"{expected}\", got {}",
            describe_error(error)
        )),
    }
}

/// Ok when `error` is an exception that no handler caught (`assert_exception`).
pub(crate) fn expect_exception(error: &Error) -> Result<(), String> {
    match error.as_trap() {
        Some(trap) if trap.exnref().is_some() => Ok(()),
        _ => Err(format!(
            "expected an uncaught exception, got {}",
            describe_error(error)
        )),
    }
}

/// Ok when `error` is a link error whose message matches `expected`.
pub(crate) fn expect_link_error(error: &Error, expected: &str) -> Result<(), String> {
    match error {
        Error::Link(m) if message_matches(m, expected) => Ok(()),
        other => Err(format!(
            "expected link error \"{expected}\", got {}",
            describe_error(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtier::{Trap, TrapCode};

    #[test]
    fn trap_messages_may_carry_extra_detail() {
        let trap = Error::Trap(Trap::new(TrapCode::MemoryOutOfBounds));
        assert!(expect_trap(&trap, "out of bounds memory access").is_ok());
        assert!(expect_trap(&trap, "out of bounds").is_ok());
        let err = expect_trap(&trap, "unreachable").unwrap_err();
        assert_eq!(
            err,
            "expected trap \"unreachable\", got trap \"out of bounds memory access\""
        );
    }

    #[test]
    fn element_index_of_reference_interpreter_is_optional() {
        let trap = Error::Trap(Trap::new(TrapCode::UninitializedElement));
        assert!(expect_trap(&trap, "uninitialized element 2").is_ok());
        assert!(expect_trap(&trap, "uninitialized element").is_ok());
        assert!(expect_trap(&trap, "uninitialized element x").is_err());
        let other = Error::Trap(Trap::new(TrapCode::UndefinedElement));
        assert!(expect_trap(&other, "uninitialized element 2").is_err());
    }

    #[test]
    fn other_errors_are_not_traps() {
        let err = expect_trap(&Error::Link("unknown import: x".into()), "unreachable");
        assert_eq!(
            err.unwrap_err(),
            "expected trap \"unreachable\", got link error: unknown import: x"
        );
    }

    #[test]
    fn link_errors() {
        let e = Error::Link("incompatible import type for `a::b`".into());
        assert!(expect_link_error(&e, "incompatible import type").is_ok());
        assert!(expect_link_error(&e, "unknown import").is_err());
        let trap = Error::Trap(Trap::new(TrapCode::Unreachable));
        assert!(expect_link_error(&trap, "unknown import").is_err());
    }
}
