//! Module metadata: everything about a module that instantiation and the tiers need, decoded
//! once and validated with wasmparser. Function bodies are handed to the tiers separately.

use std::collections::HashMap;
use std::sync::Arc;

use wasmparser::{
    FuncToValidate, FuncValidator, FuncValidatorAllocations, FunctionBody, OperatorsReader, Parser,
    Payload, ValidPayload, Validator, ValidatorResources, WasmFeatures,
};

use crate::const_expr::{ConstExpr, ConstOp};
use crate::types::{
    FuncType, GlobalType, HeapType, Limits, MemoryType, RefType, SharedTypeId, TableType,
    TypeRegistry, ValType,
};

/// Every WebAssembly feature wasmtier implements: Wasm 2.0, plus these of Wasm 3.0:
/// extended constant expressions, tail calls, multiple memories, 64-bit memories and tables,
/// relaxed SIMD, typed function references, exception handling and GC's type system (GC
/// instructions are refused: see [`ModuleError::Unsupported`]), and the wide-arithmetic and custom-page-sizes proposals. An embedder
/// picks a subset (see [`parse_with_features`]).
pub fn features() -> WasmFeatures {
    default_features()
        .union(WasmFeatures::WIDE_ARITHMETIC)
        .union(WasmFeatures::CUSTOM_PAGE_SIZES)
}

/// The features on by default: those of [`features`] that are part of a WebAssembly
/// standard.
pub fn default_features() -> WasmFeatures {
    WasmFeatures::WASM2
        .union(WasmFeatures::RELAXED_SIMD)
        .union(WasmFeatures::EXTENDED_CONST)
        .union(WasmFeatures::TAIL_CALL)
        .union(WasmFeatures::MULTI_MEMORY)
        .union(WasmFeatures::MEMORY64)
        .union(WasmFeatures::FUNCTION_REFERENCES)
        .union(WasmFeatures::EXCEPTIONS)
        .union(WasmFeatures::GC)
}

/// A parser that decodes only what the feature set allows (its defaults would accept
/// encodings of later proposals, such as compact imports).
fn parser(features: WasmFeatures) -> Parser {
    let mut parser = Parser::new(0);
    parser.set_features(features);
    parser
}

/// Why a module was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModuleError {
    /// The bytes are not a well-formed binary module (spec: "malformed").
    #[error("malformed module: {0}")]
    Malformed(String),
    /// The module decodes but does not validate (spec: "invalid").
    #[error("invalid module: {0}")]
    Invalid(String),
    /// The module is valid but uses something this runtime does not support.
    #[error("unsupported module: {0}")]
    Unsupported(String),
}

fn malformed(e: wasmparser::BinaryReaderError) -> ModuleError {
    // wasmparser decodes memarg flag bit 5 as an atomic-ordering marker (a later proposal);
    // in Wasm 2.0 those bits are just a too-large alignment exponent, which is invalid.
    if e.message().starts_with("cannot specify atomic ordering") {
        return ModuleError::Invalid(format!(
            "alignment must not be larger than natural (at offset {:#x})",
            e.offset()
        ));
    }
    ModuleError::Malformed(format!("{} (at offset {:#x})", e.message(), e.offset()))
}

fn malformed_at(offset: usize, message: &str) -> ModuleError {
    ModuleError::Malformed(format!("{message} (at offset {offset:#x})"))
}

fn invalid(e: wasmparser::BinaryReaderError) -> ModuleError {
    ModuleError::Invalid(format!("{} (at offset {:#x})", e.message(), e.offset()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

impl std::fmt::Display for ExternKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ExternKind::Func => "function",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
            ExternKind::Tag => "tag",
        })
    }
}

/// What an import asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportType {
    /// A function of the given module type index.
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// A tag of the given module type index (a function type without results).
    Tag(u32),
}

#[derive(Debug, Clone)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub ty: ImportType,
}

