// A byte matrix transposed in 16x16 blocks on SSE2 (the x86-64 baseline, so no dispatch): the
// int8 convolution's two reshuffles, X to channels-last and each tile's [positions, channels]
// bytes into Y's planes. One byte per load and store, they were a third of a QDQ MobileNetV2
// run. See CInferSIMD.h for the contract.
#include "CInferSIMD.h"
#include <stdint.h>

#if defined(__x86_64__)
#include <immintrin.h>

/// x[i] holds row i of a 16x16 block; on return x[j] holds column j. Each stage interleaves
/// register k with k + 8 bytewise, which rotates the 8 index bits (4 of the row, 4 of the byte)
/// by one: four stages swap row and column.
static inline void transpose16x16(__m128i x[16]) {
    for (int stage = 0; stage < 4; stage++) {
        __m128i y[16];
        for (int k = 0; k < 8; k++) {
            y[2 * k] = _mm_unpacklo_epi8(x[k], x[k + 8]);
            y[2 * k + 1] = _mm_unpackhi_epi8(x[k], x[k + 8]);
        }
        for (int i = 0; i < 16; i++) x[i] = y[i];
    }
}
#endif

void cinfer_transpose_bytes(const uint8_t *src, long rows, long cols, long srcStride, uint8_t *dst, long dstStride) {
    long r0 = 0;
#if defined(__x86_64__)
    for (; r0 + 16 <= rows; r0 += 16) {
        long c0 = 0;
        for (; c0 + 16 <= cols; c0 += 16) {
            __m128i x[16];
            for (int i = 0; i < 16; i++) x[i] = _mm_loadu_si128((const __m128i *)(src + (r0 + i) * srcStride + c0));
            transpose16x16(x);
            for (int j = 0; j < 16; j++) _mm_storeu_si128((__m128i *)(dst + (c0 + j) * dstStride + r0), x[j]);
        }
        for (; c0 < cols; c0++) {
            for (long i = 0; i < 16; i++) dst[c0 * dstStride + r0 + i] = src[(r0 + i) * srcStride + c0];
        }
    }
#endif
    for (; r0 < rows; r0++) {
        for (long c = 0; c < cols; c++) dst[c * dstStride + r0] = src[r0 * srcStride + c];
    }
}
