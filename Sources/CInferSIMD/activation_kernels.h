// Sigmoid / SiLU, GELU (tanh form), GELU (erf form) and softmax rows over runs of floats, written once and
// compiled at two widths: activations_avx512.c and activations_avx2.c include this file after
// defining the vector type and the few operations whose intrinsics differ by more than their
// prefix (internal header; see CInferSIMD.h for the contracts).
//
// The including file defines:
//   VEC, MASK, LANES    the register type, its lane-mask type and its float count
//   OP(name)            the intrinsic of that width: OP(add_ps) is _mm512_add_ps or _mm256_add_ps
//   EXPORT(name)        the exported name: EXPORT(cinfer_sigmoid_run) is cinfer_sigmoid_run_avx512
// and, as static inline functions:
//   lanes(n)                                the mask of lanes [0, n) (n clamped to [0, LANES])
//   load_n(p, m), store_n(p, m, v)          the lanes of mask m only, the rest untouched
//   load_or(p, m, fill)                     the lanes of mask m, `fill` in the others
//   round_nearest(x), scale2n(er, n)        round to nearest even; er * 2^n for integral n in [-126, 128]
//   zero_where(v, x, bound)                 v with lanes where x < bound set to 0
//   keep_nan(v, x)                          v with x's NaN lanes copied in
//   reciprocal(d)                           an approximate 1 / d (12 or 14 bits)
//   divide_where_huge(v, num, d)            v with num / d in lanes where d >= 2^126 (reciprocals there are subnormal and flushed)

/// VectorMath.exp: e^x = 2^n * e^r, n = round(x / ln 2), e^r a degree-7 polynomial; +inf stays
/// finite at e^88.72, below -87.34 gives 0, NaN stays NaN.
static inline VEC exp_v(VEC x) {
    const VEC low = OP(set1_ps)(-87.33654f), high = OP(set1_ps)(88.72284f);
    const VEC clamped = OP(min_ps)(OP(max_ps)(x, low), high);
    const VEC n = round_nearest(OP(mul_ps)(clamped, OP(set1_ps)(1.44269504088896341f)));
    // n * 0.693359375 is exact (9 + 8 significant bits), so the first step equals the Swift one.
    VEC r = OP(fnmadd_ps)(n, OP(set1_ps)(0.693359375f), clamped);
    r = OP(fnmadd_ps)(n, OP(set1_ps)(-2.12194440e-4f), r);
    VEC p = OP(set1_ps)(1.9875691500e-4f);
    p = OP(fmadd_ps)(p, r, OP(set1_ps)(1.3981999507e-3f));
    p = OP(fmadd_ps)(p, r, OP(set1_ps)(8.3334519073e-3f));
    p = OP(fmadd_ps)(p, r, OP(set1_ps)(4.1665795894e-2f));
    p = OP(fmadd_ps)(p, r, OP(set1_ps)(1.6666665459e-1f));
    p = OP(fmadd_ps)(p, r, OP(set1_ps)(5.0000001201e-1f));
    const VEC er = OP(add_ps)(OP(fmadd_ps)(p, OP(mul_ps)(r, r), r), OP(set1_ps)(1.0f));
    return keep_nan(zero_where(scale2n(er, n), x, low), x);
}

/// 1 / d as the approximate reciprocal refined by one Newton step (a division was the sigmoid
/// loop's bottleneck: a third of its samples sat behind vdivps).
static inline VEC inverse_v(VEC d) {
    const VEC r = reciprocal(d);
    return divide_where_huge(OP(mul_ps)(r, OP(fnmadd_ps)(d, r, OP(set1_ps)(2.0f))), OP(set1_ps)(1.0f), d);
}

/// sigmoid(v), or v * sigmoid(v) when `silu`.
static inline VEC sigmoid_v(VEC v, int silu) {
    const VEC s = inverse_v(OP(add_ps)(OP(set1_ps)(1.0f), exp_v(OP(sub_ps)(OP(setzero_ps)(), v))));
    return silu ? OP(mul_ps)(v, s) : s;
}

