//! Precompiled modules (`wasmtier compile`, the code cache): a module's machine code as
//! [`crate::compile_module`] laid it out and linked it, with what it takes to map it again
//! without compiling, and the module's wasm bytes, which the rest of the runtime still needs
//! (module info, segments, bodies for the interpreter).
//!
//! ```text
//! magic "wtiercw\0" (8 bytes)  format version (u32)
//! key:   build, ISA, configuration   (strings; see `Key`)
//! wasm   (bytes)
//! code   (bytes: every function, wrapper and trampoline, direct calls already resolved)
//! traps  ranges  funcs  wrappers  trampolines  osr_wrapper  skipped  first_defined
//! total length (u64)  checksum of everything before it (u64)
//! ```
//!
//! Integers are little-endian; strings and byte arrays are a `u64` length and the bytes;
//! lists a `u32` count and the items. A reader checks, in this order, the magic, the format
//! version, the length (truncation), the checksum (corruption) and then the key, each with
//! its own message, and finally that every offset lies inside the code, so that a damaged
//! artifact is refused, never run. The checksum detects accidents, not tampering: running an
//! artifact trusts whoever wrote it, as running any native code does.
//!
//! **Relocations.** None are stored, because none are left: the code is one block whose
//! only relocations, direct calls between its functions (`X86CallPCRel4`), are resolved
//! relative to the block when it is laid out, and `compile_ir` refuses every other kind
//! (a function needing a Cranelift libcall, e.g. for float rounding without SSE4.1, or an
//! absolute address, is not compiled and stays in the interpreter; the artifact carries it
//! in `skipped`). Compiled code reads everything that depends on the process or the engine
//! (memories, tables, functions, engine-wide type ids) through its `VMContext`. Loading is
//! therefore a copy into fresh executable memory, with no patching.

use wasmtier_runtime::module::ModuleInfo;

use crate::codemem::CodeMemory;
use crate::{CompiledModule, JitOptions, isa, signals};

/// First bytes of every artifact.
pub const MAGIC: [u8; 8] = *b"wtiercw\0";
/// Version of the layout above; bumped with any change to it.
const FORMAT: u32 = 1;
/// Bytes after the magic and the format version: the total length and the checksum.
const TRAILER: usize = 16;

/// Whether `bytes` look like an artifact (start with its magic), not wasm or text.
pub fn is_artifact(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// Everything besides the wasm bytes that the machine code depends on. An artifact is loaded
/// only by a runtime whose key is equal in every part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The wasmtier version and a fingerprint of the sources and toolchain that built the
    /// code generator (`build.rs`).
    pub build: String,
    /// Target triple and every Cranelift flag, including the CPU features detected.
    pub isa: String,
    /// The configuration that changes code: JIT options and the enabled wasm features.
    pub config: String,
}

impl Key {
    /// The key of code compiled with `options` in this process; `features` describes the
    /// enabled wasm features (the caller's encoding). Fails if code compiled with these
    /// options cannot be described by a key (a JIT filter is a function).
    pub fn new(options: &JitOptions, features: &str) -> Result<Key, String> {
        if options.filter.is_some() {
            return Err("code compiled with a JIT filter cannot be saved".into());
        }
        let isa = isa()?;
        let mut isa_id = format!("{} {}", isa.triple(), isa.flags());
        for flag in isa.isa_flags() {
            isa_id.push_str(&format!(" {flag}"));
        }
        Ok(Key {
            build: format!(
                "wasmtier {} build {}",
                env!("CARGO_PKG_VERSION"),
                env!("WASMTIER_JIT_BUILD_ID")
            ),
            isa: isa_id,
            config: format!(
                "bounds_checks={} fuel={} features={features}",
                options.bounds_checks, options.fuel
            ),
        })
    }

