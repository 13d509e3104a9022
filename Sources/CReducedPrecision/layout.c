// The packed-B layout every bf16 variant reads, the rounding of A, and the portable variant:
// the reference the vector kernels are tested against, and what CPUs without AVX512-BF16 run.
#include "CReducedPrecision.h"
#include "panel_layout.h"

#include <string.h>

long cinfer_bf16_depth(long k) { return (k + 31) / 32 * 32; }

long cinfer_bf16_packed_count(long k, long n) { return (n + 15) / 16 * 16 * cinfer_bf16_depth(k); }

void cinfer_bf16_pack_b(const uint16_t *b, long rowStride, long colStride, long k, long n, uint16_t *packed) {
    memset(packed, 0, (size_t)cinfer_bf16_packed_count(k, n) * sizeof(uint16_t));
    cinfer_pack_panels(b, sizeof(uint16_t), 2, rowStride, colStride, k, n, cinfer_bf16_depth(k), packed);
}

static uint16_t round_to_bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7f800000u) == 0) return (uint16_t)((u >> 16) & 0x8000u);       // zero or subnormal
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);  // NaN, quieted
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

void cinfer_bf16_round_rows(const float *a, long rowStride, long m, long k, long depth, uint16_t *out) {
    for (long i = 0; i < m; i++) {
        const float *src = a + i * rowStride;
        uint16_t *dst = out + i * depth;
        for (long j = 0; j < k; j++) dst[j] = round_to_bf16(src[j]);
        for (long j = k; j < depth; j++) dst[j] = 0;
    }
}

static float widen(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    // The instructions treat subnormal inputs as zero; so does this (a packed B may hold some).
    return (u & 0x7f800000u) == 0 ? 0.0f * f : f;
}

void cinfer_bf16_gemm_portable(const uint16_t *a, long m, long depth, const uint16_t *packed, long n,
                               long panelBegin, long panelEnd, float *c, long ldc) {
    for (long p = panelBegin; p < panelEnd; p++) {
        const uint16_t *panel = packed + p * depth * 16;
        long columns = n - 16 * p < 16 ? n - 16 * p : 16;
        for (long i = 0; i < m; i++) {
            const uint16_t *row = a + i * depth;
            float sum[16] = {0};
            for (long q = 0; q < depth / 2; q++) {
                float a0 = widen(row[2 * q]), a1 = widen(row[2 * q + 1]);
                const uint16_t *pair = panel + q * 32;
                // One product added at a time, even k first. vdpbf16ps adds the odd one first and
                // AMX may sum a pair before adding it, so variants agree to rounding, not to the bit.
                for (int j = 0; j < 16; j++) {
                    sum[j] += a0 * widen(pair[2 * j]);
                    sum[j] += a1 * widen(pair[2 * j + 1]);
                }
            }
            for (long j = 0; j < columns; j++) c[i * ldc + 16 * p + j] = sum[j];
        }
    }
}