#[derive(Debug, Clone)]
pub struct Export {
    pub name: String,
    pub kind: ExternKind,
    pub index: u32,
}

#[derive(Debug, Clone)]
pub enum ElementMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

#[derive(Debug, Clone)]
pub struct ElementSegment {
    pub mode: ElementMode,
    pub ty: RefType,
    pub items: Vec<ConstExpr>,
}

#[derive(Debug, Clone)]
pub enum DataMode {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

#[derive(Debug, Clone)]
pub struct DataSegment {
    pub mode: DataMode,
    pub bytes: Arc<[u8]>,
}

/// Decoded, validated module metadata.
#[derive(Debug, Default)]
pub struct ModuleInfo {
    /// Module name from the name section.
    pub name: Option<String>,
    /// Function types by module type index.
    pub types: Vec<FuncType>,
    /// Engine-wide ids of `types`, same indices.
    pub type_ids: Vec<SharedTypeId>,
    /// The concrete heap type of each type (by module type index): which kind of type
    /// (function, struct, array) it is, with its engine-wide id.
    pub type_heaps: Vec<HeapType>,
    /// Whether each type is final (by module type index): a function of a final type `t`
    /// is of `t` exactly when its type id is `t`'s, so `call_indirect` needs no supertype
    /// check.
    pub type_final: Vec<bool>,
    pub imports: Vec<Import>,
    /// Type index of every function, imported ones first.
    pub func_types: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<TableType>,
    pub num_imported_tables: u32,
    /// Initializers of the defined (non-imported) tables: `None` for null (the only
    /// choice before typed function references).
    pub table_inits: Vec<Option<ConstExpr>>,
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    pub globals: Vec<GlobalType>,
    pub num_imported_globals: u32,
    /// Initializers of the defined (non-imported) globals.
    pub global_inits: Vec<ConstExpr>,
    /// Type index of every tag, imported ones first.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elements: Vec<ElementSegment>,
    pub data: Vec<DataSegment>,
    /// Function names from the name section, by function index.
    pub func_names: HashMap<u32, String>,
    /// Byte offset of each defined function's body in the module binary (for diagnostics).
    pub body_offsets: Vec<usize>,
}

impl ModuleInfo {
    /// The signature of function `func_index` (module function index space).
    pub fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.func_types[func_index as usize] as usize]
    }

    pub fn func_type_id(&self, func_index: u32) -> SharedTypeId {
        self.type_ids[self.func_types[func_index as usize] as usize]
    }

    /// The type of tag `tag` (module tag index space): its parameters are the payload.
    pub fn tag_type(&self, tag: u32) -> &FuncType {
        &self.types[self.tags[tag as usize] as usize]
    }

    pub fn num_defined_funcs(&self) -> u32 {
        self.func_types.len() as u32 - self.num_imported_funcs
    }

    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.name == name)
    }

    /// The name of a function for backtraces and stats, if the name section has one.
    pub fn func_name(&self, func_index: u32) -> Option<&str> {
        self.func_names.get(&func_index).map(String::as_str)
    }
}

/// A function body still to be validated and translated by a tier.
pub struct PendingBody<'a> {
    /// Index in the module's function index space.
    pub func_index: u32,
    pub validator: FuncToValidate<ValidatorResources>,
    pub body: FunctionBody<'a>,
}

impl PendingBody<'_> {
    /// The body's size in bytes.
    pub fn size(&self) -> usize {
        let range = self.body.range();
        usize::try_from(range.end - range.start).unwrap_or(usize::MAX)
    }
}

/// The result of [`parse`]: metadata plus the function bodies, which the caller must validate
/// (each with its `FuncToValidate`) before the module counts as valid.
pub struct ParsedModule<'a> {
    pub info: ModuleInfo,
    pub bodies: Vec<PendingBody<'a>>,
}

/// Decodes and validates `bytes` (all but function bodies, which come back in `bodies`)
/// with the [`default_features`].
pub fn parse<'a>(
    bytes: &'a [u8],
    registry: &TypeRegistry,
) -> Result<ParsedModule<'a>, ModuleError> {
    parse_with_features(bytes, registry, default_features())
}

