//! Hand-checked values and edge cases for every table, and the check that the tables cover
//! wasmparser's SIMD operators exactly once. Ops are looked up by name through dispatchers
//! expanded from the tables, so every entry is also compiled here.

use super::*;

macro_rules! dispatch1 {
    ($fn_name:ident $arg:ty => $ret:ty; $([$name:ident |$a:ident| $e:expr])*) => {
        fn $fn_name(name: &str, v: $arg) -> $ret {
            match name {
                $(stringify!($name) => {
                    let $a = v;
                    $e
                })*
                _ => panic!("no such op: {name}"),
            }
        }
    };
}

macro_rules! dispatch2 {
    ($fn_name:ident $arg1:ty, $arg2:ty => $ret:ty; $([$name:ident |$a:ident, $b:ident| $e:expr])*) => {
        fn $fn_name(name: &str, v: $arg1, w: $arg2) -> $ret {
            match name {
                $(stringify!($name) => {
                    let ($a, $b) = (v, w);
                    $e
                })*
                _ => panic!("no such op: {name}"),
            }
        }
    };
}

macro_rules! dispatch3 {
    ($fn_name:ident $arg1:ty, $arg2:ty, $arg3:ty => $ret:ty;
        $([$name:ident |$a:ident, $b:ident, $c:ident| $e:expr])*) => {
        fn $fn_name(name: &str, v: $arg1, w: $arg2, z: $arg3) -> $ret {
            match name {
                $(stringify!($name) => {
                    let ($a, $b, $c) = (v, w, z);
                    $e
                })*
                _ => panic!("no such op: {name}"),
            }
        }
    };
}

macro_rules! dispatch_load {
    ($([$name:ident $bytes:literal |$raw:ident| $e:expr])*) => {
        /// The load's result and the number of bytes it reads.
        fn load(name: &str, v: u64) -> (u128, u32) {
            match name {
                $(stringify!($name) => {
                    let $raw = v;
                    ($e, $bytes)
                })*
                _ => panic!("no such op: {name}"),
            }
        }
    };
}

for_each_v128_unop!(dispatch1 unop u128 => u128;);
for_each_v128_binop!(dispatch2 binop u128, u128 => u128;);
for_each_v128_ternop!(dispatch3 ternop u128, u128, u128 => u128;);
for_each_v128_shift!(dispatch2 shift u128, u32 => u128;);
for_each_v128_test!(dispatch1 test u128 => u32;);
for_each_v128_splat!(dispatch1 splat u64 => u128;);
for_each_v128_extract!(dispatch2 extract u128, u8 => u64;);
for_each_v128_replace!(dispatch3 replace u128, u64, u8 => u128;);
for_each_v128_load_extend!(dispatch_load);

fn i8s(l: [i8; 16]) -> u128 {
    i8x16::join(l)
}
fn u8s(l: [u8; 16]) -> u128 {
    u8x16::join(l)
}
fn i16s(l: [i16; 8]) -> u128 {
    i16x8::join(l)
}
fn u16s(l: [u16; 8]) -> u128 {
    u16x8::join(l)
}
fn i32s(l: [i32; 4]) -> u128 {
    i32x4::join(l)
}
fn u32s(l: [u32; 4]) -> u128 {
    u32x4::join(l)
}
fn i64s(l: [i64; 2]) -> u128 {
    i64x2::join(l)
}
fn f32s(l: [f32; 4]) -> u128 {
    f32x4::join(l)
}
fn f64s(l: [f64; 2]) -> u128 {
    f64x2::join(l)
}
/// Float lanes as bit patterns, so that NaN and -0 compare exactly.
fn f32_bits(v: u128) -> [u32; 4] {
    u32x4::split(v)
}
fn f64_bits(v: u128) -> [u64; 2] {
    u64x2::split(v)
}

