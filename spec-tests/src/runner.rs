//! Executes script directives against one store: the state a `.wast` script builds up.

use std::collections::HashMap;

use wasmtier::{Config, Engine, Error, Instance, Linker, Module, Store, Val};
use wast::core::{Module as TextModule, ModuleKind};
use wast::token::Id;
use wast::{QuoteWat, WastDirective, WastExecute, WastInvoke, Wat};

use crate::errors::{describe_error, expect_link_error, expect_trap};
use crate::expect::check_results;
use crate::report::WastStats;
use crate::spectest::define_spectest;
use crate::values::{HostRefs, arg_to_val, describe_vals};

/// Why running wasm code did not produce values.
enum ExecError {
    /// The script itself could not be carried out (unknown export, unsupported value, ...).
    Harness(String),
    /// wasmtier returned an error: what assertions inspect.
    Wasm(Error),
}

type ExecResult = Result<Vec<Val>, ExecError>;

/// Directive-by-directive state of one script.
pub(crate) struct Runner {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    /// The module that unnamed `invoke`/`get`/`register` refer to: the latest one.
    current: Option<Instance>,
    /// Instances by `$id`.
    instances: HashMap<String, Instance>,
    /// `module definition`s (compiled, not instantiated) by `$id`, plus the latest one.
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
    host_refs: HostRefs,
    pub(crate) stats: WastStats,
    /// Every module compiled so far, for the tier statistics at the end of the script.
    modules: Vec<Module>,
}

impl Runner {
    /// Fails when the configured tier is unavailable or the `spectest` module cannot be set up.
    pub(crate) fn new(config: &Config) -> Result<Runner, String> {
        let engine = Engine::new(config)
            .map_err(|e| format!("engine unavailable: {}", describe_error(&e)))?;
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        // Scripts may `register` a name twice, the later one winning.
        linker.allow_shadowing(true);
        define_spectest(&mut linker, &mut store).map_err(|e| {
            format!(
                "defining the spectest module failed: {}",
                describe_error(&e)
            )
        })?;
        Ok(Runner {
            engine,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            host_refs: HostRefs::default(),
            stats: WastStats::default(),
            modules: Vec::new(),
        })
    }