    /// A name for code compiled from `wasm` with this key, as a file name for a cache: 32 hex
    /// digits. Equal names do not prove equal inputs; the artifact under the name says what
    /// it holds, and [`read`] plus a comparison of the wasm bytes do.
    pub fn cache_name(&self, wasm: &[u8]) -> String {
        let key = [&self.build, "\n", &self.isa, "\n", &self.config].concat();
        let seed = checksum(0, key.as_bytes());
        format!(
            "{:016x}{:016x}",
            checksum(seed, wasm),
            checksum(!seed, wasm)
        )
    }
}

/// An artifact read and checked by [`read`]: its wasm bytes, and its machine code, to be
/// mapped by [`Artifact::load`] once the caller has parsed the wasm.
pub struct Artifact<'a> {
    pub wasm: &'a [u8],
    code: &'a [u8],
    traps: Vec<(u32, u8)>,
    ranges: Vec<(u32, u32, u32)>,
    funcs: Vec<Option<u32>>,
    wrappers: Vec<u32>,
    trampolines: Vec<u32>,
    osr_wrapper: u32,
    skipped: Vec<(u32, String)>,
    first_defined: u32,
}

/// Writes `module`, compiled from `wasm` with `key`, as an artifact.
pub fn write(module: &CompiledModule, key: &Key, wasm: &[u8]) -> Vec<u8> {
    let code = module.code.bytes();
    let info = module.code.info();
    let mut w = Writer(Vec::with_capacity(code.len() + wasm.len() + 4096));
    w.0.extend_from_slice(&MAGIC);
    w.u32(FORMAT);
    w.bytes(key.build.as_bytes());
    w.bytes(key.isa.as_bytes());
    w.bytes(key.config.as_bytes());
    w.bytes(wasm);
    w.bytes(code);
    w.list(&info.traps, |w, &(at, code)| {
        w.u32(at);
        w.0.push(code);
    });
    w.list(&info.funcs, |w, &(start, end, index)| {
        w.u32(start);
        w.u32(end);
        w.u32(index);
    });
    w.list(&module.funcs, |w, f| w.u32(f.unwrap_or(u32::MAX)));
    w.list(&module.wrappers, |w, &at| w.u32(at));
    w.list(&module.trampolines, |w, &at| w.u32(at));
    w.u32(module.osr_wrapper);
    w.list(&module.skipped, |w, (index, reason)| {
        w.u32(*index);
        w.bytes(reason.as_bytes());
    });
    w.u32(module.first_defined);
    let total = (w.0.len() + TRAILER) as u64;
    w.u64(total);
    let sum = checksum(FORMAT as u64, &w.0);
    w.u64(sum);
    w.0
}

/// Checks an artifact against `key` and reads it. The messages say what is wrong: not an
/// artifact, another format, truncated, corrupted, or built for another wasmtier, CPU or
/// configuration.
pub fn read<'a>(bytes: &'a [u8], key: &Key) -> Result<Artifact<'a>, String> {
    if !is_artifact(bytes) {
        return Err("not a wasmtier precompiled module".into());
    }
    let format = bytes
        .get(8..12)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")));
    if format.is_some_and(|f| f != FORMAT) {
        return Err(format!(
            "precompiled module has format version {}, this wasmtier reads {FORMAT}: \
             compile it again",
            format.unwrap_or_default()
        ));
    }
    let Some(body_len) = bytes.len().checked_sub(TRAILER).filter(|&n| n >= 12) else {
        return Err("precompiled module is truncated".into());
    };
    let (body, trailer) = bytes.split_at(body_len);
    let total = u64::from_le_bytes(trailer[..8].try_into().expect("8 bytes"));
    if total != bytes.len() as u64 {
        return Err(format!(
            "precompiled module is truncated or damaged: {} bytes, its trailer says {total}",
            bytes.len()
        ));
    }
    let sum = u64::from_le_bytes(trailer[8..].try_into().expect("8 bytes"));
    if checksum(FORMAT as u64, &bytes[..bytes.len() - 8]) != sum {
        return Err("precompiled module is corrupted (checksum mismatch)".into());
    }
    let mut r = Reader {
        bytes: body,
        at: 12,
    };
    let build = r.str()?;
    let isa = r.str()?;
    let config = r.str()?;
    if build != key.build {
        return Err(format!(
            "precompiled module was compiled by another wasmtier ({build}); this is {}",
            key.build
        ));
    }
    if isa != key.isa {
        return Err(format!(
            "precompiled module was compiled for another CPU or target ({isa}); this one is {}",
            key.isa
        ));
    }
    if config != key.config {
        return Err(format!(
            "precompiled module was compiled with another configuration ({config}); this \
             engine has {}",
            key.config
        ));
    }
    let wasm = r.bytes()?;
    let code = r.bytes()?;
    let artifact = Artifact {
        wasm,
        code,
        traps: r.list(|r| Ok((r.u32()?, r.u8()?)))?,
        ranges: r.list(|r| Ok((r.u32()?, r.u32()?, r.u32()?)))?,
        funcs: r.list(|r| Ok(Some(r.u32()?).filter(|&f| f != u32::MAX)))?,
        wrappers: r.list(Reader::u32)?,
        trampolines: r.list(Reader::u32)?,
        osr_wrapper: r.u32()?,
        skipped: r.list(|r| Ok((r.u32()?, r.str()?.to_string())))?,
        first_defined: r.u32()?,
    };
    if r.at != body.len() {
        return Err(malformed("bytes after the last field"));
    }
    Ok(artifact)
}

