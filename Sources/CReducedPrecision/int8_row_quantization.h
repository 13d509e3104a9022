// The per-row quantization parameters every int8 quantizer uses (int8_layout.c's portable one,
// int8_gemm_avx2.c's and int8_gemm_avx512.c's), written once so they agree bit for bit.
#ifndef CINFER_INT8_ROW_QUANTIZATION_H
#define CINFER_INT8_ROW_QUANTIZATION_H

#include <float.h>
#include <math.h>
#include <stdint.h>

// The scale, its inverse and the zero point of a row whose range (widened to include 0) is
// [lo, hi]; `finite` is 0 when the row held a NaN or an infinity, which makes the scale NaN.
static inline void cinfer_int8_row_parameters(float lo, float hi, int finite, float *scale, float *inverse,
                                              int32_t *zero) {
    float range = hi - lo;
    if (!finite || !isfinite(range)) {
        *scale = NAN, *inverse = 0, *zero = 0;
        return;
    }
    // Ranges this small are zero for any purpose; 1 keeps 1 / scale finite.
    float s = range < 255 * FLT_MIN ? 1.0f : range / 255.0f;
    float inv = 1.0f / s;
    long z = lrintf(-lo * inv);
    *scale = s, *inverse = inv, *zero = (int32_t)(z < 0 ? 0 : z > 255 ? 255 : z);
}

// One element: `x * inverse` rounded to nearest even, plus the zero point, clamped (the vector
// quantizers do the same with cvtps2dq and saturating packs).
static inline uint8_t cinfer_int8_quantize_element(float x, float inverse, int32_t zero) {
    long q = lrintf(x * inverse) + zero;
    return (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
}

#endif
