//! Numeric semantics where Rust's operators differ from wasm's: min/max (NaN and signed zero),
//! nearest (ties to even), and trapping float-to-int truncation. Saturating truncation is
//! Rust's `as` cast, which already saturates and maps NaN to 0.

use wasmtier_runtime::{TrapCode, raw_ref};

macro_rules! float_ops {
    ($t:ident, $min:ident, $max:ident, $nearest:ident, $quiet:ident) => {
        /// wasm `min`: NaN if either operand is NaN; -0 is less than +0.
        pub fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                return a + b;
            }
            if a == b {
                // Equal values can only differ in the sign of zero: prefer the negative one.
                return <$t>::from_bits(a.to_bits() | b.to_bits());
            }
            if a < b { a } else { b }
        }

        /// wasm `max`: NaN if either operand is NaN; +0 is greater than -0.
        pub fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                return a + b;
            }
            if a == b {
                return <$t>::from_bits(a.to_bits() & b.to_bits());
            }
            if a > b { a } else { b }
        }

        /// wasm `nearest`: round to the nearest integer, ties to even, keeping the sign of zero.
        pub fn $nearest(x: $t) -> $t {
            $quiet(x, <$t>::round_ties_even)
        }

        /// Runs a rounding function, except that a NaN comes back quieted: wasm requires an
        /// arithmetic NaN, but software rounding may return a signaling NaN unchanged.
        pub fn $quiet(x: $t, round: fn($t) -> $t) -> $t {
            if x.is_nan() { x + x } else { round(x) }
        }
    };
}

float_ops!(f32, f32_min, f32_max, f32_nearest, quiet_nan_or_f32);
float_ops!(f64, f64_min, f64_max, f64_nearest, quiet_nan_or_f64);

/// `i31.get_s`: null traps.
pub fn i31_get_s(raw: u64) -> Result<i32, TrapCode> {
    if raw == raw_ref::NULL {
        return Err(TrapCode::NullI31Ref);
    }
    Ok(raw_ref::i31_get_s(raw))
}

/// `i31.get_u`: null traps.
pub fn i31_get_u(raw: u64) -> Result<u32, TrapCode> {
    if raw == raw_ref::NULL {
        return Err(TrapCode::NullI31Ref);
    }
    Ok(raw_ref::i31_get_u(raw))
}

macro_rules! trunc {
    ($name:ident, $f:ty, $i:ty, $lo:expr, $hi:expr) => {
        /// Trapping truncation: NaN or a value whose truncation is out of range traps.
        /// `$lo` and `$hi` are exclusive float bounds of the representable range.
        pub fn $name(x: $f) -> Result<$i, TrapCode> {
            if x.is_nan() {
                return Err(TrapCode::BadConversionToInteger);
            }
            if !(x > $lo && x < $hi) {
                return Err(TrapCode::IntegerOverflow);
            }
            Ok(x as $i)
        }
    };
}

trunc!(i32_trunc_f32_s, f32, i32, -2147483904.0f32, 2147483648.0f32);
trunc!(i32_trunc_f32_u, f32, u32, -1.0f32, 4294967296.0f32);
trunc!(i32_trunc_f64_s, f64, i32, -2147483649.0f64, 2147483648.0f64);
trunc!(i32_trunc_f64_u, f64, u32, -1.0f64, 4294967296.0f64);
trunc!(
    i64_trunc_f32_s,
    f32,
    i64,
    -9223373136366403584.0f32,
    9223372036854775808.0f32
);
trunc!(
    i64_trunc_f32_u,
    f32,
    u64,
    -1.0f32,
    18446744073709551616.0f32
);
trunc!(
    i64_trunc_f64_s,
    f64,
    i64,
    -9223372036854777856.0f64,
    9223372036854775808.0f64
);
trunc!(
    i64_trunc_f64_u,
    f64,
    u64,
    -1.0f64,
    18446744073709551616.0f64
);

macro_rules! int_division {
    ($s:ty, $u:ty, $div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident) => {
        /// Signed division: traps on a zero divisor and on `MIN / -1`, which overflows.
        pub fn $div_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            match b {
                0 => Err(TrapCode::IntegerDivideByZero),
                -1 if a == <$s>::MIN => Err(TrapCode::IntegerOverflow),
                _ => Ok(a / b),
            }
        }

        pub fn $div_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            a.checked_div(b).ok_or(TrapCode::IntegerDivideByZero)
        }

        /// Signed remainder: traps on a zero divisor; `MIN % -1` is 0 in wasm.
        pub fn $rem_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else {
                Ok(a.wrapping_rem(b))
            }
        }

        pub fn $rem_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            a.checked_rem(b).ok_or(TrapCode::IntegerDivideByZero)
        }
    };
}

int_division!(i32, u32, i32_div_s, i32_div_u, i32_rem_s, i32_rem_u);
int_division!(i64, u64, i64_div_s, i64_div_u, i64_rem_s, i64_rem_u);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_signed_zero_and_nan() {
        assert!(f32_min(0.0, -0.0).is_sign_negative());
        assert!(f32_min(-0.0, 0.0).is_sign_negative());
        assert!(f32_max(-0.0, 0.0).is_sign_positive());
        assert!(f64_max(0.0, -0.0).is_sign_positive());
        assert!(f32_min(f32::NAN, 1.0).is_nan());
        assert!(f64_max(1.0, f64::NAN).is_nan());
        assert_eq!(f64_min(1.0, 2.0), 1.0);
        assert_eq!(f32_max(1.0, 2.0), 2.0);
    }

    #[test]
    fn nearest_ties_to_even() {
        assert_eq!(f32_nearest(2.5), 2.0);
        assert_eq!(f32_nearest(3.5), 4.0);
        assert_eq!(f64_nearest(-0.5).to_bits(), (-0.0f64).to_bits());
    }

    #[test]
    fn division_traps() {
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(i64_rem_s(i64::MIN, -1), Ok(0));
        assert_eq!(i32_div_u(1, 0), Err(TrapCode::IntegerDivideByZero));
        assert_eq!(i64_rem_u(7, 0), Err(TrapCode::IntegerDivideByZero));
        assert_eq!(i64_div_s(-7, 2), Ok(-3));
        assert_eq!(i32_rem_s(-7, 2), Ok(-1));
    }

    #[test]
    fn trunc_bounds() {
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        assert_eq!(
            i32_trunc_f32_s(2147483648.0),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(i32_trunc_f64_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(
            i32_trunc_f64_s(-2147483649.0),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(i32_trunc_f32_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_f64_u(4294967295.9), Ok(u32::MAX));
        assert_eq!(i64_trunc_f64_u(-1.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(
            i64_trunc_f32_s(f32::NAN),
            Err(TrapCode::BadConversionToInteger)
        );
        assert_eq!(i64_trunc_f64_s(-9223372036854775808.0), Ok(i64::MIN));
    }
}
