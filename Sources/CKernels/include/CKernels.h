// Kernels of ChurnCore written in C. Most are here for function multi-versioning (the Cox
// passes, the recurrent cells' gate pass, the CSV byte scan); the tree-scoring input coding and
// walk are here for branch-free selects, which Swift compiled into mispredicted branches.
// Swift compiles the package for baseline x86-64 (SSE2, no FMA) and has no per-function
// target attribute; these functions are built three times (x86-64-v4 = AVX-512,
// x86-64-v3 = AVX2 + FMA, baseline) and the loader picks the widest the CPU has (ifunc).
// Results are deterministic on a given machine; across CPUs of different widths the
// last bits may differ (fused multiply-adds), as OpenBLAS's runtime-dispatched kernels do.
#ifndef CKERNELS_H
#define CKERNELS_H
#include <stddef.h>
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

// The fused recurrent cells' gate pass (RecurrentDirection, FusedCells.swift): after one
// step's product [x_t | h_{t−1}] · W_catᵀ, `pre` holds 4H pre-activations a row (row stride
// 4H): LSTM i, f, g, o; GRU r, z, x_n, h_n. Forward adds `bias` (4H), applies the gates,
// writes h_t to out (and hNext when not nil), and leaves in `pre` what backward reads:
// LSTM i, f, g, o; GRU r, z, n, h_n. Backward turns dL/dh_t (dOut + the carried dh) into the
// 4H pre-activation gradients in dPre and replaces dh by the part of dL/dh_{t−1} that does
// not go through the product (GRU z ⊙ dh, LSTM 0). `_f32`: the product (polynomial exp, see
// recurrent_cells.c); `_f64`: the tests' Float64 mode (libm). hPrev may be the same memory
// as hNext. Element-wise per unit: the same bits for any split of the rows or thread count;
// across CPUs of different widths the last bits may differ (see the top of this file).
// Sizes and strides are ptrdiff_t (Swift's Int).

/// GRU step forward for `rows` rows of `hidden` units.
void ck_gru_forward_f32(ptrdiff_t rows, ptrdiff_t hidden, float *pre, const float *bias,
                        const float *hPrev, ptrdiff_t hPrevStride, float *out, ptrdiff_t outStride,
                        float *_Nullable hNext, ptrdiff_t hNextStride);
void ck_gru_forward_f64(ptrdiff_t rows, ptrdiff_t hidden, double *pre, const double *bias,
                        const double *hPrev, ptrdiff_t hPrevStride, double *out, ptrdiff_t outStride,
                        double *_Nullable hNext, ptrdiff_t hNextStride);
/// LSTM step forward; `cell` (rows × hidden) holds c_{t−1} in and c_t out, also copied to
/// cellOut when not nil.
void ck_lstm_forward_f32(ptrdiff_t rows, ptrdiff_t hidden, float *pre, const float *bias, float *cell,
                         float *out, ptrdiff_t outStride, float *_Nullable hNext, ptrdiff_t hNextStride,
                         float *_Nullable cellOut);
void ck_lstm_forward_f64(ptrdiff_t rows, ptrdiff_t hidden, double *pre, const double *bias, double *cell,
                         double *out, ptrdiff_t outStride, double *_Nullable hNext, ptrdiff_t hNextStride,
                         double *_Nullable cellOut);
/// GRU step backward; `gates` as forward left them.
void ck_gru_backward_f32(ptrdiff_t rows, ptrdiff_t hidden, const float *gates, const float *dOut, ptrdiff_t dOutStride,
                         float *dh, ptrdiff_t dhStride, const float *hPrev, ptrdiff_t hPrevStride, float *dPre);
void ck_gru_backward_f64(ptrdiff_t rows, ptrdiff_t hidden, const double *gates, const double *dOut, ptrdiff_t dOutStride,
                         double *dh, ptrdiff_t dhStride, const double *hPrev, ptrdiff_t hPrevStride, double *dPre);
