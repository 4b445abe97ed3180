//! Checking `assert_return` results against the script's expected values and patterns.

use wasmtier::{Store, Val};
use wast::WastRet;
use wast::core::{HeapType, NanPattern, V128Pattern, WastRetCore};

use crate::nan;
use crate::values::{describe_val, describe_vals, host_ref_number, null_of};

/// Ok when `actual` matches `expected` value for value; otherwise says which result differs.
pub(crate) fn check_results(
    store: &Store<()>,
    actual: &[Val],
    expected: &[WastRet<'_>],
) -> Result<(), String> {
    if actual.len() != expected.len() {
        return Err(format!(
            "expected {} results, got {}: {}",
            expected.len(),
            actual.len(),
            describe_vals(store, actual)
        ));
    }
    for (i, (val, ret)) in actual.iter().zip(expected).enumerate() {
        let WastRet::Core(pattern) = ret else {
            return Err(format!("result {i}: unsupported expected value {ret:?}"));
        };
        if !matches(store, val, pattern)? {
            return Err(format!(
                "result {i}: expected {}, got {}",
                describe_pattern(pattern),
                describe_val(store, val)
            ));
        }
    }
    Ok(())
}

/// Whether one value matches one pattern; `Err` for patterns wasmtier has no values for.
fn matches(store: &Store<()>, val: &Val, pattern: &WastRetCore<'_>) -> Result<bool, String> {
    Ok(match (pattern, val) {
        (WastRetCore::I32(e), Val::I32(a)) => e == a,
        (WastRetCore::I64(e), Val::I64(a)) => e == a,
        (WastRetCore::F32(p), Val::F32(bits)) => f32_matches(p, *bits),
        (WastRetCore::F64(p), Val::F64(bits)) => f64_matches(p, *bits),
        (WastRetCore::V128(p), Val::V128(bits)) => v128_matches(p, *bits),
        (WastRetCore::RefNull(None), Val::FuncRef(r)) => r.is_none(),
        (WastRetCore::RefNull(None), Val::ExternRef(r)) => r.is_none(),
        (WastRetCore::RefNull(None), Val::ExnRef(r)) => r.is_none(),
        (WastRetCore::RefNull(None), Val::AnyRef(r)) => r.is_none(),
        (WastRetCore::RefNull(Some(heap)), _) => {
            let null = null_of(heap)
                .ok_or_else(|| format!("unsupported expected ref.null of heap type {heap:?}"))?;
            *val == null
        }
        // The script cannot name a particular function instance, so any non-null one will do.
        (WastRetCore::RefFunc(_), Val::FuncRef(r)) => r.is_some(),
        (WastRetCore::RefExtern(None), Val::ExternRef(r)) => r.is_some(),
        (WastRetCore::RefExtern(Some(n)), Val::ExternRef(Some(r))) => {
            host_ref_number(store, r) == Some(*n)
        }
        (WastRetCore::Either(options), _) => {
            for option in options {
                if matches(store, val, option)? {
                    return Ok(true);
                }
            }
            false
        }
        // The only non-null values of the any hierarchy wasmtier makes yet are i31s.
        (WastRetCore::RefAny | WastRetCore::RefEq | WastRetCore::RefI31, Val::AnyRef(r)) => {
            r.is_some_and(|r| r.i31_get_s().is_some())
        }
        (
            WastRetCore::RefHost(_)
            | WastRetCore::RefAny
            | WastRetCore::RefEq
            | WastRetCore::RefArray
            | WastRetCore::RefStruct
            | WastRetCore::RefI31
            | WastRetCore::RefI31Shared,
            _,
        ) => return Err(format!("unsupported expected value {pattern:?}")),
        // A value of another type than expected.
        _ => false,
    })
}

/// Whether a v128 matches a lane-wise pattern (float lanes may be NaN patterns).
fn v128_matches(pattern: &V128Pattern, bits: u128) -> bool {
    fn lane(bits: u128, width: u32, i: usize) -> u64 {
        let mask = if width == 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        (bits >> (width as usize * i)) as u64 & mask
    }
    match pattern {
        V128Pattern::I8x16(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| lane(bits, 8, i) == *e as u8 as u64),
        V128Pattern::I16x8(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| lane(bits, 16, i) == *e as u16 as u64),
        V128Pattern::I32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| lane(bits, 32, i) == *e as u32 as u64),
        V128Pattern::I64x2(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| lane(bits, 64, i) == *e as u64),
        V128Pattern::F32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, p)| f32_matches(p, lane(bits, 32, i) as u32)),
        V128Pattern::F64x2(l) => l
            .iter()
            .enumerate()
            .all(|(i, p)| f64_matches(p, lane(bits, 64, i))),
    }
}

fn f32_matches(pattern: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match pattern {
        NanPattern::CanonicalNan => nan::is_canonical_nan_f32(bits),
        NanPattern::ArithmeticNan => nan::is_arithmetic_nan_f32(bits),
        NanPattern::Value(e) => e.bits == bits,
    }
}

fn f64_matches(pattern: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    match pattern {
        NanPattern::CanonicalNan => nan::is_canonical_nan_f64(bits),
        NanPattern::ArithmeticNan => nan::is_arithmetic_nan_f64(bits),
        NanPattern::Value(e) => e.bits == bits,
    }
}

