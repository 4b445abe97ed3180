//! Executable memory owned by the runtime: mapped read-write, filled, then protected
//! read+execute, registered for trap lookup, and unmapped when the module goes away.

use std::sync::Arc;

use crate::signals;

pub(crate) struct CodeMemory {
    ptr: *mut u8,
    /// Bytes mapped (whole pages).
    len: usize,
    /// Bytes of code at the start of the mapping.
    code_len: usize,
    /// What the trap handler knows about the code (also written to artifacts).
    info: Arc<signals::CodeInfo>,
}

// SAFETY: the mapping is immutable (read+execute) once constructed and owned by this value.
unsafe impl Send for CodeMemory {}
// SAFETY: as above; shared access only reads addresses.
unsafe impl Sync for CodeMemory {}

impl CodeMemory {
    /// Copies `code` into fresh executable memory and registers it (trap sites, functions).
    pub(crate) fn new(code: &[u8], info: signals::CodeInfo) -> Result<CodeMemory, String> {
        let page = 4096;
        let len = code.len().max(1).div_ceil(page) * page;
        // SAFETY: a fresh anonymous private mapping does not alias anything.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err("failed to map memory for compiled code".into());
        }
        let ptr = ptr.cast::<u8>();
        // SAFETY: `ptr` is a writable mapping of `len >= code.len()` bytes; afterwards the
        // mapping becomes read+execute and is never written again.
        unsafe {
            std::ptr::copy_nonoverlapping(code.as_ptr(), ptr, code.len());
            if libc::mprotect(ptr.cast(), len, libc::PROT_READ | libc::PROT_EXEC) != 0 {
                libc::munmap(ptr.cast(), len);
                return Err("failed to make compiled code executable".into());
            }
        }
        let info = Arc::new(info);
        signals::register(ptr as usize, code.len(), info.clone());
        Ok(CodeMemory {
            ptr,
            len,
            code_len: code.len(),
            info,
        })
    }

    /// The code, as it was copied in.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: the first `code_len` bytes of the mapping were written in `new` and are
        // readable (read+execute) and never written again while `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr, self.code_len) }
    }

    pub(crate) fn info(&self) -> &signals::CodeInfo {
        &self.info
    }

    pub(crate) fn at(&self, offset: u32) -> *const u8 {
        // SAFETY: offsets come from the layout of this code and lie inside the mapping.
        unsafe { self.ptr.add(offset as usize) }
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        signals::unregister(self.ptr as usize);
        // SAFETY: unmaps exactly the mapping created in `new`; no instance refers to it any
        // more (instances hold the module, which owns this value).
        unsafe {
            libc::munmap(self.ptr.cast(), self.len);
        }
    }
}
