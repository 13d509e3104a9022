// The AVX2 + FMA twin of sigmoid.c: eight per register, the same exp (VectorMath's algorithm and
// constants) and a reciprocal refined by one Newton step; maskload/maskstore do the ragged end.
#include "CInferSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "lanes.h"

/// VectorMath.exp: e^x = 2^n * e^r, n = round(x / ln 2), e^r a degree-7 polynomial; +inf
/// stays finite at e^88.72, below -87.34 gives 0, NaN stays NaN.
__attribute__((target("avx2,fma")))
static inline __m256 exp8(__m256 x) {
    const __m256 low = _mm256_set1_ps(-87.33654f), high = _mm256_set1_ps(88.72284f);
    __m256 clamped = _mm256_min_ps(_mm256_max_ps(x, low), high);
    // Round to nearest through the 1.5 * 2^23 shift, as the Swift code does.
    const __m256 shift = _mm256_set1_ps(12582912.0f);
    __m256 shifted = _mm256_add_ps(_mm256_mul_ps(clamped, _mm256_set1_ps(1.44269504088896341f)), shift);
    __m256 n = _mm256_sub_ps(shifted, shift);
    __m256 r = _mm256_sub_ps(clamped, _mm256_mul_ps(n, _mm256_set1_ps(0.693359375f)));
    r = _mm256_sub_ps(r, _mm256_mul_ps(n, _mm256_set1_ps(-2.12194440e-4f)));
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 er = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    // 2^n as two factors, so n = 128 and n = -126 both stay representable.
    __m256i whole = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000));
    __m256i half = _mm256_srai_epi32(whole, 1);
    __m256 scaleA = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, _mm256_set1_epi32(127)), 23));
    __m256 scaleB = _mm256_castsi256_ps(
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(whole, half), _mm256_set1_epi32(127)), 23));
    __m256 result = _mm256_mul_ps(_mm256_mul_ps(er, scaleA), scaleB);
    result = _mm256_blendv_ps(result, _mm256_setzero_ps(), _mm256_cmp_ps(x, low, _CMP_LT_OQ));
    return _mm256_blendv_ps(result, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

/// sigmoid(v), or v * sigmoid(v) when `silu`: 1 / d as a 12-bit reciprocal and one Newton step
/// (a division was the AVX-512 loop's bottleneck). Where d is past 2^126 the reciprocal would
/// be subnormal, which vrcpps flushes: those lanes divide.
__attribute__((target("avx2,fma")))
static inline __m256 sigmoid8(__m256 v, int silu) {
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 d = _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), v)));
    __m256 r = _mm256_rcp_ps(d);
    r = _mm256_mul_ps(r, _mm256_fnmadd_ps(d, r, _mm256_set1_ps(2.0f)));
    const __m256 big = _mm256_cmp_ps(d, _mm256_set1_ps(8.507059e37f), _CMP_GE_OQ);
    if (_mm256_movemask_ps(big)) r = _mm256_blendv_ps(r, _mm256_div_ps(one, d), big);
    return silu ? _mm256_mul_ps(v, r) : r;
}

__attribute__((target("avx2,fma")))
void cinfer_sigmoid_run_avx2(float *y, long count, float bias, int silu) {
    const __m256 vbias = _mm256_set1_ps(bias);
    long j = 0;
    // Four independent vectors per iteration, as in the AVX-512 loop.
    for (; j + 32 <= count; j += 32) {
        const __m256 v0 = _mm256_add_ps(_mm256_loadu_ps(y + j), vbias);
        const __m256 v1 = _mm256_add_ps(_mm256_loadu_ps(y + j + 8), vbias);
        const __m256 v2 = _mm256_add_ps(_mm256_loadu_ps(y + j + 16), vbias);
        const __m256 v3 = _mm256_add_ps(_mm256_loadu_ps(y + j + 24), vbias);
        _mm256_storeu_ps(y + j, sigmoid8(v0, silu));
        _mm256_storeu_ps(y + j + 8, sigmoid8(v1, silu));
        _mm256_storeu_ps(y + j + 16, sigmoid8(v2, silu));
        _mm256_storeu_ps(y + j + 24, sigmoid8(v3, silu));
    }
    for (; j < count; j += 8) {
        const __m256i m = cinfer_lanes8(count - j);
        const __m256 v = _mm256_add_ps(_mm256_maskload_ps(y + j, m), vbias);
        _mm256_maskstore_ps(y + j, m, sigmoid8(v, silu));
    }
}

__attribute__((target("avx2,fma")))
void cinfer_gelu_tanh_run_avx2(const float *x, float *y, long count) {
    const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
    const __m256 c = _mm256_set1_ps(1.5957691216057307118f), k = _mm256_set1_ps(0.044715f);
    const __m256 huge = _mm256_set1_ps(8.507059e37f);
    for (long j = 0; j < count; j += 8) {
        const __m256i m = cinfer_lanes8(count - j);
        const __m256 v = _mm256_maskload_ps(x + j, m);
        // x / (1 + e^(-2u)) as in cinfer_gelu_tanh_run_avx512.
        const __m256 twoU = _mm256_mul_ps(c, _mm256_add_ps(v, _mm256_mul_ps(k, _mm256_mul_ps(_mm256_mul_ps(v, v), v))));
        const __m256 d = _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), twoU)));
        __m256 r = _mm256_rcp_ps(d);
        r = _mm256_mul_ps(r, _mm256_fnmadd_ps(d, r, two));
        __m256 out = _mm256_mul_ps(v, r);
        const __m256 big = _mm256_cmp_ps(d, huge, _CMP_GE_OQ);
        if (_mm256_movemask_ps(big)) out = _mm256_blendv_ps(out, _mm256_div_ps(v, d), big);
        _mm256_maskstore_ps(y + j, m, out);
    }
}

#else

void cinfer_gelu_tanh_run_avx2(const float *x, float *y, long count) {
    (void)x; (void)y; (void)count;
    __builtin_trap();  // never called: cinfer_has_avx2_fma() is 0 here
}

void cinfer_sigmoid_run_avx2(float *y, long count, float bias, int silu) {
    (void)y; (void)count; (void)bias; (void)silu;
    __builtin_trap();  // never called: cinfer_has_avx2_fma() is 0 here
}

#endif