impl Artifact<'_> {
    /// Maps the machine code for the module `info` (parsed from [`Artifact::wasm`]), after
    /// checking that the artifact's tables fit the module and the code.
    pub fn load(self, info: &ModuleInfo) -> Result<CompiledModule, String> {
        let len = self.code.len() as u64;
        let inside = |at: u32| u64::from(at) < len;
        let defined = info.func_types.len() - info.num_imported_funcs as usize;
        let fits = self.funcs.len() == defined
            && self.first_defined == info.num_imported_funcs
            && self.wrappers.len() == info.types.len()
            && self.trampolines.len() == info.types.len()
            && self.funcs.iter().flatten().all(|&at| inside(at))
            && self.wrappers.iter().all(|&at| inside(at))
            && self.trampolines.iter().all(|&at| inside(at))
            && inside(self.osr_wrapper)
            && self.traps.is_sorted()
            && self.traps.iter().all(|&(at, _)| inside(at))
            && self
                .ranges
                .iter()
                .all(|&(start, end, _)| start < end && u64::from(end) <= len);
        if !fits {
            return Err(malformed("its code tables do not fit the module"));
        }
        let code = CodeMemory::new(
            self.code,
            signals::CodeInfo {
                traps: self.traps,
                funcs: self.ranges,
                module_name: info.name.clone(),
                func_names: info.func_names.clone(),
            },
        )?;
        Ok(CompiledModule {
            code,
            funcs: self.funcs,
            wrappers: self.wrappers,
            trampolines: self.trampolines,
            osr_wrapper: self.osr_wrapper,
            skipped: self.skipped,
            first_defined: self.first_defined,
        })
    }
}

fn malformed(what: &str) -> String {
    format!("precompiled module is malformed: {what}")
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }

    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Writer, &T)) {
        self.u32(u32::try_from(items.len()).expect("fewer than 2^32 items"));
        for item in items {
            each(self, item);
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| malformed("a field runs past the end"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4")))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8")))
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.u64()?;
        self.take(usize::try_from(n).map_err(|_| malformed("a length is too large"))?)
    }

    fn str(&mut self) -> Result<&'a str, String> {
        std::str::from_utf8(self.bytes()?).map_err(|_| malformed("a string is not UTF-8"))
    }

    fn list<T>(
        &mut self,
        mut each: impl FnMut(&mut Reader<'a>) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let n = self.u32()? as usize;
        // Every item takes at least one byte: a count beyond what is left is damage, and
        // must not make us reserve memory for it.
        if n > self.bytes.len() - self.at {
            return Err(malformed("a list is longer than the artifact"));
        }
        (0..n).map(|_| each(self)).collect()
    }
}

