//! A prefetch hint: the one place the engine uses `unsafe`, for an instruction that cannot fault.
//!
//! Memory on the machines this runs on is slow for random access (several hundred nanoseconds for a
//! dependent cache miss on a virtual machine), and reading or placing a million applicants is mostly
//! random access; asking for data a few steps ahead lets the misses overlap. Never used for anything
//! but speed: removing every call must not change a result.

/// Asks the processor to start loading the cache line at `p`.
#[inline(always)]
pub(crate) fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch instruction never faults, whatever the address, and changes no state the
    // program can observe.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
