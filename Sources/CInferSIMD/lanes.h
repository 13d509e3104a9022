// Masks for a vector loop's ragged end, shared by the CInferSIMD kernels (internal header).
#ifndef CINFERSIMD_LANES_H
#define CINFERSIMD_LANES_H
#if defined(__x86_64__)
#include <immintrin.h>

/// Lanes [0, n) of a 16-lane AVX-512 mask, n clamped to [0, 16].
__attribute__((target("avx512f")))
static inline __mmask16 cinfer_lanes16(long n) {
    if (n <= 0) return 0;
    if (n >= 16) return 0xFFFF;
    return (__mmask16)((1u << n) - 1);
}

/// Lanes [0, n) of an 8-lane AVX2 maskload/maskstore mask (all-ones lanes), n clamped to [0, 8].
__attribute__((target("avx2,fma")))
static inline __m256i cinfer_lanes8(long n) {
    const long c = n < 0 ? 0 : (n > 8 ? 8 : n);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)c), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

#endif
#endif
