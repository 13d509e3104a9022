// The int8 GEMM on AVX2, for CPUs without AVX512-VNNI. AVX2 has no exact uint8 x int8 dot
// product: vpmaddubsw saturates its int16 pair sums (255 * 127 * 2 > 32767), which is why ONNX
// Runtime asks for 7-bit weights on such CPUs. Here both operands are widened to int16 and
// vpmaddwd multiplies them, its int32 pair sums exact, so this variant gives the bits the
// portable and VNNI ones give, at about the fp32 FMA rate on compute-bound shapes and with a
// quarter of fp32's weight traffic where the GEMM is memory-bound (batch 1).
//
// A block is up to 6 rows by 8 columns (half a panel): per quad row, the 32 weight bytes are
// widened once and each row's four values (widened when the row block starts) broadcast, into
// 12 accumulators that hold each column's sum as two partial sums, joined in the epilogue.
#include "CReducedPrecision.h"
#include "int8_row_quantization.h"

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TARGET __attribute__((target("avx2")))

enum { MaxRows = 6 };

// Rows [0, rows) of quantized A (rows of `depth` bytes) as int16, same layout.
TARGET static void widen(const uint8_t *a, long rows, long depth, int16_t *wide) {
    for (long i = 0; i < rows * depth; i += 16) {
        if (rows * depth - i >= 16) {
            _mm256_storeu_si256((__m256i *)(wide + i), _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(a + i))));
        } else {
            for (long j = i; j < rows * depth; j++) wide[j] = a[j];
        }
    }
}

// Rows [0, R) x the 8 columns at `b` (a half panel; `columns` of them inside n).
TARGET static inline __attribute__((always_inline)) void block(const int16_t *wide, long depth, const float *rowScales,
                                                              const int32_t *rowZeros, const int8_t *b,
                                                              const int32_t *columnSums, const float *columnScales,
                                                              const float *columnBias, int R, long columns, float *c, long ldc) {
    __m256i sum[MaxRows][2];
    for (int r = 0; r < R; r++) sum[r][0] = sum[r][1] = _mm256_setzero_si256();
    for (long q = 0; q < depth / 4; q++) {
        // Columns 0-3 and 4-7, each column's four values as int16.
        __m256i v0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b + q * 64)));
        __m256i v1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b + q * 64 + 16)));
        for (int r = 0; r < R; r++) {
            long long quad;
            memcpy(&quad, wide + r * depth + 4 * q, 8);
            __m256i x = _mm256_set1_epi64x(quad);
            sum[r][0] = _mm256_add_epi32(sum[r][0], _mm256_madd_epi16(x, v0));
            sum[r][1] = _mm256_add_epi32(sum[r][1], _mm256_madd_epi16(x, v1));
        }
    }
    // The bias is n floats, unpadded: loaded under the store's mask. Sums and scales are padded.
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)columns), lanes);
    const __m256i columnSum = _mm256_loadu_si256((const __m256i *)columnSums);
    const __m256 columnScale = _mm256_loadu_ps(columnScales);
    const __m256 bias = columnBias ? _mm256_maskload_ps(columnBias, mask) : _mm256_setzero_ps();
    for (int r = 0; r < R; r++) {
        // hadd gives columns (0 1 4 5 | 2 3 6 7) per 64-bit pair; the permute restores 0-7.
        __m256i joined = _mm256_permute4x64_epi64(_mm256_hadd_epi32(sum[r][0], sum[r][1]), _MM_SHUFFLE(3, 1, 2, 0));
        __m256i integer = _mm256_sub_epi32(joined, _mm256_mullo_epi32(_mm256_set1_epi32(rowZeros[r]), columnSum));
        __m256 scale = _mm256_mul_ps(_mm256_set1_ps(rowScales[r]), columnScale);
        __m256 product = _mm256_mul_ps(_mm256_cvtepi32_ps(integer), scale);
        if (columnBias) product = _mm256_add_ps(product, bias);
        if (columns == 8) _mm256_storeu_ps(c + r * ldc, product);
        else _mm256_maskstore_ps(c + r * ldc, mask, product);
    }
}

#define BLOCK(R) block(wide, depth, rowScales + i, rowZeros + i, b, columnSums + first, columnScales + first, \
                       columnBias ? columnBias + first : NULL, R, columns, c + i * ldc + first, ldc)