void EXPORT(cinfer_sigmoid_run)(float *y, long count, float bias, int silu) {
    const VEC vbias = OP(set1_ps)(bias);
    long j = 0;
    // Four independent vectors per iteration: each is one long dependency chain (exp, reciprocal,
    // Newton step), which one vector at a time left mostly waiting.
    for (; j + 4 * LANES <= count; j += 4 * LANES) {
        const VEC v0 = OP(add_ps)(OP(loadu_ps)(y + j), vbias);
        const VEC v1 = OP(add_ps)(OP(loadu_ps)(y + j + LANES), vbias);
        const VEC v2 = OP(add_ps)(OP(loadu_ps)(y + j + 2 * LANES), vbias);
        const VEC v3 = OP(add_ps)(OP(loadu_ps)(y + j + 3 * LANES), vbias);
        OP(storeu_ps)(y + j, sigmoid_v(v0, silu));
        OP(storeu_ps)(y + j + LANES, sigmoid_v(v1, silu));
        OP(storeu_ps)(y + j + 2 * LANES, sigmoid_v(v2, silu));
        OP(storeu_ps)(y + j + 3 * LANES, sigmoid_v(v3, silu));
    }
    for (; j < count; j += LANES) {
        const MASK m = lanes(count - j);
        store_n(y + j, m, sigmoid_v(OP(add_ps)(load_n(y + j, m), vbias), silu));
    }
}

void EXPORT(cinfer_gelu_tanh_run)(const float *x, float *y, long count, const float *columnBias, float bias) {
    const VEC c = OP(set1_ps)(1.5957691216057307118f), k = OP(set1_ps)(0.044715f), one = OP(set1_ps)(1.0f);
    const VEC vbias = OP(set1_ps)(bias);
    for (long j = 0; j < count; j += LANES) {
        const MASK m = lanes(count - j);
        VEC v = OP(add_ps)(load_n(x + j, m), vbias);
        if (columnBias) v = OP(add_ps)(v, load_n(columnBias + j, m));
        // x / (1 + e^(-2u)), 2u = sqrt(8/pi) (x + 0.044715 x^3), unfused in GeluKernel.geluTanh's
        // order: near x = -5 the output is 20x as sensitive as 2u.
        const VEC twoU = OP(mul_ps)(c, OP(add_ps)(v, OP(mul_ps)(k, OP(mul_ps)(OP(mul_ps)(v, v), v))));
        const VEC d = OP(add_ps)(one, exp_v(OP(sub_ps)(OP(setzero_ps)(), twoU)));
        const VEC r = reciprocal(d);
        const VEC out = OP(mul_ps)(v, OP(mul_ps)(r, OP(fnmadd_ps)(d, r, OP(set1_ps)(2.0f))));
        store_n(y + j, m, divide_where_huge(out, v, d));
    }
}

// VectorMath.erf's coefficients (Eigen's rational approximation on [-4, 4]): p, then q, in x².
static const float erf_p[7] = {-2.72614225801306e-10f, 2.77068142495902e-08f, -2.10102402082508e-06f,
                               -5.69250639462346e-05f, -7.34990630326855e-04f, -2.95459980854025e-03f,
                               -1.60960333262415e-02f};
static const float erf_q[5] = {-1.45660718464996e-05f, -2.13374055278905e-04f, -1.68282697438203e-03f,
                               -7.37332916720468e-03f, -1.42647390514189e-02f};

