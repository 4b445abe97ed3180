//! Linear memory: one virtual reservation per memory, committed page by page as it grows, so
//! its base address never moves. Both tiers cache the base pointer; only the length changes.
//!
//! A 32-bit memory's reservation covers the whole 32-bit address space plus a guard region,
//! which lets compiled code elide bounds checks; a 64-bit memory's covers the most it may
//! grow to, and every access to it is checked. The interpreter always checks bounds.

use crate::types::MemoryType;

/// The default page size (the only one before the custom-page-sizes proposal).
pub const WASM_PAGE_SIZE: usize = 65536;
/// Largest number of 64 KiB pages a 32-bit memory can have.
pub const MAX_PAGES_32: u64 = 65536;
/// Bytes of address space a 32-bit memory can address.
const MAX_BYTES_32: usize = 1 << 32;
/// Address space kept inaccessible after the 4 GiB of addressable memory, so that an access
/// at `u32::MAX + offset` faults instead of touching another mapping.
pub const GUARD_BYTES: usize = 2 << 30;
/// Most bytes a 64-bit memory can grow to. Its reservation covers its largest possible size
/// (declared maximum, store limit) up to this, so that its base never moves either; 1 TiB
/// leaves room for many such memories in a 47-bit address space.
pub const MAX_BYTES_64: usize = 1 << 40;

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
    /// This memory's slot in [`reservations`].
    slot: usize,
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
    #[error("too many linear memories: at most {0} can exist at once")]
    TooMany(usize),
}

impl LinearMemory {
    /// Creates a memory of `ty.limits.min` pages. `page_limit` is the store's cap, in
    /// 64 KiB pages whatever the memory's own page size.
    pub fn new(ty: MemoryType, page_limit: u64) -> Result<LinearMemory, MemoryError> {
        let limit_in_own_pages =
            page_limit.saturating_mul(WASM_PAGE_SIZE as u64) >> ty.page_size_log2;
        let mut max_pages = ty
            .limits
            .max
            .unwrap_or(u64::MAX)
            .min(ty.max_pages())
            .min(limit_in_own_pages);
        if ty.memory64 {
            max_pages = max_pages.min(MAX_BYTES_64 as u64 >> ty.page_size_log2);
        }
        if ty.limits.min > max_pages {
            return Err(MemoryError::TooLarge(ty.limits.min, max_pages));
        }
        let reserved = if ty.memory64 {
            // No guard region: every access to a 64-bit memory is checked explicitly. At
            // least one host page, so that even an empty memory has a base address.
            ((max_pages << ty.page_size_log2) as usize)
                .next_multiple_of(host_page_size())
                .max(host_page_size())
        } else {
            MAX_BYTES_32 + GUARD_BYTES
        };
        let base = reserve(reserved).ok_or(MemoryError::Reserve(reserved))?;
        let Some(slot) = reservations::register(base as usize, reserved) else {
            // SAFETY: `base`/`reserved` is the mapping `reserve` just created, which nothing
            // else knows about.
            unsafe { libc::munmap(base.cast(), reserved) };
            return Err(MemoryError::TooMany(reservations::CAPACITY));
        };
        let mut memory = LinearMemory {
            def: Box::new(VMMemoryDefinition { base, length: 0 }),
            reserved,
            slot,
            max_pages,
            ty,
        };
        if memory.grow(ty.limits.min).is_none() {
            return Err(MemoryError::Reserve(
                (ty.limits.min << ty.page_size_log2) as usize,
            ));
        }
        Ok(memory)
    }

    pub fn ty(&self) -> MemoryType {
        self.ty
    }

