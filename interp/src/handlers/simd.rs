//! Handlers of the `v128` instructions. A `v128` lives in two consecutive slots, low half
//! first (lane 0 in the low bits); an instruction names the first. Every memory access goes
//! through the constant pool's memory index and offset (as `LoadMem`).
//!
//! SAFETY: as for every handler (see the parent module): the translator names slots inside
//! the frame, counting both slots of each `v128` (`Op::for_each_slot_range`).

use super::*;
use crate::simd::*;

/// The `v128` in the slots from `slot`.
#[inline(always)]
unsafe fn v128_at(fp: *mut u64, slot: usize) -> u128 {
    // SAFETY: the caller passes a `v128` operand's first slot (see the module docs).
    unsafe { *fp.add(slot) as u128 | (*fp.add(slot + 1) as u128) << 64 }
}

/// Writes a `v128` result to the slots from `slot`.
#[inline(always)]
unsafe fn set_v128(fp: *mut u64, slot: usize, v: u128) {
    // SAFETY: as in `v128_at`.
    unsafe {
        *fp.add(slot) = v as u64;
        *fp.add(slot + 1) = (v >> 64) as u64;
    }
}

/// The host address of an access of `$n` bytes at the address in slot `$addr` plus the
/// memarg at pool index `$memarg`, or a trap.
macro_rules! v128_address {
    ($pc:ident $fp:ident $mem:ident $st:ident, $addr:expr, $memarg:expr, $n:expr) => {{
        let (memory, offset, is64) = memarg($st, $memarg);
        let (base, len) = memory!($st $mem, memory);
        let ea = if is64 {
            addr64_in!($pc $st, len, *$fp.add($addr), offset, $n)
        } else {
            addr_in!($pc $st, len, *$fp.add($addr), offset, $n)
        };
        base.add(ea)
    }};
}

handlers! { [pc fp mem st]
    v128_select {
        let pick = if u32v(slot!(fp, pc, 1)) != 0 { lane!(pc, 2) } else { lane!(pc, 3) };
        set_v128(fp, lane!(pc, 0), v128_at(fp, pick));
        pc = pc.add(1);
    }
    v128_global_get {
        // A global's cell is 16 bytes (`GlobalCell`): the high half follows the low one.
        let cell = *st.ctx.globals.add(hi32!(pc) as usize);
        set_v128(fp, lane!(pc, 0), (*cell).get() as u128 | ((*cell.add(1)).get() as u128) << 64);
        pc = pc.add(1);
    }
    v128_global_set {
        let cell = *st.ctx.globals.add(hi32!(pc) as usize);
        let v = v128_at(fp, lane!(pc, 0));
        (*cell).set(v as u64);
        (*cell.add(1)).set((v >> 64) as u64);
        pc = pc.add(1);
    }
    v128_load {
        let at = v128_address!(pc fp mem st, lane!(pc, 1), hi32!(pc), 16);
        set_v128(fp, lane!(pc, 0), u128::from_le_bytes(ptr::read_unaligned(at as *const [u8; 16])));
        pc = pc.add(1);
    }
    v128_store {
        let at = v128_address!(pc fp mem st, lane!(pc, 0), hi32!(pc), 16);
        ptr::write_unaligned(at as *mut [u8; 16], v128_at(fp, lane!(pc, 1)).to_le_bytes());
        pc = pc.add(1);
    }
}

/// `v128.loadN_lane` and `v128.storeN_lane` for each lane width (`LOAD_LANE`, `STORE_LANE`,
/// indexed by `LaneWidth`): the address is in slot `base`, the vector in the two after it.
/// Validation keeps the lane index below `16 / N`, so the lane's bytes lie in the vector's.
macro_rules! lane_memory_handlers {
    ($([$load:ident $store:ident $n:literal])*) => {
        handlers! { [pc fp mem st] $(
            $load {
                let base = lane!(pc, 0);
                let at = v128_address!(pc fp mem st, base, hi32!(pc), $n);
                let mut bytes = v128_at(fp, base + 1).to_le_bytes();
                let lane = lane!(pc, 1) * $n;
                ptr::copy_nonoverlapping(at, bytes.as_mut_ptr().add(lane), $n);
                set_v128(fp, base, u128::from_le_bytes(bytes));
                pc = pc.add(1);
            }
            $store {
                let base = lane!(pc, 0);
                let at = v128_address!(pc fp mem st, base, hi32!(pc), $n);
                let bytes = v128_at(fp, base + 1).to_le_bytes();
                let lane = lane!(pc, 1) * $n;
                ptr::copy_nonoverlapping(bytes.as_ptr().add(lane), at, $n);
                pc = pc.add(1);
            }
        )* }
        pub(crate) const LOAD_LANE: &[Handler] = &[$($load,)*];
        pub(crate) const STORE_LANE: &[Handler] = &[$($store,)*];
    };
}
lane_memory_handlers! {
    [load8_lane store8_lane 1]
    [load16_lane store16_lane 2]
    [load32_lane store32_lane 4]
    [load64_lane store64_lane 8]
}

/// Generates one handler per member of a `v128` family and its table (indexed by the
/// family's enum): `$read` binds the operands from the instruction's slot lanes, `$write`
/// stores the result.
macro_rules! v128_family_handlers {
    ($table:ident $module:ident [$($arg:ident),*] $read:ident $write:ident
        $([$name:ident |$($p:ident),*| $e:expr])*) => {
        mod $module {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                $read!(fp pc [$($p),*]);
                $write!(fp pc, $e);
                pc = pc.add(1);
            })* }
        }
        pub(crate) const $table: &[Handler] = &[$($module::$name,)*];
    };
}

