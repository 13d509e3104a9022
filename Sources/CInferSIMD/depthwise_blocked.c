// One block of sixteen channels of ChannelBlockedDepthwise (any kernel size, stride and
// dilation, channel multiplier 1) on AVX-512 (and below, on AVX2): the block's planes are transposed into a
// zero-padded, channel-interleaved buffer ([paddedH][paddedW][16]), every output position is
// k² FMAs on one register (eight positions at a time, so the FMAs do not wait on each other),
// and each output row is transposed back into the sixteen planes. The Swift kernel moves
// every element in and out with a scalar load or store. See CInferSIMD.h for the contract.
#include "CInferSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>
#include "lanes.h"

/// r[i] = row i of a 16x16 block in, column i of it out.
__attribute__((target("avx512f")))
static inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    // r[4i + c]: rows 4i..4i+3 of columns c, c + 4, c + 8, c + 12 (one per 128-bit lane).
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
        r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
        r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    __m512 out[16];
    for (int c = 0; c < 4; c++) {
        const __m512 a = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x88), b = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xDD);
        const __m512 e = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x88), f = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xDD);
        out[c] = _mm512_shuffle_f32x4(a, e, 0x88);
        out[c + 8] = _mm512_shuffle_f32x4(a, e, 0xDD);
        out[c + 4] = _mm512_shuffle_f32x4(b, f, 0x88);
        out[c + 12] = _mm512_shuffle_f32x4(b, f, 0xDD);
    }
    for (int i = 0; i < 16; i++) r[i] = out[i];
}

__attribute__((target("avx512f")))
void cinfer_depthwise_blocked_avx512(const float *x, float *y, long count, const float *taps, const float *bias,
                                     float low, float high, const struct cinfer_window *g,
                                     float *padded, long paddedH, long paddedW, float *row) {
    const long inputSize = g->inH * g->inW, outputSize = g->outH * g->outW;
    // 1. Interleave: sixteen planes' rows, sixteen positions at a time, transposed.
    memset(padded, 0, (size_t)(paddedH * paddedW * 16) * sizeof(float));
    for (long ih = 0; ih < g->inH; ih++) {
        for (long iw = 0; iw < g->inW; iw += 16) {
            const long n = g->inW - iw < 16 ? g->inW - iw : 16;
            const __mmask16 m = cinfer_lanes16(n);
            __m512 r[16];
            for (int l = 0; l < 16; l++)
                r[l] = l < count ? _mm512_maskz_loadu_ps(m, x + l * inputSize + ih * g->inW + iw) : _mm512_setzero_ps();
            transpose16(r);
            float *dst = padded + ((ih + g->pH) * paddedW + g->pW + iw) * 16;
            for (long j = 0; j < n; j++) _mm512_store_ps(dst + j * 16, r[j]);
        }
    }
    // 2. Each output row: k² FMAs per position into `row` ([outW][16]), then back into planes.
    const __m512 vbias = _mm512_loadu_ps(bias), vlow = _mm512_set1_ps(low), vhigh = _mm512_set1_ps(high);
    const long kernelSize = g->kH * g->kW, step = g->sW * 16, tapStep = g->dW * 16;
    for (long oh = 0; oh < g->outH; oh++) {
        long ow = 0;
        for (; ow + 8 <= g->outW; ow += 8) {
            __m512 acc[8];
            for (int j = 0; j < 8; j++) acc[j] = vbias;
            for (long kh = 0; kh < g->kH; kh++) {
                const float *src = padded + ((oh * g->sH + kh * g->dH) * paddedW + ow * g->sW) * 16;
                for (long kw = 0; kw < g->kW; kw++) {
                    const __m512 w = _mm512_loadu_ps(taps + (kh * g->kW + kw) * 16);
                    const float *p = src + kw * tapStep;
                    for (int j = 0; j < 8; j++) acc[j] = _mm512_fmadd_ps(w, _mm512_load_ps(p + j * step), acc[j]);
                }
            }
            // max/min return their second operand when either is NaN: NaN stays NaN, as in Clip.
            for (int j = 0; j < 8; j++) _mm512_store_ps(row + (ow + j) * 16, _mm512_min_ps(vhigh, _mm512_max_ps(vlow, acc[j])));
        }
        for (; ow < g->outW; ow++) {
            __m512 acc = vbias;
            for (long t = 0; t < kernelSize; t++) {
                const long kh = t / g->kW, kw = t % g->kW;
                const float *p = padded + ((oh * g->sH + kh * g->dH) * paddedW + ow * g->sW + kw * g->dW) * 16;
                acc = _mm512_fmadd_ps(_mm512_loadu_ps(taps + t * 16), _mm512_load_ps(p), acc);
            }
            _mm512_store_ps(row + ow * 16, _mm512_min_ps(vhigh, _mm512_max_ps(vlow, acc)));
        }
        for (long o = 0; o < g->outW; o += 16) {
            const long n = g->outW - o < 16 ? g->outW - o : 16;
            const __mmask16 m = cinfer_lanes16(n);
            __m512 r[16];
            for (int j = 0; j < 16; j++) r[j] = j < n ? _mm512_load_ps(row + (o + j) * 16) : _mm512_setzero_ps();
            transpose16(r);
            for (long l = 0; l < count; l++) _mm512_mask_storeu_ps(y + l * outputSize + oh * g->outW + o, m, r[l]);
        }
    }
}

