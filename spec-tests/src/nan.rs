//! Bit-level checks for the spec's NaN result patterns.
//!
//! `nan:canonical` and `nan:arithmetic` are defined on the raw bits, so they are checked here
//! on `u32`/`u64` rather than on Rust floats (whose NaN handling may canonicalise payloads).

const F32_EXPONENT: u32 = 0x7f80_0000;
const F32_QUIET: u32 = 0x0040_0000;
const F32_SIGN: u32 = 0x8000_0000;

const F64_EXPONENT: u64 = 0x7ff0_0000_0000_0000;
const F64_QUIET: u64 = 0x0008_0000_0000_0000;
const F64_SIGN: u64 = 0x8000_0000_0000_0000;

/// Exponent all ones and a payload of exactly the quiet bit; either sign.
pub(crate) fn is_canonical_nan_f32(bits: u32) -> bool {
    bits & !F32_SIGN == F32_EXPONENT | F32_QUIET
}

/// Exponent all ones and the quiet bit set; any other payload bits, either sign.
pub(crate) fn is_arithmetic_nan_f32(bits: u32) -> bool {
    bits & (F32_EXPONENT | F32_QUIET) == F32_EXPONENT | F32_QUIET
}

/// Exponent all ones and a payload of exactly the quiet bit; either sign.
pub(crate) fn is_canonical_nan_f64(bits: u64) -> bool {
    bits & !F64_SIGN == F64_EXPONENT | F64_QUIET
}

/// Exponent all ones and the quiet bit set; any other payload bits, either sign.
pub(crate) fn is_arithmetic_nan_f64(bits: u64) -> bool {
    bits & (F64_EXPONENT | F64_QUIET) == F64_EXPONENT | F64_QUIET
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f32_canonical() {
        assert!(is_canonical_nan_f32(0x7fc0_0000));
        assert!(is_canonical_nan_f32(0xffc0_0000));
        assert!(!is_canonical_nan_f32(0x7fc0_0001), "extra payload bit");
        assert!(!is_canonical_nan_f32(0x7fa0_0000), "signalling NaN");
        assert!(!is_canonical_nan_f32(0x7f80_0000), "infinity");
        assert!(!is_canonical_nan_f32(0x3fc0_0000), "a number");
    }

    #[test]
    fn f32_arithmetic() {
        assert!(is_arithmetic_nan_f32(0x7fc0_0000));
        assert!(is_arithmetic_nan_f32(0xffc0_0001));
        assert!(is_arithmetic_nan_f32(0x7fff_ffff));
        assert!(!is_arithmetic_nan_f32(0x7fa0_0000), "quiet bit clear");
        assert!(!is_arithmetic_nan_f32(0x7f80_0000), "infinity");
        assert!(!is_arithmetic_nan_f32(0x3fc0_0000), "exponent not all ones");
    }

    #[test]
    fn f64_canonical() {
        assert!(is_canonical_nan_f64(0x7ff8_0000_0000_0000));
        assert!(is_canonical_nan_f64(0xfff8_0000_0000_0000));
        assert!(!is_canonical_nan_f64(0x7ff8_0000_0000_0001));
        assert!(!is_canonical_nan_f64(0x7ff4_0000_0000_0000));
        assert!(!is_canonical_nan_f64(0x7ff0_0000_0000_0000));
        assert!(!is_canonical_nan_f64(f64::NAN.to_bits() & !F64_EXPONENT));
    }

    #[test]
    fn f64_arithmetic() {
        assert!(is_arithmetic_nan_f64(0x7ff8_0000_0000_0000));
        assert!(is_arithmetic_nan_f64(0xfff8_0000_0000_0001));
        assert!(is_arithmetic_nan_f64(0x7fff_ffff_ffff_ffff));
        assert!(!is_arithmetic_nan_f64(0x7ff4_0000_0000_0000));
        assert!(!is_arithmetic_nan_f64(0x7ff0_0000_0000_0000));
        assert!(!is_arithmetic_nan_f64(0x3ff8_0000_0000_0000));
    }
}