/// A 64-bit checksum of `bytes`, different for each `seed`. Not cryptographic: it detects
/// accidental damage (and names cache entries), nothing more.
///
/// Four lanes take one little-endian 8-byte word each per 32-byte block, with
/// `lane = rotl((lane ^ word) * K, 29)`: for a fixed lane this is a bijection of the word,
/// and for a fixed word a bijection of the lane, so a change confined to one lane's words
/// always changes that lane's final value. The tail is zero-padded, the length folded in, and
/// the lanes folded together with the same kind of step and a final avalanche.
pub fn checksum(seed: u64, bytes: &[u8]) -> u64 {
    const K: [u64; 4] = [
        0x9e37_79b9_7f4a_7c15,
        0xc2b2_ae3d_27d4_eb4f,
        0x1656_67b1_9e37_79f9,
        0x85eb_ca77_c2b2_ae63,
    ];
    let step = |lane: u64, word: u64, k: u64| (lane ^ word).wrapping_mul(k).rotate_left(29);
    let mut lanes = [seed, seed ^ K[0], seed ^ K[1], seed ^ K[2]];
    let mut block = |chunk: &[u8]| {
        for (i, lane) in lanes.iter_mut().enumerate() {
            let word = u64::from_le_bytes(chunk[i * 8..i * 8 + 8].try_into().expect("8"));
            *lane = step(*lane, word, K[i]);
        }
    };
    let mut chunks = bytes.chunks_exact(32);
    for chunk in &mut chunks {
        block(chunk);
    }
    let mut tail = [0u8; 32];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    block(&tail);
    let mut h = step(seed, bytes.len() as u64, K[3]);
    for lane in lanes {
        h = step(h, lane, K[3]);
    }
    h ^= h >> 32;
    h = h.wrapping_mul(K[1]);
    h ^= h >> 29;
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FuncStatus;
    use wasmtier_runtime::TypeRegistry;

    const WAT: &str = r#"(module
        (func $f (export "f") (param i32) (result i32)
          (i32.div_u (i32.const 1) (call $g (local.get 0))))
        (func $g (param i32) (result i32) (local.get 0)))"#;

    fn key() -> Key {
        Key::new(&JitOptions::default(), "all").unwrap()
    }

    /// `WAT` compiled and written as an artifact with [`key`], with its parsed info.
    fn artifact() -> (Vec<u8>, ModuleInfo) {
        let wasm = wat::parse_str(WAT).unwrap();
        let (info, bodies) = crate::parse_for_tests(&wasm, &TypeRegistry::default());
        let module = crate::compile_module(&info, &bodies, &JitOptions::default()).unwrap();
        (write(&module, &key(), &wasm), info)
    }

    fn error(bytes: &[u8], key: &Key) -> String {
        match read(bytes, key) {
            Ok(_) => panic!("accepted"),
            Err(e) => e,
        }
    }

    /// Replaces the string field `index` (0: build, 1: ISA, 2: config) of an artifact and
    /// seals it again with a valid length and checksum: a forged header.
    fn forge(bytes: &[u8], index: usize, value: &str) -> Vec<u8> {
        let mut r = Reader { bytes, at: 12 };
        for _ in 0..index {
            r.bytes().unwrap();
        }
        let start = r.at;
        r.bytes().unwrap();
        let mut out = bytes[..start].to_vec();
        out.extend_from_slice(&(value.len() as u64).to_le_bytes());
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(&bytes[r.at..bytes.len() - TRAILER]);
        let total = (out.len() + TRAILER) as u64;
        out.extend_from_slice(&total.to_le_bytes());
        let sum = checksum(FORMAT as u64, &out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    #[test]
    fn round_trip_keeps_code_tables_and_wasm() {
        let (bytes, info) = artifact();
        let read_back = read(&bytes, &key()).unwrap();
        assert_eq!(read_back.wasm, wat::parse_str(WAT).unwrap());
        let module = read_back.load(&info).unwrap();
        assert_eq!(module.func_status(0), FuncStatus::Compiled);
        assert_eq!(module.func_status(1), FuncStatus::Compiled);
        // Written again, it is the same artifact: nothing was lost or relocated.
        assert!(write(&module, &key(), &wat::parse_str(WAT).unwrap()) == bytes);
    }

    #[test]
    fn truncated_or_corrupted_artifacts_are_refused() {
        let (bytes, _) = artifact();
        for len in (0..bytes.len()).step_by(7).chain([bytes.len() - 1]) {
            let e = error(&bytes[..len], &key());
            assert!(
                e.contains("truncated") || e.contains("not a wasmtier") || e.contains("corrupted"),
                "{len}: {e}"
            );
        }
        for at in (12..bytes.len()).step_by(bytes.len() / 50) {
            let mut bad = bytes.clone();
            bad[at] ^= 0x40;
            let e = error(&bad, &key());
            assert!(
                e.contains("corrupted") || e.contains("truncated"),
                "{at}: {e}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(error(&longer, &key()).contains("truncated or damaged"));
        let mut other_format = bytes.clone();
        other_format[8] = 99;
        assert!(error(&other_format, &key()).contains("format version 99"));
        assert!(error(b"\0asm\x01\0\0\0", &key()).contains("not a wasmtier"));
    }

    #[test]
    fn another_build_cpu_or_configuration_is_refused() {
        let (bytes, _) = artifact();
        let e = error(&forge(&bytes, 0, "wasmtier 0.0.1 build 0"), &key());
        assert!(
            e.contains("another wasmtier (wasmtier 0.0.1 build 0)"),
            "{e}"
        );
        let e = error(
            &forge(&bytes, 1, "x86_64-unknown-linux-gnu has_avx512=true"),
            &key(),
        );
        assert!(e.contains("another CPU"), "{e}");
        let fuel = Key::new(
            &JitOptions {
                fuel: true,
                ..JitOptions::default()
            },
            "all",
        )
        .unwrap();
        let e = error(&bytes, &fuel);
        assert!(
            e.contains("another configuration") && e.contains("fuel=false"),
            "{e}"
        );
        let other_features = Key::new(&JitOptions::default(), "some").unwrap();
        assert!(error(&bytes, &other_features).contains("another configuration"));
        // The forgery itself is well made: with the right key it is read.
        assert!(read(&forge(&bytes, 0, &key().build), &key()).is_ok());
    }

    #[test]
    fn tables_that_do_not_fit_the_module_are_refused() {
        let (bytes, _) = artifact();
        // Another module's info: one function fewer.
        let wasm = wat::parse_str("(module (func (export \"f\")))").unwrap();
        let (other, _) = crate::parse_for_tests(&wasm, &TypeRegistry::default());
        let e = match read(&bytes, &key()).unwrap().load(&other) {
            Ok(_) => panic!("loaded"),
            Err(e) => e,
        };
        assert!(e.contains("do not fit"), "{e}");
    }

    #[test]
    fn cache_names_depend_on_every_part_of_the_key_and_the_wasm() {
        let k = key();
        let name = k.cache_name(b"wasm");
        assert_eq!(name.len(), 32);
        assert_eq!(name, k.cache_name(b"wasm"));
        assert_ne!(name, k.cache_name(b"wasm2"));
        for i in 0..3 {
            let mut other = k.clone();
            [&mut other.build, &mut other.isa, &mut other.config][i].push('x');
            assert_ne!(name, other.cache_name(b"wasm"));
        }
    }

    #[test]
    fn checksum_sees_any_single_byte_change_and_the_length() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 31 % 251) as u8).collect();
        let sum = checksum(7, &data);
        for at in [0, 1, 7, 8, 31, 32, 500, 990, 999] {
            let mut bad = data.clone();
            bad[at] ^= 0x10;
            assert_ne!(checksum(7, &bad), sum, "byte {at}");
        }
        assert_ne!(checksum(7, &data[..999]), sum);
        let mut padded = data.clone();
        padded.push(0);
        assert_ne!(checksum(7, &padded), sum);
        assert_ne!(checksum(8, &data), sum);
    }
}
