//! Converting script arguments to wasmtier values, and printing values for failure messages.

use std::collections::HashMap;

use wasmtier::{ExternRef, Store, Val};
use wast::WastArg;
use wast::core::{AbstractHeapType, HeapType, WastArgCore};

/// The host references a script names as `ref.extern N`, created once per number so that
/// the same `N` is the same reference throughout a script.
#[derive(Default)]
pub(crate) struct HostRefs {
    by_number: HashMap<u32, ExternRef>,
}

impl HostRefs {
    pub(crate) fn get(&mut self, store: &mut Store<()>, n: u32) -> ExternRef {
        *self
            .by_number
            .entry(n)
            .or_insert_with(|| ExternRef::new(store, n))
    }
}

/// The number a host reference was created with, if it is one of ours.
pub(crate) fn host_ref_number(store: &Store<()>, r: &ExternRef) -> Option<u32> {
    r.data(store).downcast_ref::<u32>().copied()
}

/// Converts one `invoke` argument.
pub(crate) fn arg_to_val(
    arg: &WastArg<'_>,
    store: &mut Store<()>,
    refs: &mut HostRefs,
) -> Result<Val, String> {
    let core = match arg {
        WastArg::Core(core) => core,
        other => return Err(format!("unsupported argument {other:?}")),
    };
    Ok(match core {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(f) => Val::F32(f.bits),
        WastArgCore::F64(f) => Val::F64(f.bits),
        WastArgCore::RefNull(heap) => null_of(heap)
            .ok_or_else(|| format!("unsupported argument ref.null of heap type {heap:?}"))?,
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(refs.get(store, *n))),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefHost(_) => return Err("unsupported argument: ref.host (GC)".into()),
    })
}

/// The null value of an abstract heap type wasmtier supports: one per hierarchy.
pub(crate) fn null_of(heap: &HeapType<'_>) -> Option<Val> {
    use AbstractHeapType as A;
    let HeapType::Abstract { shared: false, ty } = heap else {
        return None;
    };
    match ty {
        A::Func | A::NoFunc => Some(Val::FuncRef(None)),
        A::Extern | A::NoExtern => Some(Val::ExternRef(None)),
        A::Exn | A::NoExn => Some(Val::ExnRef(None)),
        A::Any | A::Eq | A::I31 | A::Struct | A::Array | A::None => Some(Val::AnyRef(None)),
        _ => None,
    }
}

/// A value in script syntax, with float bits shown since they are what is compared.
pub(crate) fn describe_val(store: &Store<()>, val: &Val) -> String {
    match val {
        Val::I32(v) => format!("i32.const {v}"),
        Val::I64(v) => format!("i64.const {v}"),
        Val::F32(bits) => format!("f32.const {} (0x{bits:08x})", f32::from_bits(*bits)),
        Val::F64(bits) => format!("f64.const {} (0x{bits:016x})", f64::from_bits(*bits)),
        Val::V128(bits) => format!("v128.const i32x4 {}", describe_lanes(*bits)),
        Val::FuncRef(None) => "ref.null func".into(),
        Val::FuncRef(Some(_)) => "ref.func".into(),
        Val::ExternRef(None) => "ref.null extern".into(),
        Val::ExnRef(None) => "ref.null exn".into(),
        Val::ExnRef(Some(_)) => "ref.exn".into(),
        Val::AnyRef(None) => "ref.null any".into(),
        Val::AnyRef(Some(_)) => "ref.any (non-null)".into(),
        Val::ExternRef(Some(r)) => match host_ref_number(store, r) {
            Some(n) => format!("ref.extern {n}"),
            None => "ref.extern (not a script host value)".into(),
        },
    }
}

/// A v128's four 32-bit lanes in hex, lane 0 first.
fn describe_lanes(bits: u128) -> String {
    let lanes: Vec<String> = (0..4)
        .map(|i| format!("0x{:08x}", (bits >> (32 * i)) as u32))
        .collect();
    lanes.join(" ")
}

/// Several values, comma separated.
pub(crate) fn describe_vals(store: &Store<()>, vals: &[Val]) -> String {
    let parts: Vec<String> = vals.iter().map(|v| describe_val(store, v)).collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtier::Engine;

    fn args(text: &str) -> Vec<Val> {
        let source = format!("(invoke \"f\" {text})");
        let buf = wast::parser::ParseBuffer::new(&source).expect("lexes");
        let script: wast::Wast<'_> = wast::parser::parse(&buf).expect("parses");
        let invoke = script.directives.into_iter().next().expect("one directive");
        let wast::WastDirective::Invoke(invoke) = invoke else {
            panic!("not an invoke")
        };
        let mut store = Store::new(&Engine::default(), ());
        let mut refs = HostRefs::default();
        invoke
            .args
            .iter()
            .map(|a| arg_to_val(a, &mut store, &mut refs).expect("converts"))
            .collect()
    }

    #[test]
    fn numbers_keep_their_bits() {
        let vals = args(
            "(i32.const -1) (i64.const 0x7fffffffffffffff) \
             (f32.const nan:0x200000) (f64.const -nan:0x4000000000000)",
        );
        assert_eq!(vals[0], Val::I32(-1));
        assert_eq!(vals[1], Val::I64(i64::MAX));
        assert_eq!(vals[2], Val::F32(0x7fa0_0000));
        assert_eq!(vals[3], Val::F64(0xfff4_0000_0000_0000));
    }

    #[test]
    fn references() {
        let vals = args("(ref.null func) (ref.null extern)");
        assert_eq!(vals, [Val::FuncRef(None), Val::ExternRef(None)]);
    }

    #[test]
    fn host_refs_are_stable_per_number() {
        let mut store = Store::new(&Engine::default(), ());
        let mut refs = HostRefs::default();
        let a = refs.get(&mut store, 1);
        let b = refs.get(&mut store, 2);
        assert_eq!(refs.get(&mut store, 1), a);
        assert_ne!(a, b);
        assert_eq!(host_ref_number(&store, &b), Some(2));
        assert_eq!(
            describe_val(&store, &Val::ExternRef(Some(a))),
            "ref.extern 1"
        );
    }

    #[test]
    fn descriptions_show_float_bits() {
        let store = Store::new(&Engine::default(), ());
        assert_eq!(
            describe_val(&store, &Val::F32(0x7fc0_0000)),
            "f32.const NaN (0x7fc00000)"
        );
        assert_eq!(
            describe_vals(&store, &[Val::I32(1), Val::I64(2)]),
            "[i32.const 1, i64.const 2]"
        );
    }
}