/// The same block on AVX2: each position's sixteen channels are two 8-float halves, moved in
/// and out with 8x8 transposes; four positions' FMA chains at a time.
__attribute__((target("avx2,fma")))
void cinfer_depthwise_blocked_avx2(const float *x, float *y, long count, const float *taps, const float *bias,
                                   float low, float high, const struct cinfer_window *g,
                                   float *padded, long paddedH, long paddedW, float *row) {
    const long inputSize = g->inH * g->inW, outputSize = g->outH * g->outW;
    memset(padded, 0, (size_t)(paddedH * paddedW * 16) * sizeof(float));
    for (long ih = 0; ih < g->inH; ih++) {
        for (long iw = 0; iw < g->inW; iw += 8) {
            const long n = g->inW - iw < 8 ? g->inW - iw : 8;
            const __m256i m = cinfer_lanes8(n);
            float *dst = padded + ((ih + g->pH) * paddedW + g->pW + iw) * 16;
            for (int half = 0; half < 2; half++) {
                __m256 r[8];
                for (int l = 0; l < 8; l++) {
                    const long c = 8 * half + l;
                    r[l] = c < count ? _mm256_maskload_ps(x + c * inputSize + ih * g->inW + iw, m) : _mm256_setzero_ps();
                }
                cinfer_transpose8(r);
                for (long j = 0; j < n; j++) _mm256_store_ps(dst + j * 16 + 8 * half, r[j]);
            }
        }
    }
    const __m256 bias0 = _mm256_loadu_ps(bias), bias1 = _mm256_loadu_ps(bias + 8);
    const __m256 vlow = _mm256_set1_ps(low), vhigh = _mm256_set1_ps(high);
    const long kernelSize = g->kH * g->kW, step = g->sW * 16, tapStep = g->dW * 16;
    for (long oh = 0; oh < g->outH; oh++) {
        long ow = 0;
        for (; ow + 4 <= g->outW; ow += 4) {
            __m256 acc[4][2];
            for (int j = 0; j < 4; j++) { acc[j][0] = bias0; acc[j][1] = bias1; }
            for (long kh = 0; kh < g->kH; kh++) {
                const float *src = padded + ((oh * g->sH + kh * g->dH) * paddedW + ow * g->sW) * 16;
                for (long kw = 0; kw < g->kW; kw++) {
                    const float *t = taps + (kh * g->kW + kw) * 16;
                    const __m256 w0 = _mm256_loadu_ps(t), w1 = _mm256_loadu_ps(t + 8);
                    const float *p = src + kw * tapStep;
                    for (int j = 0; j < 4; j++) {
                        acc[j][0] = _mm256_fmadd_ps(w0, _mm256_load_ps(p + j * step), acc[j][0]);
                        acc[j][1] = _mm256_fmadd_ps(w1, _mm256_load_ps(p + j * step + 8), acc[j][1]);
                    }
                }
            }
            // max/min return their second operand when either is NaN: NaN stays NaN, as in Clip.
            for (int j = 0; j < 4; j++) {
                _mm256_store_ps(row + (ow + j) * 16, _mm256_min_ps(vhigh, _mm256_max_ps(vlow, acc[j][0])));
                _mm256_store_ps(row + (ow + j) * 16 + 8, _mm256_min_ps(vhigh, _mm256_max_ps(vlow, acc[j][1])));
            }
        }
        for (; ow < g->outW; ow++) {
            __m256 acc0 = bias0, acc1 = bias1;
            for (long t = 0; t < kernelSize; t++) {
                const long kh = t / g->kW, kw = t % g->kW;
                const float *p = padded + ((oh * g->sH + kh * g->dH) * paddedW + ow * g->sW + kw * g->dW) * 16;
                acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(taps + t * 16), _mm256_load_ps(p), acc0);
                acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(taps + t * 16 + 8), _mm256_load_ps(p + 8), acc1);
            }
            _mm256_store_ps(row + ow * 16, _mm256_min_ps(vhigh, _mm256_max_ps(vlow, acc0)));
            _mm256_store_ps(row + ow * 16 + 8, _mm256_min_ps(vhigh, _mm256_max_ps(vlow, acc1)));
        }
        for (long o = 0; o < g->outW; o += 8) {
            const long n = g->outW - o < 8 ? g->outW - o : 8;
            const __m256i m = cinfer_lanes8(n);
            for (int half = 0; half < 2; half++) {
                __m256 r[8];
                for (int j = 0; j < 8; j++) r[j] = j < n ? _mm256_load_ps(row + (o + j) * 16 + 8 * half) : _mm256_setzero_ps();
                cinfer_transpose8(r);
                for (long l = 0; l < 8 && 8 * half + l < count; l++)
                    _mm256_maskstore_ps(y + (8 * half + l) * outputSize + oh * g->outW + o, m, r[l]);
            }
        }
    }
}

#else

void cinfer_depthwise_blocked_avx2(const float *x, float *y, long count, const float *taps, const float *bias,
                                   float low, float high, const struct cinfer_window *g,
                                   float *padded, long paddedH, long paddedW, float *row) {
    (void)x; (void)y; (void)count; (void)taps; (void)bias; (void)low; (void)high; (void)g;
    (void)padded; (void)paddedH; (void)paddedW; (void)row;
    __builtin_trap();  // never called: cinfer_has_avx2_fma() is 0 here
}

void cinfer_depthwise_blocked_avx512(const float *x, float *y, long count, const float *taps, const float *bias,
                                     float low, float high, const struct cinfer_window *g,
                                     float *padded, long paddedH, long paddedW, float *row) {
    (void)x; (void)y; (void)count; (void)taps; (void)bias; (void)low; (void)high; (void)g;
    (void)padded; (void)paddedH; (void)paddedW; (void)row;
    __builtin_trap();  // never called: cinfer_has_avx512() is 0 here
}

#endif