/// [`parse`] with the given feature set (an engine's configuration). The set is cut down to
/// [`features`], everything wasmtier implements, so that no configuration makes it accept a
/// module it cannot run.
pub fn parse_with_features<'a>(
    bytes: &'a [u8],
    registry: &TypeRegistry,
    features: WasmFeatures,
) -> Result<ParsedModule<'a>, ModuleError> {
    let features = features.intersection(self::features());
    decode_check(bytes, features, DecodeBodies::Yes)?;
    parse_decoded(bytes, registry, features)
}

/// [`parse_with_features`], and validates every function body too, so that the module is
/// known to be valid when this returns (for tiers that do not validate the bodies
/// themselves right away, such as the interpreter translating lazily).
///
/// Each body is decoded once, by its validation, instead of once more beforehand: the
/// decoding pass before validation leaves bodies out, and only when the module turns out to
/// be invalid is it decoded in full, to report it as malformed if it is (the spec decodes
/// before it validates), exactly as [`parse_with_features`] would.
///
/// Large modules' bodies are validated on up to `max_threads` threads (see
/// [`validation_threads`]).
pub fn parse_validated<'a>(
    bytes: &'a [u8],
    registry: &TypeRegistry,
    features: WasmFeatures,
    max_threads: usize,
) -> Result<ParsedModule<'a>, ModuleError> {
    let features = features.intersection(self::features());
    let parsed = decode_check(bytes, features, DecodeBodies::No)
        .and_then(|()| parse_decoded(bytes, registry, features))
        .and_then(|parsed| {
            validate_bodies_parallel(bytes, &parsed.bodies, max_threads)?;
            Ok(parsed)
        });
    parsed.map_err(|e| {
        decode_check(bytes, features, DecodeBodies::Yes)
            .err()
            .unwrap_or(e)
    })
}

/// Below this much code per thread, [`validation_threads`] uses fewer threads: starting one
/// costs about as much as validating this many bytes of function bodies.
const MIN_BODY_BYTES_PER_VALIDATION_THREAD: usize = 64 * 1024;

/// How many threads validate `total` bytes of function bodies: at most `max_threads`, and
/// one more per [`MIN_BODY_BYTES_PER_VALIDATION_THREAD`] of code.
fn validation_threads(total: usize, max_threads: usize) -> usize {
    max_threads.clamp(1, 1 + total / MIN_BODY_BYTES_PER_VALIDATION_THREAD)
}

