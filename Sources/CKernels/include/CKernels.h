// Kernels of ChurnCore written in C for one reason: function multi-versioning.
// Swift compiles the package for baseline x86-64 (SSE2, no FMA) and has no per-function
// target attribute; these functions are built three times (x86-64-v4 = AVX-512,
// x86-64-v3 = AVX2 + FMA, baseline) and the loader picks the widest the CPU has (ifunc).
// Results are deterministic on a given machine; across CPUs of different widths the
// last bits may differ (fused multiply-adds), as OpenBLAS's runtime-dispatched kernels do.
#ifndef CKERNELS_H
#define CKERNELS_H
#include <stdint.h>

#pragma clang assume_nonnull begin

/// Scratch size (doubles) `ck_gram_packed` and `ck_cox_groups` need for p columns: p · ⌈p/8⌉·8.
int64_t ck_gram_tile_size(int64_t p);

/// acc (packed lower triangle, row a starting at a(a+1)/2) += Σ_{r ∈ [lo, hi)} w[r] · x_r x_rᵀ,
/// X row-major with p doubles a row and at least 7 readable doubles after row hi − 1.
/// Every entry is summed over the rows in order, four rows a step (fixed association).
void ck_gram_packed(double *acc, const double *X, const double *w, int64_t lo, int64_t hi, int64_t p, double *tile);

/// The per-group pass of a Cox partial-likelihood evaluation over groups [g0, g1)
/// (`CoxRiskSets.evaluate`): for group g, rows start[g] ..< start[g + 1], its events from
/// eventStart[g]: e_r = w_r exp(x_r·β) (w nil: 1), and in sums[g · (3 + 2p) ...]: Σe, Σe of
/// events, Σ w x·β of events, Σ e x of censored rows (p), Σ e x of events (p) (added to what
/// is there); when `grams` is not nil, the group's two packed Gram matrices Σ e x xᵀ
/// (censored rows, then events) at grams[g · 2T], T = p(p+1)/2.
void ck_cox_groups(const double *X, int64_t p, const double *beta, const double *_Nullable w,
                   const int64_t *start, const int64_t *eventStart, int64_t g0, int64_t g1,
                   double *sums, double *_Nullable grams, double *e, double *tile);

/// The CSV tokeniser's scan: writes the offsets (from p) of every byte of [0, n) equal to `sep`,
/// '\n' or '"', ascending, to out and returns how many. out must hold n + 8 entries (the tail
/// beyond the count is scratch); n < 2^32.
int64_t ck_csv_specials(const uint8_t *p, int64_t n, uint8_t sep, uint32_t *out);

#pragma clang assume_nonnull end
#endif
