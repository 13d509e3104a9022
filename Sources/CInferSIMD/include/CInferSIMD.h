// Kernels Swift cannot express: vector code for instruction sets beyond the x86-64 baseline the
// Swift targets are built for (AVX-512, and AVX2 + FMA for CPUs without it), each compiled with
// its own target attribute and picked at run time by CPU feature. InferKernels wraps them and keeps its Swift kernels as the fallback.
#ifndef CINFERSIMD_H
#define CINFERSIMD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU runs the AVX-512 kernels below (AVX-512F), else 0. Checked once.
int cinfer_has_avx512(void);

/// One output row's interior span of a 3x3 depthwise convolution, on AVX-512:
/// out[j] = clamp(bias + sum over r, k of w[3r + k] * rows[r][stride * j + k]) for j < count,
/// where clamp raises to `low`, then caps at `high` (NaN stays NaN). `stride` is 1 or 2; each
/// row holds at least stride * (count - 1) + 3 readable floats. Call only when
/// cinfer_has_avx512() is 1.
void cinfer_depthwise3x3_row_avx512(const float *row0, const float *row1, const float *row2,
                                    const float *w, float bias, float low, float high,
                                    float *out, long count, long stride);

/// In place over y[0..<count): v = y[j] + bias, then y[j] = sigmoid(v), or v * sigmoid(v)
/// (SiLU) when `silu` is non-zero, with VectorMath's exp. Call only when cinfer_has_avx512() is 1.
void cinfer_sigmoid_run_avx512(float *y, long count, float bias, int silu);

/// 1 when this CPU runs the AVX2 + FMA kernels below, else 0. Checked once.
int cinfer_has_avx2_fma(void);

/// cinfer_depthwise3x3_row_avx512's contract, eight outputs per register. Call only when
/// cinfer_has_avx2_fma() is 1.
void cinfer_depthwise3x3_row_avx2(const float *row0, const float *row1, const float *row2,
                                  const float *w, float bias, float low, float high,
                                  float *out, long count, long stride);

/// cinfer_sigmoid_run_avx512's contract, eight per register. Call only when
/// cinfer_has_avx2_fma() is 1.
void cinfer_sigmoid_run_avx2(float *y, long count, float bias, int silu);

/// y[j] = GELU, tanh form, of v = x[j] + bias (+ columnBias[j] when columnBias is not NULL) for
/// j < count, as GeluKernel.geluTanh computes it: v / (1 + e^(-2u)), 2u = sqrt(8/pi) (v +
/// 0.044715 v^3), with VectorMath's exp (x and y may be the same buffer). The _avx512 form needs
/// cinfer_has_avx512(), the _avx2 form cinfer_has_avx2_fma().
void cinfer_gelu_tanh_run_avx512(const float *x, float *y, long count, const float *columnBias, float bias);
void cinfer_gelu_tanh_run_avx2(const float *x, float *y, long count, const float *columnBias, float bias);

/// y[j] = GELU, erf form, of v = x[j] + bias (+ columnBias[j] when columnBias is not NULL) for
/// j < count, with VectorMath.erf's approximation (x and y may be the same buffer). The
/// _avx512 form needs cinfer_has_avx512(), the _avx2 form cinfer_has_avx2_fma().
void cinfer_gelu_erf_run_avx512(const float *x, float *y, long count, const float *columnBias, float bias);
void cinfer_gelu_erf_run_avx2(const float *x, float *y, long count, const float *columnBias, float bias);

/// The softmax of one row: y[j] = e^(x[j] - max) / sum over the row, with VectorMath's exp (x and
/// y may be the same buffer). Returns 0 without writing y when the row's largest value is not
/// finite (±inf or a NaN that won the max: the caller's scalar path handles those rows), else 1.
/// The _avx512 form needs cinfer_has_avx512(), the _avx2 form cinfer_has_avx2_fma().
int cinfer_softmax_row_avx512(const float *x, float *y, long n);
int cinfer_softmax_row_avx2(const float *x, float *y, long n);

/// In place over y[0..<count): y[j] = min(max(y[j] + bias (+ residual[j]), low), high), raising
/// to `low` first (NaN stays NaN); `residual` may be NULL. ±infinity bounds make it bias (+
/// residual) only. The _avx512 form needs cinfer_has_avx512(), the _avx2 form
/// cinfer_has_avx2_fma().
void cinfer_bias_clamp_run_avx512(float *y, const float *residual, long count, float bias, float low, float high);
void cinfer_bias_clamp_run_avx2(float *y, const float *residual, long count, float bias, float low, float high);