/// Validates `bodies` as [`validate_bodies`] does, split into runs of consecutive bodies of
/// about equal size on [`validation_threads`] threads. The error reported is the first
/// invalid body's in module order, whatever the thread count.
fn validate_bodies_parallel(
    bytes: &[u8],
    bodies: &[PendingBody<'_>],
    max_threads: usize,
) -> Result<(), ModuleError> {
    let total: usize = bodies.iter().map(PendingBody::size).sum();
    let threads = validation_threads(total, max_threads);
    if threads == 1 {
        return validate_bodies(bytes, bodies)?.map_or(Ok(()), Err);
    }
    let per_thread = total.div_ceil(threads);
    let mut runs = Vec::with_capacity(threads);
    let (mut start, mut size) = (0, 0);
    for (i, body) in bodies.iter().enumerate() {
        size += body.size();
        if size >= per_thread {
            runs.push(&bodies[start..=i]);
            (start, size) = (i + 1, 0);
        }
    }
    if start < bodies.len() {
        runs.push(&bodies[start..]);
    }
    std::thread::scope(|scope| {
        let (first, rest) = runs.split_first().expect("at least one run of bodies");
        // A run whose thread cannot be started is validated on this one, in order.
        let spawned: Vec<_> = rest
            .iter()
            .map(|&run| {
                std::thread::Builder::new()
                    .name("wasmtier-validate".into())
                    .spawn_scoped(scope, move || validate_bodies(bytes, run))
                    .map_err(|_| run)
            })
            .collect();
        // The first invalid body fails the module; only a valid one can be unsupported.
        let mut unsupported = validate_bodies(bytes, first)?;
        for outcome in spawned {
            let run_unsupported = match outcome {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
                Err(run) => validate_bodies(bytes, run)?,
            };
            unsupported = unsupported.or(run_unsupported);
        }
        unsupported.map_or(Ok(()), Err)
    })
}

/// Validates `bodies` (of the module `bytes`) in order; the first invalid one fails. When
/// all are valid, returns why the first one wasmtier cannot run is unsupported, if one is.
fn validate_bodies(
    bytes: &[u8],
    bodies: &[PendingBody<'_>],
) -> Result<Option<ModuleError>, ModuleError> {
    let mut allocs = FuncValidatorAllocations::default();
    let mut unsupported = None;
    for body in bodies {
        let to_validate = &body.validator;
        let features = to_validate.features;
        let mut validator = FuncToValidate {
            resources: to_validate.resources.clone(),
            index: to_validate.index,
            ty: to_validate.ty,
            features,
        }
        .into_validator(allocs);
        validate_body(
            &mut validator,
            &body.body,
            bytes,
            features,
            &mut unsupported,
        )?;
        allocs = validator.into_allocations();
    }
    // Refused only once the whole module is known to be valid: an invalid one is invalid.
    Ok(unsupported)
}

/// Whether the instruction whose encoding starts at `bytes[at]` is a GC instruction that
/// wasmtier validates but does not run yet: everything with the `0xfb` prefix (`struct.*`,
/// `array.*`, `ref.test`, `ref.cast`, `br_on_cast*`, `any.convert_extern`,
/// `extern.convert_any`) but `ref.i31` (`0xfb 0x1c`), `i31.get_s` (`0x1d`) and `i31.get_u`
/// (`0x1e`), which run (as does `ref.eq`). The sub-opcode is a LEB128 `u32`: a one-byte
/// encoding of those three, or anything else.
pub fn is_gc_instruction(bytes: &[u8], at: usize) -> bool {
    match bytes.get(at..at + 2) {
        Some([0xfb, 0x1c..=0x1e]) => false,
        Some([0xfb, _]) => true,
        _ => false,
    }
}

/// `FuncValidator::validate`, plus the checks of Wasm 2.0's reserved bytes that
/// [`decode_check`] makes. Errors are reported as invalid: the caller decodes the module in
/// full to tell malformed from invalid. The first GC instruction (see
/// [`is_gc_instruction`]) of a valid body is recorded in `unsupported`, if that is empty.
fn validate_body(
    validator: &mut FuncValidator<ValidatorResources>,
    body: &FunctionBody<'_>,
    bytes: &[u8],
    features: WasmFeatures,
    unsupported: &mut Option<ModuleError>,
) -> Result<(), ModuleError> {
    let mut reader = body.get_binary_reader();
    validator.read_locals(&mut reader).map_err(invalid)?;
    reader.set_features(features);
    while !reader.eof() {
        let at = reader.original_position();
        // The opcode's first byte, for the rare instructions checked below (a test per
        // operator, so it stays one byte compare on the common path).
        let first = bytes.get(at as usize).copied();
        // memory.size, memory.grow and the 0xfc-prefixed instructions (among them
        // memory.init, memory.copy and memory.fill), which are rare: decode them once more.
        if !features.multi_memory() && matches!(first, Some(0x3f | 0x40 | 0xfc)) {
            let mut ops = OperatorsReader::new(reader.clone());
            let op = ops.read().map_err(invalid)?;
            check_reserved_bytes(&op, bytes, ops.original_position() as usize)?;
        }
        reader
            .visit_operator(&mut validator.visitor(at))
            .and_then(|validated| validated)
            .map_err(invalid)?;
        if first == Some(0xfb)
            && unsupported.is_none()
            && features.gc()
            && is_gc_instruction(bytes, at as usize)
        {
            *unsupported = Some(ModuleError::Unsupported(format!(
                "GC instructions other than ref.eq, ref.i31 and i31.get_s/u are not supported \
                 yet (at offset {at:#x})"
            )));
        }
    }
    reader
        .finish_expression(&validator.visitor(reader.original_position()))
        .map_err(invalid)
}

/// Whether [`decode_check`] decodes function bodies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DecodeBodies {
    Yes,
    No,
}

/// Validates everything but function bodies of a module [`decode_check`] accepted.
fn parse_decoded<'a>(
    bytes: &'a [u8],
    registry: &TypeRegistry,
    features: WasmFeatures,
) -> Result<ParsedModule<'a>, ModuleError> {
    let mut validator = Validator::new_with_features(features);
    let mut info = ModuleInfo::default();
    let mut bodies = Vec::new();
    let mut next_func = 0u32;
    for payload in parser(features).parse_all(bytes) {
        let payload = payload.map_err(malformed)?;
        let valid = validator.payload(&payload).map_err(invalid)?;
        if let ValidPayload::Func(to_validate, body) = valid {
            let func_index = info.num_imported_funcs + next_func;
            next_func += 1;
            info.body_offsets.push(body.range().start as usize);
            bodies.push(PendingBody {
                func_index,
                validator: to_validate,
                body,
            });
            continue;
        }
        record_payload(&mut info, registry, payload).map_err(|e| match e {
            RecordError::Reader(e) => malformed(e),
            RecordError::Unsupported(m) => ModuleError::Unsupported(m),
        })?;
    }
    Ok(ParsedModule { info, bodies })
}

