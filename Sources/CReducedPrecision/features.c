// Which bf16 and int8 kernels this CPU and OS allow, read once from cpuid, XCR0 and (for AMX) the Linux
// permission to use the tile data state, which a process must ask for before its first tile
// instruction (the kernel otherwise kills it with SIGILL).
#include "CReducedPrecision.h"

#include <cpuid.h>
#include <stdatomic.h>

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

static unsigned long long xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

// CPUID.(EAX=7, ECX=sub) into the four registers; 0 when the leaf does not exist.
static int leaf7(unsigned int sub, unsigned int *a, unsigned int *b, unsigned int *c, unsigned int *d) {
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, sub, *a, *b, *c, *d);
    return 1;
}

// AVX-512 F, BW, VL and the OS saving the opmask and zmm state.
static int has_avx512_base(void) {
    unsigned int a, b, c, d;
    __cpuid(1, a, b, c, d);
    if (!(c & (1u << 27))) return 0;                       // OSXSAVE
    if ((xcr0() & 0xE6) != 0xE6) return 0;                  // SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM
    if (!leaf7(0, &a, &b, &c, &d)) return 0;
    return (b & (1u << 16)) && (b & (1u << 30)) && (b & (1u << 31));  // F, BW, VL
}

int cinfer_has_avx512_vnni(void) {
    static atomic_int cached = -1;
    int value = atomic_load(&cached);
    if (value < 0) {
        unsigned int a, b, c, d;
        // DQ (leaf 7 EBX bit 17) for the float conversions, VNNI (ECX bit 11).
        value = has_avx512_base() && leaf7(0, &a, &b, &c, &d) && (b & (1u << 17)) && (c & (1u << 11)) ? 1 : 0;
        atomic_store(&cached, value);
    }
    return value;
}

int cinfer_has_avx512_bf16(void) {
    static atomic_int cached = -1;
    int value = atomic_load(&cached);
    if (value < 0) {
        unsigned int a = 0, b, c, d;
        value = has_avx512_base() && leaf7(1, &a, &b, &c, &d) && (a & (1u << 5)) ? 1 : 0;
        atomic_store(&cached, value);
    }
    return value;
}

static const char *amx_reason = "not checked";

static int amx_check(void) {
    unsigned int a, b, c, d;
    if (!has_avx512_base() || !cinfer_has_avx512_bf16()) { amx_reason = "no AVX512-BF16"; return 0; }
    if (!leaf7(0, &a, &b, &c, &d) || !(d & (1u << 24)) || !(d & (1u << 22))) {
        amx_reason = "the CPU has no AMX-TILE/AMX-BF16";
        return 0;
    }
#if defined(__linux__)
    // ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA (18): the process may then use tile data.
    if (syscall(SYS_arch_prctl, 0x1023, 18) != 0) {
        amx_reason = "the kernel refused the AMX tile-data permission (arch_prctl)";
        return 0;
    }
#else
    amx_reason = "AMX permission is only requested on Linux";
    return 0;
#endif
    if ((xcr0() & (3ull << 17)) != (3ull << 17)) { amx_reason = "the OS does not enable the tile state (XCR0)"; return 0; }
    amx_reason = "";
    return 1;
}

int cinfer_amx_bf16_ready(void) {
    static atomic_int cached = -1;
    int value = atomic_load(&cached);
    if (value < 0) {
        value = amx_check();
        atomic_store(&cached, value);
    }
    return value;
}

const char *cinfer_amx_bf16_unavailable_reason(void) {
    (void)cinfer_amx_bf16_ready();
    return amx_reason;
}