/// LSTM step backward; cell = c_t, cellPrev = c_{t−1} (rows × hidden), dCell the carried
/// dL/dc (in: from t + 1, out: to t − 1).
void ck_lstm_backward_f32(ptrdiff_t rows, ptrdiff_t hidden, const float *gates, const float *dOut, ptrdiff_t dOutStride,
                          float *dh, ptrdiff_t dhStride, const float *cell, const float *cellPrev,
                          float *dCell, float *dPre);
void ck_lstm_backward_f64(ptrdiff_t rows, ptrdiff_t hidden, const double *gates, const double *dOut, ptrdiff_t dOutStride,
                          double *dh, ptrdiff_t dhStride, const double *cell, const double *cellPrev,
                          double *dCell, double *dPre);

// cl.nn's Float32 matrix products (gemm_kernels.c, MatMul.swift): C (m × n) = op(A)·op(B) + beta·C,
// row-major, op(A) m × k (A is k × m, row stride lda, when transA), op(B) k × n (B is n × k when
// transB). Reentrant and lock-free (packing space on the stack and in a per-thread buffer), so
// several workers call it at once. Every element is summed over k in order 0 … k−1 (then beta·C
// added), so its bits do not depend on m, n or how C is split. Returns 0, or −1 when the
// per-thread packing buffer could not be allocated (C untouched).
int32_t ck_sgemm(int32_t transA, int32_t transB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                 const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                 float beta, float *c, ptrdiff_t ldc);
/// op(B) packed once for many products with the same right side (a recurrent layer's weights
/// at every step): `ck_sgemm_packed_floats(k, n)` floats at bp, 32-byte aligned (else −1).
/// `ck_sgemm_packed` then computes C = op(A)·op(B) + beta·C from it, the same bits as
/// `ck_sgemm` with that op(B), without repacking it; reentrant, no per-thread buffer.
ptrdiff_t ck_sgemm_packed_floats(ptrdiff_t k, ptrdiff_t n);
int32_t ck_sgemm_pack_b(int32_t transB, ptrdiff_t k, ptrdiff_t n, const float *b, ptrdiff_t ldb, float *bp);
int32_t ck_sgemm_packed(int32_t transA, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                        const float *bp, float beta, float *c, ptrdiff_t ldc);
/// out[j] += Σ_r a[r·lda + j] for j < n, each column summed in row order r = 0 … m−1 (bias
/// gradients; the same bits as that plain loop, vectorised across columns).
void ck_column_sums_f32(ptrdiff_t m, ptrdiff_t n, const float *a, ptrdiff_t lda, float *out);
/// The micro-kernel `ck_sgemm` runs on this CPU: 1 AVX2+FMA (6 × 16), 0 baseline (4 × 8).
int32_t ck_sgemm_isa(void);

/// One Adam (decoupled = 0: L2 weight decay added to the gradient) or AdamW (decoupled = 1:
/// w ← w·(1 − lr·wd) first) step of n Float32 weights with Double moments m, v, in place:
/// m ← b1·m + (1−b1)·g, v ← b2·v + (1−b2)·g·g, w ← w − stepSize·m / (√v / c2root + eps).
/// The same bits as the Swift loop in Optimizer.swift (no fused multiply-adds).
void ck_adam_f32(ptrdiff_t n, float *w, const float *g, double *m, double *v, double b1, double b2,
                 double stepSize, double c2root, double eps, int32_t decoupled, double lr, double wd);

/// The Float32 cells' sigmoid and tanh over n values (y[i] = f(x[i]); the kernels above
/// inline the same functions), exported for the accuracy tests.
void ck_gate_sigmoid_f32(ptrdiff_t n, const float *x, float *y);
void ck_gate_tanh_f32(ptrdiff_t n, const float *x, float *y);