/// A full decoding pass without validation, so that a malformed module is reported as
/// malformed even where it is also invalid (the spec decodes before it validates). With
/// `DecodeBodies::No`, function bodies are left out (see [`parse_validated`]).
fn decode_check(
    bytes: &[u8],
    features: WasmFeatures,
    bodies: DecodeBodies,
) -> Result<(), ModuleError> {
    for payload in parser(features).parse_all(bytes) {
        match payload.map_err(malformed)? {
            Payload::TypeSection(r) => drain(r)?,
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    i.map_err(malformed)?;
                }
            }
            Payload::FunctionSection(r) => drain(r)?,
            Payload::TableSection(r) => drain(r)?,
            Payload::MemorySection(r) => {
                let range = r.range();
                drain(r)?;
                check_memory_limits(
                    &bytes[range.start as usize..range.end as usize],
                    range.start as usize,
                    features.contains(WasmFeatures::MEMORY64),
                )?;
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    check_const_expr(&g.map_err(malformed)?.init_expr)?;
                }
            }
            Payload::ExportSection(r) => drain(r)?,
            Payload::TagSection(r) => drain(r)?,
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e.map_err(malformed)?;
                    if let wasmparser::ElementKind::Active { offset_expr, .. } = &e.kind {
                        check_const_expr(offset_expr)?;
                    }
                    match e.items {
                        wasmparser::ElementItems::Functions(r) => drain(r)?,
                        wasmparser::ElementItems::Expressions(_, r) => {
                            for expr in r {
                                check_const_expr(&expr.map_err(malformed)?)?;
                            }
                        }
                    }
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    let d = d.map_err(malformed)?;
                    if let wasmparser::DataKind::Active { offset_expr, .. } = &d.kind {
                        check_const_expr(offset_expr)?;
                    }
                }
            }
            Payload::CodeSectionEntry(body) if bodies == DecodeBodies::Yes => {
                let mut locals = body.get_locals_reader().map_err(malformed)?;
                for _ in 0..locals.get_count() {
                    locals.read().map_err(malformed)?;
                }
                let mut ops = body.get_operators_reader().map_err(malformed)?;
                while !ops.eof() {
                    let op = ops.read().map_err(malformed)?;
                    if !features.multi_memory() {
                        check_reserved_bytes(&op, bytes, ops.original_position() as usize)?;
                    }
                }
                ops.finish().map_err(malformed)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Wasm 2.0 encodes the memory index of these instructions as reserved single `0x00` bytes;
/// wasmparser reads them as LEB128 indices (multi-memory) and so accepts `0x80 0x00`.
/// `end` is the offset just past the instruction.
/// (With multi-memory those bytes are memory indices, which wasmparser decodes and
/// validates itself.)
fn check_reserved_bytes(
    op: &wasmparser::Operator<'_>,
    bytes: &[u8],
    end: usize,
) -> Result<(), ModuleError> {
    use wasmparser::Operator as O;
    let reserved = match op {
        O::MemorySize { .. }
        | O::MemoryGrow { .. }
        | O::MemoryFill { .. }
        | O::MemoryInit { .. } => 1,
        O::MemoryCopy { .. } => 2,
        _ => return Ok(()),
    };
    let tail = end
        .checked_sub(reserved + 1)
        .and_then(|start| bytes.get(start..end));
    // The reserved bytes must be zero, and the byte before them must end the opcode or
    // index that precedes them (no LEB128 continuation bit).
    match tail {
        Some([prev, zeros @ ..]) if prev & 0x80 == 0 && zeros.iter().all(|b| *b == 0) => Ok(()),
        _ => Err(malformed_at(end, "zero byte expected")),
    }
}

/// Strict re-check of the memory section's limits, as the spec decodes them: 32-bit
/// LEB128s in Wasm 2.0, 64-bit ones for every memory once memory64 is on (Wasm 3.0), where
/// a 32-bit memory's limits beyond 4 GiB are then invalid rather than malformed.
fn check_memory_limits(section: &[u8], base: usize, memory64: bool) -> Result<(), ModuleError> {
    let limit_bits = if memory64 { 64 } else { 32 };
    let mut pos = 0;
    let count = read_uint_strict(section, &mut pos, base, 32)?;
    for _ in 0..count {
        let flags = *section
            .get(pos)
            .ok_or_else(|| malformed_at(base + pos, "unexpected end"))?;
        pos += 1;
        read_uint_strict(section, &mut pos, base, limit_bits)?;
        if flags & 1 != 0 {
            read_uint_strict(section, &mut pos, base, limit_bits)?;
        }
        // The custom-page-sizes proposal's page size.
        if flags & 8 != 0 {
            read_uint_strict(section, &mut pos, base, 32)?;
        }
    }
    Ok(())
}

/// Reads an unsigned LEB128 of at most `bits` (32 or 64) bits: at most `ceil(bits / 7)`
/// bytes, the unused bits of the last one zero.
fn read_uint_strict(
    bytes: &[u8],
    pos: &mut usize,
    base: usize,
    bits: u32,
) -> Result<u64, ModuleError> {
    let max_bytes = bits.div_ceil(7);
    let mut result: u64 = 0;
    for i in 0..max_bytes {
        let byte = *bytes
            .get(*pos)
            .ok_or_else(|| malformed_at(base + *pos, "unexpected end"))?;
        *pos += 1;
        let used_bits = bits - 7 * i;
        if used_bits < 7 && (byte & 0x7f) >> used_bits != 0 {
            return Err(malformed_at(base + *pos, "integer too large"));
        }
        result |= ((byte & 0x7f) as u64) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(result);
        }
    }
    Err(malformed_at(base + *pos, "integer representation too long"))
}

