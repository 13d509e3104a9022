// Winograd F(4x4, 3x3) input and output transforms of one plane (WinogradConvolution's
// transformInput / transformOutput), eight tiles per AVX2 register: lane L is tile t0 + L of the
// plane's row-major tile order, which is also the order of the transformed points in memory, so
// every point of eight tiles is one contiguous 8-float load or store. The Swift versions work
// one tile at a time with scalar stores 36 points apart. See CInferSIMD.h for the contracts.
#include "CInferSIMD.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "lanes.h"

/// Bᵀ applied to six values (one column or row of a 6x6 patch), lane-wise.
__attribute__((target("avx2,fma")))
static inline void input_1d(const __m256 d[6], __m256 t[6]) {
    const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), five = _mm256_set1_ps(5);
    t[0] = _mm256_add_ps(_mm256_fnmadd_ps(five, d[2], _mm256_mul_ps(four, d[0])), d[4]);
    t[1] = _mm256_sub_ps(_mm256_add_ps(d[3], d[4]), _mm256_mul_ps(four, _mm256_add_ps(d[1], d[2])));
    t[2] = _mm256_add_ps(_mm256_mul_ps(four, _mm256_sub_ps(d[1], d[2])), _mm256_sub_ps(d[4], d[3]));
    t[3] = _mm256_add_ps(_mm256_mul_ps(two, _mm256_sub_ps(d[3], d[1])), _mm256_sub_ps(d[4], d[2]));
    t[4] = _mm256_add_ps(_mm256_mul_ps(two, _mm256_sub_ps(d[1], d[3])), _mm256_sub_ps(d[4], d[2]));
    t[5] = _mm256_add_ps(_mm256_fnmadd_ps(five, d[3], _mm256_mul_ps(four, d[1])), d[5]);
}

__attribute__((target("avx2,fma")))
void cinfer_winograd_input_avx2(const float *plane, long inH, long inW, long padTop, long padLeft,
                                long tilesH, long tilesW, float *v, long pointStride) {
    const long tiles = tilesH * tilesW;
    // Patch rows are loaded 8 floats wide, masked to what the plane holds right of the patch's
    // start (masked lanes read as zero: the right padding). Rows above or below the plane read
    // zeros; a patch starting left of the plane is copied, zero-filled, into `edge`.
    static const float zeros[8] __attribute__((aligned(32))) = {0};
    float edge[8][6][8] __attribute__((aligned(32)));
    for (long t0 = 0; t0 < tiles; t0 += 8) {
        const float *rows[8][6];
        long widths[8];
        for (int lane = 0; lane < 8; lane++) {
            const long t = t0 + lane;
            const long top = (t / tilesW) * 4 - padTop, left = (t % tilesW) * 4 - padLeft;
            widths[lane] = left >= 0 ? inW - left : 8;
            for (int r = 0; r < 6; r++) {
                const long ih = top + r;
                if (t >= tiles || ih < 0 || ih >= inH) { rows[lane][r] = zeros; continue; }
                if (left >= 0) { rows[lane][r] = plane + ih * inW + left; continue; }
                float *e = edge[lane][r];
                for (int j = 0; j < 8; j++) {
                    const long iw = left + j;
                    e[j] = (j < 6 && iw >= 0 && iw < inW) ? plane[ih * inW + iw] : 0.0f;
                }
                rows[lane][r] = e;
            }
            if (t >= tiles) widths[lane] = 8;
        }
        // Each patch row: the eight tiles' rows transposed into columns, then B along the row.
        __m256 y[6][6];
        for (int r = 0; r < 6; r++) {
            __m256 x[8];
            for (int lane = 0; lane < 8; lane++) {
                const float *p = rows[lane][r];
                x[lane] = widths[lane] >= 8 || p == zeros ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, cinfer_lanes8(widths[lane]));
            }
            cinfer_transpose8(x);
            input_1d(x, y[r]);
        }
        // Then Bᵀ down each column j: point (k, j) is v[(6k + j) * pointStride + t].
        const __m256i m = cinfer_lanes8(tiles - t0);
        for (int j = 0; j < 6; j++) {
            const __m256 column[6] = {y[0][j], y[1][j], y[2][j], y[3][j], y[4][j], y[5][j]};
            __m256 out[6];
            input_1d(column, out);
            for (int k = 0; k < 6; k++) _mm256_maskstore_ps(v + (6 * k + j) * pointStride + t0, m, out[k]);
        }
    }
}

