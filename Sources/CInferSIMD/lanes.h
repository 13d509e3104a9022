// Masks for a vector loop's ragged end and register transposes, shared by the CInferSIMD
// kernels (internal header).
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

/// Rows r[0..8) as columns: on return r[j] holds element j of every input row (an 8x8 transpose).
__attribute__((target("avx2,fma")))
static inline void cinfer_transpose8(__m256 r[8]) {
    __m256 a0 = _mm256_unpacklo_ps(r[0], r[1]), a1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 a2 = _mm256_unpacklo_ps(r[2], r[3]), a3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 a4 = _mm256_unpacklo_ps(r[4], r[5]), a5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 a6 = _mm256_unpacklo_ps(r[6], r[7]), a7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 b0 = _mm256_shuffle_ps(a0, a2, 0x44), b1 = _mm256_shuffle_ps(a0, a2, 0xEE);
    __m256 b2 = _mm256_shuffle_ps(a1, a3, 0x44), b3 = _mm256_shuffle_ps(a1, a3, 0xEE);
    __m256 b4 = _mm256_shuffle_ps(a4, a6, 0x44), b5 = _mm256_shuffle_ps(a4, a6, 0xEE);
    __m256 b6 = _mm256_shuffle_ps(a5, a7, 0x44), b7 = _mm256_shuffle_ps(a5, a7, 0xEE);
    r[0] = _mm256_permute2f128_ps(b0, b4, 0x20); r[4] = _mm256_permute2f128_ps(b0, b4, 0x31);
    r[1] = _mm256_permute2f128_ps(b1, b5, 0x20); r[5] = _mm256_permute2f128_ps(b1, b5, 0x31);
    r[2] = _mm256_permute2f128_ps(b2, b6, 0x20); r[6] = _mm256_permute2f128_ps(b2, b6, 0x31);
    r[3] = _mm256_permute2f128_ps(b3, b7, 0x20); r[7] = _mm256_permute2f128_ps(b3, b7, 0x31);
}

#endif
#endif