fn drain<'a, T: wasmparser::FromReader<'a>>(
    r: wasmparser::SectionLimited<'a, T>,
) -> Result<(), ModuleError> {
    for item in r {
        item.map_err(malformed)?;
    }
    Ok(())
}

fn check_const_expr(expr: &wasmparser::ConstExpr<'_>) -> Result<(), ModuleError> {
    let mut ops = expr.get_operators_reader();
    while !ops.eof() {
        ops.read().map_err(malformed)?;
    }
    ops.finish().map_err(malformed)
}

enum RecordError {
    Reader(wasmparser::BinaryReaderError),
    Unsupported(String),
}

impl From<wasmparser::BinaryReaderError> for RecordError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        RecordError::Reader(e)
    }
}

impl From<crate::const_expr::DecodeError> for RecordError {
    fn from(e: crate::const_expr::DecodeError) -> Self {
        match e {
            crate::const_expr::DecodeError::Reader(e) => RecordError::Reader(e),
            crate::const_expr::DecodeError::Unsupported(m) => RecordError::Unsupported(m),
        }
    }
}

impl From<String> for RecordError {
    fn from(m: String) -> Self {
        RecordError::Unsupported(m)
    }
}

fn limits(initial: u64, maximum: Option<u64>) -> Limits {
    Limits {
        min: initial,
        max: maximum,
    }
}

