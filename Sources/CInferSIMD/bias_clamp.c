// The commonest conv epilogue, y = clamp(y + bias (+ r)), over one run of floats with one bias:
// bias only (a projection), bias + residual, or bias + ReLU / ReLU6 / Clip. Sixteen per AVX-512
// register or eight per AVX2 one; masked ends. In the Swift epilogue (SSE in the x86-64 baseline
// build) this was a seventh of a MobileNetV2 run. See CInferSIMD.h for the contract.
#include "CInferSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "lanes.h"

__attribute__((target("avx512f")))
void cinfer_bias_clamp_run_avx512(float *y, const float *residual, long count, float bias, float low, float high) {
    const __m512 vbias = _mm512_set1_ps(bias), vlow = _mm512_set1_ps(low), vhigh = _mm512_set1_ps(high);
    for (long j = 0; j < count; j += 16) {
        const __mmask16 m = cinfer_lanes16(count - j);
        __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + j), vbias);
        if (residual) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, residual + j));
        // max/min return their second operand when either is NaN: v stays NaN, like Swift's Clip.
        _mm512_mask_storeu_ps(y + j, m, _mm512_min_ps(vhigh, _mm512_max_ps(vlow, v)));
    }
}

__attribute__((target("avx2,fma")))
void cinfer_bias_clamp_run_avx2(float *y, const float *residual, long count, float bias, float low, float high) {
    const __m256 vbias = _mm256_set1_ps(bias), vlow = _mm256_set1_ps(low), vhigh = _mm256_set1_ps(high);
    long j = 0;
    for (; j + 8 <= count; j += 8) {
        __m256 v = _mm256_add_ps(_mm256_loadu_ps(y + j), vbias);
        if (residual) v = _mm256_add_ps(v, _mm256_loadu_ps(residual + j));
        _mm256_storeu_ps(y + j, _mm256_min_ps(vhigh, _mm256_max_ps(vlow, v)));
    }
    if (j < count) {
        const __m256i m = cinfer_lanes8(count - j);
        __m256 v = _mm256_add_ps(_mm256_maskload_ps(y + j, m), vbias);
        if (residual) v = _mm256_add_ps(v, _mm256_maskload_ps(residual + j, m));
        _mm256_maskstore_ps(y + j, m, _mm256_min_ps(vhigh, _mm256_max_ps(vlow, v)));
    }
}

#else

void cinfer_bias_clamp_run_avx512(float *y, const float *residual, long count, float bias, float low, float high) {
    (void)y; (void)residual; (void)count; (void)bias; (void)low; (void)high;
    __builtin_trap();  // never called: cinfer_has_avx512() is 0 here
}

void cinfer_bias_clamp_run_avx2(float *y, const float *residual, long count, float bias, float low, float high) {
    (void)y; (void)residual; (void)count; (void)bias; (void)low; (void)high;
    __builtin_trap();  // never called: cinfer_has_avx2_fma() is 0 here
}

#endif
