// The per-row quantization parameters both int8 quantizers use (int8_layout.c's portable one and
// int8_gemm_avx512.c's), written once so the two agree bit for bit.
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

#endif
