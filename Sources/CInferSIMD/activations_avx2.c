// Sigmoid / SiLU and GELU runs, eight floats per AVX2 register (activation_kernels.h, also
// compiled for AVX-512). 2^n is built from the exponent bits as two factors, so n = 128 and
// n = -126 both stay representable; maskload/maskstore do the ragged end.
#include "CInferSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "lanes.h"

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#define VEC __m256
#define MASK __m256i
#define LANES 8
#define OP(name) _mm256_##name
#define EXPORT(name) name##_avx2

static inline MASK lanes(long n) { return cinfer_lanes8(n); }
static inline VEC load_n(const float *p, MASK m) { return _mm256_maskload_ps(p, m); }
static inline void store_n(float *p, MASK m, VEC v) { _mm256_maskstore_ps(p, m, v); }
static inline VEC load_or(const float *p, MASK m, float fill) {
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
static inline VEC round_nearest(VEC x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline VEC scale2n(VEC er, VEC n) {
    const __m256i whole = _mm256_cvtps_epi32(n), half = _mm256_srai_epi32(whole, 1);
    const __m256 a = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, _mm256_set1_epi32(127)), 23));
    const __m256 b = _mm256_castsi256_ps(
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(whole, half), _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(_mm256_mul_ps(er, a), b);
}
static inline VEC zero_where(VEC v, VEC x, VEC bound) {
    return _mm256_blendv_ps(v, _mm256_setzero_ps(), _mm256_cmp_ps(x, bound, _CMP_LT_OQ));
}
static inline VEC keep_nan(VEC v, VEC x) { return _mm256_blendv_ps(v, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q)); }
static inline VEC reciprocal(VEC d) { return _mm256_rcp_ps(d); }
static inline VEC divide_where_huge(VEC v, VEC num, VEC d) {
    const __m256 huge = _mm256_cmp_ps(d, _mm256_set1_ps(8.507059e37f), _CMP_GE_OQ);
    return _mm256_movemask_ps(huge) ? _mm256_blendv_ps(v, _mm256_div_ps(num, d), huge) : v;
}

#include "activation_kernels.h"

#pragma clang attribute pop

#else

void cinfer_sigmoid_run_avx2(float *y, long count, float bias, int silu) {
    (void)y; (void)count; (void)bias; (void)silu;
    __builtin_trap();  // never called: cinfer_has_avx2_fma() is 0 here
}
void cinfer_gelu_tanh_run_avx2(const float *x, float *y, long count, const float *columnBias, float bias) {
    (void)x; (void)y; (void)count; (void)columnBias; (void)bias;
    __builtin_trap();
}
void cinfer_gelu_erf_run_avx2(const float *x, float *y, long count, const float *columnBias, float bias) {
    (void)x; (void)y; (void)count; (void)columnBias; (void)bias;
    __builtin_trap();
}
int cinfer_softmax_row_avx2(const float *x, float *y, long n) {
    (void)x; (void)y; (void)n;
    __builtin_trap();
}

#endif
