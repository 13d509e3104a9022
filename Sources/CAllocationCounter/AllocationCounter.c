#include "CAllocationCounter.h"

#include <errno.h>
#include <execinfo.h>
#include <stddef.h>

#if defined(__has_feature)
#  if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#    define ALLOCATION_COUNTER_DISABLED 1
#  endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#  define ALLOCATION_COUNTER_DISABLED 1
#endif

#if !defined(ALLOCATION_COUNTER_DISABLED) && defined(__linux__)

// glibc's real implementations, always exported by libc.so.6.
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

// Per thread, so tests running in parallel on other threads do not disturb a measurement.
// initial-exec: the TLS block of the executable needs no allocation to reach.
static __thread int counting __attribute__((tls_model("initial-exec")));
static __thread long allocations __attribute__((tls_model("initial-exec")));

static __thread int tracing __attribute__((tls_model("initial-exec")));

static inline void note(void) {
    if (!counting) return;
    allocations += 1;
    if (tracing) {
        // Diagnostics: print who allocated (with counting off, as backtrace may allocate).
        void *frames[12];
        counting = 0;
        int n = backtrace(frames, 12);
        backtrace_symbols_fd(frames, n, 2);
        counting = 1;
    }
}

void *malloc(size_t size) { note(); return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { note(); return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { note(); return __libc_realloc(pointer, size); }
void free(void *pointer) { __libc_free(pointer); }
void *memalign(size_t alignment, size_t size) { note(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { note(); return __libc_memalign(alignment, size); }

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    note();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}

int allocation_counter_available(void) { return 1; }
void allocation_counter_trace(int enabled) { tracing = enabled; }
void allocation_counter_start(void) { allocations = 0; counting = 1; }
long allocation_counter_stop(void) { counting = 0; return allocations; }
long allocation_counter_current(void) { return allocations; }

#else

int allocation_counter_available(void) { return 0; }
void allocation_counter_trace(int enabled) { (void)enabled; }
void allocation_counter_start(void) {}
long allocation_counter_stop(void) { return 0; }
long allocation_counter_current(void) { return 0; }

#endif
