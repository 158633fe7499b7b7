// Numeric kernels of ChurnCore written in C, mostly for function multi-versioning (the tree
// input coding at the end is here for branch-free selects; see tree_kernels.c).
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

/// Input codes of tree scoring (`CodedTreeScorer`): out[r] = the number of thresholds t[0 ..< p]
/// below x[r] (t ascending, padded with +inf to p, a power of two), or the largest code
/// (255, 65,535) when x[r] is NaN, for r in 0 ..< n.
void ck_tree_codes_u8(const double *x, int64_t n, const double *t, int64_t p, uint8_t *out);
void ck_tree_codes_u16(const double *x, int64_t n, const double *t, int64_t p, uint16_t *out);

/// acc[r] += values[leaf of row r] for r in 0 ..< m, walking one compiled tree (`CodedTreeScorer.nodes`:
/// slot bits 0-13, missing-goes-left bit 14, categorical bit 15, threshold bits 16-31, left 32-47,
/// right 48-63; leaves loop to themselves) in exactly `depth` steps. Slot s of row r is
/// codes[(s << shift) + r], shift 8 or 12 (m ≤ 1 << shift). The tree's categorical split c (a
/// categorical node's threshold) has its bitset in bits[cat[2c] ..< cat[2c] + cat[2c + 1]].
void ck_tree_walk_u8(const uint64_t *tree, const double *values, int64_t depth,
                     const uint8_t *codes, int64_t shift, int64_t m, const int32_t *cat, const uint64_t *bits, double *acc);
void ck_tree_walk_u16(const uint64_t *tree, const double *values, int64_t depth,
                      const uint16_t *codes, int64_t shift, int64_t m, const int32_t *cat, const uint64_t *bits, double *acc);

#pragma clang assume_nonnull end
#endif
