// The interior of a 3x3 depthwise output row, sixteen outputs per AVX-512 register, with the
// bias and the clamp (ReLU, ReLU6, none) in the store. Masked loads and stores do the ragged
// end, so nothing past the row is touched. See CInferSIMD.h for the contract.
#include "CInferSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "lanes.h"

int cinfer_has_avx512(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") ? 1 : 0;
    }
    return cached;
}

__attribute__((target("avx512f")))
static inline __m512 clamp(__m512 v, __m512 low, __m512 high) {
    // max/min return their second operand when either is NaN: v stays NaN, like Swift's Clip.
    return _mm512_min_ps(high, _mm512_max_ps(low, v));
}

__attribute__((target("avx512f")))
void cinfer_depthwise3x3_row_avx512(const float *row0, const float *row1, const float *row2,
                                    const float *w, float bias, float low, float high,
                                    float *out, long count, long stride) {
    const float *rows[3] = {row0, row1, row2};
    __m512 taps[9];
    for (int i = 0; i < 9; i++) taps[i] = _mm512_set1_ps(w[i]);
    const __m512 vbias = _mm512_set1_ps(bias), vlow = _mm512_set1_ps(low), vhigh = _mm512_set1_ps(high);
    if (stride == 1) {
        for (long j = 0; j < count; j += 16) {
            // Output lane i reads input j + i + k (k < 3): inside the row for every enabled lane.
            const __mmask16 m = cinfer_lanes16(count - j);
            __m512 acc = vbias;
            for (int r = 0; r < 3; r++) {
                const float *p = rows[r] + j;
                acc = _mm512_fmadd_ps(taps[3 * r], _mm512_maskz_loadu_ps(m, p), acc);
                acc = _mm512_fmadd_ps(taps[3 * r + 1], _mm512_maskz_loadu_ps(m, p + 1), acc);
                acc = _mm512_fmadd_ps(taps[3 * r + 2], _mm512_maskz_loadu_ps(m, p + 2), acc);
            }
            _mm512_mask_storeu_ps(out + j, m, clamp(acc, vlow, vhigh));
        }
        return;
    }
    // Stride 2: output lane i reads inputs 2(j + i) + k. Two 16-float loads give the even lanes
    // (tap 0) and odd lanes (tap 1); the same two loads two floats further give tap 2.
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const long readable = 2 * (count - 1) + 3;  // floats each row holds from its start
    for (long j = 0; j < count; j += 16) {
        const long left = readable - 2 * j;  // readable floats from row + 2j
        const __mmask16 m = cinfer_lanes16(count - j);
        const __mmask16 ma = cinfer_lanes16(left), mb = cinfer_lanes16(left - 16), mc = cinfer_lanes16(left - 2), md = cinfer_lanes16(left - 18);
        __m512 acc = vbias;
        for (int r = 0; r < 3; r++) {
            const float *p = rows[r] + 2 * j;
            const __m512 a = _mm512_maskz_loadu_ps(ma, p), b = _mm512_maskz_loadu_ps(mb, p + 16);
            const __m512 c = _mm512_maskz_loadu_ps(mc, p + 2), d = _mm512_maskz_loadu_ps(md, p + 18);
            acc = _mm512_fmadd_ps(taps[3 * r], _mm512_permutex2var_ps(a, even, b), acc);
            acc = _mm512_fmadd_ps(taps[3 * r + 1], _mm512_permutex2var_ps(a, odd, b), acc);
            acc = _mm512_fmadd_ps(taps[3 * r + 2], _mm512_permutex2var_ps(c, even, d), acc);
        }
        _mm512_mask_storeu_ps(out + j, m, clamp(acc, vlow, vhigh));
    }
}

#else

int cinfer_has_avx512(void) { return 0; }

void cinfer_depthwise3x3_row_avx512(const float *row0, const float *row1, const float *row2,
                                    const float *w, float bias, float low, float high,
                                    float *out, long count, long stride) {
    (void)row0; (void)row1; (void)row2; (void)w; (void)bias; (void)low; (void)high;
    (void)out; (void)count; (void)stride;
    __builtin_trap();  // never called: cinfer_has_avx512() is 0 here
}

#endif
