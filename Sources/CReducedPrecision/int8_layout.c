// The int8 GEMM's packed-B layout, the per-row quantization of A, and the portable variant: the
// reference the VNNI kernel is tested against, and what CPUs without AVX512-VNNI run.
#include "CReducedPrecision.h"
#include "int8_row_quantization.h"
#include "panel_layout.h"

#include <math.h>
#include <string.h>

long cinfer_int8_depth(long k) { return (k + 3) / 4 * 4; }

long cinfer_int8_packed_count(long k, long n) { return (n + 15) / 16 * 16 * cinfer_int8_depth(k); }

void cinfer_int8_pack_b(const int8_t *b, long rowStride, long colStride, long k, long n, int8_t *packed,
                        int32_t *columnSums) {
    memset(packed, 0, (size_t)cinfer_int8_packed_count(k, n));
    cinfer_pack_panels(b, sizeof(int8_t), 4, rowStride, colStride, k, n, cinfer_int8_depth(k), packed);
    memset(columnSums, 0, (size_t)((n + 15) / 16 * 16) * sizeof(int32_t));
    for (long i = 0; i < k; i++)
        for (long j = 0; j < n; j++) columnSums[j] += b[i * rowStride + j * colStride];
}

void cinfer_int8_quantize_rows(const float *a, long rowStride, long m, long k, long depth, uint8_t *out,
                               float *scales, int32_t *zeros) {
    for (long i = 0; i < m; i++) {
        const float *src = a + i * rowStride;
        uint8_t *dst = out + i * depth;
        float lo = 0, hi = 0;
        int finite = 1;
        for (long j = 0; j < k; j++) {
            float x = src[j];
            if (!isfinite(x)) finite = 0;
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
        float inverse;
        cinfer_int8_row_parameters(lo, hi, finite, &scales[i], &inverse, &zeros[i]);
        for (long j = 0; j < k; j++) dst[j] = cinfer_int8_quantize_element(src[j], inverse, zeros[i]);
        for (long j = k; j < depth; j++) dst[j] = 0;
    }
}

void cinfer_int8_gemm_portable(const uint8_t *a, long m, long depth, const float *rowScales, const int32_t *rowZeros,
                               const int8_t *packed, const int32_t *columnSums, const float *columnScales,
                               const float *columnBias, long n, long panelBegin, long panelEnd, float *c, long ldc) {
    for (long p = panelBegin; p < panelEnd; p++) {
        const int8_t *panel = packed + p * depth * 16;
        long columns = n - 16 * p < 16 ? n - 16 * p : 16;
        for (long i = 0; i < m; i++) {
            const uint8_t *row = a + i * depth;
            int32_t sum[16] = {0};
            for (long q = 0; q < depth / 4; q++) {
                const int8_t *quad = panel + q * 64;
                for (int j = 0; j < 16; j++)
                    for (int t = 0; t < 4; t++) sum[j] += (int32_t)row[4 * q + t] * (int32_t)quad[4 * j + t];
            }
            for (long j = 0; j < columns; j++) {
                long column = 16 * p + j;
                float integer = (float)(sum[j] - rowZeros[i] * columnSums[column]);
                float product = integer * (rowScales[i] * columnScales[column]);
                c[i * ldc + column] = columnBias ? product + columnBias[column] : product;
            }
        }
    }
}