/// Aᵀ applied to six values, lane-wise: four results.
__attribute__((target("avx2,fma")))
static inline void output_1d(const __m256 m[6], __m256 s[4]) {
    const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), eight = _mm256_set1_ps(8);
    const __m256 p12 = _mm256_add_ps(m[1], m[2]), d12 = _mm256_sub_ps(m[1], m[2]);
    const __m256 p34 = _mm256_add_ps(m[3], m[4]), d34 = _mm256_sub_ps(m[3], m[4]);
    s[0] = _mm256_add_ps(_mm256_add_ps(m[0], p12), p34);
    s[1] = _mm256_fmadd_ps(two, d34, d12);
    s[2] = _mm256_fmadd_ps(four, p34, p12);
    s[3] = _mm256_add_ps(_mm256_fmadd_ps(eight, d34, d12), m[5]);
}

__attribute__((target("avx2,fma")))
void cinfer_winograd_output_avx2(const float *products, long pointStride, long outH, long outW,
                                 long tilesH, long tilesW, float bias, float *plane) {
    const long tiles = tilesH * tilesW;
    const __m256 vbias = _mm256_set1_ps(bias);
    for (long t0 = 0; t0 < tiles; t0 += 8) {
        const __m256i m = cinfer_lanes8(tiles - t0);
        // Aᵀ down each column j of the 6x6 products...
        __m256 s[4][6];
        for (int j = 0; j < 6; j++) {
            __m256 column[6], out[4];
            for (int i = 0; i < 6; i++) column[i] = _mm256_maskload_ps(products + (6 * i + j) * pointStride + t0, m);
            output_1d(column, out);
            for (int i = 0; i < 4; i++) s[i][j] = out[i];
        }
        // ...then A along each row i: o[j'] lane L is output (i, j') of tile t0 + L.
        for (int i = 0; i < 4; i++) {
            __m256 o[4];
            output_1d(s[i], o);
            for (int j = 0; j < 4; j++) o[j] = _mm256_add_ps(o[j], vbias);
            // Four 8-lane vectors to eight 4-float rows: lane L's row is quad L.
            __m256 a0 = _mm256_unpacklo_ps(o[0], o[1]), a1 = _mm256_unpackhi_ps(o[0], o[1]);
            __m256 a2 = _mm256_unpacklo_ps(o[2], o[3]), a3 = _mm256_unpackhi_ps(o[2], o[3]);
            __m256 q04 = _mm256_shuffle_ps(a0, a2, 0x44), q15 = _mm256_shuffle_ps(a0, a2, 0xEE);
            __m256 q26 = _mm256_shuffle_ps(a1, a3, 0x44), q37 = _mm256_shuffle_ps(a1, a3, 0xEE);
            __m128 quads[8] = {_mm256_castps256_ps128(q04), _mm256_castps256_ps128(q15),
                               _mm256_castps256_ps128(q26), _mm256_castps256_ps128(q37),
                               _mm256_extractf128_ps(q04, 1), _mm256_extractf128_ps(q15, 1),
                               _mm256_extractf128_ps(q26, 1), _mm256_extractf128_ps(q37, 1)};
            for (int lane = 0; lane < 8 && t0 + lane < tiles; lane++) {
                const long t = t0 + lane, top = (t / tilesW) * 4, left = (t % tilesW) * 4;
                if (top + i >= outH) continue;  // rows past the plane's edge are clipped
                float *dst = plane + (top + i) * outW + left;
                if (left + 4 <= outW) { _mm_storeu_ps(dst, quads[lane]); continue; }
                float row[4];
                _mm_storeu_ps(row, quads[lane]);
                for (long j = 0; j < outW - left; j++) dst[j] = row[j];
            }
        }
    }
}

#else

void cinfer_winograd_input_avx2(const float *plane, long inH, long inW, long padTop, long padLeft,
                                long tilesH, long tilesW, float *v, long pointStride) {
    (void)plane; (void)inH; (void)inW; (void)padTop; (void)padLeft; (void)tilesH; (void)tilesW;
    (void)v; (void)pointStride;
    __builtin_trap();  // never called: cinfer_has_avx2_fma() is 0 here
}

void cinfer_winograd_output_avx2(const float *products, long pointStride, long outH, long outW,
                                 long tilesH, long tilesW, float bias, float *plane) {
    (void)products; (void)pointStride; (void)outH; (void)outW; (void)tilesH; (void)tilesW;
    (void)bias; (void)plane;
    __builtin_trap();  // never called: cinfer_has_avx2_fma() is 0 here
}

#endif
