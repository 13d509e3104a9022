#ifndef C_ALLOCATION_COUNTER_H
#define C_ALLOCATION_COUNTER_H

/// Counts heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign)
/// made by the calling thread while counting is enabled on it. Test support only: the
/// test binary links this, so its malloc family overrides glibc's for the whole process
/// and forwards to glibc's __libc_* entry points.

/// 1 when the interposer is compiled in (not under a sanitizer, which owns malloc itself).
int allocation_counter_available(void);
/// Diagnostics: while counting, also print each allocation's stack to stderr.
void allocation_counter_trace(int enabled);
/// Starts counting this thread's allocations from zero.
void allocation_counter_start(void);
/// Stops counting on this thread and returns how many allocations it made since start.
long allocation_counter_stop(void);
/// This thread's count so far (counting continues).
long allocation_counter_current(void);

#endif
