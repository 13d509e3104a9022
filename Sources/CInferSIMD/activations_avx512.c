// Sigmoid / SiLU and GELU runs, sixteen floats per AVX-512 register (activation_kernels.h,
// also compiled for AVX2). AVX-512 rounds n and applies 2^n in one instruction each
// (vrndscaleps, vscalefps: exact, n = 128 included), and masks the ragged end.
#include "CInferSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "lanes.h"

#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)

#define VEC __m512
#define MASK __mmask16
#define LANES 16
#define OP(name) _mm512_##name
#define EXPORT(name) name##_avx512

static inline MASK lanes(long n) { return cinfer_lanes16(n); }
static inline VEC load_n(const float *p, MASK m) { return _mm512_maskz_loadu_ps(m, p); }
static inline void store_n(float *p, MASK m, VEC v) { _mm512_mask_storeu_ps(p, m, v); }
static inline VEC load_or(const float *p, MASK m, float fill) { return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), m, p); }
static inline VEC round_nearest(VEC x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline VEC scale2n(VEC er, VEC n) { return _mm512_scalef_ps(er, n); }
static inline VEC zero_where(VEC v, VEC x, VEC bound) {
    return _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(x, bound, _CMP_LT_OQ), _mm512_setzero_ps());
}
static inline VEC keep_nan(VEC v, VEC x) { return _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x); }
static inline VEC reciprocal(VEC d) { return _mm512_rcp14_ps(d); }
static inline VEC divide_where_huge(VEC v, VEC num, VEC d) {
    const __mmask16 huge = _mm512_cmp_ps_mask(d, _mm512_set1_ps(8.507059e37f), _CMP_GE_OQ);
    return huge ? _mm512_mask_div_ps(v, huge, num, d) : v;
}

#include "activation_kernels.h"

#pragma clang attribute pop

#else

void cinfer_sigmoid_run_avx512(float *y, long count, float bias, int silu) {
    (void)y; (void)count; (void)bias; (void)silu;
    __builtin_trap();  // never called: cinfer_has_avx512() is 0 here
}
void cinfer_gelu_tanh_run_avx512(const float *x, float *y, long count, const float *columnBias, float bias) {
    (void)x; (void)y; (void)count; (void)columnBias; (void)bias;
    __builtin_trap();
}
void cinfer_gelu_erf_run_avx512(const float *x, float *y, long count, const float *columnBias, float bias) {
    (void)x; (void)y; (void)count; (void)columnBias; (void)bias;
    __builtin_trap();
}
int cinfer_softmax_row_avx512(const float *x, float *y, long n) {
    (void)x; (void)y; (void)n;
    __builtin_trap();
}

#endif