    /// Current size in pages.
    pub fn pages(&self) -> u64 {
        (self.def.length >> self.ty.page_size_log2) as u64
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
        let new_len = (new << self.ty.page_size_log2) as usize;
        debug_assert!(new_len <= self.reserved);
        // Access is granted in whole host pages: with small wasm pages the last host page is
        // partly beyond the length, and stays zero (every access is checked against the
        // length, see `MemoryType::page_size_log2` users in the JIT).
        let host_page = host_page_size();
        let committed = old_len.next_multiple_of(host_page);
        let wanted = new_len.next_multiple_of(host_page);
        // SAFETY: [committed, wanted) lies inside the reservation made in `new` (`new_len` is
        // at most `max_pages` pages, which the reservation covers, rounded up to host pages),
        // and nothing else maps that range.
        let ok = wanted == committed
            || unsafe {
                libc::mprotect(
                    self.def.base.add(committed).cast(),
                    wanted - committed,
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

/// The host's page size, the granularity of `mprotect`.
fn host_page_size() -> usize {
    // SAFETY: sysconf has no memory-safety preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size).unwrap_or(4096).max(1)
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        // Unregistered first: once unmapped, the range may be mapped again for anything else.
        reservations::unregister(self.slot);
        // SAFETY: `base`/`reserved` are exactly the mapping created by `reserve`, unmapped once.
        unsafe {
            libc::munmap(self.def.base.cast(), self.reserved);
        }
    }
}

/// The address ranges reserved for linear memories, for the JIT's signal handler: a fault at
/// a heap-access trap site of compiled code is a wasm trap only if the faulting address lies
/// in one of them (anything else is a bug, and must crash as it would without the handler).
///
/// A signal handler can interrupt its thread anywhere, also while that thread holds a lock or
/// is inside the allocator, so the lookup takes no lock and allocates nothing: it scans a
/// fixed array of slots, each two atomic words, written with atomics only. (The alternative,
/// a per-thread pointer to the running store's memories set on entry, would make the handler
/// read a `Vec` that host functions can reallocate meanwhile, and miss memories of other
/// stores that the running code cannot reach anyway; the array is simpler to get right and
/// costs nothing on the entry path.) A 32-bit memory reserves 6 GiB of address space, so the
/// capacity is about all that a 47-bit user address space (128 TiB) can hold anyway;
/// creating a memory beyond it fails. The scan stops at the highest slot ever used.
///
/// Each slot is a small seqlock: its sequence number is odd while its owner writes `start` and
/// `len`, and a lookup uses a slot's pair only if the number was even and unchanged around its
/// two reads, so it never pairs the start of one reservation with the length of another. A
/// slot is free while `start` is 0; registering claims a free slot by moving its number from
/// even to odd, so each slot has one writer at a time. A lookup never waits: a slot that is
/// being written is skipped (it is not the faulting code's memory, which stays registered).
pub mod reservations {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    /// Most reservations registered at once.
    pub const CAPACITY: usize = 16 * 1024;

    /// The registry of every linear memory in the process.
    static MEMORIES: Registry<CAPACITY> = Registry::new();

    /// Records `start..start + len` (`start` page-aligned, `len` > 0); returns its slot, or
    /// `None` if every slot is taken.
    pub fn register(start: usize, len: usize) -> Option<usize> {
        MEMORIES.register(start, len)
    }

    /// Forgets the reservation in `slot` (returned by [`register`]).
    pub fn unregister(slot: usize) {
        MEMORIES.unregister(slot)
    }

    /// Whether `addr` lies in the reservation of a live linear memory. Async-signal-safe;
    /// see [`Registry::contains`].
    pub fn contains(addr: usize) -> bool {
        MEMORIES.contains(addr)
    }

    struct Slot {
        /// Odd while the slot's owner writes `start` and `len`.
        seq: AtomicUsize,
        /// 0: free.
        start: AtomicUsize,
        len: AtomicUsize,
    }

    /// A fixed set of address ranges; see the module docs.
    pub struct Registry<const N: usize> {
        slots: [Slot; N],
        /// One past the highest slot ever claimed: where a lookup stops.
        used: AtomicUsize,
    }

    impl<const N: usize> Registry<N> {
        #[allow(clippy::new_without_default)] // `const`, for statics.
        pub const fn new() -> Self {
            Registry {
                slots: [const {
                    Slot {
                        seq: AtomicUsize::new(0),
                        start: AtomicUsize::new(0),
                        len: AtomicUsize::new(0),
                    }
                }; N],
                used: AtomicUsize::new(0),
            }
        }

        /// Records `start..start + len` in a free slot and returns the slot, or `None` if
        /// every slot is taken.
        pub fn register(&self, start: usize, len: usize) -> Option<usize> {
            assert!(start != 0 && len > 0, "not a reservation");
            for (i, slot) in self.slots.iter().enumerate() {
                let seq = slot.seq.load(SeqCst);
                // Free and not being written; the exchange fails if anyone wrote since.
                if seq % 2 == 0
                    && slot.start.load(SeqCst) == 0
                    && slot
                        .seq
                        .compare_exchange(seq, seq + 1, SeqCst, SeqCst)
                        .is_ok()
                {
                    // Before the slot is published, so that lookups scan this far.
                    self.used.fetch_max(i + 1, SeqCst);
                    slot.len.store(len, SeqCst);
                    slot.start.store(start, SeqCst);
                    slot.seq.store(seq + 2, SeqCst);
                    return Some(i);
                }
            }
            None
        }

        /// Frees `slot` (returned by [`Registry::register`]; its owner is the only writer).
        pub fn unregister(&self, slot: usize) {
            let slot = &self.slots[slot];
            slot.seq.fetch_add(1, SeqCst);
            slot.start.store(0, SeqCst);
            slot.len.store(0, SeqCst);
            slot.seq.fetch_add(1, SeqCst);
        }

        /// Whether `addr` lies in a registered range. Async-signal-safe: no locks, no
        /// allocation, a bounded number of atomic loads (lock-free on every host the JIT
        /// supports). A range registered or unregistered concurrently may or may not be seen;
        /// one that stays registered during the call always is (in the signal handler: the
        /// memory of the code that faulted, whose store is busy on the faulting thread).
        pub fn contains(&self, addr: usize) -> bool {
            let used = self.used.load(SeqCst).min(N);
            self.slots[..used].iter().any(|slot| {
                let seq = slot.seq.load(SeqCst);
                if seq % 2 == 1 {
                    return false;
                }
                let start = slot.start.load(SeqCst);
                let len = slot.len.load(SeqCst);
                // Nobody wrote meanwhile: `start` and `len` belong together.
                slot.seq.load(SeqCst) == seq && start != 0 && addr >= start && addr - start < len
            })
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use std::sync::atomic::AtomicBool;

        /// Addresses no user mapping can have (the kernel half of the address space), so
        /// that these tests never collide with real memories.
        const FAKE: usize = 0xffff_9000_0000_0000;

        #[test]
        fn register_lookup_unregister() {
            let r = Registry::<4>::new();
            assert!(!r.contains(FAKE));
            let a = r.register(FAKE, 0x1000).unwrap();
            let b = r.register(FAKE + 0x10_0000, 0x2000).unwrap();
            assert_ne!(a, b);
            assert!(r.contains(FAKE));
            assert!(r.contains(FAKE + 0xfff));
            assert!(!r.contains(FAKE + 0x1000));
            assert!(!r.contains(FAKE - 1));
            assert!(r.contains(FAKE + 0x10_0000 + 0x1fff));
            assert!(!r.contains(FAKE + 0x10_0000 + 0x2000));
            assert!(!r.contains(0));
            assert!(!r.contains(usize::MAX));
            r.unregister(a);
            assert!(!r.contains(FAKE));
            assert!(r.contains(FAKE + 0x10_0000));
            // The freed slot is taken again first.
            assert_eq!(r.register(FAKE + 0x20_0000, 0x1000), Some(a));
            assert!(r.contains(FAKE + 0x20_0000));
        }

        #[test]
        fn full_registry_refuses() {
            let r = Registry::<2>::new();
            let a = r.register(FAKE, 0x1000).unwrap();
            r.register(FAKE + 0x1000, 0x1000).unwrap();
            assert_eq!(r.register(FAKE + 0x2000, 0x1000), None);
            assert!(!r.contains(FAKE + 0x2000));
            r.unregister(a);
            assert!(r.register(FAKE + 0x2000, 0x1000).is_some());
            assert!(r.contains(FAKE + 0x2000));
            assert!(!r.contains(FAKE));
        }

        /// Lookups racing with registrations: a range that stays registered is always
        /// found, an address that never is never matches, whatever the other slots do.
        #[test]
        fn lookups_race_with_churn() {
            static R: Registry<8> = Registry::new();
            let stable = R.register(FAKE, 0x1000).unwrap();
            let stop = AtomicBool::new(false);
            std::thread::scope(|s| {
                for t in 0..3usize {
                    let stop = &stop;
                    s.spawn(move || {
                        let mut i = 0usize;
                        while !stop.load(SeqCst) {
                            // Ranges next to the probes, of changing lengths; thread 2's is
                            // long enough to cover the probe if its length were paired with
                            // thread 0's start.
                            let start = FAKE + 0x10_0000 * (1 + t);
                            let len = if t == 2 {
                                0x100_0000
                            } else {
                                0x1000 + (i % 7) * 0x1000
                            };
                            if let Some(slot) = R.register(start, len) {
                                R.unregister(slot);
                            }
                            i += 1;
                        }
                    });
                }
                for _ in 0..200_000 {
                    assert!(R.contains(FAKE + 0x800));
                    // Beyond the longest range ever registered at FAKE + 0x10_0000.
                    assert!(!R.contains(FAKE + 0x10_0000 + 0x8000));
                    assert!(!R.contains(FAKE + 0x1000));
                }
                stop.store(true, SeqCst);
            });
            R.unregister(stable);
            assert!(!R.contains(FAKE + 0x800));
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
        LinearMemory::new(MemoryType::new(min, max), MAX_PAGES_32).unwrap()
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
    fn memories_register_their_whole_reservation() {
        let m = mem(1, None);
        let base = m.base() as usize;
        assert!(reservations::contains(base));
        // The guard region after the 4 GiB, where out-of-bounds accesses of compiled code fault.
        assert!(reservations::contains(
            base + MAX_PAGES_32 as usize * WASM_PAGE_SIZE
        ));
        assert!(reservations::contains(base + m.reserved - 1));
        // (Nothing is asserted about addresses outside: memories of tests running at the same
        // time may be mapped right next to this one, or here once it is dropped.)
    }

    #[test]
    fn empty_memory_has_a_valid_base() {
        let m = mem(0, None);
        assert!(!m.base().is_null());
        assert!(m.data().is_empty());
    }

    #[test]
    fn page_limit_caps_growth() {
        let ty = MemoryType::new(1, None);
        let mut m = LinearMemory::new(ty, 2).unwrap();
        assert_eq!(m.grow(1), Some(1));
        assert_eq!(m.grow(1), None);
        assert!(LinearMemory::new(ty, 0).is_err());
    }

    #[test]
    fn one_byte_pages() {
        let ty = MemoryType {
            page_size_log2: 0,
            ..MemoryType::new(3, Some(70_000))
        };
        let mut m = LinearMemory::new(ty, MAX_PAGES_32).unwrap();
        assert_eq!((m.len(), m.pages()), (3, 3));
        assert_eq!(m.grow(69_997), Some(3));
        assert_eq!(m.len(), 70_000);
        assert!(m.data().iter().all(|b| *b == 0));
        m.data_mut()[69_999] = 1;
        assert_eq!(m.grow(1), None);
        // The store's page limit counts 64 KiB pages: 2 of them are 131072 one-byte pages.
        let unbounded = MemoryType {
            limits: Limits { min: 0, max: None },
            ..ty
        };
        let mut m = LinearMemory::new(unbounded, 2).unwrap();
        assert_eq!(m.grow(131_072), Some(0));
        assert_eq!(m.grow(1), None);
        // The largest one-byte-page memory: 2^32 - 1 bytes.
        assert_eq!(unbounded.max_pages_32(), u32::MAX as u64);
    }
}
