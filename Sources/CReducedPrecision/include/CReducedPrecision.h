// Reduced-precision GEMM kernels Swift cannot express (AVX512_BF16's vdpbf16ps, AMX tiles, VNNI's
// vpdpbusd), each compiled with its own target attribute and picked at run time by CPU feature,
// with a portable variant that computes the same thing on any x86-64 CPU. InferKernels wraps
// them (BF16Gemm, Int8Gemm).
//
// The bf16 GEMM: C[m x n] = A[m x k] * B[k x n], where A is fp32 rounded to bfloat16 (round to
// nearest even) just before the product, B is bfloat16 packed once (cinfer_bf16_pack_b), and
// products are summed in fp32, two k at a time, as vdpbf16ps and AMX's tdpbf16ps do. All variants
// read the same packed layout, so a plan made on one CPU runs on any other.
//
// Packed B: n in panels of 16 columns (the last zero-padded), k padded with zeros to `depth`, a
// multiple of 32 (one AMX tile's depth). Panel p holds, for each pair index q < depth / 2 and
// column j < 16, the two values B[2q][16p + j], B[2q + 1][16p + j]: one 64-byte row per q, the
// "VNNI" order both instruction sets multiply.
#ifndef CREDUCEDPRECISION_H
#define CREDUCEDPRECISION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// k rounded up to a multiple of 32: the packed depth of B and the row length of rounded A.
long cinfer_bf16_depth(long k);

/// uint16 elements of B packed for k x n.
long cinfer_bf16_packed_count(long k, long n);

/// Packs bfloat16 bit patterns b[i * rowStride + j * colStride] (i < k, j < n) into `packed`
/// (cinfer_bf16_packed_count elements), zeros in the padding.
void cinfer_bf16_pack_b(const uint16_t *b, long rowStride, long colStride, long k, long n, uint16_t *packed);

/// Rounds rows [0, m) of a (element [i][j] at a[i * rowStride + j], j < k) to bfloat16 into `out`,
/// rows of `depth` elements with zeros after k. Round to nearest even; NaN stays a quiet NaN;
/// fp32 subnormals become zero of the same sign, as vcvtneps2bf16 does.
void cinfer_bf16_round_rows(const float *a, long rowStride, long m, long k, long depth, uint16_t *out);
/// The same, bit for bit, with vcvtneps2bf16. Needs cinfer_has_avx512_bf16().
void cinfer_bf16_round_rows_avx512(const float *a, long rowStride, long m, long k, long depth, uint16_t *out);

/// C rows [0, m) and columns of panels [panelBegin, panelEnd) (clipped to n) of the product, with
/// `a` from cinfer_bf16_round_rows (rows of `depth`) and `packed` from cinfer_bf16_pack_b; c
/// row i starts at c + i * ldc. The AMX variant reads whole 16-row tiles: `a` must hold
/// m rounded up to 16 rows (the extra rows' results are dropped).
void cinfer_bf16_gemm_portable(const uint16_t *a, long m, long depth, const uint16_t *packed, long n,
                               long panelBegin, long panelEnd, float *c, long ldc);
/// Needs cinfer_has_avx512_bf16().
void cinfer_bf16_gemm_avx512(const uint16_t *a, long m, long depth, const uint16_t *packed, long n,
                             long panelBegin, long panelEnd, float *c, long ldc);
/// Needs cinfer_amx_bf16_ready().
void cinfer_bf16_gemm_amx(const uint16_t *a, long m, long depth, const uint16_t *packed, long n,
                          long panelBegin, long panelEnd, float *c, long ldc);

// The int8 GEMM (dynamic quantization): C[m x n] = (qa - zero_i) * qb * rowScale_i * columnScale_j,
// with qa the rows of A quantized to uint8 per row (asymmetric: scale and zero point from the row's
// range, which always includes 0) and qb the weights quantized to int8 per column (symmetric),
// summed exactly in int32. `(acc - zero_i * columnSum_j)` is the integer part; the variants agree
// bit for bit (same integers, same two float multiplies).
//
// Packed B: n in panels of 16 columns (the last zero-padded), k padded with zeros to `depth`, a
// multiple of 4. Panel p holds, for each quad index q < depth / 4 and column j < 16, the four
// values B[4q .. 4q+3][16p + j]: one 64-byte row per q, the order vpdpbusd multiplies.
// Sums stay exact for k <= CINFER_INT8_MAX_DEPTH (255 * 127 * k < 2^31).

#define CINFER_INT8_MAX_DEPTH 65536

/// k rounded up to a multiple of 4: the packed depth of B and the row length of quantized A.
long cinfer_int8_depth(long k);

/// Bytes of B packed for k x n.
long cinfer_int8_packed_count(long k, long n);