    /// Runs one directive; `Err` says what went wrong.
    pub(crate) fn run(&mut self, directive: WastDirective<'_>) -> Result<(), String> {
        match directive {
            WastDirective::Module(wat) => self.module(wat),
            WastDirective::ModuleDefinition(wat) => self.module_definition(wat),
            WastDirective::ModuleInstance {
                instance, module, ..
            } => self.module_instance(instance, module),
            WastDirective::Register { name, module, .. } => self.register(name, module),
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                Ok(_) => Ok(()),
                Err(e) => Err(self.unexpected(e)),
            },
            WastDirective::AssertReturn { exec, results, .. } => match self.execute(exec) {
                Ok(actual) => check_results(&self.store, &actual, &results),
                Err(e) => Err(self.unexpected(e)),
            },
            WastDirective::AssertTrap { exec, message, .. } => {
                let result = self.execute(exec);
                self.expect_trap(result, message)
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let result = self.invoke(&call);
                self.expect_trap(result, message)
            }
            WastDirective::AssertException { exec, .. } => match self.execute(exec) {
                Ok(values) => Err(format!(
                    "expected an uncaught exception, got {}",
                    describe_vals(&self.store, &values)
                )),
                Err(ExecError::Harness(m)) => Err(m),
                Err(ExecError::Wasm(e)) => crate::errors::expect_exception(&e),
            },
            WastDirective::AssertInvalid {
                module, message, ..
            } => self.assert_invalid(module, message),
            WastDirective::AssertMalformed {
                module, message, ..
            } => self.assert_malformed(module, message),
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => self.assert_unlinkable(module, message),
            other => Err(format!(
                "the `{}` directive is not supported by this harness",
                crate::directive::kind(&other)
            )),
        }
    }

    fn module(&mut self, mut wat: QuoteWat<'_>) -> Result<(), String> {
        let name = wat.name().map(|id| id.name().to_string());
        // Forget the previous module first, so that if this one fails, later directives fail
        // with "no module" instead of silently running against an older module.
        self.current = None;
        if let Some(name) = &name {
            self.instances.remove(name);
        }
        let module = self.compile(&mut wat)?;
        let instance = self.instantiate(&module)?;
        self.current = Some(instance);
        if let Some(name) = name {
            self.instances.insert(name, instance);
        }
        Ok(())
    }

    fn module_definition(&mut self, mut wat: QuoteWat<'_>) -> Result<(), String> {
        let name = wat.name().map(|id| id.name().to_string());
        self.last_definition = None;
        let module = self.compile(&mut wat)?;
        if let Some(name) = name {
            self.definitions.insert(name, module.clone());
        }
        self.last_definition = Some(module);
        Ok(())
    }

    fn module_instance(
        &mut self,
        instance: Option<Id<'_>>,
        module: Option<Id<'_>>,
    ) -> Result<(), String> {
        self.current = None;
        let definition = match module {
            Some(id) => self.definitions.get(id.name()),
            None => self.last_definition.as_ref(),
        };
        let definition = definition
            .cloned()
            .ok_or_else(|| format!("no module definition {}", id_text(module)))?;
        let created = self.instantiate(&definition)?;
        self.current = Some(created);
        if let Some(id) = instance {
            self.instances.insert(id.name().to_string(), created);
        }
        Ok(())
    }

    fn register(&mut self, name: &str, module: Option<Id<'_>>) -> Result<(), String> {
        let instance = self.instance(module)?;
        self.linker
            .instance(&self.store, name, instance)
            .map(drop)
            .map_err(|e| format!("registering failed: {}", describe_error(&e)))
    }

    fn assert_invalid(&mut self, mut wat: QuoteWat<'_>, message: &str) -> Result<(), String> {
        let binary = encode(&mut wat)?;
        match Module::from_binary(&self.engine, &binary) {
            Err(Error::Invalid(_)) => Ok(()),
            Err(e) => Err(format!(
                "expected invalid module (\"{message}\"), got {}",
                describe_error(&e)
            )),
            Ok(_) => Err(format!(
                "expected invalid module (\"{message}\"), but it compiled"
            )),
        }
    }

    /// A malformed module may be caught by the text parser (then wasmtier never sees it) or
    /// by wasmtier's decoder. Some binary errors are reported by the shared decoder/validator
    /// as invalid; those are accepted and counted.
    fn assert_malformed(&mut self, mut wat: QuoteWat<'_>, message: &str) -> Result<(), String> {
        let is_binary = is_binary_module(&wat);
        let binary = match wat.encode() {
            Ok(binary) => binary,
            Err(_) => {
                self.stats.malformed_rejected_by_text_parser += 1;
                return Ok(());
            }
        };
        match Module::from_binary(&self.engine, &binary) {
            Err(Error::Malformed(_)) => {
                self.stats.malformed_rejected_as_malformed += 1;
                Ok(())
            }
            Err(Error::Invalid(_)) if is_binary => {
                self.stats.malformed_accepted_as_invalid += 1;
                Ok(())
            }
            // The text is malformed by the spec, but the `wast` parser is more permissive
            // (e.g. it reads limits as 64-bit numbers for memory64) and encoded it. wasmtier
            // then rightly rejects the binary as invalid: a text-parser difference, not an
            // engine bug, so it is accepted and counted.
            Err(Error::Invalid(_)) => {
                self.stats.malformed_text_rejected_as_invalid += 1;
                Ok(())
            }
            Err(e) => Err(format!(
                "expected malformed module (\"{message}\"), got {}",
                describe_error(&e)
            )),
            Ok(_) if is_binary => Err(format!(
                "expected malformed module (\"{message}\"), but it compiled"
            )),
            Ok(_) => Err(format!(
                "expected malformed module (\"{message}\"), but the text parser accepted it \
                 and the encoded binary compiled"
            )),
        }
    }

    fn assert_unlinkable(&mut self, wat: Wat<'_>, message: &str) -> Result<(), String> {
        let module = self.compile(&mut QuoteWat::Wat(wat))?;
        match self.linker.instantiate(&mut self.store, &module) {
            Ok(_) => Err(format!(
                "expected link error \"{message}\", but the module instantiated"
            )),
            Err(e) => expect_link_error(&e, message),
        }
    }

    fn expect_trap(&self, result: ExecResult, message: &str) -> Result<(), String> {
        match result {
            Ok(values) => Err(format!(
                "expected trap \"{message}\", got {}",
                describe_vals(&self.store, &values)
            )),
            Err(ExecError::Harness(m)) => Err(m),
            Err(ExecError::Wasm(e)) => expect_trap(&e, message),
        }
    }

    /// The message for an error where success was expected.
    fn unexpected(&self, error: ExecError) -> String {
        match error {
            ExecError::Harness(m) => m,
            ExecError::Wasm(e) => format!("unexpected {}", describe_error(&e)),
        }
    }

    /// Runs what `assert_return`/`assert_trap` check: an invocation, a global read, or the
    /// instantiation of a module (whose start function may trap).
    fn execute(&mut self, exec: WastExecute<'_>) -> ExecResult {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => self.get(module, global),
            WastExecute::Wat(wat) => {
                let module = self
                    .compile(&mut QuoteWat::Wat(wat))
                    .map_err(ExecError::Harness)?;
                self.linker
                    .instantiate(&mut self.store, &module)
                    .map_err(ExecError::Wasm)?;
                Ok(Vec::new())
            }
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> ExecResult {
        let instance = self.instance(invoke.module).map_err(ExecError::Harness)?;
        let func = instance.get_func(&self.store, invoke.name).ok_or_else(|| {
            ExecError::Harness(format!(
                "module {} has no exported function \"{}\"",
                id_text(invoke.module),
                invoke.name
            ))
        })?;
        let mut args = Vec::with_capacity(invoke.args.len());
        for arg in &invoke.args {
            let val = arg_to_val(arg, &mut self.store, &mut self.host_refs)
                .map_err(ExecError::Harness)?;
            args.push(val);
        }
        let result_types = func.ty(&self.store).results().to_vec();
        let mut results: Vec<Val> = result_types.into_iter().map(Val::default_for).collect();
        func.call(&mut self.store, &args, &mut results)
            .map_err(ExecError::Wasm)?;
        Ok(results)
    }

    fn get(&mut self, module: Option<Id<'_>>, name: &str) -> ExecResult {
        let instance = self.instance(module).map_err(ExecError::Harness)?;
        let global = instance.get_global(&self.store, name).ok_or_else(|| {
            ExecError::Harness(format!(
                "module {} has no exported global \"{name}\"",
                id_text(module)
            ))
        })?;
        Ok(vec![global.get(&self.store)])
    }

    /// The instance named `id`, or the current one.
    fn instance(&self, id: Option<Id<'_>>) -> Result<Instance, String> {
        match id {
            Some(id) => self
                .instances
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("no module named ${}", id.name())),
            None => self
                .current
                .ok_or_else(|| "no current module (none defined, or the last one failed)".into()),
        }
    }

    fn compile(&mut self, wat: &mut QuoteWat<'_>) -> Result<Module, String> {
        let binary = encode(wat)?;
        let module = Module::from_binary(&self.engine, &binary)
            .map_err(|e| format!("compiling failed: {}", describe_error(&e)))?;
        self.modules.push(module.clone());
        Ok(module)
    }

    /// The script's statistics, with the functions the JIT could not compile (which ran
    /// interpreted) counted over every module the script compiled.
    pub(crate) fn finish(mut self) -> WastStats {
        self.stats.funcs_left_to_interpreter = self
            .modules
            .iter()
            .map(|m| m.tier_stats().failed().count())
            .sum();
        self.stats
    }

    fn instantiate(&mut self, module: &Module) -> Result<Instance, String> {
        self.linker
            .instantiate(&mut self.store, module)
            .map_err(|e| format!("instantiation failed: {}", describe_error(&e)))
    }
}

/// Encodes a text, quoted or binary module to its binary form.
fn encode(wat: &mut QuoteWat<'_>) -> Result<Vec<u8>, String> {
    if matches!(
        wat,
        QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
    ) {
        return Err("components are not supported".into());
    }
    wat.encode()
        .map_err(|e| format!("module text did not parse: {}", e.message()))
}

/// `(module binary ...)`: the bytes are given directly rather than as text.
fn is_binary_module(wat: &QuoteWat<'_>) -> bool {
    matches!(
        wat,
        QuoteWat::Wat(Wat::Module(TextModule {
            kind: ModuleKind::Binary(_),
            ..
        }))
    )
}

fn id_text(id: Option<Id<'_>>) -> String {
    match id {
        Some(id) => format!("${}", id.name()),
        None => "(current)".into(),
    }
}
