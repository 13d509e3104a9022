// QuantizeLinear and DequantizeLinear over one run sharing a scale and zero point (per tensor:
// a QDQ model's activations), sixteen per AVX-512 register or eight per AVX2 one. The same
// float operations as LinearQuantization's Swift definition, in the same order (a division,
// not a multiply by the reciprocal), so every variant gives its bits. In the Swift loop (SSE in
// the x86-64 baseline build) QuantizeLinear was a fifth of a QDQ ResNet-18 run. See
// CInferSIMD.h for the contract.
#include "CInferSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "lanes.h"

/// The scalar rule, for the AVX2 tail: NaN gives 0, then clamp to [low, high].
static inline int quantized_scalar(float x, float scale, float zero, float low, float high) {
    const float v = nearbyintf(x / scale) + zero;  // the default rounding mode: half to even
    if (v != v) return 0;
    if (v <= low) return (int)low;
    if (v >= high) return (int)high;
    return (int)v;
}

__attribute__((target("avx512f")))
void cinfer_quantize_linear_avx512(const float *x, long count, float scale, float zero, int isSigned, void *y) {
    const float low = isSigned ? -128.0f : 0.0f, high = isSigned ? 127.0f : 255.0f;
    const __m512 vscale = _mm512_set1_ps(scale), vzero = _mm512_set1_ps(zero);
    const __m512 vlow = _mm512_set1_ps(low), vhigh = _mm512_set1_ps(high);
    uint8_t *out = (uint8_t *)y;
    for (long j = 0; j < count; j += 16) {
        const __mmask16 m = cinfer_lanes16(count - j);
        __m512 v = _mm512_div_ps(_mm512_maskz_loadu_ps(m, x + j), vscale);
        v = _mm512_add_ps(_mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), vzero);
        // NaN lanes to 0 first (max/min would pass a NaN's other operand through), then clamp:
        // the values are whole numbers in range, so the int32 conversion and truncating byte
        // store are exact.
        v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), v);
        v = _mm512_min_ps(_mm512_max_ps(v, vlow), vhigh);
        _mm512_mask_cvtepi32_storeu_epi8(out + j, m, _mm512_cvtps_epi32(v));
    }
}

__attribute__((target("avx512f")))
void cinfer_dequantize_linear_avx512(const void *x, long count, float scale, float zero, int isSigned, float *y) {
    const __m512 vscale = _mm512_set1_ps(scale), vzero = _mm512_set1_ps(zero);
    const uint8_t *in = (const uint8_t *)x;
    for (long j = 0; j < count; j += 16) {
        const __mmask16 m = cinfer_lanes16(count - j);
        __m128i bytes;
        if (count - j >= 16) {
            bytes = _mm_loadu_si128((const __m128i *)(in + j));
        } else {  // the ragged end, through a buffer: a masked byte load needs AVX512BW + VL
            uint8_t end[16] = {0};
            memcpy(end, in + j, (size_t)(count - j));
            bytes = _mm_loadu_si128((const __m128i *)end);
        }
        const __m512i q = isSigned ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
        _mm512_mask_storeu_ps(y + j, m, _mm512_mul_ps(_mm512_sub_ps(_mm512_cvtepi32_ps(q), vzero), vscale));
    }
}

__attribute__((target("avx2,fma")))
void cinfer_quantize_linear_avx2(const float *x, long count, float scale, float zero, int isSigned, void *y) {
    const float low = isSigned ? -128.0f : 0.0f, high = isSigned ? 127.0f : 255.0f;
    const __m256 vscale = _mm256_set1_ps(scale), vzero = _mm256_set1_ps(zero);
    const __m256 vlow = _mm256_set1_ps(low), vhigh = _mm256_set1_ps(high);
    // After two in-lane packs the 4-byte groups are in order 0 4 1 5 2 6 3 7.
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    uint8_t *out = (uint8_t *)y;
    long j = 0;
    for (; j + 32 <= count; j += 32) {
        __m256i q[4];
        for (int i = 0; i < 4; i++) {
            __m256 v = _mm256_div_ps(_mm256_loadu_ps(x + j + 8 * i), vscale);
            v = _mm256_add_ps(_mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), vzero);
            v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));  // NaN lanes to 0
            q[i] = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(v, vlow), vhigh));
        }
        // In range already: the packs' saturation never applies.
        const __m256i words01 = _mm256_packs_epi32(q[0], q[1]), words23 = _mm256_packs_epi32(q[2], q[3]);
        const __m256i bytes = isSigned ? _mm256_packs_epi16(words01, words23) : _mm256_packus_epi16(words01, words23);
        _mm256_storeu_si256((__m256i *)(out + j), _mm256_permutevar8x32_epi32(bytes, order));
    }
    if (isSigned) {
        for (; j < count; j++) ((int8_t *)out)[j] = (int8_t)quantized_scalar(x[j], scale, zero, low, high);
    } else {
        for (; j < count; j++) out[j] = (uint8_t)quantized_scalar(x[j], scale, zero, low, high);
    }
}

__attribute__((target("avx2,fma")))
void cinfer_dequantize_linear_avx2(const void *x, long count, float scale, float zero, int isSigned, float *y) {
    const __m256 vscale = _mm256_set1_ps(scale), vzero = _mm256_set1_ps(zero);
    const uint8_t *in = (const uint8_t *)x;
    long j = 0;
    for (; j + 8 <= count; j += 8) {
        const __m128i bytes = _mm_loadl_epi64((const __m128i *)(in + j));
        const __m256i q = isSigned ? _mm256_cvtepi8_epi32(bytes) : _mm256_cvtepu8_epi32(bytes);
        _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_sub_ps(_mm256_cvtepi32_ps(q), vzero), vscale));
    }
    for (; j < count; j++) {
        const float q = isSigned ? (float)((const int8_t *)in)[j] : (float)in[j];
        y[j] = (q - zero) * scale;
    }
}

#else

void cinfer_quantize_linear_avx512(const float *x, long count, float scale, float zero, int isSigned, void *y) {
    (void)x; (void)count; (void)scale; (void)zero; (void)isSigned; (void)y;
    __builtin_trap();  // never called: cinfer_has_avx512() is 0 here
}

void cinfer_dequantize_linear_avx512(const void *x, long count, float scale, float zero, int isSigned, float *y) {
    (void)x; (void)count; (void)scale; (void)zero; (void)isSigned; (void)y;
    __builtin_trap();
}

void cinfer_quantize_linear_avx2(const float *x, long count, float scale, float zero, int isSigned, void *y) {
    (void)x; (void)count; (void)scale; (void)zero; (void)isSigned; (void)y;
    __builtin_trap();  // never called: cinfer_has_avx2_fma() is 0 here
}

void cinfer_dequantize_linear_avx2(const void *x, long count, float scale, float zero, int isSigned, float *y) {
    (void)x; (void)count; (void)scale; (void)zero; (void)isSigned; (void)y;
    __builtin_trap();
}

#endif
