// The bf16 GEMM on AVX512-BF16: vdpbf16ps multiplies 16 pairs of bf16 and adds them to 16 fp32
// sums. A block of up to 8 rows by two 16-column panels keeps 16 sums in registers; per pair
// row it loads the two panels' 64-byte rows once and broadcasts each A row's pair.
#include "CReducedPrecision.h"

#include <immintrin.h>
#include <string.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

// Rows [0, R) x panels [0, P) (P is 1 or 2) of one block; R and P are constants at each call.
TARGET static inline __attribute__((always_inline)) void block(const uint16_t *a, long depth, const uint16_t *b,
                                                              int R, int P, __mmask16 lastMask, float *c, long ldc) {
    __m512 sum[8][2];
    for (int r = 0; r < R; r++) for (int p = 0; p < P; p++) sum[r][p] = _mm512_setzero_ps();
    const uint16_t *b1 = b + depth * 16;
    for (long q = 0; q < depth / 2; q++) {
        __m512bh v0 = (__m512bh)_mm512_loadu_si512(b + q * 32);
        __m512bh v1 = P > 1 ? (__m512bh)_mm512_loadu_si512(b1 + q * 32) : v0;
        for (int r = 0; r < R; r++) {
            int32_t pair;
            memcpy(&pair, a + r * depth + 2 * q, 4);
            __m512bh x = (__m512bh)_mm512_set1_epi32(pair);
            sum[r][0] = _mm512_dpbf16_ps(sum[r][0], x, v0);
            if (P > 1) sum[r][1] = _mm512_dpbf16_ps(sum[r][1], x, v1);
        }
    }
    for (int r = 0; r < R; r++) {
        if (P > 1) {
            _mm512_storeu_ps(c + r * ldc, sum[r][0]);
            _mm512_mask_storeu_ps(c + r * ldc + 16, lastMask, sum[r][1]);
        } else {
            _mm512_mask_storeu_ps(c + r * ldc, lastMask, sum[r][0]);
        }
    }
}

// Every row of one panel pair (or single panel), 8 rows at a time.
TARGET static inline __attribute__((always_inline)) void rows(const uint16_t *a, long m, long depth, const uint16_t *b,
                                                             int P, __mmask16 lastMask, float *c, long ldc) {
    long i = 0;
    for (; i + 8 <= m; i += 8) block(a + i * depth, depth, b, 8, P, lastMask, c + i * ldc, ldc);
    switch (m - i) {
    case 7: block(a + i * depth, depth, b, 7, P, lastMask, c + i * ldc, ldc); break;
    case 6: block(a + i * depth, depth, b, 6, P, lastMask, c + i * ldc, ldc); break;
    case 5: block(a + i * depth, depth, b, 5, P, lastMask, c + i * ldc, ldc); break;
    case 4: block(a + i * depth, depth, b, 4, P, lastMask, c + i * ldc, ldc); break;
    case 3: block(a + i * depth, depth, b, 3, P, lastMask, c + i * ldc, ldc); break;
    case 2: block(a + i * depth, depth, b, 2, P, lastMask, c + i * ldc, ldc); break;
    case 1: block(a + i * depth, depth, b, 1, P, lastMask, c + i * ldc, ldc); break;
    default: break;
    }
}

TARGET void cinfer_bf16_gemm_avx512(const uint16_t *a, long m, long depth, const uint16_t *packed, long n,
                                    long panelBegin, long panelEnd, float *c, long ldc) {
    for (long p = panelBegin; p < panelEnd; p += 2) {
        int pair = p + 1 < panelEnd;
        long last = p + pair;                       // the block's last panel
        long columns = n - 16 * last < 16 ? n - 16 * last : 16;
        __mmask16 mask = (__mmask16)((1u << columns) - 1);
        const uint16_t *b = packed + p * depth * 16;
        if (pair) rows(a, m, depth, b, 2, mask, c + 16 * p, ldc);
        else rows(a, m, depth, b, 1, mask, c + 16 * p, ldc);
    }
}

// cinfer_bf16_round_rows with vcvtneps2bf16 (the same rounding, NaN and subnormal rules).
TARGET void cinfer_bf16_round_rows_avx512(const float *a, long rowStride, long m, long k, long depth, uint16_t *out) {
    for (long i = 0; i < m; i++) {
        const float *src = a + i * rowStride;
        uint16_t *dst = out + i * depth;
        long j = 0;
        for (; j + 16 <= k; j += 16) {
            __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(src + j));
            _mm256_storeu_si256((__m256i *)(dst + j), (__m256i)h);
        }
        if (j < k) {
            __mmask16 mask = (__mmask16)((1u << (k - j)) - 1);
            __m256bh h = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, src + j));
            _mm256_mask_storeu_epi16(dst + j, mask, (__m256i)h);
        }
        for (j = k; j < depth; j++) dst[j] = 0;
    }
}
