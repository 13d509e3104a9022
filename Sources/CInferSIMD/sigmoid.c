// Sigmoid and SiLU over a run of floats with one bias added first, sixteen per AVX-512
// register: the conv/GEMM epilogue's most expensive activations (EfficientNet's SiLU was a
// fifth of its run in the Swift kernel, which the x86-64 baseline build compiles to SSE).
// exp is VectorMath.exp's algorithm with its constants; the reciprocal is an approximation
// refined by one Newton step, within a few ulps of VectorMath's division (GemmEpilogueTests).
#include "CInferSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "lanes.h"

/// VectorMath.exp: e^x = 2^n * e^r, n = round(x / ln 2), e^r a degree-7 polynomial; +inf
/// stays finite at e^88.72, below -87.34 gives 0, NaN stays NaN. AVX-512 rounds n and applies
/// 2^n in one instruction each (vrndscaleps, vscalefps: exact, n = 128 included), where the
/// Swift code and the AVX2 twin use the 1.5 * 2^23 shift and two exponent factors.
__attribute__((target("avx512f")))
static inline __m512 exp16(__m512 x) {
    const __m512 low = _mm512_set1_ps(-87.33654f), high = _mm512_set1_ps(88.72284f);
    __m512 clamped = _mm512_min_ps(_mm512_max_ps(x, low), high);
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(clamped, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    // n * 0.693359375 is exact (9 + 8 significant bits), so the first step equals the Swift one.
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), clamped);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    __m512 er = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    __m512 result = _mm512_scalef_ps(er, n);
    result = _mm512_mask_mov_ps(result, _mm512_cmp_ps_mask(x, low, _CMP_LT_OQ), _mm512_setzero_ps());
    return _mm512_mask_mov_ps(result, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
}

/// sigmoid(v), or v * sigmoid(v) when `silu`. 1 / d is a 14-bit reciprocal and one Newton step
/// (a division was this loop's bottleneck: a third of its samples sat behind vdivps). Where d
/// is past 2^126 the reciprocal would be subnormal, which vrcp14ps flushes: those lanes divide.
__attribute__((target("avx512f")))
static inline __m512 sigmoid16(__m512 v, int silu) {
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 d = _mm512_add_ps(one, exp16(_mm512_sub_ps(_mm512_setzero_ps(), v)));
    __m512 r = _mm512_rcp14_ps(d);
    r = _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
    const __mmask16 huge = _mm512_cmp_ps_mask(d, _mm512_set1_ps(8.507059e37f), _CMP_GE_OQ);
    const __m512 s = huge ? _mm512_mask_div_ps(r, huge, one, d) : r;
    return silu ? _mm512_mul_ps(v, s) : s;
}

__attribute__((target("avx512f")))
void cinfer_sigmoid_run_avx512(float *y, long count, float bias, int silu) {
    const __m512 vbias = _mm512_set1_ps(bias);
    long j = 0;
    // Four independent vectors per iteration: each is one long dependency chain (exp, reciprocal,
    // Newton step), which one vector at a time left mostly waiting.
    for (; j + 64 <= count; j += 64) {
        const __m512 v0 = _mm512_add_ps(_mm512_loadu_ps(y + j), vbias);
        const __m512 v1 = _mm512_add_ps(_mm512_loadu_ps(y + j + 16), vbias);
        const __m512 v2 = _mm512_add_ps(_mm512_loadu_ps(y + j + 32), vbias);
        const __m512 v3 = _mm512_add_ps(_mm512_loadu_ps(y + j + 48), vbias);
        _mm512_storeu_ps(y + j, sigmoid16(v0, silu));
        _mm512_storeu_ps(y + j + 16, sigmoid16(v1, silu));
        _mm512_storeu_ps(y + j + 32, sigmoid16(v2, silu));
        _mm512_storeu_ps(y + j + 48, sigmoid16(v3, silu));
    }
    for (; j < count; j += 16) {
        const __mmask16 m = cinfer_lanes16(count - j);
        const __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + j), vbias);
        _mm512_mask_storeu_ps(y + j, m, sigmoid16(v, silu));
    }
}

__attribute__((target("avx512f")))
void cinfer_gelu_tanh_run_avx512(const float *x, float *y, long count) {
    const __m512 one = _mm512_set1_ps(1.0f), two = _mm512_set1_ps(2.0f);
    const __m512 c = _mm512_set1_ps(1.5957691216057307118f), k = _mm512_set1_ps(0.044715f);
    for (long j = 0; j < count; j += 16) {
        const __mmask16 m = cinfer_lanes16(count - j);
        const __m512 v = _mm512_maskz_loadu_ps(m, x + j);
        // x / (1 + e^(-2u)), 2u = sqrt(8/pi) (x + 0.044715 x^3), as GeluKernel.geluTanh; the
        // reciprocal as in the sigmoid above, and a true division where d is past 2^126.
        // Unfused, in GeluKernel's order: near x = -5 the output is 20x as sensitive as 2u.
        const __m512 twoU = _mm512_mul_ps(c, _mm512_add_ps(v, _mm512_mul_ps(k, _mm512_mul_ps(_mm512_mul_ps(v, v), v))));
        const __m512 d = _mm512_add_ps(one, exp16(_mm512_sub_ps(_mm512_setzero_ps(), twoU)));
        __m512 r = _mm512_rcp14_ps(d);
        r = _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, two));
        __m512 out = _mm512_mul_ps(v, r);
        const __mmask16 huge = _mm512_cmp_ps_mask(d, _mm512_set1_ps(8.507059e37f), _CMP_GE_OQ);
        if (huge) out = _mm512_mask_div_ps(out, huge, v, d);
        _mm512_mask_storeu_ps(y + j, m, out);
    }
}

#else

void cinfer_gelu_tanh_run_avx512(const float *x, float *y, long count) {
    (void)x; (void)y; (void)count;
    __builtin_trap();  // never called: cinfer_has_avx512() is 0 here
}

void cinfer_sigmoid_run_avx512(float *y, long count, float bias, int silu) {
    (void)y; (void)count; (void)bias; (void)silu;
    __builtin_trap();  // never called: cinfer_has_avx512() is 0 here
}

#endif