/// Input codes of tree scoring (`CodedTreeScorer`): out[r] = the number of thresholds t[0 ..< p]
/// below x[r · stride] (t ascending, padded with +inf to p, a power of two), or the largest code
/// (255, 65,535) when that value is NaN, for r in 0 ..< n (stride 1: a column; the feature count:
/// one feature of row-major rows).
void ck_tree_codes_u8(const double *x, int64_t stride, int64_t n, const double *t, int64_t p, uint8_t *out);
void ck_tree_codes_u16(const double *x, int64_t stride, int64_t n, const double *t, int64_t p, uint16_t *out);
/// The codes of one row-major row for every slot s in 0 ..< nslots: feature[s] < 0 gives 0; else the
/// value x[feature[s]] coded as above against the count[s] thresholds at t + start[s].
void ck_tree_codes_row_u8(const double *x, const int64_t *feature, const double *t, const int64_t *start,
                          const int64_t *count, int64_t nslots, uint8_t *out);
void ck_tree_codes_row_u16(const double *x, const int64_t *feature, const double *t, const int64_t *start,
                           const int64_t *count, int64_t nslots, uint16_t *out);

/// acc[r] += values[leaf of row r] for r in 0 ..< m, walking one compiled tree (`CodedTreeScorer.nodes`:
/// slot bits 0-13, missing-goes-left bit 14, categorical bit 15, threshold bits 16-31, left 32-47,
/// right 48-63; leaves loop to themselves), eight rows at once. With shift 8 (small trees) each group
/// takes at least `dmin` (the shallowest leaf's depth) and at most `depth` steps: past dmin it stops
/// once no row moved; with shift 12 (large trees) every group takes `depth` steps. Slot s
/// of row r is codes[(s << shift) + r], shift 8 or 12 (m ≤ 1 << shift). The tree's categorical
/// split c (a categorical node's threshold) has its bitset in bits[cat[2c] ..< cat[2c] + cat[2c + 1]].
void ck_tree_walk_u8(const uint64_t *tree, const double *values, int64_t depth, int64_t dmin,
                     const uint8_t *codes, int64_t shift, int64_t m, const int32_t *cat, const uint64_t *bits, double *acc);
void ck_tree_walk_u16(const uint64_t *tree, const double *values, int64_t depth, int64_t dmin,
                      const uint16_t *codes, int64_t shift, int64_t m, const int32_t *cat, const uint64_t *bits, double *acc);

/// acc[r] += values[leaf of row r] for r in 0 ..< m (m ≤ 256), walking one small tree compiled as
/// splits only (`CodedTreeScorer.splitNodes`: fields as above, but a child with bit 15 set is the leaf
/// of index child & 0x7FFF in `values`, else the split of that index; nsplits 0: one leaf, values[0]).
/// Four rows at once, a lane taking the block's next row when its row reaches a leaf. Slot s of row r
/// is codes[(s << 8) + r]; codes[(s << 8) + r] for r ≤ m + 4 must be readable (any value: scratch rows).
void ck_tree_refill_u8(const uint64_t *tree, int64_t nsplits, const double *values, const uint8_t *codes,
                       int64_t m, const int32_t *cat, const uint64_t *bits, double *acc);
void ck_tree_refill_u16(const uint64_t *tree, int64_t nsplits, const double *values, const uint16_t *codes,
                        int64_t m, const int32_t *cat, const uint64_t *bits, double *acc);

/// *acc += Σ_t values[roots[t] + leaf of the row in tree t] in tree order, for one row whose slot s
/// is codes[s << shift]: eight trees walked at once (tree t: nodes + roots[t], depth and shallowest
/// leaf depths[t], dmins[t], categorical splits from pair cat_roots[t] of cat).
void ck_tree_row_u8(const uint64_t *nodes, const double *values, const int64_t *roots, const int64_t *depths,
                    const int64_t *dmins, const int64_t *cat_roots, int64_t ntrees, const uint8_t *codes, int64_t shift,
                    const int32_t *cat, const uint64_t *bits, double *acc);