const SEQ: [i8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

#[test]
fn lane_layout_is_little_endian() {
    let v = 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100u128;
    assert_eq!(i8s(SEQ), v);
    assert_eq!(u8x16::split(v), SEQ.map(|x| x as u8));
    assert_eq!(u16x8::split(v)[0], 0x0100);
    assert_eq!(u16x8::split(v)[7], 0x0f0e);
    assert_eq!(
        u32x4::split(v),
        [0x0302_0100, 0x0706_0504, 0x0b0a_0908, 0x0f0e_0d0c]
    );
    assert_eq!(
        u64x2::split(v),
        [0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908]
    );
    assert_eq!(u16x8::join(u16x8::split(v)), v);
    assert_eq!(f64x2::join(f64x2::split(v)), v);
}

#[test]
fn simd_unop_integer() {
    assert_eq!(unop("V128Not", 0), u128::MAX);
    let mut l = [0i8; 16];
    l[0] = -128;
    l[1] = -5;
    l[2] = 7;
    let r = i8x16::split(unop("I8x16Abs", i8s(l)));
    assert_eq!(&r[..3], &[-128, 5, 7]);
    let r = i8x16::split(unop("I8x16Neg", i8s(l)));
    assert_eq!(&r[..3], &[-128, 5, -7]);
    assert_eq!(
        unop("I32x4Abs", i32s([i32::MIN, -1, 1, 0])),
        i32s([i32::MIN, 1, 1, 0])
    );
    assert_eq!(unop("I64x2Neg", i64s([i64::MIN, 3])), i64s([i64::MIN, -3]));
    let r = u8x16::split(unop(
        "I8x16Popcnt",
        u8s([0xff, 0x80, 0, 0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]),
    ));
    assert_eq!((r[0], r[1], r[2], r[3], r[15]), (8, 1, 0, 4, 2));
}

#[test]
fn simd_unop_extend_and_pairwise() {
    let mut l = SEQ;
    l[0] = -1;
    l[9] = -128;
    assert_eq!(
        unop("I16x8ExtendLowI8x16S", i8s(l)),
        i16s([-1, 1, 2, 3, 4, 5, 6, 7])
    );
    assert_eq!(
        unop("I16x8ExtendHighI8x16S", i8s(l)),
        i16s([8, -128, 10, 11, 12, 13, 14, 15])
    );
    assert_eq!(
        unop("I16x8ExtendLowI8x16U", i8s(l)),
        i16s([255, 1, 2, 3, 4, 5, 6, 7])
    );
    assert_eq!(
        unop("I16x8ExtendHighI8x16U", i8s(l)),
        i16s([8, 128, 10, 11, 12, 13, 14, 15])
    );
    let h = i16s([-2, 3, i16::MIN, -1, 9, 10, 11, 12]);
    assert_eq!(unop("I32x4ExtendLowI16x8S", h), i32s([-2, 3, -32768, -1]));
    assert_eq!(
        unop("I32x4ExtendLowI16x8U", h),
        i32s([65534, 3, 32768, 65535])
    );
    assert_eq!(unop("I32x4ExtendHighI16x8S", h), i32s([9, 10, 11, 12]));
    let w = i32s([-1, 2, i32::MIN, 4]);
    assert_eq!(unop("I64x2ExtendLowI32x4S", w), i64s([-1, 2]));
    assert_eq!(unop("I64x2ExtendLowI32x4U", w), i64s([0xffff_ffff, 2]));
    assert_eq!(unop("I64x2ExtendHighI32x4S", w), i64s([i32::MIN.into(), 4]));
    assert_eq!(unop("I64x2ExtendHighI32x4U", w), i64s([0x8000_0000, 4]));
    assert_eq!(
        unop("I16x8ExtAddPairwiseI8x16S", i8s([-128; 16])),
        i16s([-256; 8])
    );
    assert_eq!(
        unop("I16x8ExtAddPairwiseI8x16U", i8s([-1; 16])),
        i16s([510; 8])
    );
    assert_eq!(
        unop("I32x4ExtAddPairwiseI16x8S", i16s([i16::MIN; 8])),
        i32s([-65536; 4])
    );
    assert_eq!(
        unop("I32x4ExtAddPairwiseI16x8U", i16s([-1; 8])),
        i32s([131070; 4])
    );
}

#[test]
fn simd_unop_float_rounding() {
    let v = f32s([0.5, 1.5, 2.5, -0.5]);
    assert_eq!(
        f32_bits(unop("F32x4Nearest", v)),
        f32_bits(f32s([0.0, 2.0, 2.0, -0.0]))
    );
    assert_eq!(
        f32_bits(unop("F32x4Ceil", v)),
        f32_bits(f32s([1.0, 2.0, 3.0, -0.0]))
    );
    assert_eq!(
        f32_bits(unop("F32x4Floor", v)),
        f32_bits(f32s([0.0, 1.0, 2.0, -1.0]))
    );
    assert_eq!(
        f32_bits(unop("F32x4Trunc", v)),
        f32_bits(f32s([0.0, 1.0, 2.0, -0.0]))
    );
    let d = f64s([-2.5, 3.5]);
    assert_eq!(unop("F64x2Nearest", d), f64s([-2.0, 4.0]));
    assert_eq!(unop("F64x2Ceil", d), f64s([-2.0, 4.0]));
    assert_eq!(unop("F64x2Floor", d), f64s([-3.0, 3.0]));
    assert_eq!(unop("F64x2Trunc", d), f64s([-2.0, 3.0]));
    assert_eq!(
        unop("F32x4Sqrt", f32s([4.0, 2.25, 0.0, 1.0])),
        f32s([2.0, 1.5, 0.0, 1.0])
    );
    assert!(f32x4::split(unop("F32x4Sqrt", f32s([-1.0; 4])))[0].is_nan());
    assert_eq!(unop("F64x2Sqrt", f64s([9.0, 0.25])), f64s([3.0, 0.5]));
    // A signalling NaN comes back quiet (an arithmetic NaN).
    let snan = f32::from_bits(0x7f80_0001);
    for op in ["F32x4Ceil", "F32x4Floor", "F32x4Trunc", "F32x4Nearest"] {
        let r = f32_bits(unop(op, f32s([snan; 4])))[0];
        assert_eq!(r & 0x7fc0_0000, 0x7fc0_0000, "{op}");
    }
    let snan64 = f64::from_bits(0x7ff0_0000_0000_0001);
    for op in ["F64x2Ceil", "F64x2Floor", "F64x2Trunc", "F64x2Nearest"] {
        let r = f64_bits(unop(op, f64s([snan64; 2])))[1];
        assert_eq!(r & 0x7ff8_0000_0000_0000, 0x7ff8_0000_0000_0000, "{op}");
    }
}

#[test]
fn simd_unop_float_sign_bits() {
    let nan = f32::from_bits(0x7fc0_1234);
    let v = f32s([-0.0, 1.5, nan, -f32::INFINITY]);
    assert_eq!(
        f32_bits(unop("F32x4Abs", v)),
        [0, 1.5f32.to_bits(), 0x7fc0_1234, f32::INFINITY.to_bits()]
    );
    assert_eq!(
        f32_bits(unop("F32x4Neg", v)),
        [0, (-1.5f32).to_bits(), 0xffc0_1234, f32::INFINITY.to_bits()]
    );
    let d = f64s([-0.0, f64::from_bits(0x7ff8_0000_0000_0042)]);
    assert_eq!(f64_bits(unop("F64x2Abs", d)), [0, 0x7ff8_0000_0000_0042]);
    assert_eq!(f64_bits(unop("F64x2Neg", d)), [0, 0xfff8_0000_0000_0042]);
}

#[test]
fn simd_unop_conversions() {
    let v = f32s([f32::NAN, f32::INFINITY, -f32::INFINITY, 3e9]);
    assert_eq!(
        unop("I32x4TruncSatF32x4S", v),
        i32s([0, i32::MAX, i32::MIN, i32::MAX])
    );
    assert_eq!(
        unop("I32x4TruncSatF32x4U", v),
        u32s([0, u32::MAX, 0, 3_000_000_000])
    );
    let w = f32s([-1.9, -0.9, 2.9, 5e9]);
    assert_eq!(unop("I32x4TruncSatF32x4S", w), i32s([-1, 0, 2, i32::MAX]));
    assert_eq!(unop("I32x4TruncSatF32x4U", w), u32s([0, 0, 2, u32::MAX]));
    let d = f64s([-2147483648.9, 2147483647.9]);
    assert_eq!(
        unop("I32x4TruncSatF64x2SZero", d),
        i32s([i32::MIN, i32::MAX, 0, 0])
    );
    let d = f64s([-1e300, f64::NAN]);
    assert_eq!(
        unop("I32x4TruncSatF64x2SZero", d),
        i32s([i32::MIN, 0, 0, 0])
    );
    assert_eq!(unop("I32x4TruncSatF64x2UZero", d), i32s([0, 0, 0, 0]));
    let d = f64s([4294967295.5, 1e10]);
    assert_eq!(
        unop("I32x4TruncSatF64x2UZero", d),
        u32s([u32::MAX, u32::MAX, 0, 0])
    );
    // The relaxed truncations are the saturating ones.
    for (relaxed, sat, inputs) in [
        ("I32x4RelaxedTruncF32x4S", "I32x4TruncSatF32x4S", [v, w]),
        ("I32x4RelaxedTruncF32x4U", "I32x4TruncSatF32x4U", [v, w]),
        (
            "I32x4RelaxedTruncF64x2SZero",
            "I32x4TruncSatF64x2SZero",
            [d, f64s([f64::NAN, -3.5])],
        ),
        (
            "I32x4RelaxedTruncF64x2UZero",
            "I32x4TruncSatF64x2UZero",
            [d, f64s([f64::NAN, -3.5])],
        ),
    ] {
        for x in inputs {
            assert_eq!(unop(relaxed, x), unop(sat, x), "{relaxed}");
        }
    }

    let i = i32s([-1, i32::MIN, 16777217, 3]);
    assert_eq!(
        unop("F32x4ConvertI32x4S", i),
        f32s([-1.0, -2147483648.0, 16777216.0, 3.0])
    );
    assert_eq!(
        unop("F32x4ConvertI32x4U", i),
        f32s([4294967296.0, 2147483648.0, 16777216.0, 3.0])
    );
    assert_eq!(
        unop("F64x2ConvertLowI32x4S", i),
        f64s([-1.0, -2147483648.0])
    );
    assert_eq!(
        unop("F64x2ConvertLowI32x4U", i),
        f64s([4294967295.0, 2147483648.0])
    );
    let d = f64s([1.0 + f64::EPSILON, 1e300]);
    assert_eq!(
        unop("F32x4DemoteF64x2Zero", d),
        f32s([1.0, f32::INFINITY, 0.0, 0.0])
    );
    let n = f32x4::split(unop("F32x4DemoteF64x2Zero", f64s([f64::NAN, -0.0])));
    assert!(n[0].is_nan());
    assert_eq!(n[1].to_bits(), 0x8000_0000);
    let p = f32s([1.5, -0.0, 7.0, 8.0]);
    assert_eq!(
        f64_bits(unop("F64x2PromoteLowF32x4", p)),
        [1.5f64.to_bits(), 1 << 63]
    );
}

#[test]
fn simd_binop_bitwise_and_integer() {
    let (a, b) = (0xff00_ff00u128, 0x0ff0_0ff0u128);
    assert_eq!(binop("V128And", a, b), 0x0f00_0f00);
    assert_eq!(binop("V128AndNot", a, b), 0xf000_f000);
    assert_eq!(binop("V128Or", a, b), 0xfff0_fff0);
    assert_eq!(binop("V128Xor", a, b), 0xf0f0_f0f0);

    let x = i8s([127, -128, 100, -100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1]);
    let y = i8s([1, -1, 100, -100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    let r = i8x16::split(binop("I8x16Add", x, y));
    assert_eq!((r[0], r[1], r[2], r[3], r[15]), (-128, 127, -56, 56, 0));
    let r = i8x16::split(binop("I8x16AddSatS", x, y));
    assert_eq!((r[0], r[1], r[2], r[3], r[15]), (127, -128, 127, -128, 0));
    let r = u8x16::split(binop("I8x16AddSatU", x, y));
    assert_eq!((r[0], r[1], r[2], r[15]), (128, 255, 200, 255));
    let r = i8x16::split(binop("I8x16SubSatS", x, y));
    assert_eq!((r[0], r[1], r[15]), (126, -127, -2));
    let r = u8x16::split(binop("I8x16SubSatU", y, x));
    assert_eq!((r[0], r[1], r[2], r[15]), (0, 127, 0, 0));
    let r = i8x16::split(binop("I8x16Sub", x, y));
    assert_eq!((r[0], r[1]), (126, -127));
    let r = i8x16::split(binop("I8x16MinS", x, y));
    assert_eq!((r[0], r[1], r[15]), (1, -128, -1));
    let r = u8x16::split(binop("I8x16MinU", x, y));
    assert_eq!((r[0], r[1], r[15]), (1, 128, 1));
    let r = i8x16::split(binop("I8x16MaxS", x, y));
    assert_eq!((r[0], r[1], r[15]), (127, -1, 1));
    let r = u8x16::split(binop("I8x16MaxU", x, y));
    assert_eq!((r[0], r[1], r[15]), (127, 255, 255));
    let r = u8x16::split(binop(
        "I8x16AvgrU",
        u8s([255, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        u8s([255, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ));
    assert_eq!(&r[..4], &[255, 1, 2, 2]);
    assert_eq!(
        binop(
            "I16x8AvgrU",
            u16s([65535, 0, 1, 2, 0, 0, 0, 0]),
            u16s([65535, 1, 2, 2, 0, 0, 0, 0])
        ),
        u16s([65535, 1, 2, 2, 0, 0, 0, 0])
    );

    let h = i16s([i16::MAX, i16::MIN, -2, 300, 0, 0, 0, 1]);
    let k = i16s([1, -1, 3, 300, 0, 0, 0, -1]);
    assert_eq!(
        binop("I16x8Add", h, k),
        i16s([i16::MIN, i16::MAX, 1, 600, 0, 0, 0, 0])
    );
    assert_eq!(
        binop("I16x8AddSatS", h, k),
        i16s([i16::MAX, i16::MIN, 1, 600, 0, 0, 0, 0])
    );
    assert_eq!(
        binop("I16x8AddSatU", h, k),
        i16s([-32768, -1, -1, 600, 0, 0, 0, -1])
    );
    assert_eq!(
        binop("I16x8SubSatS", h, k),
        i16s([32766, -32767, -5, 0, 0, 0, 0, 2])
    );
    assert_eq!(
        binop("I16x8SubSatU", k, h),
        i16s([0, 32767, 0, 0, 0, 0, 0, -2])
    );
    assert_eq!(
        binop("I16x8Mul", h, k),
        i16s([i16::MAX, i16::MIN, -6, 24464, 0, 0, 0, -1])
    );
    assert_eq!(
        binop("I16x8MinS", h, k),
        i16s([1, i16::MIN, -2, 300, 0, 0, 0, -1])
    );
    assert_eq!(
        binop("I16x8MaxU", h, k),
        i16s([i16::MAX, -1, -2, 300, 0, 0, 0, -1])
    );

    let w = i32s([i32::MAX, i32::MIN, -7, 65536]);
    let z = i32s([1, -1, 3, 65536]);
    assert_eq!(
        binop("I32x4Add", w, z),
        i32s([i32::MIN, i32::MAX, -4, 131072])
    );
    assert_eq!(
        binop("I32x4Sub", w, z),
        i32s([i32::MAX - 1, -i32::MAX, -10, 0])
    );
    assert_eq!(binop("I32x4Mul", w, z), i32s([i32::MAX, i32::MIN, -21, 0]));
    assert_eq!(binop("I32x4MinS", w, z), i32s([1, i32::MIN, -7, 65536]));
    assert_eq!(binop("I32x4MinU", w, z), i32s([1, i32::MIN, 3, 65536]));
    assert_eq!(binop("I32x4MaxS", w, z), i32s([i32::MAX, -1, 3, 65536]));
    assert_eq!(binop("I32x4MaxU", w, z), i32s([i32::MAX, -1, -7, 65536]));
    let q = i64s([i64::MAX, 1 << 40]);
    assert_eq!(
        binop("I64x2Add", q, i64s([1, 1 << 40])),
        i64s([i64::MIN, 1 << 41])
    );
    assert_eq!(
        binop("I64x2Sub", i64s([i64::MIN, 0]), i64s([1, 1])),
        i64s([i64::MAX, -1])
    );
    assert_eq!(binop("I64x2Mul", q, i64s([2, 1 << 30])), i64s([-2, 0]));
}

#[test]
fn simd_binop_comparisons() {
    let x = i8s([-1, 0, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let y = i8s([1, 0, 4, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let lo4 = |v: u128| u8x16::split(v)[..4].to_vec();
    assert_eq!(lo4(binop("I8x16Eq", x, y)), [0, 255, 0, 0]);
    assert_eq!(lo4(binop("I8x16Ne", x, y)), [255, 0, 255, 255]);
    assert_eq!(lo4(binop("I8x16LtS", x, y)), [255, 0, 0, 255]);
    assert_eq!(lo4(binop("I8x16LtU", x, y)), [0, 0, 0, 255]);
    assert_eq!(lo4(binop("I8x16GtS", x, y)), [0, 0, 255, 0]);
    assert_eq!(lo4(binop("I8x16GtU", x, y)), [255, 0, 255, 0]);
    assert_eq!(lo4(binop("I8x16LeS", x, y)), [255, 255, 0, 255]);
    assert_eq!(lo4(binop("I8x16LeU", x, y)), [0, 255, 0, 255]);
    assert_eq!(lo4(binop("I8x16GeS", x, y)), [0, 255, 255, 0]);
    assert_eq!(lo4(binop("I8x16GeU", x, y)), [255, 255, 255, 0]);
    let h = i16s([-1, 2, 0, 0, 0, 0, 0, 0]);
    let k = i16s([1, 2, 0, 0, 0, 0, 0, 1]);
    assert_eq!(binop("I16x8LtS", h, k), i16s([-1, 0, 0, 0, 0, 0, 0, -1]));
    assert_eq!(
        binop("I16x8GeU", h, k),
        i16s([-1, -1, -1, -1, -1, -1, -1, 0])
    );
    let w = i32s([-1, 2, 3, i32::MIN]);
    let z = i32s([1, 2, 4, 0]);
    assert_eq!(binop("I32x4GtU", w, z), i32s([-1, 0, 0, -1]));
    assert_eq!(binop("I32x4LeS", w, z), i32s([-1, -1, -1, -1]));
    assert_eq!(
        binop("I64x2LtS", i64s([-1, 5]), i64s([0, 5])),
        i64s([-1, 0])
    );
    assert_eq!(
        binop("I64x2GeS", i64s([-1, 5]), i64s([0, 5])),
        i64s([0, -1])
    );
    assert_eq!(binop("I64x2Ne", i64s([-1, 5]), i64s([0, 5])), i64s([-1, 0]));
    // NaN compares unequal to everything, itself included; -0 == +0.
    let f = f32s([f32::NAN, -0.0, 1.0, 2.0]);
    let g = f32s([f32::NAN, 0.0, 2.0, 1.0]);
    assert_eq!(binop("F32x4Eq", f, g), i32s([0, -1, 0, 0]));
    assert_eq!(binop("F32x4Ne", f, g), i32s([-1, 0, -1, -1]));
    assert_eq!(binop("F32x4Lt", f, g), i32s([0, 0, -1, 0]));
    assert_eq!(binop("F32x4Le", f, g), i32s([0, -1, -1, 0]));
    assert_eq!(binop("F32x4Gt", f, g), i32s([0, 0, 0, -1]));
    assert_eq!(binop("F32x4Ge", f, g), i32s([0, -1, 0, -1]));
    let d = f64s([f64::NAN, 1.0]);
    let e = f64s([1.0, 1.0]);
    assert_eq!(binop("F64x2Eq", d, e), i64s([0, -1]));
    assert_eq!(binop("F64x2Ne", d, e), i64s([-1, 0]));
    assert_eq!(binop("F64x2Lt", d, e), i64s([0, 0]));
    assert_eq!(binop("F64x2Ge", d, e), i64s([0, -1]));
}

#[test]
fn simd_binop_narrow_saturates() {
    let a = i16s([300, -300, 127, -128, 128, -129, 0, -1]);
    let b = i16s([1, 2, 3, 4, 5, 6, 255, 256]);
    assert_eq!(
        binop("I8x16NarrowI16x8S", a, b),
        i8s([
            127, -128, 127, -128, 127, -128, 0, -1, 1, 2, 3, 4, 5, 6, 127, 127
        ])
    );
    assert_eq!(
        binop("I8x16NarrowI16x8U", a, b),
        u8s([255, 0, 127, 0, 128, 0, 0, 0, 1, 2, 3, 4, 5, 6, 255, 255])
    );
    let w = i32s([70000, -70000, -1, 65535]);
    let z = i32s([32768, -32769, 1, 2]);
    assert_eq!(
        binop("I16x8NarrowI32x4S", w, z),
        i16s([32767, -32768, -1, 32767, 32767, -32768, 1, 2])
    );
    assert_eq!(
        binop("I16x8NarrowI32x4U", w, z),
        u16s([65535, 0, 0, 65535, 32768, 0, 1, 2])
    );
}

#[test]
fn simd_binop_extmul_dot_q15() {
    let mut a = SEQ;
    a[0] = -128;
    a[8] = -1;
    let b = i8s([-128; 16]);
    assert_eq!(
        binop("I16x8ExtMulLowI8x16S", i8s(a), b),
        i16s([16384, -128, -256, -384, -512, -640, -768, -896])
    );
    assert_eq!(
        binop("I16x8ExtMulHighI8x16S", i8s(a), b),
        i16s([128, -1152, -1280, -1408, -1536, -1664, -1792, -1920])
    );
    assert_eq!(
        binop("I16x8ExtMulLowI8x16U", i8s(a), b),
        u16s([16384, 128, 256, 384, 512, 640, 768, 896])
    );
    assert_eq!(
        binop("I16x8ExtMulHighI8x16U", i8s([-1; 16]), i8s([-1; 16])),
        u16s([65025; 8])
    );
    let h = i16s([i16::MIN, -1, 2, 3, 4, 5, 6, -7]);
    assert_eq!(
        binop("I32x4ExtMulLowI16x8S", h, h),
        i32s([1 << 30, 1, 4, 9])
    );
    assert_eq!(
        binop("I32x4ExtMulHighI16x8S", h, i16s([2; 8])),
        i32s([8, 10, 12, -14])
    );
    assert_eq!(
        binop("I32x4ExtMulLowI16x8U", h, h),
        u32s([1 << 30, 65535 * 65535, 4, 9])
    );
    assert_eq!(
        binop("I32x4ExtMulHighI16x8U", h, i16s([2; 8])),
        u32s([8, 10, 12, 131058])
    );
    let w = i32s([i32::MIN, -1, 3, u32::MAX as i32]);
    assert_eq!(binop("I64x2ExtMulLowI32x4S", w, w), i64s([1 << 62, 1]));
    assert_eq!(binop("I64x2ExtMulHighI32x4S", w, w), i64s([9, 1]));
    assert_eq!(
        binop("I64x2ExtMulLowI32x4U", w, w),
        i64s([1 << 62, (0xffff_fffe_0000_0001u64) as i64])
    );
    assert_eq!(
        binop("I64x2ExtMulHighI32x4U", w, w),
        i64s([9, (0xffff_fffe_0000_0001u64) as i64])
    );

    // Dot: each pair of i32 products summed, wrapping (only MIN * MIN twice overflows).
    let p = i16s([1, 2, 3, 4, i16::MIN, i16::MIN, -5, 6]);
    let q = i16s([5, 6, 7, 8, i16::MIN, i16::MIN, 7, -8]);
    assert_eq!(binop("I32x4DotI16x8S", p, q), i32s([17, 53, i32::MIN, -83]));

    // Q15: rounded, and saturated for -1 * -1.
    let x = i16s([i16::MIN, 16384, -16384, 1, i16::MAX, i16::MIN, 0x4000, -1]);
    let y = i16s([i16::MIN, 16384, 16384, 1, i16::MAX, i16::MAX, 1, 1]);
    let expected = i16s([i16::MAX, 8192, -8192, 0, 32766, -32767, 1, 0]);
    assert_eq!(binop("I16x8Q15MulrSatS", x, y), expected);
    assert_eq!(binop("I16x8RelaxedQ15mulrS", x, y), expected);
}

#[test]
fn simd_binop_swizzle() {
    let a = i8s(SEQ) + 0x1010_1010_1010_1010_1010_1010_1010_1010;
    let s = u8s([15, 0, 16, 255, 128, 17, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x8f]);
    let expected = u8s([
        0x1f, 0x10, 0, 0, 0, 0, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0,
    ]);
    assert_eq!(binop("I8x16Swizzle", a, s), expected);
    assert_eq!(binop("I8x16RelaxedSwizzle", a, s), expected);
}

#[test]
fn simd_binop_float_arith_min_max() {
    let a = f32s([1.5, -2.0, 1e38, 0.1]);
    let b = f32s([0.5, 4.0, 1e38, 0.2]);
    assert_eq!(binop("F32x4Add", a, b), f32s([2.0, 2.0, 2e38, 0.1 + 0.2]));
    assert_eq!(binop("F32x4Sub", a, b), f32s([1.0, -6.0, 0.0, 0.1 - 0.2]));
    assert_eq!(
        binop("F32x4Mul", a, b),
        f32s([0.75, -8.0, f32::INFINITY, 0.1 * 0.2])
    );
    assert_eq!(binop("F32x4Div", a, b), f32s([3.0, -0.5, 1.0, 0.5]));
    assert_eq!(
        binop("F64x2Div", f64s([1.0, -1.0]), f64s([0.0, 4.0])),
        f64s([f64::INFINITY, -0.25])
    );
    assert_eq!(
        binop("F64x2Add", f64s([1.0, 2.0]), f64s([0.5, -2.0])),
        f64s([1.5, 0.0])
    );
    assert_eq!(
        binop("F64x2Sub", f64s([1.0, 2.0]), f64s([0.5, -2.0])),
        f64s([0.5, 4.0])
    );
    assert_eq!(
        binop("F64x2Mul", f64s([1.0, 2.0]), f64s([0.5, -2.0])),
        f64s([0.5, -4.0])
    );

    let nan = f32::from_bits(0x7fc0_0000);
    let x = f32s([nan, 1.0, -0.0, 0.0]);
    let y = f32s([1.0, nan, 0.0, -0.0]);
    for op in ["F32x4Min", "F32x4RelaxedMin"] {
        let r = f32x4::split(binop(op, x, y));
        assert!(r[0].is_nan() && r[1].is_nan(), "{op}");
        assert_eq!(r[2].to_bits(), 0x8000_0000, "{op}");
        assert_eq!(r[3].to_bits(), 0x8000_0000, "{op}");
    }
    for op in ["F32x4Max", "F32x4RelaxedMax"] {
        let r = f32x4::split(binop(op, x, y));
        assert!(r[0].is_nan() && r[1].is_nan(), "{op}");
        assert_eq!(r[2].to_bits(), 0, "{op}");
        assert_eq!(r[3].to_bits(), 0, "{op}");
    }
    assert_eq!(binop("F32x4Min", a, b), f32s([0.5, -2.0, 1e38, 0.1]));
    assert_eq!(binop("F32x4Max", a, b), f32s([1.5, 4.0, 1e38, 0.2]));
    // pmin/pmax keep the first operand unless the second is strictly less/greater, so a NaN
    // in either place and zeros of either sign give `a`, bit for bit (even a signalling NaN).
    let weird = f32::from_bits(0x7fa0_0001);
    let p = f32s([weird, 1.0, -0.0, 0.0]);
    let q = f32s([1.0, weird, 0.0, -0.0]);
    assert_eq!(f32_bits(binop("F32x4PMin", p, q)), f32_bits(p));
    assert_eq!(f32_bits(binop("F32x4PMax", p, q)), f32_bits(p));
    assert_eq!(binop("F32x4PMin", a, b), f32s([0.5, -2.0, 1e38, 0.1]));
    assert_eq!(binop("F32x4PMax", a, b), f32s([1.5, 4.0, 1e38, 0.2]));

    let d = f64s([f64::NAN, -0.0]);
    let e = f64s([-1.0, 0.0]);
    for op in ["F64x2Min", "F64x2RelaxedMin"] {
        let r = f64x2::split(binop(op, d, e));
        assert!(r[0].is_nan(), "{op}");
        assert_eq!(r[1].to_bits(), 1 << 63, "{op}");
    }
    for op in ["F64x2Max", "F64x2RelaxedMax"] {
        let r = f64x2::split(binop(op, e, d));
        assert!(r[0].is_nan(), "{op}");
        assert_eq!(r[1].to_bits(), 0, "{op}");
    }
    assert_eq!(f64_bits(binop("F64x2PMin", e, d)), f64_bits(e));
    assert_eq!(f64_bits(binop("F64x2PMax", d, e)), f64_bits(d));
    assert_eq!(
        binop("F64x2PMin", f64s([2.0, 1.0]), f64s([1.0, 2.0])),
        f64s([1.0, 1.0])
    );
    assert_eq!(
        binop("F64x2PMax", f64s([2.0, 1.0]), f64s([1.0, 2.0])),
        f64s([2.0, 2.0])
    );
}

#[test]
fn simd_relaxed_dot() {
    // The spec tests' values (relaxed_dot_product.wast).
    assert_eq!(
        binop("I16x8RelaxedDotI8x16I7x16S", i8s(SEQ), i8s(SEQ)),
        i16s([1, 13, 41, 85, 145, 221, 313, 421])
    );
    let mut a = [0i8; 16];
    a[..4].copy_from_slice(&[-128, -128, 127, 127]);
    let mut b = [0i8; 16];
    b[..4].copy_from_slice(&[127; 4]);
    assert_eq!(
        binop("I16x8RelaxedDotI8x16I7x16S", i8s(a), i8s(b)),
        i16s([-32512, 32258, 0, 0, 0, 0, 0, 0])
    );
    // A second operand with its top bit set is read as signed; the pair sum saturates.
    let mut a = [0i8; 16];
    a[..4].copy_from_slice(&[-128, -128, -128, -128]);
    let mut b = [0i8; 16];
    b[..4].copy_from_slice(&[-127, -127, -128, -128]);
    assert_eq!(
        binop("I16x8RelaxedDotI8x16I7x16S", i8s(a), i8s(b)),
        i16s([32512, 32767, 0, 0, 0, 0, 0, 0])
    );

    assert_eq!(
        ternop(
            "I32x4RelaxedDotI8x16I7x16AddS",
            i8s(SEQ),
            i8s(SEQ),
            i32s([0, 1, 2, 3])
        ),
        i32s([14, 127, 368, 737])
    );
    let mut a = [0i8; 16];
    a[..8].copy_from_slice(&[-128, -128, -128, -128, 127, 127, 127, 127]);
    let mut b = [0i8; 16];
    b[..8].copy_from_slice(&[127; 8]);
    assert_eq!(
        ternop(
            "I32x4RelaxedDotI8x16I7x16AddS",
            i8s(a),
            i8s(b),
            i32s([1, 2, 3, 4])
        ),
        i32s([-65023, 64518, 3, 4])
    );
    let mut b = [0i8; 16];
    b[..8].copy_from_slice(&[-127, -127, -127, -127, -128, -128, -128, -128]);
    a[4..8].copy_from_slice(&[-128; 4]);
    assert_eq!(
        ternop(
            "I32x4RelaxedDotI8x16I7x16AddS",
            i8s(a),
            i8s(b),
            i32s([1, 2, 3, i32::MAX])
        ),
        i32s([65025, 65536, 3, i32::MAX])
    );
    // The accumulation wraps.
    assert_eq!(
        ternop(
            "I32x4RelaxedDotI8x16I7x16AddS",
            i8s(SEQ),
            i8s(SEQ),
            i32s([i32::MAX, 0, 0, 0])
        ),
        i32s([i32::MIN + 13, 126, 366, 734])
    );
}

#[test]
fn simd_ternop() {
    let a = 0xaaaa_aaaa_aaaa_aaaa_0000_0000_ffff_ffffu128;
    let b = 0x5555_5555_5555_5555_ffff_ffff_0000_0000u128;
    let c = 0xff00_ff00_ff00_ff00_0f0f_0f0f_1234_5678u128;
    let expected = (a & c) | (b & !c);
    assert_eq!(expected, 0xaa55_aa55_aa55_aa55_f0f0_f0f0_1234_5678);
    for op in [
        "V128Bitselect",
        "I8x16RelaxedLaneselect",
        "I16x8RelaxedLaneselect",
        "I32x4RelaxedLaneselect",
        "I64x2RelaxedLaneselect",
    ] {
        assert_eq!(ternop(op, a, b, c), expected, "{op}");
    }

    // a * b = 1 + 2^-11 + 2^-24 rounds to 1 + 2^-11 (a tie, to even) before c is added:
    // unfused gives 0 where a fused multiply-add would give 2^-24.
    let e = 1.0 + 2f32.powi(-12);
    let r = f32x4::split(ternop(
        "F32x4RelaxedMadd",
        f32s([e, 2.0, 1.0, f32::NAN]),
        f32s([e, 3.0, -1.0, 1.0]),
        f32s([-(1.0 + 2f32.powi(-11)), 1.0, 1.0, 1.0]),
    ));
    assert_eq!(&r[..3], &[0.0, 7.0, 0.0]);
    assert!(r[3].is_nan());
    let r = f32x4::split(ternop(
        "F32x4RelaxedNmadd",
        f32s([e, 2.0, 1.0, 0.0]),
        f32s([e, 3.0, -1.0, 0.0]),
        f32s([1.0 + 2f32.powi(-11), 1.0, 1.0, -0.0]),
    ));
    assert_eq!(&r[..3], &[0.0, -5.0, 2.0]);
    assert_eq!(r[3].to_bits(), 0x8000_0000);
    let e = 1.0 + 2f64.powi(-27);
    let r = f64x2::split(ternop(
        "F64x2RelaxedMadd",
        f64s([e, 2.0]),
        f64s([e, 3.0]),
        f64s([-(1.0 + 2f64.powi(-26)), 1.0]),
    ));
    assert_eq!(r, [0.0, 7.0]);
    let r = f64x2::split(ternop(
        "F64x2RelaxedNmadd",
        f64s([e, 2.0]),
        f64s([e, 3.0]),
        f64s([1.0 + 2f64.powi(-26), 1.0]),
    ));
    assert_eq!(r, [0.0, -5.0]);
}

#[test]
fn simd_shift_counts_wrap() {
    let a = i8s([-128, 1, 64, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let lo4 = |v: u128| i8x16::split(v)[..4].to_vec();
    assert_eq!(lo4(shift("I8x16Shl", a, 1)), [0, 2, -128, -2]);
    assert_eq!(lo4(shift("I8x16Shl", a, 9)), [0, 2, -128, -2]);
    assert_eq!(lo4(shift("I8x16Shl", a, 8)), [-128, 1, 64, -1]);
    assert_eq!(lo4(shift("I8x16ShrS", a, 7)), [-1, 0, 0, -1]);
    assert_eq!(lo4(shift("I8x16ShrS", a, 15)), [-1, 0, 0, -1]);
    assert_eq!(lo4(shift("I8x16ShrU", a, 7)), [1, 0, 0, 1]);
    assert_eq!(lo4(shift("I8x16ShrU", a, u32::MAX)), [1, 0, 0, 1]);
    let h = i16s([i16::MIN, 1, -2, 0, 0, 0, 0, 3]);
    assert_eq!(shift("I16x8Shl", h, 17), i16s([0, 2, -4, 0, 0, 0, 0, 6]));
    assert_eq!(shift("I16x8ShrS", h, 16), h);
    assert_eq!(shift("I16x8ShrS", h, 15), i16s([-1, 0, -1, 0, 0, 0, 0, 0]));
    assert_eq!(shift("I16x8ShrU", h, 31), i16s([1, 0, 1, 0, 0, 0, 0, 0]));
    let w = i32s([i32::MIN, 1, -1, 8]);
    assert_eq!(shift("I32x4Shl", w, 33), i32s([0, 2, -2, 16]));
    assert_eq!(shift("I32x4ShrS", w, 32), w);
    assert_eq!(shift("I32x4ShrS", w, 35), i32s([-(1 << 28), 0, -1, 1]));
    assert_eq!(shift("I32x4ShrU", w, 31), i32s([1, 0, 1, 0]));
    let q = i64s([i64::MIN, 3]);
    assert_eq!(shift("I64x2Shl", q, 64), q);
    assert_eq!(shift("I64x2Shl", q, 65), i64s([0, 6]));
    assert_eq!(shift("I64x2ShrS", q, 127), i64s([-1, 0]));
    assert_eq!(shift("I64x2ShrU", q, 63), i64s([1, 0]));
}

#[test]
fn simd_test_ops() {
    assert_eq!(test("V128AnyTrue", 0), 0);
    assert_eq!(test("V128AnyTrue", 1 << 127), 1);
    let mut l = [1i8; 16];
    assert_eq!(test("I8x16AllTrue", i8s(l)), 1);
    l[15] = 0;
    assert_eq!(test("I8x16AllTrue", i8s(l)), 0);
    // 0x0100 lanes are nonzero as i16 though half their bytes are zero.
    assert_eq!(test("I16x8AllTrue", i16s([0x0100; 8])), 1);
    assert_eq!(test("I8x16AllTrue", i16s([0x0100; 8])), 0);
    assert_eq!(test("I16x8AllTrue", i16s([1, 1, 1, 0, 1, 1, 1, 1])), 0);
    assert_eq!(test("I32x4AllTrue", i32s([1 << 31, 1, 2, 3])), 1);
    assert_eq!(test("I32x4AllTrue", i32s([1 << 31, 0, 2, 3])), 0);
    assert_eq!(test("I64x2AllTrue", i64s([1 << 40, 1])), 1);
    assert_eq!(test("I64x2AllTrue", i64s([0, 1])), 0);

    let mut l = [0i8; 16];
    for i in (0..16).step_by(2) {
        l[i] = -1;
    }
    l[15] = -128;
    l[1] = 127;
    assert_eq!(test("I8x16Bitmask", i8s(l)), 0b1101_0101_0101_0101);
    assert_eq!(
        test("I16x8Bitmask", i16s([-1, 0, 0, 0, 0, 0, 0, i16::MIN])),
        0b1000_0001
    );
    assert_eq!(
        test("I32x4Bitmask", i32s([0, -5, i32::MAX, i32::MIN])),
        0b1010
    );
    assert_eq!(test("I64x2Bitmask", i64s([-1, 1])), 0b01);
    assert_eq!(test("I64x2Bitmask", i64s([1, i64::MIN])), 0b10);
}

#[test]
fn simd_splat_extract_replace() {
    assert_eq!(splat("I8x16Splat", 0x1ff), u128::MAX);
    assert_eq!(
        splat("I8x16Splat", 0x0102),
        0x0202_0202_0202_0202_0202_0202_0202_0202
    );
    assert_eq!(splat("I16x8Splat", 0xffff_8001), u16s([0x8001; 8]));
    assert_eq!(splat("I32x4Splat", 0xdead_beef), u32s([0xdead_beef; 4]));
    assert_eq!(
        splat("I64x2Splat", 0x0123_4567_89ab_cdef),
        i64s([0x0123_4567_89ab_cdef; 2])
    );
    assert_eq!(
        splat("F32x4Splat", u64::from((-1.5f32).to_bits())),
        f32s([-1.5; 4])
    );
    assert_eq!(splat("F64x2Splat", 2.25f64.to_bits()), f64s([2.25; 2]));

    let mut l = SEQ;
    l[5] = -2;
    let v = i8s(l);
    assert_eq!(extract("I8x16ExtractLaneS", v, 5), 0xffff_fffe);
    assert_eq!(extract("I8x16ExtractLaneU", v, 5), 0xfe);
    assert_eq!(extract("I8x16ExtractLaneS", v, 15), 15);
    let h = i16s([0, 1, -3, 3, 4, 5, 6, 0x7fff]);
    assert_eq!(extract("I16x8ExtractLaneS", h, 2), 0xffff_fffd);
    assert_eq!(extract("I16x8ExtractLaneU", h, 2), 0xfffd);
    assert_eq!(extract("I16x8ExtractLaneS", h, 7), 0x7fff);
    assert_eq!(
        extract("I32x4ExtractLane", i32s([0, -1, 2, 3]), 1),
        0xffff_ffff
    );
    assert_eq!(extract("I64x2ExtractLane", i64s([5, -1]), 1), u64::MAX);
    assert_eq!(
        extract("F32x4ExtractLane", f32s([0.0, 0.0, 0.0, -2.0]), 3),
        u64::from((-2.0f32).to_bits())
    );
    assert_eq!(
        extract("F64x2ExtractLane", f64s([-0.5, 0.0]), 0),
        (-0.5f64).to_bits()
    );

    assert_eq!(
        replace("I8x16ReplaceLane", 0, 0x1_2345_67ab, 15),
        0xab00_0000_0000_0000_0000_0000_0000_0000
    );
    assert_eq!(
        replace("I16x8ReplaceLane", u128::MAX, 0x1234, 3),
        u16s([
            0xffff, 0xffff, 0xffff, 0x1234, 0xffff, 0xffff, 0xffff, 0xffff
        ])
    );
    assert_eq!(
        replace(
            "I32x4ReplaceLane",
            i32s([1, 2, 3, 4]),
            0xffff_ffff_0000_0009,
            0
        ),
        i32s([9, 2, 3, 4])
    );
    assert_eq!(
        replace("I64x2ReplaceLane", i64s([1, 2]), u64::MAX, 1),
        i64s([1, -1])
    );
    assert_eq!(
        replace(
            "F32x4ReplaceLane",
            f32s([1.0; 4]),
            u64::from(0.5f32.to_bits()),
            2
        ),
        f32s([1.0, 1.0, 0.5, 1.0])
    );
    assert_eq!(
        replace("F64x2ReplaceLane", f64s([1.0; 2]), 0.5f64.to_bits(), 0),
        f64s([0.5, 1.0])
    );
}

#[test]
fn simd_loads() {
    let raw = 0x8081_7f00_ff01_0203u64;
    assert_eq!(
        load("V128Load8x8S", raw),
        (i16s([3, 2, 1, -1, 0, 127, -127, -128]), 8)
    );
    assert_eq!(
        load("V128Load8x8U", raw),
        (i16s([3, 2, 1, 255, 0, 127, 129, 128]), 8)
    );
    assert_eq!(
        load("V128Load16x4S", raw),
        (i32s([0x0203, -255, 0x7f00, -32639]), 8)
    );
    assert_eq!(
        load("V128Load16x4U", raw),
        (i32s([0x0203, 0xff01, 0x7f00, 0x8081]), 8)
    );
    assert_eq!(
        load("V128Load32x2S", raw),
        (i64s([0xff01_0203 - (1 << 32), -0x7f7e_8100]), 8)
    );
    assert_eq!(
        load("V128Load32x2U", raw),
        (i64s([0xff01_0203, 0x8081_7f00]), 8)
    );
    assert_eq!(load("V128Load8Splat", 0x9c), (u8s([0x9c; 16]), 1));
    assert_eq!(load("V128Load16Splat", 0x9c01), (u16s([0x9c01; 8]), 2));
    assert_eq!(
        load("V128Load32Splat", 0x9c01_0203),
        (u32s([0x9c01_0203; 4]), 4)
    );
    assert_eq!(
        load("V128Load64Splat", raw),
        (u128::from(raw) * ((1 << 64) + 1), 8)
    );
    assert_eq!(load("V128Load32Zero", 0xdead_beef), (0xdead_beef, 4));
    assert_eq!(load("V128Load64Zero", raw), (u128::from(raw), 8));
}

#[test]
fn simd_shuffle() {
    let a = i8s(SEQ);
    let b = i8s(SEQ) + 0x1010_1010_1010_1010_1010_1010_1010_1010;
    let identity: [u8; 16] = std::array::from_fn(|i| i as u8);
    assert_eq!(i8x16_shuffle(a, b, identity), a);
    let from_b: [u8; 16] = std::array::from_fn(|i| 16 + i as u8);
    assert_eq!(i8x16_shuffle(a, b, from_b), b);
    let mixed = [31, 0, 16, 15, 17, 1, 2, 18, 0, 0, 0, 0, 0, 0, 0, 30];
    assert_eq!(
        i8x16_shuffle(a, b, mixed),
        u8s([
            0x1f, 0, 0x10, 15, 0x11, 1, 2, 0x12, 0, 0, 0, 0, 0, 0, 0, 0x1e
        ])
    );
}

/// The tables plus `CALLER_HANDLED_OPS` name every SIMD and relaxed-SIMD operator of
/// wasmparser exactly once.
#[test]
fn simd_tables_cover_every_operator_once() {
    macro_rules! names {
        ($([$name:ident $($rest:tt)*])*) => {
            [$(stringify!($name)),*]
        };
    }
    macro_rules! wasmparser_names {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            [$(stringify!($op)),*]
        };
    }
    let ours: Vec<&str> = [
        &for_each_v128_unop!(names)[..],
        &for_each_v128_binop!(names)[..],
        &for_each_v128_ternop!(names)[..],
        &for_each_v128_shift!(names)[..],
        &for_each_v128_test!(names)[..],
        &for_each_v128_splat!(names)[..],
        &for_each_v128_extract!(names)[..],
        &for_each_v128_replace!(names)[..],
        &for_each_v128_load_extend!(names)[..],
        CALLER_HANDLED_OPS,
    ]
    .concat();
    let mut sorted = ours.clone();
    sorted.sort_unstable();
    let duplicates: Vec<_> = sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    assert!(
        duplicates.is_empty(),
        "listed more than once: {duplicates:?}"
    );

    let all = wasmparser::for_each_visit_simd_operator!(wasmparser_names);
    let missing: Vec<_> = all.iter().filter(|op| !ours.contains(op)).collect();
    let unknown: Vec<_> = ours.iter().filter(|op| !all.contains(op)).collect();
    assert!(missing.is_empty(), "operators in no table: {missing:?}");
    assert!(
        unknown.is_empty(),
        "not wasmparser SIMD operators: {unknown:?}"
    );
    assert_eq!(ours.len(), all.len());
}
