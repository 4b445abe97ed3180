//! A host-free `Env` for unit tests of the WASI calls: a plain byte vector as guest memory.

use std::sync::atomic::AtomicBool;

use super::ctx::{WasiCtx, WasiCtxBuilder};
use super::errno::WasiResult;
use super::host::Env;

pub struct TestEnv {
    pub mem: Vec<u8>,
    pub ctx: WasiCtx,
    pub interrupt: AtomicBool,
}

impl TestEnv {
    /// 64 KiB of memory and a context with `dir` preopened as fd 3 (guest name `/d`).
    pub fn with_dir(dir: &std::path::Path) -> TestEnv {
        let mut b = WasiCtxBuilder::new();
        b.preopened_dir(dir, "/d").expect("preopen");
        TestEnv {
            mem: vec![0; 65536],
            ctx: b.build(),
            interrupt: AtomicBool::new(false),
        }
    }

    /// Puts `bytes` at `at`, returning `(at, len)` for a call's pointer arguments.
    pub fn put(&mut self, at: u32, bytes: &[u8]) -> (u32, u32) {
        self.mem[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
        (at, bytes.len() as u32)
    }
}

impl Env for TestEnv {
    fn mem(&mut self) -> WasiResult<&mut [u8]> {
        Ok(&mut self.mem)
    }

    fn ctx(&mut self) -> &mut WasiCtx {
        &mut self.ctx
    }

    fn interrupt_flag(&self) -> &AtomicBool {
        &self.interrupt
    }
}

/// A fresh scratch directory for one unit test.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmtier-unit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}