/// 0.5 v (1 + erf(v / sqrt 2)); NaN stays NaN (the clamp had turned it into -4).
static inline VEC gelu_erf_v(VEC v) {
    const VEC a = OP(mul_ps)(v, OP(set1_ps)(0.70710678118654752440f));
    const VEC x = OP(min_ps)(OP(set1_ps)(4.0f), OP(max_ps)(OP(set1_ps)(-4.0f), a));
    const VEC x2 = OP(mul_ps)(x, x);
    VEC p = OP(fmadd_ps)(x2, OP(set1_ps)(erf_p[0]), OP(set1_ps)(erf_p[1]));
    for (int i = 2; i < 7; i++) p = OP(fmadd_ps)(x2, p, OP(set1_ps)(erf_p[i]));
    VEC q = OP(fmadd_ps)(x2, OP(set1_ps)(erf_q[0]), OP(set1_ps)(erf_q[1]));
    for (int i = 2; i < 5; i++) q = OP(fmadd_ps)(x2, q, OP(set1_ps)(erf_q[i]));
    const VEC half = OP(mul_ps)(OP(set1_ps)(0.5f), v);
    return keep_nan(OP(fmadd_ps)(half, OP(mul_ps)(x, OP(div_ps)(p, q)), half), v);
}

void EXPORT(cinfer_gelu_erf_run)(const float *x, float *y, long count, const float *columnBias, float bias) {
    const VEC vbias = OP(set1_ps)(bias);
    for (long j = 0; j < count; j += LANES) {
        const MASK m = lanes(count - j);
        VEC v = OP(add_ps)(load_n(x + j, m), vbias);
        if (columnBias) v = OP(add_ps)(v, load_n(columnBias + j, m));
        store_n(y + j, m, gelu_erf_v(v));
    }
}

/// The largest lane of v.
static inline float max_lane(VEC v) {
    float lanes_out[LANES];
    OP(storeu_ps)(lanes_out, v);
    float m = lanes_out[0];
    for (int i = 1; i < LANES; i++) m = lanes_out[i] > m ? lanes_out[i] : m;
    return m;
}

/// The sum of v's lanes.
static inline float sum_lanes(VEC v) {
    float lanes_out[LANES];
    OP(storeu_ps)(lanes_out, v);
    float s = 0;
    for (int i = 0; i < LANES; i++) s += lanes_out[i];
    return s;
}

int EXPORT(cinfer_softmax_row)(const float *x, float *y, long n) {
    VEC maxes = OP(set1_ps)(-__builtin_inff());
    for (long j = 0; j < n; j += LANES) {
        const MASK m = lanes(n - j);
        // Masked-off lanes load -inf, so they never win the max.
        const VEC v = load_or(x + j, m, -__builtin_inff());
        maxes = OP(max_ps)(maxes, v);
    }
    const float largest = max_lane(maxes);
    if (!(largest > -__builtin_inff() && largest < __builtin_inff())) return 0;
    const VEC vmax = OP(set1_ps)(largest);
    // Two sums and two exps in flight: each exp is one long dependency chain.
    VEC sum0 = OP(setzero_ps)(), sum1 = OP(setzero_ps)();
    long j = 0;
    for (; j + 2 * LANES <= n; j += 2 * LANES) {
        const VEC e0 = exp_v(OP(sub_ps)(OP(loadu_ps)(x + j), vmax));
        const VEC e1 = exp_v(OP(sub_ps)(OP(loadu_ps)(x + j + LANES), vmax));
        OP(storeu_ps)(y + j, e0);
        OP(storeu_ps)(y + j + LANES, e1);
        sum0 = OP(add_ps)(sum0, e0);
        sum1 = OP(add_ps)(sum1, e1);
    }
    for (; j < n; j += LANES) {
        const MASK m = lanes(n - j);
        // exp(-inf) = 0 in the masked-off lanes, so they add nothing.
        const VEC e = exp_v(OP(sub_ps)(load_or(x + j, m, -__builtin_inff()), vmax));
        store_n(y + j, m, e);
        sum0 = OP(add_ps)(sum0, e);
    }
    const VEC scale = OP(set1_ps)(1.0f / sum_lanes(OP(add_ps)(sum0, sum1)));
    for (j = 0; j < n; j += LANES) {
        const MASK m = lanes(n - j);
        store_n(y + j, m, OP(mul_ps)(load_n(y + j, m), scale));
    }
    return 1;
}