/// QuantizeLinear over one run with one scale and zero point: y[j] = clamp(round_half_even(x[j] /
/// scale) + zero) to int8 (`isSigned` non-zero) or uint8 bytes, a NaN giving 0, exactly as
/// LinearQuantization.quantize computes it. The _avx512 form needs cinfer_has_avx512(), the _avx2
/// form cinfer_has_avx2_fma().
void cinfer_quantize_linear_avx512(const float *x, long count, float scale, float zero, int isSigned, void *y);
void cinfer_quantize_linear_avx2(const float *x, long count, float scale, float zero, int isSigned, void *y);

/// DequantizeLinear over one run: y[j] = (float(x[j]) - zero) * scale, x int8 (`isSigned`
/// non-zero) or uint8 bytes, as LinearQuantization.dequantize computes it. Forms as above.
void cinfer_dequantize_linear_avx512(const void *x, long count, float scale, float zero, int isSigned, float *y);
void cinfer_dequantize_linear_avx2(const void *x, long count, float scale, float zero, int isSigned, float *y);

/// dst[c * dstStride + r] = src[r * srcStride + c] for r < rows, c < cols: a byte matrix
/// transposed, 16x16 blocks on SSE2 (any x86-64 CPU; scalar elsewhere). src and dst must not overlap.
void cinfer_transpose_bytes(const uint8_t *src, long rows, long cols, long srcStride, uint8_t *dst, long dstStride);

/// A 2-D window: input and output plane sizes, kernel, strides, dilations, leading pads.
struct cinfer_window {
    long inH, inW, outH, outW, kH, kW, sH, sW, dH, dW, pH, pW;
};

/// One block of `count` (1...16) channels of a depthwise convolution with channel multiplier 1
/// (ChannelBlockedDepthwise): x and y point at the block's first input and output plane (planes
/// contiguous, inH*inW and outH*outW floats); taps[16 * t + l] is channel l's weight for kernel
/// tap t (row-major kH x kW), bias[l] its bias (16 floats each, unused lanes 0). Outputs are
/// min(max(bias + sum, low), high). Scratch: `padded` holds paddedH * paddedW * 16 floats and
/// `row` outW rounded up to 16, times 16 floats, both 64-byte aligned; paddedH/W cover the
/// padded input and every window read. Call only when cinfer_has_avx512() is 1.
void cinfer_depthwise_blocked_avx512(const float *x, float *y, long count, const float *taps, const float *bias,
                                     float low, float high, const struct cinfer_window *g,
                                     float *padded, long paddedH, long paddedW, float *row);
/// cinfer_depthwise_blocked_avx512's contract on AVX2 + FMA (the same buffers, 32-byte alignment
/// suffices). Call only when cinfer_has_avx2_fma() is 1.
void cinfer_depthwise_blocked_avx2(const float *x, float *y, long count, const float *taps, const float *bias,
                                   float low, float high, const struct cinfer_window *g,
                                   float *padded, long paddedH, long paddedW, float *row);

/// Winograd F(4x4, 3x3) input transform of one inH x inW plane (WinogradConvolution's
/// transformInput): V = Bᵀ d B for each of the tilesH x tilesW tiles in row-major order, the 6x6
/// patch d of tile (r, c) starting at row 4r - padTop, column 4c - padLeft, zero outside the
/// plane; point (k, j) of tile t goes to v[(6k + j) * pointStride + t]. Call only when
/// cinfer_has_avx2_fma() is 1.
void cinfer_winograd_input_avx2(const float *plane, long inH, long inW, long padTop, long padLeft,
                                long tilesH, long tilesW, float *v, long pointStride);

/// Winograd F(4x4, 3x3) output transform of one outH x outW plane (transformOutput): Y = Aᵀ M A
/// + bias per tile, point (i, j) of tile t read from products[(6i + j) * pointStride + t]; tiles
/// past the plane's edge are clipped. Call only when cinfer_has_avx2_fma() is 1.
void cinfer_winograd_output_avx2(const float *products, long pointStride, long outH, long outW,
                                 long tilesH, long tilesW, float bias, float *plane);

#ifdef __cplusplus
}
#endif

#endif