/// An expected value in script syntax.
fn describe_pattern(pattern: &WastRetCore<'_>) -> String {
    match pattern {
        WastRetCore::I32(v) => format!("i32.const {v}"),
        WastRetCore::I64(v) => format!("i64.const {v}"),
        WastRetCore::F32(p) => describe_nan_pattern("f32", p, |f| {
            format!("{} (0x{:08x})", f32::from_bits(f.bits), f.bits)
        }),
        WastRetCore::F64(p) => describe_nan_pattern("f64", p, |f| {
            format!("{} (0x{:016x})", f64::from_bits(f.bits), f.bits)
        }),
        WastRetCore::RefNull(None) => "ref.null".into(),
        WastRetCore::RefNull(Some(heap)) => format!("ref.null {}", heap_name(heap)),
        WastRetCore::RefFunc(_) => "ref.func (any non-null)".into(),
        WastRetCore::RefExtern(None) => "ref.extern (any non-null)".into(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::Either(options) => {
            let parts: Vec<String> = options.iter().map(describe_pattern).collect();
            format!("either({})", parts.join(" | "))
        }
        WastRetCore::V128(p) => format!("v128 {p:?}"),
        other => format!("{other:?}"),
    }
}

fn describe_nan_pattern<T>(ty: &str, p: &NanPattern<T>, value: impl Fn(&T) -> String) -> String {
    match p {
        NanPattern::CanonicalNan => format!("{ty}.const nan:canonical"),
        NanPattern::ArithmeticNan => format!("{ty}.const nan:arithmetic"),
        NanPattern::Value(v) => format!("{ty}.const {}", value(v)),
    }
}

fn heap_name(heap: &HeapType<'_>) -> String {
    match null_of(heap) {
        Some(Val::FuncRef(_)) => "func".into(),
        Some(Val::ExternRef(_)) => "extern".into(),
        _ => format!("{heap:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtier::Engine;

    /// Checks `actual` against the results of `(assert_return (invoke "f") <expected>)`.
    fn check(store: &Store<()>, actual: &[Val], expected: &str) -> Result<(), String> {
        let source = format!("(assert_return (invoke \"f\") {expected})");
        let buf = wast::parser::ParseBuffer::new(&source).expect("lexes");
        let script: wast::Wast<'_> = wast::parser::parse(&buf).expect("parses");
        let directive = script.directives.into_iter().next().expect("one directive");
        let wast::WastDirective::AssertReturn { results, .. } = directive else {
            panic!("not an assert_return")
        };
        check_results(store, actual, &results)
    }

    fn store() -> Store<()> {
        Store::new(&Engine::default(), ())
    }

    #[test]
    fn integers() {
        let s = store();
        assert!(check(&s, &[Val::I32(-1)], "(i32.const 0xffffffff)").is_ok());
        assert!(
            check(
                &s,
                &[Val::I64(5), Val::I32(1)],
                "(i64.const 5) (i32.const 1)"
            )
            .is_ok()
        );
        let err = check(&s, &[Val::I32(4)], "(i32.const 5)").unwrap_err();
        assert_eq!(err, "result 0: expected i32.const 5, got i32.const 4");
        assert!(
            check(&s, &[Val::I64(5)], "(i32.const 5)").is_err(),
            "type differs"
        );
        let err = check(&s, &[], "(i32.const 5)").unwrap_err();
        assert!(err.starts_with("expected 1 results, got 0"), "{err}");
    }

    #[test]
    fn floats_compare_bits_exactly() {
        let s = store();
        assert!(check(&s, &[Val::F32(0x8000_0000)], "(f32.const -0)").is_ok());
        assert!(check(&s, &[Val::F32(0)], "(f32.const -0)").is_err());
        assert!(
            check(
                &s,
                &[Val::F64(0x7ff4_0000_0000_0000)],
                "(f64.const nan:0x4000000000000)"
            )
            .is_ok()
        );
        assert!(
            check(
                &s,
                &[Val::F64(0x7ff8_0000_0000_0000)],
                "(f64.const nan:0x4000000000000)"
            )
            .is_err()
        );
    }

    #[test]
    fn nan_patterns() {
        let s = store();
        assert!(check(&s, &[Val::F32(0xffc0_0000)], "(f32.const nan:canonical)").is_ok());
        assert!(check(&s, &[Val::F32(0x7fc0_0001)], "(f32.const nan:canonical)").is_err());
        assert!(check(&s, &[Val::F32(0x7fc0_0001)], "(f32.const nan:arithmetic)").is_ok());
        assert!(check(&s, &[Val::F32(0x7fa0_0000)], "(f32.const nan:arithmetic)").is_err());
        assert!(
            check(
                &s,
                &[Val::F64(0x7ff8_0000_0000_0000)],
                "(f64.const nan:canonical)"
            )
            .is_ok()
        );
        assert!(
            check(
                &s,
                &[Val::F64(0x7ff8_0000_0000_0001)],
                "(f64.const nan:arithmetic)"
            )
            .is_ok()
        );
        assert!(
            check(
                &s,
                &[Val::F64(0x7ff0_0000_0000_0001)],
                "(f64.const nan:arithmetic)"
            )
            .is_err()
        );
    }

    #[test]
    fn references() {
        let mut s = store();
        let mut refs = crate::values::HostRefs::default();
        let one = Val::ExternRef(Some(refs.get(&mut s, 1)));
        assert!(check(&s, &[Val::FuncRef(None)], "(ref.null func)").is_ok());
        assert!(check(&s, &[Val::ExternRef(None)], "(ref.null func)").is_err());
        assert!(check(&s, &[Val::ExternRef(None)], "(ref.null extern)").is_ok());
        assert!(check(&s, &[Val::ExternRef(None)], "(ref.null)").is_ok());
        assert!(check(&s, &[one], "(ref.extern 1)").is_ok());
        assert!(check(&s, &[one], "(ref.extern 2)").is_err());
        assert!(check(&s, &[one], "(ref.extern)").is_ok());
        assert!(check(&s, &[Val::ExternRef(None)], "(ref.extern)").is_err());
        assert!(check(&s, &[Val::FuncRef(None)], "(ref.func)").is_err());
    }
}
