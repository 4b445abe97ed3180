//! Linear memory: one virtual reservation per memory, committed page by page as it grows, so
//! its base address never moves. Both tiers cache the base pointer; only the length changes.
//!
//! The reservation covers the whole 32-bit address space plus a guard region where possible,
//! which lets compiled code elide bounds checks later; the interpreter always checks bounds.

use crate::types::MemoryType;

pub const WASM_PAGE_SIZE: usize = 65536;
/// Largest number of pages a 32-bit memory can have.
pub const MAX_PAGES_32: u64 = 65536;
/// Address space kept inaccessible after the 4 GiB of addressable memory, so that an access
/// at `u32::MAX + offset` faults instead of touching another mapping.
pub const GUARD_BYTES: usize = 2 << 30;

/// Where a memory's bytes currently are: read by both tiers (the JIT through the VM context).
#[repr(C)]
#[derive(Debug)]
pub struct VMMemoryDefinition {
    pub base: *mut u8,
    pub length: usize,
}

#[derive(Debug)]
pub struct LinearMemory {
    def: Box<VMMemoryDefinition>,
    reserved: usize,
    max_pages: u64,
    ty: MemoryType,
}

// SAFETY: the memory owns its mapping exclusively; the raw pointer is only an address.
unsafe impl Send for LinearMemory {}
// SAFETY: shared access only reads `def`, mutation needs `&mut self`.
unsafe impl Sync for LinearMemory {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemoryError {
    #[error("failed to reserve {0} bytes of address space for a linear memory")]
    Reserve(usize),
    #[error("memory minimum of {0} pages exceeds the limit of {1} pages")]
    TooLarge(u64, u64),
}

impl LinearMemory {
    /// Creates a memory of `ty.limits.min` pages. `page_limit` is the store's cap on pages.
    pub fn new(ty: MemoryType, page_limit: u64) -> Result<LinearMemory, MemoryError> {
        let max_pages = ty
            .limits
            .max
            .unwrap_or(MAX_PAGES_32)
            .min(MAX_PAGES_32)
            .min(page_limit);
        if ty.limits.min > max_pages {
            return Err(MemoryError::TooLarge(ty.limits.min, max_pages));
        }
        let reserved = MAX_PAGES_32 as usize * WASM_PAGE_SIZE + GUARD_BYTES;
        let base = reserve(reserved).ok_or(MemoryError::Reserve(reserved))?;
        let mut memory = LinearMemory {
            def: Box::new(VMMemoryDefinition { base, length: 0 }),
            reserved,
            max_pages,
            ty,
        };
        if memory.grow(ty.limits.min).is_none() {
            return Err(MemoryError::Reserve(
                ty.limits.min as usize * WASM_PAGE_SIZE,
            ));
        }
        Ok(memory)
    }

    pub fn ty(&self) -> MemoryType {
        self.ty
    }

    /// Current size in pages.
    pub fn pages(&self) -> u64 {
        (self.def.length / WASM_PAGE_SIZE) as u64
    }

    pub fn max_pages(&self) -> u64 {
        self.max_pages
    }

    pub fn len(&self) -> usize {
        self.def.length
    }

    pub fn is_empty(&self) -> bool {
        self.def.length == 0
    }

    pub fn base(&self) -> *mut u8 {
        self.def.base
    }

    /// The definition the VM context points at (stable for the memory's lifetime).
    pub fn definition(&self) -> *const VMMemoryDefinition {
        &*self.def
    }

    pub fn data(&self) -> &[u8] {
        // SAFETY: `length` bytes from `base` are committed read-write and owned by `self`.
        unsafe { std::slice::from_raw_parts(self.def.base, self.def.length) }
    }

    pub fn data_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `data`, and `&mut self` makes this the only live reference.
        unsafe { std::slice::from_raw_parts_mut(self.def.base, self.def.length) }
    }

    /// Grows by `delta` pages; returns the previous size in pages, or `None` if the memory
    /// cannot grow that far (wasm's `memory.grow` then returns -1).
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        if delta == 0 {
            return Some(old);
        }
        let old_len = self.def.length;
        let new_len = new as usize * WASM_PAGE_SIZE;
        debug_assert!(new_len <= self.reserved);
        // SAFETY: [old_len, new_len) lies inside the reservation made in `new` (new_len is at
        // most 4 GiB and the reservation is larger), and nothing else maps that range.
        let ok = unsafe {
            libc::mprotect(
                self.def.base.add(old_len).cast(),
                new_len - old_len,
                libc::PROT_READ | libc::PROT_WRITE,
            ) == 0
        };
        if !ok {
            return None;
        }
        self.def.length = new_len;
        Some(old)
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        // SAFETY: `base`/`reserved` are exactly the mapping created by `reserve`, unmapped once.
        unsafe {
            libc::munmap(self.def.base.cast(), self.reserved);
        }
    }
}

/// Reserves `len` bytes of inaccessible address space (no memory is committed).
fn reserve(len: usize) -> Option<*mut u8> {
    // SAFETY: an anonymous private PROT_NONE mapping at a kernel-chosen address has no
    // effect on existing memory.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        None
    } else {
        Some(ptr.cast())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Limits;

    fn mem(min: u64, max: Option<u64>) -> LinearMemory {
        let ty = MemoryType {
            limits: Limits { min, max },
            shared: false,
            memory64: false,
        };
        LinearMemory::new(ty, MAX_PAGES_32).unwrap()
    }

    #[test]
    fn grows_in_place_and_zero_fills() {
        let mut m = mem(1, Some(3));
        let base = m.base();
        m.data_mut()[WASM_PAGE_SIZE - 1] = 7;
        assert_eq!(m.grow(2), Some(1));
        assert_eq!(m.base(), base);
        assert_eq!(m.len(), 3 * WASM_PAGE_SIZE);
        assert_eq!(m.data()[WASM_PAGE_SIZE - 1], 7);
        assert!(m.data()[WASM_PAGE_SIZE..].iter().all(|b| *b == 0));
        assert_eq!(m.grow(1), None);
        assert_eq!(m.grow(0), Some(3));
    }

    #[test]
    fn empty_memory_has_a_valid_base() {
        let m = mem(0, None);
        assert!(!m.base().is_null());
        assert!(m.data().is_empty());
    }

    #[test]
    fn page_limit_caps_growth() {
        let ty = MemoryType {
            limits: Limits { min: 1, max: None },
            shared: false,
            memory64: false,
        };
        let mut m = LinearMemory::new(ty, 2).unwrap();
        assert_eq!(m.grow(1), Some(1));
        assert_eq!(m.grow(1), None);
        assert!(LinearMemory::new(ty, 0).is_err());
    }
}
