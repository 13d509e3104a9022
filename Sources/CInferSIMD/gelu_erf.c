// GELU, exact (erf) form, with a bias, over a run of floats: 0.5 v (1 + erf(v / sqrt 2)),
// v = x + bias (+ columnBias[j]), erf as VectorMath.erf computes it (Eigen's rational
// approximation on [-4, 4]: odd degree-13 over even degree-8, one division). The epilogue of
// BERT's FFN and ConvNeXt's pointwise convs; in the Swift epilogue (SSE in the x86-64 baseline
// build) it was a tenth of a ConvNeXt-T run. See CInferSIMD.h.
#include "CInferSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "lanes.h"

// VectorMath.erf's coefficients: p over x², then q over x².
static const float P[7] = {-2.72614225801306e-10f, 2.77068142495902e-08f, -2.10102402082508e-06f,
                           -5.69250639462346e-05f, -7.34990630326855e-04f, -2.95459980854025e-03f,
                           -1.60960333262415e-02f};
static const float Q[5] = {-1.45660718464996e-05f, -2.13374055278905e-04f, -1.68282697438203e-03f,
                           -7.37332916720468e-03f, -1.42647390514189e-02f};

__attribute__((target("avx512f")))
static inline __m512 gelu16(__m512 v) {
    const __m512 a = _mm512_mul_ps(v, _mm512_set1_ps(0.70710678118654752440f));
    const __m512 x = _mm512_min_ps(_mm512_set1_ps(4.0f), _mm512_max_ps(_mm512_set1_ps(-4.0f), a));
    const __m512 x2 = _mm512_mul_ps(x, x);
    __m512 p = _mm512_fmadd_ps(x2, _mm512_set1_ps(P[0]), _mm512_set1_ps(P[1]));
    for (int i = 2; i < 7; i++) p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(P[i]));
    __m512 q = _mm512_fmadd_ps(x2, _mm512_set1_ps(Q[0]), _mm512_set1_ps(Q[1]));
    for (int i = 2; i < 5; i++) q = _mm512_fmadd_ps(x2, q, _mm512_set1_ps(Q[i]));
    const __m512 erf = _mm512_mul_ps(x, _mm512_div_ps(p, q));
    const __m512 half = _mm512_mul_ps(_mm512_set1_ps(0.5f), v);
    // NaN stays NaN: the clamp turned it into -4 (max/min return their second operand).
    const __m512 y = _mm512_fmadd_ps(half, erf, half);
    return _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), v);
}

__attribute__((target("avx512f")))
void cinfer_gelu_erf_run_avx512(const float *x, float *y, long count, const float *columnBias, float bias) {
    const __m512 vbias = _mm512_set1_ps(bias);
    for (long j = 0; j < count; j += 16) {
        const __mmask16 m = cinfer_lanes16(count - j);
        __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, x + j), vbias);
        if (columnBias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, columnBias + j));
        _mm512_mask_storeu_ps(y + j, m, gelu16(v));
    }
}

__attribute__((target("avx2,fma")))
static inline __m256 gelu8(__m256 v) {
    const __m256 a = _mm256_mul_ps(v, _mm256_set1_ps(0.70710678118654752440f));
    const __m256 x = _mm256_min_ps(_mm256_set1_ps(4.0f), _mm256_max_ps(_mm256_set1_ps(-4.0f), a));
    const __m256 x2 = _mm256_mul_ps(x, x);
    __m256 p = _mm256_fmadd_ps(x2, _mm256_set1_ps(P[0]), _mm256_set1_ps(P[1]));
    for (int i = 2; i < 7; i++) p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(P[i]));
    __m256 q = _mm256_fmadd_ps(x2, _mm256_set1_ps(Q[0]), _mm256_set1_ps(Q[1]));
    for (int i = 2; i < 5; i++) q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(Q[i]));
    const __m256 erf = _mm256_mul_ps(x, _mm256_div_ps(p, q));
    const __m256 half = _mm256_mul_ps(_mm256_set1_ps(0.5f), v);
    const __m256 y = _mm256_fmadd_ps(half, erf, half);
    return _mm256_blendv_ps(y, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}

__attribute__((target("avx2,fma")))
void cinfer_gelu_erf_run_avx2(const float *x, float *y, long count, const float *columnBias, float bias) {
    const __m256 vbias = _mm256_set1_ps(bias);
    for (long j = 0; j < count; j += 8) {
        const __m256i m = cinfer_lanes8(count - j);
        __m256 v = _mm256_add_ps(_mm256_maskload_ps(x + j, m), vbias);
        if (columnBias) v = _mm256_add_ps(v, _mm256_maskload_ps(columnBias + j, m));
        _mm256_maskstore_ps(y + j, m, gelu8(v));
    }
}

#else

void cinfer_gelu_erf_run_avx512(const float *x, float *y, long count, const float *columnBias, float bias) {
    (void)x; (void)y; (void)count; (void)columnBias; (void)bias;
    __builtin_trap();  // never called: cinfer_has_avx512() is 0 here
}

void cinfer_gelu_erf_run_avx2(const float *x, float *y, long count, const float *columnBias, float bias) {
    (void)x; (void)y; (void)count; (void)columnBias; (void)bias;
    __builtin_trap();  // never called: cinfer_has_avx2_fma() is 0 here
}

#endif