TARGET void cinfer_int8_gemm_avx2(const uint8_t *a, long m, long depth, const float *rowScales, const int32_t *rowZeros,
                                  const int8_t *packed, const int32_t *columnSums, const float *columnScales,
                                  const float *columnBias, long n, long panelBegin, long panelEnd, float *c, long ldc) {
    int16_t *wide = malloc((size_t)(MaxRows * depth) * sizeof(int16_t));
    if (!wide) {  // No memory for the widened rows: the same bits, slower.
        cinfer_int8_gemm_portable(a, m, depth, rowScales, rowZeros, packed, columnSums, columnScales, columnBias, n,
                                  panelBegin, panelEnd, c, ldc);
        return;
    }
    for (long i = 0; i < m; i += MaxRows) {
        int rows = m - i < MaxRows ? (int)(m - i) : MaxRows;
        widen(a + i * depth, rows, depth, wide);
        for (long p = panelBegin; p < panelEnd; p++) {
            for (long half = 0; half < 2; half++) {
                long first = 16 * p + 8 * half;
                if (first >= n) break;
                long columns = n - first < 8 ? n - first : 8;
                const int8_t *b = packed + p * depth * 16 + 32 * half;
                switch (rows) {
                case 6: BLOCK(6); break;
                case 5: BLOCK(5); break;
                case 4: BLOCK(4); break;
                case 3: BLOCK(3); break;
                case 2: BLOCK(2); break;
                default: BLOCK(1); break;
                }
            }
        }
    }
    free(wide);
}

// Eight rounded, zero-shifted values of one row: round(x * inverse) + zero as int32.
TARGET static inline __m256i shifted(__m256 x, __m256 inverse, __m256i zero) {
    return _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(x, inverse)), zero);
}

TARGET void cinfer_int8_quantize_rows_avx2(const float *a, long rowStride, long m, long k, long depth, uint8_t *out,
                                           float *scales, int32_t *zeros) {
    const __m256 infinity = _mm256_set1_ps(INFINITY);
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    // packs and packus interleave the 128-bit lanes of their operands; this puts the dwords back.
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (long i = 0; i < m; i++) {
        const float *src = a + i * rowStride;
        uint8_t *dst = out + i * depth;
        // The range from 0; a lane whose |x| is not below infinity (NaN included) marks the row.
        __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps(), notFinite = _mm256_setzero_ps();
        long j = 0;
        for (; j + 8 <= k; j += 8) {
            __m256 x = _mm256_loadu_ps(src + j);
            notFinite = _mm256_or_ps(notFinite, _mm256_cmp_ps(_mm256_and_ps(x, magnitude), infinity, _CMP_NLT_UQ));
            lo = _mm256_min_ps(lo, x), hi = _mm256_max_ps(hi, x);
        }
        float low[8], high[8];
        _mm256_storeu_ps(low, lo), _mm256_storeu_ps(high, hi);
        float rowLo = 0, rowHi = 0;
        int finite = _mm256_movemask_ps(notFinite) == 0;
        for (int t = 0; t < 8; t++) rowLo = low[t] < rowLo ? low[t] : rowLo, rowHi = high[t] > rowHi ? high[t] : rowHi;
        for (; j < k; j++) {
            float x = src[j];
            if (!isfinite(x)) finite = 0;
            rowLo = x < rowLo ? x : rowLo, rowHi = x > rowHi ? x : rowHi;
        }
        float inverse;
        cinfer_int8_row_parameters(rowLo, rowHi, finite, &scales[i], &inverse, &zeros[i]);
        const __m256 inv = _mm256_set1_ps(inverse);
        const __m256i zero = _mm256_set1_epi32(zeros[i]);
        // 32 at a time: signed-saturating packs to int16 keep every value (|q| < 2^15), then the
        // unsigned-saturating pack to bytes is the clamp to [0, 255].
        for (j = 0; j + 32 <= k; j += 32) {
            __m256i q01 = _mm256_packs_epi32(shifted(_mm256_loadu_ps(src + j), inv, zero), shifted(_mm256_loadu_ps(src + j + 8), inv, zero));
            __m256i q23 = _mm256_packs_epi32(shifted(_mm256_loadu_ps(src + j + 16), inv, zero), shifted(_mm256_loadu_ps(src + j + 24), inv, zero));
            _mm256_storeu_si256((__m256i *)(dst + j), _mm256_permutevar8x32_epi32(_mm256_packus_epi16(q01, q23), order));
        }
        for (; j < k; j++) dst[j] = cinfer_int8_quantize_element(src[j], inverse, zeros[i]);
        for (j = k; j < depth; j++) dst[j] = 0;
    }
}
