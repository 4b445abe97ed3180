//! Lane views of a v128 (`u128`, lane 0 in the lowest bits) and the lane-wise combinators the
//! op tables are written with.
//!
//! Each shape (`i8x16`, `u8x16`, ..., `f64x2`) is a module with the same functions: `split` /
//! `join` convert between the `u128` and an array of lanes, and the combinators (`map`, `zip`,
//! `cmp`, `convert`, ...) run a scalar function over the lanes. The signed and unsigned
//! views of one width share the bits, so an op picks the view whose Rust operators have the
//! wasm meaning (`i8x16::zip(a, b, i8::saturating_add)` is `i8x16.add_sat_s`).
//!
//! `split` goes through the two 64-bit halves: LLVM vectorizes the lane-wise code better
//! from shifts within a `u64` than from shifts of the whole `u128` or from its bytes.

/// A lane type: its width and its bit pattern, zero-extended to 64 bits.
pub trait Lane: Copy {
    const BITS: u32;
    /// The lane whose bits are the low `BITS` bits of `v`.
    fn from_u64(v: u64) -> Self;
    /// The lane's bits, zero-extended.
    fn to_u64(self) -> u64;
}

macro_rules! int_lane {
    ($($t:ty as $u:ty),*) => {$(
        impl Lane for $t {
            const BITS: u32 = <$t>::BITS;
            #[inline(always)]
            fn from_u64(v: u64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_u64(self) -> u64 {
                self as $u as u64
            }
        }
    )*};
}
int_lane!(
    i8 as u8, u8 as u8, i16 as u16, u16 as u16, i32 as u32, u32 as u32, i64 as u64, u64 as u64
);

impl Lane for f32 {
    const BITS: u32 = 32;
    #[inline(always)]
    fn from_u64(v: u64) -> Self {
        f32::from_bits(v as u32)
    }
    #[inline(always)]
    fn to_u64(self) -> u64 {
        u64::from(self.to_bits())
    }
}

impl Lane for f64 {
    const BITS: u32 = 64;
    #[inline(always)]
    fn from_u64(v: u64) -> Self {
        f64::from_bits(v)
    }
    #[inline(always)]
    fn to_u64(self) -> u64 {
        self.to_bits()
    }
}

/// The lanes of `v`, lane 0 first.
#[inline(always)]
pub fn split<T: Lane, const N: usize>(v: u128) -> [T; N] {
    const { assert!(N as u32 * T::BITS == 128) };
    let halves = [v as u64, (v >> 64) as u64];
    let per_half = N / 2;
    build(|i| T::from_u64(halves[i / per_half] >> ((i % per_half) as u32 * T::BITS)))
}

/// The v128 whose lanes are `lanes`, lane 0 first.
#[inline(always)]
pub fn join<T: Lane, const N: usize>(lanes: [T; N]) -> u128 {
    const { assert!(N as u32 * T::BITS == 128) };
    let mut halves = [0u64; 2];
    let per_half = N / 2;
    for (i, x) in lanes.into_iter().enumerate() {
        halves[i / per_half] |= x.to_u64() << ((i % per_half) as u32 * T::BITS);
    }
    u128::from(halves[0]) | u128::from(halves[1]) << 64
}

/// `[f(0), f(1), ..., f(N - 1)]`: a plain loop rather than `array::from_fn`, which LLVM
/// does not always inline (it kept a call for 16 lanes).
#[inline(always)]
pub fn build<T: Lane, const N: usize>(f: impl Fn(usize) -> T) -> [T; N] {
    let mut lanes = [T::from_u64(0); N];
    for (i, x) in lanes.iter_mut().enumerate() {
        *x = f(i);
    }
    lanes
}

/// Lane-wise `f` over two arrays of the same length (which may be of any lane types).
#[inline(always)]
pub fn zip_with<A: Copy, B: Copy, R: Lane, const N: usize>(
    a: [A; N],
    b: [B; N],
    f: impl Fn(A, B) -> R,
) -> [R; N] {
    build(|i| f(a[i], b[i]))
}

macro_rules! shape {
    ($($name:ident $t:ty, $n:literal;)*) => {$(
        #[doc = concat!("The `", stringify!($name), "` view of a v128: ", stringify!($n),
            " lanes of `", stringify!($t), "`.")]
        pub mod $name {
            use super::{Lane, build, join as join_any, split as split_any};

            pub type Lanes = [$t; $n];

            #[inline(always)]
            pub fn split(v: u128) -> Lanes {
                split_any(v)
            }

            #[inline(always)]
            pub fn join(lanes: Lanes) -> u128 {
                join_any(lanes)
            }

            /// Lane-wise `f(a)`.
            #[inline(always)]
            pub fn map(a: u128, f: impl Fn($t) -> $t) -> u128 {
                let a = split(a);
                join(build(|i| f(a[i])))
            }

            /// Lane-wise `f(a, b)`.
            #[inline(always)]
            pub fn zip(a: u128, b: u128, f: impl Fn($t, $t) -> $t) -> u128 {
                join(super::zip_with(split(a), split(b), f))
            }

            /// Lane-wise `f(a, b, c)`.
            #[inline(always)]
            pub fn zip3(a: u128, b: u128, c: u128, f: impl Fn($t, $t, $t) -> $t) -> u128 {
                let (a, b, c) = (split(a), split(b), split(c));
                join(build(|i| f(a[i], b[i], c[i])))
            }

            /// Lane-wise comparison: a lane of all ones where `f(a, b)` holds, else zero.
            #[inline(always)]
            pub fn cmp(a: u128, b: u128, f: impl Fn($t, $t) -> bool) -> u128 {
                const ONES: u64 = u64::MAX >> (64 - <$t as Lane>::BITS);
                let mask = super::zip_with(split(a), split(b), |x, y| {
                    <$t>::from_u64(if f(x, y) { ONES } else { 0 })
                });
                join(mask)
            }

            /// Every lane `x`.
            #[inline(always)]
            pub fn splat(x: $t) -> u128 {
                join([x; $n])
            }

            /// Lane `lane` (taken modulo the lane count; validation keeps it in range).
            #[inline(always)]
            pub fn get(a: u128, lane: u8) -> $t {
                let shift = u32::from(lane) % $n * <$t as Lane>::BITS;
                <$t>::from_u64((a >> shift) as u64)
            }

            /// `a` with lane `lane` (modulo the lane count) replaced by `x`.
            #[inline(always)]
            pub fn set(a: u128, lane: u8, x: $t) -> u128 {
                const ONES: u128 = u128::MAX >> (128 - <$t as Lane>::BITS);
                let shift = u32::from(lane) % $n * <$t as Lane>::BITS;
                (a & !(ONES << shift)) | u128::from(x.to_u64()) << shift
            }

            /// 1 if no lane is zero, else 0.
            #[inline(always)]
            pub fn all_true(a: u128) -> u32 {
                u32::from(split(a).iter().all(|x| x.to_u64() != 0))
            }

            /// The top bit of each lane, lane 0 in bit 0.
            #[inline(always)]
            pub fn bitmask(a: u128) -> u32 {
                let top = <$t as Lane>::BITS - 1;
                split(a)
                    .iter()
                    .enumerate()
                    .fold(0, |m, (i, x)| m | ((x.to_u64() >> top) as u32) << i)
            }

            /// Lane `i` is `f(src[start + i])`: extends, converts and promotes from the
            /// low (`start` 0) or high part of a shape with at least as many lanes.
            #[inline(always)]
            pub fn convert<S: Copy, const M: usize>(
                src: [S; M],
                start: usize,
                f: impl Fn(S) -> $t,
            ) -> u128 {
                join(build(|i| f(src[start + i])))
            }

            /// Lane `i` is `f(a[start + i], b[start + i])` (extending multiplications).
            #[inline(always)]
            pub fn convert2<S: Copy, const M: usize>(
                a: [S; M],
                b: [S; M],
                start: usize,
                f: impl Fn(S, S) -> $t,
            ) -> u128 {
                join(build(|i| f(a[start + i], b[start + i])))
            }

            /// Lane `i` is `f(src[2i], src[2i + 1])`: pairwise sums of a shape with twice
            /// as many lanes.
            #[inline(always)]
            pub fn pairwise<S: Copy, const M: usize>(
                src: [S; M],
                f: impl Fn(S, S) -> $t,
            ) -> u128 {
                join(build(|i| f(src[2 * i], src[2 * i + 1])))
            }

            /// The lanes of `a` then those of `b`, each through `f` (narrowing: `a` and
            /// `b` have half as many lanes).
            #[inline(always)]
            pub fn concat<S: Copy, const M: usize>(a: [S; M], b: [S; M], f: impl Fn(S) -> $t) -> u128 {
                join(build(|i| f(if i < M { a[i] } else { b[i - M] })))
            }

            /// `f` of each lane of `src` (which has fewer lanes), then zero lanes: the
            /// `_zero` conversions.
            #[inline(always)]
            pub fn convert_zero<S: Copy, const M: usize>(src: [S; M], f: impl Fn(S) -> $t) -> u128 {
                join(build(|i| if i < M { f(src[i]) } else { <$t>::from_u64(0) }))
            }
        }
    )*};
}

shape! {
    i8x16 i8, 16;
    u8x16 u8, 16;
    i16x8 i16, 8;
    u16x8 u16, 8;
    i32x4 i32, 4;
    u32x4 u32, 4;
    i64x2 i64, 2;
    u64x2 u64, 2;
    f32x4 f32, 4;
    f64x2 f64, 2;
}
