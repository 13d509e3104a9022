// The int8 GEMM on AVX512-VNNI: vpdpbusd multiplies 64 uint8 x int8 pairs and adds each four
// products to one of 16 int32 sums. A block of up to 6 rows by 4 panels (64 columns) keeps 24
// sums in registers; per quad row it loads the panels' 64-byte rows once and broadcasts each A
// row's four bytes. The quantization of A is here too, bit for bit the portable one.
#include "CReducedPrecision.h"
#include "int8_row_quantization.h"

#include <immintrin.h>
#include <math.h>
#include <string.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))

enum { MaxRows = 6, MaxPanels = 4 };

// Rows [0, R) x panels [0, P) of one block; R and P are constants at each call.
TARGET static inline __attribute__((always_inline)) void block(const uint8_t *a, long depth, const float *rowScales,
                                                              const int32_t *rowZeros, const int8_t *b,
                                                              const int32_t *columnSums, const float *columnScales,
                                                              const float *columnBias, int R, int P, __mmask16 lastMask,
                                                              float *c, long ldc) {
    __m512i sum[MaxRows][MaxPanels];
    for (int r = 0; r < R; r++) for (int p = 0; p < P; p++) sum[r][p] = _mm512_setzero_si512();
    const long panelBytes = depth * 16;
    for (long q = 0; q < depth / 4; q++) {
        __m512i v[MaxPanels];
        for (int p = 0; p < P; p++) v[p] = _mm512_loadu_si512(b + p * panelBytes + q * 64);
        for (int r = 0; r < R; r++) {
            int32_t quad;
            memcpy(&quad, a + r * depth + 4 * q, 4);
            __m512i x = _mm512_set1_epi32(quad);
            for (int p = 0; p < P; p++) sum[r][p] = _mm512_dpbusd_epi32(sum[r][p], x, v[p]);
        }
    }
    for (int p = 0; p < P; p++) {
        __m512i columnSum = _mm512_loadu_si512(columnSums + 16 * p);
        __m512 columnScale = _mm512_loadu_ps(columnScales + 16 * p);
        __mmask16 mask = p == P - 1 ? lastMask : (__mmask16)0xFFFF;
        // The bias is n floats, unpadded: masked like the store.
        __m512 bias = columnBias ? _mm512_maskz_loadu_ps(mask, columnBias + 16 * p) : _mm512_setzero_ps();
        for (int r = 0; r < R; r++) {
            __m512i integer = _mm512_sub_epi32(sum[r][p], _mm512_mullo_epi32(_mm512_set1_epi32(rowZeros[r]), columnSum));
            __m512 scale = _mm512_mul_ps(_mm512_set1_ps(rowScales[r]), columnScale);
            __m512 product = _mm512_mul_ps(_mm512_cvtepi32_ps(integer), scale);
            if (columnBias) product = _mm512_add_ps(product, bias);
            _mm512_mask_storeu_ps(c + r * ldc + 16 * p, mask, product);
        }
    }
}

#define BLOCK(R) block(a + i * depth, depth, rowScales + i, rowZeros + i, b, columnSums, columnScales, columnBias, R, P, lastMask, c + i * ldc, ldc)

// Every row of one group of P panels, MaxRows rows at a time.
TARGET static inline __attribute__((always_inline)) void rows(const uint8_t *a, long m, long depth, const float *rowScales,
                                                             const int32_t *rowZeros, const int8_t *b,
                                                             const int32_t *columnSums, const float *columnScales,
                                                             const float *columnBias, int P, __mmask16 lastMask, float *c, long ldc) {
    long i = 0;
    for (; i + MaxRows <= m; i += MaxRows) BLOCK(MaxRows);
    switch (m - i) {
    case 5: BLOCK(5); break;
    case 4: BLOCK(4); break;
    case 3: BLOCK(3); break;
    case 2: BLOCK(2); break;
    case 1: BLOCK(1); break;
    default: break;
    }
}

TARGET void cinfer_int8_gemm_avx512(const uint8_t *a, long m, long depth, const float *rowScales, const int32_t *rowZeros,
                                    const int8_t *packed, const int32_t *columnSums, const float *columnScales,
                                    const float *columnBias, long n, long panelBegin, long panelEnd, float *c, long ldc) {
    for (long p = panelBegin; p < panelEnd; p += MaxPanels) {
        int P = panelEnd - p < MaxPanels ? (int)(panelEnd - p) : MaxPanels;
        long last = p + P - 1;
        long columns = n - 16 * last < 16 ? n - 16 * last : 16;
        __mmask16 mask = (__mmask16)((1u << columns) - 1);
        const int8_t *b = packed + p * depth * 16;
        const int32_t *sums = columnSums + 16 * p;
        const float *scales = columnScales + 16 * p;
        const float *bias = columnBias ? columnBias + 16 * p : NULL;
        float *out = c + 16 * p;
        switch (P) {
        case 4: rows(a, m, depth, rowScales, rowZeros, b, sums, scales, bias, 4, mask, out, ldc); break;
        case 3: rows(a, m, depth, rowScales, rowZeros, b, sums, scales, bias, 3, mask, out, ldc); break;
        case 2: rows(a, m, depth, rowScales, rowZeros, b, sums, scales, bias, 2, mask, out, ldc); break;
        default: rows(a, m, depth, rowScales, rowZeros, b, sums, scales, bias, 1, mask, out, ldc); break;
        }
    }
}

// Sixteen rounded, zero-shifted values of one row: round(x * inverse) + zero as int32.
TARGET static inline __m512i shifted(__m512 x, __m512 inverse, __m512i zero) {
    // cvtps2dq rounds to nearest even, as lrintf does in the default rounding mode.
    return _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(x, inverse)), zero);
}