/// Packs int8 b[i * rowStride + j * colStride] (i < k, j < n) into `packed`
/// (cinfer_int8_packed_count bytes, zeros in the padding) and writes each column's sum into
/// columnSums (n rounded up to 16 entries, zeros past n).
void cinfer_int8_pack_b(const int8_t *b, long rowStride, long colStride, long k, long n, int8_t *packed,
                        int32_t *columnSums);

/// Quantizes rows [0, m) of a (element [i][j] at a[i * rowStride + j], j < k) to uint8 rows of
/// `depth` bytes in `out` (zeros after k), with scales[i] = (max - min) / 255 of the row's range
/// widened to include 0 (1 for an all-zero row) and zeros[i] = round(-min / scale), each element
/// round(x / scale) + zero, clamped to [0, 255] (round to nearest even). A row holding a NaN or
/// an infinity gets scale NaN, so its outputs are NaN rather than a wrong number.
void cinfer_int8_quantize_rows(const float *a, long rowStride, long m, long k, long depth, uint8_t *out,
                               float *scales, int32_t *zeros);
/// The same, bit for bit, on AVX-512. Needs cinfer_has_avx512_vnni().
void cinfer_int8_quantize_rows_avx512(const float *a, long rowStride, long m, long k, long depth, uint8_t *out,
                                      float *scales, int32_t *zeros);

/// The same, bit for bit, on AVX2 (the caller checks for AVX2).
void cinfer_int8_quantize_rows_avx2(const float *a, long rowStride, long m, long k, long depth, uint8_t *out,
                                    float *scales, int32_t *zeros);

/// ONNX DynamicQuantizeLinear's rule on AVX-512, one scale and zero point for the whole of A:
/// the range of rows [0, m) into *lo and *hi (starting from 0, so it includes 0); returns 0 when
/// an element is NaN or infinite (the caller's scalar path handles such inputs), else 1.
int cinfer_int8_tensor_range_avx512(const float *a, long rowStride, long m, long k, float *lo, float *hi);
/// Then each element x / scale rounded to nearest even, plus zero, saturated to [0, 255], into
/// rows of `depth` bytes (zeros after k), as cinfer_int8_quantize_rows lays them out.
void cinfer_int8_quantize_tensor_avx512(const float *a, long rowStride, long m, long k, long depth, uint8_t *out,
                                        float scale, int32_t zero);

/// C rows [0, m) and columns of panels [panelBegin, panelEnd) (clipped to n), `a` from
/// cinfer_int8_quantize_rows (rows of `depth`), `packed` and `columnSums` from
/// cinfer_int8_pack_b, `columnScales` n rounded up to 16 floats; c row i starts at c + i * ldc.
/// With `columnBias` (n floats, or NULL) each output is the scaled product plus columnBias[j],
/// added after the multiply (the bits a separate bias pass gives).
void cinfer_int8_gemm_portable(const uint8_t *a, long m, long depth, const float *rowScales, const int32_t *rowZeros,
                               const int8_t *packed, const int32_t *columnSums, const float *columnScales,
                               const float *columnBias, long n, long panelBegin, long panelEnd, float *c, long ldc);
/// vpmaddwd on operands widened to int16 (exact, unlike vpmaddubsw). Needs AVX2 (the caller checks).
void cinfer_int8_gemm_avx2(const uint8_t *a, long m, long depth, const float *rowScales, const int32_t *rowZeros,
                           const int8_t *packed, const int32_t *columnSums, const float *columnScales,
                           const float *columnBias, long n, long panelBegin, long panelEnd, float *c, long ldc);
/// vpdpbusd on zmm registers. Needs cinfer_has_avx512_vnni().
void cinfer_int8_gemm_avx512(const uint8_t *a, long m, long depth, const float *rowScales, const int32_t *rowZeros,
                             const int8_t *packed, const int32_t *columnSums, const float *columnScales,
                             const float *columnBias, long n, long panelBegin, long panelEnd, float *c, long ldc);

/// 1 when the CPU has AVX512-VNNI (with AVX-512 F/BW/VL/DQ), else 0. Checked once.
int cinfer_has_avx512_vnni(void);

/// 1 when the CPU has AVX512-BF16 (with AVX-512 F/BW/VL), else 0. Checked once.
int cinfer_has_avx512_bf16(void);
/// 1 when the CPU has AMX-TILE and AMX-BF16 and the OS granted this process the tile data
/// state (Linux arch_prctl ARCH_REQ_XCOMP_PERM, asked once), else 0.
int cinfer_amx_bf16_ready(void);
/// Why cinfer_amx_bf16_ready() is 0 ("" when it is 1): for reports.
const char *cinfer_amx_bf16_unavailable_reason(void);

#ifdef __cplusplus
}
#endif

#endif
