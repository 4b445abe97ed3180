//! Converting command-line arguments to wasm values and results back to text.

use wasmtier::{Val, ValType};

/// Parses `text` as a value of type `ty`. The error says what was expected, without naming the
/// argument: the caller knows its position.
pub fn parse_val(text: &str, ty: ValType) -> Result<Val, String> {
    let parsed = match ty {
        ValType::I32 => parse_int(text, 32).map(|bits| Val::I32(bits as u32 as i32)),
        ValType::I64 => parse_int(text, 64).map(|bits| Val::I64(bits as u64 as i64)),
        ValType::F32 => text.parse::<f32>().ok().map(Val::from),
        ValType::F64 => text.parse::<f64>().ok().map(Val::from),
        // Only the null reference can be written on a command line (and a non-nullable
        // reference type has none).
        ValType::Ref(r) if !r.nullable => None,
        ValType::Ref(r) if r.is_func() => (text == "null").then_some(Val::FuncRef(None)),
        ValType::Ref(r) if r.heap.is_exn() => (text == "null").then_some(Val::ExnRef(None)),
        ValType::Ref(r) if r.heap.is_any() => (text == "null").then_some(Val::AnyRef(None)),
        ValType::Ref(_) => (text == "null").then_some(Val::ExternRef(None)),
        ValType::V128 => parse_u128(text).map(Val::V128),
    };
    parsed.ok_or_else(|| format!("`{text}` is not a valid {ty}{}", hint(ty)))
}

fn hint(ty: ValType) -> &'static str {
    match ty {
        ValType::I32 | ValType::I64 => " (expected a decimal or 0x-prefixed hex integer)",
        ValType::F32 | ValType::F64 => " (expected a decimal number, `nan` or `inf`)",
        ValType::Ref(r) if r.nullable => " (only `null` can be given)",
        ValType::Ref(_) => " (a non-null reference cannot be given on the command line)",
        ValType::V128 => " (expected a 128-bit decimal or 0x-prefixed hex integer)",
    }
}

/// Parses a decimal or `0x` hex integer, optionally signed, into the low `bits` bits.
/// Both the signed and the unsigned range are accepted (`-1` and `0xffffffff` are the same
/// i32), since wasm integers have no signedness of their own.
fn parse_int(text: &str, bits: u32) -> Option<i128> {
    let (negative, magnitude) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (digits, radix) = match magnitude
        .strip_prefix("0x")
        .or_else(|| magnitude.strip_prefix("0X"))
    {
        Some(hex) => (hex, 16),
        None => (magnitude, 10),
    };
    // `from_str_radix` accepts a `+` of its own; a second sign means malformed input.
    if digits.starts_with(['+', '-']) {
        return None;
    }
    let value = u64::from_str_radix(digits, radix).ok()?;
    let value = if negative {
        -(value as i128)
    } else {
        value as i128
    };
    let min = -(1i128 << (bits - 1));
    let max = (1i128 << bits) - 1;
    (min..=max).contains(&value).then_some(value)
}

/// Parses a v128 as one unsigned 128-bit integer, decimal or `0x` hex (as wasmtime does):
/// lane 0 is in the low bits.
fn parse_u128(text: &str) -> Option<u128> {
    if text.starts_with(['+', '-']) {
        return None;
    }
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) if !hex.starts_with(['+', '-']) => u128::from_str_radix(hex, 16).ok(),
        Some(_) => None,
        None => text.parse().ok(),
    }
}

/// Formats a result: integers as signed decimal, floats via Rust's `Display`, a v128 as 32
/// hex digits, references by kind.
pub fn format_val(val: &Val) -> String {
    match val {
        Val::I32(v) => v.to_string(),
        Val::I64(v) => v.to_string(),
        Val::F32(bits) => f32::from_bits(*bits).to_string(),
        Val::F64(bits) => f64::from_bits(*bits).to_string(),
        Val::V128(bits) => format!("{bits:#034x}"),
        Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) | Val::AnyRef(None) => {
            "null".to_string()
        }
        Val::AnyRef(Some(_)) => "anyref".to_string(),
        Val::ExnRef(Some(_)) => "exnref".to_string(),
        Val::FuncRef(Some(_)) => "funcref".to_string(),
        Val::ExternRef(Some(_)) => "externref".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i32_of(text: &str) -> Option<i32> {
        parse_val(text, ValType::I32).ok().and_then(|v| v.i32())
    }

    fn i64_of(text: &str) -> Option<i64> {
        parse_val(text, ValType::I64).ok().and_then(|v| v.i64())
    }

    #[test]
    fn v128_is_one_128_bit_integer() {
        let v = |t| parse_val(t, ValType::V128).ok().and_then(|v| v.v128());
        assert_eq!(v("0x0102"), Some(0x102));
        assert_eq!(
            v("340282366920938463463374607431768211455"),
            Some(u128::MAX)
        );
        assert_eq!(v("0x1ffffffffffffffffffffffffffffffff"), None);
        assert_eq!(v("-1"), None);
        assert_eq!(v("0x+1"), None);
        assert_eq!(
            format_val(&Val::V128(0x0102)),
            "0x00000000000000000000000000000102"
        );
    }

    #[test]
    fn integers() {
        assert_eq!(i32_of("42"), Some(42));
        assert_eq!(i32_of("-7"), Some(-7));
        assert_eq!(i32_of("+7"), Some(7));
        assert_eq!(i32_of("0x10"), Some(16));
        assert_eq!(i32_of("0xffffffff"), Some(-1));
        assert_eq!(i32_of("4294967295"), Some(-1));
        assert_eq!(i32_of("-2147483648"), Some(i32::MIN));
        assert_eq!(i32_of("-0x80000000"), Some(i32::MIN));
        assert_eq!(i32_of("4294967296"), None);
        assert_eq!(i32_of("-2147483649"), None);
        assert_eq!(i32_of("0x-1"), None);
        assert_eq!(i32_of("--1"), None);
        assert_eq!(i32_of("-+1"), None);
        assert_eq!(i32_of(""), None);
        assert_eq!(i32_of("-"), None);
        assert_eq!(i32_of("1.5"), None);
        assert_eq!(i32_of("abc"), None);
        assert_eq!(i64_of("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(i64_of("18446744073709551615"), Some(-1));
        assert_eq!(i64_of("0xffffffffffffffff"), Some(-1));
        assert_eq!(i64_of("18446744073709551616"), None);
    }

    #[test]
    fn floats() {
        let f = |t| parse_val(t, ValType::F64).ok().and_then(|v| v.f64());
        assert_eq!(f("1.5"), Some(1.5));
        assert_eq!(f("-inf"), Some(f64::NEG_INFINITY));
        assert!(f("nan").is_some_and(f64::is_nan));
        assert_eq!(f("1e3"), Some(1000.0));
        assert_eq!(f("x"), None);
        let g = |t| parse_val(t, ValType::F32).ok().and_then(|v| v.f32());
        assert_eq!(g("0.25"), Some(0.25));
    }

    #[test]
    fn errors_name_the_type() {
        let e = parse_val("x", ValType::I64).unwrap_err();
        assert!(e.contains("`x` is not a valid i64"), "{e}");
    }

    #[test]
    fn formatting() {
        assert_eq!(format_val(&Val::I32(-1)), "-1");
        assert_eq!(format_val(&Val::I64(i64::MIN)), "-9223372036854775808");
        assert_eq!(format_val(&Val::from(1.5f32)), "1.5");
        assert_eq!(format_val(&Val::from(f64::INFINITY)), "inf");
        assert_eq!(format_val(&Val::FuncRef(None)), "null");
    }
}
