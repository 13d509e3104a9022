// The AVX2 + FMA twin of depthwise3x3.c: eight outputs per register, the same taps in the same
// order, bias and clamp in the store. maskload/maskstore do the ragged end (masked lanes are
// neither read nor written), so nothing past the row is touched. See CInferSIMD.h.
#include "CInferSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "lanes.h"

int cinfer_has_avx2_fma(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
    }
    return cached;
}

__attribute__((target("avx2,fma")))
static inline __m256 clamp8(__m256 v, __m256 low, __m256 high) {
    // max/min return their second operand when either is NaN: v stays NaN, like Swift's Clip.
    return _mm256_min_ps(high, _mm256_max_ps(low, v));
}

/// Even and odd floats of the sixteen at a, b (a0 a2 .. b6 / a1 a3 .. b7).
__attribute__((target("avx2,fma")))
static inline __m256 evens8(__m256 a, __m256 b) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
}
__attribute__((target("avx2,fma")))
static inline __m256 odds8(__m256 a, __m256 b) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xDD)), 0xD8));
}

__attribute__((target("avx2,fma")))
void cinfer_depthwise3x3_row_avx2(const float *row0, const float *row1, const float *row2,
                                  const float *w, float bias, float low, float high,
                                  float *out, long count, long stride) {
    const float *rows[3] = {row0, row1, row2};
    __m256 taps[9];
    for (int i = 0; i < 9; i++) taps[i] = _mm256_set1_ps(w[i]);
    const __m256 vbias = _mm256_set1_ps(bias), vlow = _mm256_set1_ps(low), vhigh = _mm256_set1_ps(high);
    if (stride == 1) {
        for (long j = 0; j < count; j += 8) {
            // Output lane i reads input j + i + k (k < 3): inside the row for every enabled lane.
            const __m256i m = cinfer_lanes8(count - j);
            __m256 acc = vbias;
            for (int r = 0; r < 3; r++) {
                const float *p = rows[r] + j;
                acc = _mm256_fmadd_ps(taps[3 * r], _mm256_maskload_ps(p, m), acc);
                acc = _mm256_fmadd_ps(taps[3 * r + 1], _mm256_maskload_ps(p + 1, m), acc);
                acc = _mm256_fmadd_ps(taps[3 * r + 2], _mm256_maskload_ps(p + 2, m), acc);
            }
            _mm256_maskstore_ps(out + j, m, clamp8(acc, vlow, vhigh));
        }
        return;
    }
    // Stride 2: output lane i reads inputs 2(j + i) + k. Two 8-float loads give the even lanes
    // (tap 0) and odd lanes (tap 1); the same two loads two floats further give tap 2.
    const long readable = 2 * (count - 1) + 3;  // floats each row holds from its start
    for (long j = 0; j < count; j += 8) {
        const long left = readable - 2 * j;  // readable floats from row + 2j
        const __m256i m = cinfer_lanes8(count - j);
        const __m256i ma = cinfer_lanes8(left), mb = cinfer_lanes8(left - 8), mc = cinfer_lanes8(left - 2), md = cinfer_lanes8(left - 10);
        __m256 acc = vbias;
        for (int r = 0; r < 3; r++) {
            const float *p = rows[r] + 2 * j;
            const __m256 a = _mm256_maskload_ps(p, ma), b = _mm256_maskload_ps(p + 8, mb);
            const __m256 c = _mm256_maskload_ps(p + 2, mc), d = _mm256_maskload_ps(p + 10, md);
            acc = _mm256_fmadd_ps(taps[3 * r], evens8(a, b), acc);
            acc = _mm256_fmadd_ps(taps[3 * r + 1], odds8(a, b), acc);
            acc = _mm256_fmadd_ps(taps[3 * r + 2], evens8(c, d), acc);
        }
        _mm256_maskstore_ps(out + j, m, clamp8(acc, vlow, vhigh));
    }
}

#else

int cinfer_has_avx2_fma(void) { return 0; }

void cinfer_depthwise3x3_row_avx2(const float *row0, const float *row1, const float *row2,
                                  const float *w, float bias, float low, float high,
                                  float *out, long count, long stride) {
    (void)row0; (void)row1; (void)row2; (void)w; (void)bias; (void)low; (void)high;
    (void)out; (void)count; (void)stride;
    __builtin_trap();  // never called: cinfer_has_avx2_fma() is 0 here
}

#endif