/// Operand readers: v128s from lanes 1, 2, 3 (`vvv`), or a v128 then a scalar (`vs`), a
/// scalar (`s`), a v128 then the lane immediate in lane 2 (`vl`), a v128, a scalar and the
/// lane immediate in lane 3 (`vsl`).
macro_rules! read_v {
    ($fp:ident $pc:ident [$a:ident]) => {
        let $a = v128_at($fp, lane!($pc, 1));
    };
    ($fp:ident $pc:ident [$a:ident, $b:ident]) => {
        let $a = v128_at($fp, lane!($pc, 1));
        let $b = v128_at($fp, lane!($pc, 2));
    };
    ($fp:ident $pc:ident [$a:ident, $b:ident, $c:ident]) => {
        let $a = v128_at($fp, lane!($pc, 1));
        let $b = v128_at($fp, lane!($pc, 2));
        let $c = v128_at($fp, lane!($pc, 3));
    };
}
macro_rules! read_vs {
    ($fp:ident $pc:ident [$a:ident, $n:ident]) => {
        let $a = v128_at($fp, lane!($pc, 1));
        let $n = *$fp.add(lane!($pc, 2)) as u32;
    };
}
macro_rules! read_s {
    ($fp:ident $pc:ident [$x:ident]) => {
        let $x = *$fp.add(lane!($pc, 1));
    };
}
macro_rules! read_vl {
    ($fp:ident $pc:ident [$a:ident, $lane:ident]) => {
        let $a = v128_at($fp, lane!($pc, 1));
        let $lane = lane!($pc, 2) as u8;
    };
}
macro_rules! read_vsl {
    ($fp:ident $pc:ident [$a:ident, $x:ident, $lane:ident]) => {
        let $a = v128_at($fp, lane!($pc, 1));
        let $x = *$fp.add(lane!($pc, 2));
        let $lane = lane!($pc, 3) as u8;
    };
}
/// Result writers: a v128, or a scalar slot value (`u64`, or `u32` zero-extended).
macro_rules! write_v {
    ($fp:ident $pc:ident, $e:expr) => {
        set_v128($fp, lane!($pc, 0), $e);
    };
}
macro_rules! write_s {
    ($fp:ident $pc:ident, $e:expr) => {
        *$fp.add(lane!($pc, 0)) = ($e) as u64;
    };
}

macro_rules! un_family { ($($t:tt)*) => { v128_family_handlers!(V128_UN v128_un [a] read_v write_v $($t)*); }; }
macro_rules! bin_family { ($($t:tt)*) => { v128_family_handlers!(V128_BIN v128_bin [a, b] read_v write_v $($t)*); }; }
macro_rules! tern_family { ($($t:tt)*) => { v128_family_handlers!(V128_TERN v128_tern [a, b, c] read_v write_v $($t)*); }; }
macro_rules! shift_family { ($($t:tt)*) => { v128_family_handlers!(V128_SHIFT v128_shift [a, n] read_vs write_v $($t)*); }; }
macro_rules! test_family { ($($t:tt)*) => { v128_family_handlers!(V128_TEST v128_test [a] read_v write_s $($t)*); }; }
macro_rules! splat_family { ($($t:tt)*) => { v128_family_handlers!(V128_SPLAT v128_splat [x] read_s write_v $($t)*); }; }
macro_rules! extract_family { ($($t:tt)*) => { v128_family_handlers!(V128_EXTRACT v128_extract [a, lane] read_vl write_s $($t)*); }; }
macro_rules! replace_family { ($($t:tt)*) => { v128_family_handlers!(V128_REPLACE v128_replace [a, x, lane] read_vsl write_v $($t)*); }; }
for_each_v128_unop!(un_family);
for_each_v128_binop!(bin_family);
for_each_v128_ternop!(tern_family);
for_each_v128_shift!(shift_family);
for_each_v128_test!(test_family);
for_each_v128_splat!(splat_family);
for_each_v128_extract!(extract_family);
for_each_v128_replace!(replace_family);

/// The extending, splatting and zero-filling loads (`V128_LOAD_EXT`, indexed by
/// `V128LoadExtOp`): `$n` bytes read little-endian, zero-extended, then widened.
macro_rules! load_ext_handlers {
    ($([$name:ident $n:literal |$raw:ident| $e:expr])*) => {
        mod v128_load_ext {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let at = v128_address!(pc fp mem st, lane!(pc, 1), hi32!(pc), $n);
                let mut bytes = [0u8; 8];
                ptr::copy_nonoverlapping(at, bytes.as_mut_ptr(), $n);
                let $raw = u64::from_le_bytes(bytes);
                set_v128(fp, lane!(pc, 0), $e);
                pc = pc.add(1);
            })* }
        }
        pub(crate) const V128_LOAD_EXT: &[Handler] = &[$(v128_load_ext::$name,)*];
    };
}
for_each_v128_load_extend!(load_ext_handlers);

handlers! { [pc fp mem st]
    v128_shuffle {
        let src = lane!(pc, 1);
        let index = hi32!(pc) as usize;
        // SAFETY (pool): the translator put the two entries in the current function's pool.
        let consts: &[u64] = &(*st.func).consts;
        let lanes = (*consts.get_unchecked(index) as u128
            | (*consts.get_unchecked(index + 1) as u128) << 64)
            .to_le_bytes();
        let v = i8x16_shuffle(v128_at(fp, src), v128_at(fp, src + 2), lanes);
        set_v128(fp, lane!(pc, 0), v);
        pc = pc.add(1);
    }
}
