// The gate pass of the fused recurrent cells (FusedCells.swift, RecurrentDirection.swift):
// biases, sigmoid/tanh and the state update of one step, and its backward pass, after the
// step's one matrix product. Profiling LSTM inference put 56 % of the time in this pass when
// it was Swift SIMD8 code on baseline x86-64 (SSE2, no FMA); here the same loops are built
// for AVX-512 / AVX2+FMA / baseline (CK_CLONES) and vectorised by the compiler.
//
// Float32 (the product) evaluates exp with the Cephes `expf` polynomial, branch-free so the
// loops vectorise: range reduction x = n·ln2 + r (|r| ≤ ln2/2, n rounded by the 1.5·2²³
// trick), degree-6 polynomial, 2ⁿ by exponent bits; x clamped to [−87.3, 88.3] first, so
// σ and tanh reach their limits without overflow. Measured against libm in Float64
// (GateActivationsTests, x in [−100, 100]): sigmoid relative error < 1e-6, tanh absolute
// error < 3e-7. Float64 (the tests' Jacobian checks) uses libm, the same equations.
#include <math.h>
#include <string.h>
#include "CKernels.h"
#include "ck_clones.h"

#define CK_INLINE static inline __attribute__((always_inline))

CK_INLINE float ck_expf_poly(float v) {
    float x = v < -87.3f ? -87.3f : v;
    x = x > 88.3f ? 88.3f : x;
    const float t = x * 1.44269504f + 12582912.0f;   // n = round(x / ln2) in t's low mantissa bits
    const float fx = t - 12582912.0f;
    int32_t n;
    memcpy(&n, &t, sizeof n);
    n -= 0x4B400000;
    x = x - fx * 0.693359375f + fx * 2.12194440e-4f;  // x − n·ln2, ln2 split in two parts
    const float z = x * x;
    float y = 1.98756915e-4f;
    y = y * x + 1.39819995e-3f;
    y = y * x + 8.33345190e-3f;
    y = y * x + 4.16657959e-2f;
    y = y * x + 1.66666655e-1f;
    y = y * x + 5.00000012e-1f;
    y = y * z + x + 1.0f;
    const int32_t e = (n + 127) << 23;
    float scale;
    memcpy(&scale, &e, sizeof scale);
    return y * scale;
}

CK_INLINE float ck_sigmoidf(float x) { return 1.0f / (1.0f + ck_expf_poly(-x)); }
/// tanh(x) = 2σ(2x) − 1: absolute error ~1e-7 near 0, exact ±1 limits.
CK_INLINE float ck_tanhf(float x) { return 2.0f / (1.0f + ck_expf_poly(-2.0f * x)) - 1.0f; }

CK_INLINE double ck_sigmoidd(double x) {
    if (x >= 0) return 1 / (1 + exp(-x));
    const double e = exp(x);
    return e / (1 + e);
}

CK_CLONES
void ck_gate_sigmoid_f32(ptrdiff_t n, const float *x, float *y) {
    for (ptrdiff_t i = 0; i < n; i++) y[i] = ck_sigmoidf(x[i]);
}

CK_CLONES
void ck_gate_tanh_f32(ptrdiff_t n, const float *x, float *y) {
    for (ptrdiff_t i = 0; i < n; i++) y[i] = ck_tanhf(x[i]);
}

#define CK_REAL float
#define CK_NAME(f) f##_f32
#define CK_SIG(x) ck_sigmoidf(x)
#define CK_TANH(x) ck_tanhf(x)
#define CK_UNIT_LOOP _Pragma("clang loop vectorize(assume_safety)")
#include "recurrent_cell_body.h"
#undef CK_REAL
#undef CK_NAME
#undef CK_SIG
#undef CK_TANH
#undef CK_UNIT_LOOP

#define CK_REAL double
#define CK_NAME(f) f##_f64
#define CK_SIG(x) ck_sigmoidd(x)
#define CK_TANH(x) tanh(x)
#define CK_UNIT_LOOP
#include "recurrent_cell_body.h"