fn table_type(t: &wasmparser::TableType, type_heaps: &[HeapType]) -> Result<TableType, String> {
    Ok(TableType {
        element: RefType::from_wasmparser(t.element_type, type_heaps)?,
        limits: limits(t.initial, t.maximum),
        table64: t.table64,
    })
}

fn memory_type(m: &wasmparser::MemoryType) -> MemoryType {
    MemoryType {
        limits: limits(m.initial, m.maximum),
        shared: m.shared,
        memory64: m.memory64,
        page_size_log2: m.page_size_log2() as u8,
    }
}

fn global_type(g: &wasmparser::GlobalType, type_heaps: &[HeapType]) -> Result<GlobalType, String> {
    Ok(GlobalType {
        content: ValType::from_wasmparser(g.content_type, type_heaps)?,
        mutable: g.mutable,
    })
}

/// Copies what a (validated) payload says into `info`.
fn record_payload(
    info: &mut ModuleInfo,
    registry: &TypeRegistry,
    payload: Payload<'_>,
) -> Result<(), RecordError> {
    match payload {
        Payload::TypeSection(r) => {
            for group in r {
                let group = group?;
                let first = info.types.len() as u32;
                for id in registry.intern_rec_group(&group, first, &info.type_heaps)? {
                    let sub = registry.get_sub(id);
                    info.types.push(registry.get(id));
                    info.type_ids.push(id);
                    info.type_heaps.push(sub.heap_type(id));
                    info.type_final.push(sub.is_final);
                }
            }
        }
        Payload::ImportSection(r) => {
            for import in r.into_imports() {
                let import = import?;
                let ty = match import.ty {
                    wasmparser::TypeRef::Func(idx) | wasmparser::TypeRef::FuncExact(idx) => {
                        info.func_types.push(idx);
                        info.num_imported_funcs += 1;
                        ImportType::Func(idx)
                    }
                    wasmparser::TypeRef::Table(t) => {
                        let t = table_type(&t, &info.type_heaps)?;
                        info.tables.push(t);
                        info.num_imported_tables += 1;
                        ImportType::Table(t)
                    }
                    wasmparser::TypeRef::Memory(m) => {
                        let m = memory_type(&m);
                        info.memories.push(m);
                        info.num_imported_memories += 1;
                        ImportType::Memory(m)
                    }
                    wasmparser::TypeRef::Global(g) => {
                        let g = global_type(&g, &info.type_heaps)?;
                        info.globals.push(g);
                        info.num_imported_globals += 1;
                        ImportType::Global(g)
                    }
                    wasmparser::TypeRef::Tag(t) => {
                        info.tags.push(t.func_type_idx);
                        info.num_imported_tags += 1;
                        ImportType::Tag(t.func_type_idx)
                    }
                };
                info.imports.push(Import {
                    module: import.module.to_string(),
                    name: import.name.to_string(),
                    ty,
                });
            }
        }
        Payload::FunctionSection(r) => {
            for idx in r {
                info.func_types.push(idx?);
            }
        }
        Payload::TableSection(r) => {
            for table in r {
                let table = table?;
                info.table_inits.push(match table.init {
                    wasmparser::TableInit::RefNull => None,
                    wasmparser::TableInit::Expr(expr) => Some(ConstExpr::decode(&expr)?),
                });
                info.tables.push(table_type(&table.ty, &info.type_heaps)?);
            }
        }
        Payload::MemorySection(r) => {
            for m in r {
                info.memories.push(memory_type(&m?));
            }
        }
        Payload::GlobalSection(r) => {
            for g in r {
                let g = g?;
                info.globals.push(global_type(&g.ty, &info.type_heaps)?);
                info.global_inits.push(ConstExpr::decode(&g.init_expr)?);
            }
        }
        Payload::ExportSection(r) => {
            for e in r {
                let e = e?;
                let kind = match e.kind {
                    wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                        ExternKind::Func
                    }
                    wasmparser::ExternalKind::Table => ExternKind::Table,
                    wasmparser::ExternalKind::Memory => ExternKind::Memory,
                    wasmparser::ExternalKind::Global => ExternKind::Global,
                    wasmparser::ExternalKind::Tag => ExternKind::Tag,
                };
                info.exports.push(Export {
                    name: e.name.to_string(),
                    kind,
                    index: e.index,
                });
            }
        }
        Payload::TagSection(r) => {
            for t in r {
                info.tags.push(t?.func_type_idx);
            }
        }
        Payload::StartSection { func, .. } => info.start = Some(func),
        Payload::ElementSection(r) => {
            for e in r {
                let e = e?;
                let mode = match e.kind {
                    wasmparser::ElementKind::Passive => ElementMode::Passive,
                    wasmparser::ElementKind::Declared => ElementMode::Declared,
                    wasmparser::ElementKind::Active {
                        table_index,
                        offset_expr,
                    } => ElementMode::Active {
                        table: table_index.unwrap_or(0),
                        offset: ConstExpr::decode(&offset_expr)?,
                    },
                };
                let (ty, items) = match e.items {
                    wasmparser::ElementItems::Functions(r) => {
                        let items = r
                            .into_iter()
                            .map(|f| f.map(|f| ConstExpr::single(ConstOp::RefFunc(f))))
                            .collect::<Result<Vec<_>, _>>()?;
                        (RefType::FUNCREF, items)
                    }
                    wasmparser::ElementItems::Expressions(ty, r) => {
                        let mut items = Vec::new();
                        for expr in r {
                            items.push(ConstExpr::decode(&expr?)?);
                        }
                        (RefType::from_wasmparser(ty, &info.type_heaps)?, items)
                    }
                };
                info.elements.push(ElementSegment { mode, ty, items });
            }
        }
        Payload::DataSection(r) => {
            for d in r {
                let d = d?;
                let mode = match d.kind {
                    wasmparser::DataKind::Passive => DataMode::Passive,
                    wasmparser::DataKind::Active {
                        memory_index,
                        offset_expr,
                    } => DataMode::Active {
                        memory: memory_index,
                        offset: ConstExpr::decode(&offset_expr)?,
                    },
                };
                info.data.push(DataSegment {
                    mode,
                    bytes: d.data.into(),
                });
            }
        }
        Payload::CustomSection(c) => {
            if let wasmparser::KnownCustom::Name(names) = c.as_known() {
                // A broken name section must not make the module fail: it is only debug info.
                let _ = record_names(info, names);
            }
        }
        _ => {}
    }
    Ok(())
}

fn record_names(
    info: &mut ModuleInfo,
    names: wasmparser::NameSectionReader<'_>,
) -> Result<(), wasmparser::BinaryReaderError> {
    for name in names {
        match name? {
            wasmparser::Name::Module { name, .. } => info.name = Some(name.to_string()),
            wasmparser::Name::Function(map) => {
                for naming in map {
                    let naming = naming?;
                    info.func_names
                        .insert(naming.index, naming.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(())
}