TARGET void cinfer_int8_quantize_rows_avx512(const float *a, long rowStride, long m, long k, long depth, uint8_t *out,
                                             float *scales, int32_t *zeros) {
    const __m512 infinity = _mm512_set1_ps(INFINITY);
    // packs and packus interleave the 128-bit lanes of their operands; this puts them back.
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    for (long i = 0; i < m; i++) {
        const float *src = a + i * rowStride;
        uint8_t *dst = out + i * depth;
        // The range, two accumulators each; a lane that is not finite (|x| not below infinity,
        // NaN included: unordered compares are true for NLT) marks the row.
        __m512 lo0 = _mm512_setzero_ps(), hi0 = _mm512_setzero_ps(), lo1 = lo0, hi1 = hi0;
        __mmask16 notFinite = 0;
        long j = 0;
        for (; j + 32 <= k; j += 32) {
            __m512 x0 = _mm512_loadu_ps(src + j), x1 = _mm512_loadu_ps(src + j + 16);
            notFinite |= _mm512_cmp_ps_mask(_mm512_abs_ps(x0), infinity, _CMP_NLT_UQ)
                       | _mm512_cmp_ps_mask(_mm512_abs_ps(x1), infinity, _CMP_NLT_UQ);
            lo0 = _mm512_min_ps(lo0, x0), hi0 = _mm512_max_ps(hi0, x0);
            lo1 = _mm512_min_ps(lo1, x1), hi1 = _mm512_max_ps(hi1, x1);
        }
        for (; j < k; j += 16) {
            __mmask16 mask = k - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (k - j)) - 1);
            __m512 x = _mm512_maskz_loadu_ps(mask, src + j);
            notFinite |= _mm512_mask_cmp_ps_mask(mask, _mm512_abs_ps(x), infinity, _CMP_NLT_UQ);
            lo0 = _mm512_min_ps(lo0, x), hi0 = _mm512_max_ps(hi0, x);
        }
        float inverse;
        cinfer_int8_row_parameters(_mm512_reduce_min_ps(_mm512_min_ps(lo0, lo1)), _mm512_reduce_max_ps(_mm512_max_ps(hi0, hi1)),
                                   notFinite == 0, &scales[i], &inverse, &zeros[i]);
        const __m512 inv = _mm512_set1_ps(inverse);
        const __m512i zero = _mm512_set1_epi32(zeros[i]);
        // 64 at a time: signed-saturating packs to int16 keep every value (|q| < 2^15), then the
        // unsigned-saturating pack to bytes is the clamp to [0, 255].
        for (j = 0; j + 64 <= k; j += 64) {
            __m512i q01 = _mm512_packs_epi32(shifted(_mm512_loadu_ps(src + j), inv, zero), shifted(_mm512_loadu_ps(src + j + 16), inv, zero));
            __m512i q23 = _mm512_packs_epi32(shifted(_mm512_loadu_ps(src + j + 32), inv, zero), shifted(_mm512_loadu_ps(src + j + 48), inv, zero));
            _mm512_storeu_si512(dst + j, _mm512_permutexvar_epi32(order, _mm512_packus_epi16(q01, q23)));
        }
        for (; j < k; j += 16) {
            __mmask16 mask = k - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (k - j)) - 1);
            __m512i q = shifted(_mm512_maskz_loadu_ps(mask, src + j), inv, zero);
            q = _mm512_max_epi32(_mm512_min_epi32(q, _mm512_set1_epi32(255)), _mm512_setzero_si512());
            _mm_mask_storeu_epi8(dst + j, mask, _mm512_cvtepi32_epi8(q));
        }
        for (j = k; j < depth; j++) dst[j] = 0;
    }
}

TARGET int cinfer_int8_tensor_range_avx512(const float *a, long rowStride, long m, long k, float *lo, float *hi) {
    const __m512 infinity = _mm512_set1_ps(INFINITY);
    __m512 low = _mm512_setzero_ps(), high = _mm512_setzero_ps();
    __mmask16 notFinite = 0;
    for (long i = 0; i < m; i++) {
        const float *src = a + i * rowStride;
        for (long j = 0; j < k; j += 16) {
            __mmask16 mask = k - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (k - j)) - 1);
            __m512 x = _mm512_maskz_loadu_ps(mask, src + j);
            notFinite |= _mm512_mask_cmp_ps_mask(mask, _mm512_abs_ps(x), infinity, _CMP_NLT_UQ);
            low = _mm512_min_ps(low, x), high = _mm512_max_ps(high, x);
        }
    }
    *lo = _mm512_reduce_min_ps(low), *hi = _mm512_reduce_max_ps(high);
    return notFinite == 0;
}

TARGET void cinfer_int8_quantize_tensor_avx512(const float *a, long rowStride, long m, long k, long depth, uint8_t *out,
                                               float scale, int32_t zero) {
    const __m512 divisor = _mm512_set1_ps(scale);
    const __m512i zeros = _mm512_set1_epi32(zero);
    for (long i = 0; i < m; i++) {
        const float *src = a + i * rowStride;
        uint8_t *dst = out + i * depth;
        for (long j = 0; j < k; j += 16) {
            __mmask16 mask = k - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (k - j)) - 1);
            // A division, as the operator's definition (and LinearQuantization.quantized) has it.
            __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_div_ps(_mm512_maskz_loadu_ps(mask, src + j), divisor)), zeros);
            q = _mm512_max_epi32(_mm512_min_epi32(q, _mm512_set1_epi32(255)), _mm512_setzero_si512());
            _mm_mask_storeu_epi8(dst + j, mask, _mm512_cvtepi32_epi8(q));
        }
        for (long j = k; j < depth; j++) dst[j] = 0;
    }
}