void ck_tree_row_u16(const uint64_t *nodes, const double *values, const int64_t *roots, const int64_t *depths,
                     const int64_t *dmins, const int64_t *cat_roots, int64_t ntrees, const uint16_t *codes, int64_t shift,
                     const int32_t *cat, const uint64_t *bits, double *acc);

/// *acc += Σ_t values[leaf_roots[t] + leaf of the row in tree t] in tree order, for one row whose slot s is
/// codes[s]: the refill walk across trees (lanes taking the next tree at a leaf) over the splits-only form
/// of `ck_tree_refill_*`, tree t from split tree[roots[t]] (every tree has at least one split node: a tree
/// of one leaf is a split whose children are both leaf 0), categorical splits from pair cat_roots[t] of cat.
void ck_tree_row_refill_u8(const uint64_t *tree, const int64_t *roots, const double *values, const int64_t *leaf_roots,
                           const int64_t *cat_roots, int64_t ntrees, const uint8_t *codes, const int32_t *cat,
                           const uint64_t *bits, double *acc);
void ck_tree_row_refill_u16(const uint64_t *tree, const int64_t *roots, const double *values, const int64_t *leaf_roots,
                            const int64_t *cat_roots, int64_t ntrees, const uint16_t *codes, const int32_t *cat,
                            const uint64_t *bits, double *acc);

/// A node of a TreeSHAP-tabled tree (`LeafSHAPTables`), in preorder (the left child follows its parent).
typedef struct {
    double threshold;          // numeric split point
    int32_t feature;           // split feature, -1 at a leaf
    int32_t right;             // the right child, from the tree's first node
    int32_t aux;               // leaf: index into the leaves; categorical split: first word of its bitset
    int32_t category_words;
    uint8_t bit;               // the split feature's bit among its path's distinct features
    uint8_t flags;             // 1: missing goes left; 2: categorical; 4: first split on its feature along the path
} ck_shap_node;

/// A leaf of a tabled tree: its table (-1: computed per row), its d path features, its value.
typedef struct {
    int64_t table_start;
    int32_t path_start;
    int32_t path_count;
    double value;
} ck_shap_leaf;

/// phi[r · stride + f] += the contributions of one tabled tree (n nodes) for rows r in [0, rows)
/// whose values are x[r · stride + f] (numeric value or category code; NaN / -1 missing), leaf
/// values unscaled; see `LeafSHAPTables` for the formulas. masks and acc: scratch of n entries.
void ck_shap_tree(const ck_shap_node *nodes, int64_t n, const ck_shap_leaf *leaves, const int32_t *path_feature,
                  const double *path_weight, const double *path_zero, const double *table, const uint64_t *category_bits,
                  const double *x, int64_t rows, int64_t stride, double *phi, uint64_t *masks, double *acc);

/// The CSV tokeniser's scan: writes the offsets (from p) of every byte of [0, n) equal to `sep`,
/// '\n' or '"', ascending, to out and returns how many. out must hold n + 8 entries (the tail
/// beyond the count is scratch); n < 2^32.
int64_t ck_csv_specials(const uint8_t *p, int64_t n, uint8_t sep, uint32_t *out);

/// GBDT row-wise histogram update: for i in 0 ..< m, row r = rows[i] (its bins at
/// rowBins[r · stride ...], its gradient and hessian at gh[2r], gh[2r + 1]) adds (g, h, 1) to
/// the (g, h, n) triple of bin off[f] + bin_f for features f in [f0, f1), in `a` for even i
/// and `b` for odd i (a == b allowed). Each bin is summed in row order: deterministic.
void ck_hist_rows(double *a, double *b, const uint8_t *rowBins, int64_t stride, const int32_t *off,
                  int64_t f0, int64_t f1, const uint32_t *rows, int64_t m, const double *gh);

#pragma clang assume_nonnull end
#endif
