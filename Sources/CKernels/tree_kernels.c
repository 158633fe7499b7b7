// Inner loops of `CodedTreeScorer` (tree-ensemble scoring). In C for one reason:
// both must stay branch-free. Their comparisons are data-dependent coin flips, and
// LLVM's x86 cmov conversion turns the Swift versions' selects into branches that
// mispredict on half of the steps (measured: that doubled the scoring time; Swift
// has no way to mark a condition unpredictable). `__builtin_unpredictable` keeps
// the conditional moves. Scalar code: no multi-versioning needed.
#include "CKernels.h"

// Number of t[0 ..< p] below v (t ascending, p a power of two).
static inline __attribute__((always_inline)) int64_t rank_below(const double *restrict t, int64_t p, double v) {
    int64_t b = 0;
    for (int64_t h = p >> 1; h > 0; h >>= 1) b += __builtin_unpredictable(t[b + h - 1] < v) ? h : 0;
    return b + (__builtin_unpredictable(t[b] < v) ? 1 : 0);
}

void ck_tree_codes_u8(const double *x, int64_t stride, int64_t n, const double *t, int64_t p, uint8_t *out) {
    for (int64_t r = 0; r < n; r++) {
        const double v = x[r * stride];
        out[r] = v != v ? (uint8_t)255 : (uint8_t)rank_below(t, p, v);
    }
}

void ck_tree_codes_u16(const double *x, int64_t stride, int64_t n, const double *t, int64_t p, uint16_t *out) {
    for (int64_t r = 0; r < n; r++) {
        const double v = x[r * stride];
        out[r] = v != v ? (uint16_t)65535 : (uint16_t)rank_below(t, p, v);
    }
}

// Every slot of one row (see CKernels.h): the searches of different slots are independent, so the
// CPU overlaps their chains of loads.
#define CK_CODES_ROW_BODY(CODE, CODE_MAX)                                                           \
    for (int64_t s = 0; s < nslots; s++) {                                                          \
        const int64_t f = feature[s];                                                               \
        if (f < 0) { out[s] = 0; continue; }                                                        \
        const double v = x[f];                                                                      \
        out[s] = v != v ? (CODE)CODE_MAX : (CODE)rank_below(t + start[s], count[s], v);             \
    }

void ck_tree_codes_row_u8(const double *x, const int64_t *feature, const double *t, const int64_t *start,
                          const int64_t *count, int64_t nslots, uint8_t *out) {
    CK_CODES_ROW_BODY(uint8_t, 255)
}

void ck_tree_codes_row_u16(const double *x, const int64_t *feature, const double *t, const int64_t *start,
                           const int64_t *count, int64_t nslots, uint16_t *out) {
    CK_CODES_ROW_BODY(uint16_t, 65535)
}

// Node fields (see CKernels.h).
#define CK_SLOT(n) ((n) & 0x3FFF)
#define CK_DL(n) (((n) >> 14) & 1)
#define CK_CAT(n) ((n) & 0x8000)
#define CK_THR(n) (((n) >> 16) & 0xFFFF)
#define CK_LEFT(n) (((n) >> 32) & 0xFFFF)
#define CK_RIGHT(n) ((n) >> 48)

// Whether code k goes left at categorical split n (rare: the walk branches to it, predicted not taken).
static inline __attribute__((always_inline)) int cat_left(uint64_t n, uint64_t k, uint64_t code_max,
                                                          const int32_t *cat, const uint64_t *bits) {
    if (k == code_max) return (int)CK_DL(n);
    const int32_t *s = cat + 2 * CK_THR(n);
    const uint64_t w = k >> 6;
    if (w >= (uint64_t)s[1]) return 0;
    return (int)((bits[s[0] + w] >> (k & 63)) & 1);
}

// One step of row j: node i → its child; `moved` collects whether any row left its node
// (a split always moves a row; a leaf keeps it, so moved == 0 means every row is at its leaf).
#define CK_STEP(i, j)                                                                               \
    do {                                                                                            \
        const uint64_t n_ = tree[i];                                                                \
        const uint64_t k_ = p[(CK_SLOT(n_) << SHIFT) + (j)];                                       \
        int left_;                                                                                  \
        if (__builtin_expect(CK_CAT(n_) != 0, 0)) left_ = cat_left(n_, k_, CODE_MAX, cat, bits);    \
        else left_ = ((k_ + CK_DL(n_)) & CODE_MAX) <= CK_THR(n_);                                   \
        const uint64_t c_ = __builtin_unpredictable(left_) ? CK_LEFT(n_) : CK_RIGHT(n_);           \
        moved |= c_ ^ i;                                                                            \
        i = c_;                                                                                     \
    } while (0)

// The walk for one code width and block size (SHIFT a constant: the slot offset is one shift).
// EARLY: stop a group once no row moved. Measured on boosting's lopsided leaf-wise trees (256-row
// blocks); the 4,096-row blocks of deep forest trees keep the full-depth walk (EARLY 0: the
// compiler drops the bookkeeping), as measured before this stop existed. Groups of sixteen rows
// instead of eight were 2-4 % slower on the benchmark booster (predict_proba of 200k rows,
// 2 threads, two binaries alternating, 2026-12-04 15:32 UTC, load ~3: 0.997-1.023 s vs 0.942-0.989 s).
#define CK_WALK_BODY(CODE, CODE_MAX_VALUE, SHIFT_VALUE, EARLY_VALUE)                                \
    enum { CODE_MAX = CODE_MAX_VALUE, SHIFT = SHIFT_VALUE, EARLY = EARLY_VALUE };                   \
    int64_t r = 0;                                                                                  \
    for (; r + 8 <= m; r += 8) {                                                                    \
        const CODE *restrict p = codes + r;                                                         \
        uint64_t i0 = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0, i6 = 0, i7 = 0, moved = 0;        \
        /* Every row needs dmin steps; past them, stop once no row moved (all at leaves). */        \
        for (int64_t d = 0; d < depth; d++) {                                                       \
            moved = 0;                                                                              \
            CK_STEP(i0, 0); CK_STEP(i1, 1); CK_STEP(i2, 2); CK_STEP(i3, 3);                         \
            CK_STEP(i4, 4); CK_STEP(i5, 5); CK_STEP(i6, 6); CK_STEP(i7, 7);                         \
            if (EARLY && d >= dmin && moved == 0) break;                                            \
        }                                                                                           \
        acc[r] += values[i0]; acc[r + 1] += values[i1]; acc[r + 2] += values[i2];                   \
        acc[r + 3] += values[i3]; acc[r + 4] += values[i4]; acc[r + 5] += values[i5];               \
        acc[r + 6] += values[i6]; acc[r + 7] += values[i7];                                         \
    }                                                                                               \
    for (; r < m; r++) {                                                                            \
        const CODE *restrict p = codes + r;                                                         \
        uint64_t i0 = 0, moved = 0;                                                                 \
        for (int64_t d = 0; d < depth; d++) CK_STEP(i0, 0);                                         \
        (void)moved;                                                                                \
        acc[r] += values[i0];                                                                       \
    }

#define CK_WALK(NAME, CODE, CODE_MAX_VALUE, SHIFT_VALUE, EARLY_VALUE)                               \
static void NAME(const uint64_t *restrict tree, const double *restrict values, int64_t depth, int64_t dmin, \
                 const CODE *restrict codes, int64_t m, const int32_t *cat, const uint64_t *bits,   \
                 double *restrict acc) {                                                            \
    CK_WALK_BODY(CODE, CODE_MAX_VALUE, SHIFT_VALUE, EARLY_VALUE)                                    \
}

CK_WALK(walk_u8_256, uint8_t, 255, 8, 1)
CK_WALK(walk_u8_4096, uint8_t, 255, 12, 0)
CK_WALK(walk_u16_256, uint16_t, 65535, 8, 1)
CK_WALK(walk_u16_4096, uint16_t, 65535, 12, 0)

void ck_tree_walk_u8(const uint64_t *tree, const double *values, int64_t depth, int64_t dmin, const uint8_t *codes,
                     int64_t shift, int64_t m, const int32_t *cat, const uint64_t *bits, double *acc) {
    if (shift == 8) walk_u8_256(tree, values, depth, dmin, codes, m, cat, bits, acc);
    else walk_u8_4096(tree, values, depth, dmin, codes, m, cat, bits, acc);
}

void ck_tree_walk_u16(const uint64_t *tree, const double *values, int64_t depth, int64_t dmin, const uint16_t *codes,
                      int64_t shift, int64_t m, const int32_t *cat, const uint64_t *bits, double *acc) {
    if (shift == 8) walk_u16_256(tree, values, depth, dmin, codes, m, cat, bits, acc);
    else walk_u16_4096(tree, values, depth, dmin, codes, m, cat, bits, acc);
}



// The refill walk of small trees (256-row blocks; `CodedTreeScorer.splitNodes`): nodes are the tree's
// splits only, and a child with bit 15 set is a leaf (its index among the tree's leaves in bits 0-14).
// Each of four lanes holds a row and its node; a lane whose step reaches a leaf records the leaf and
// takes the next row of the block, so every step moves a row that is not yet at its leaf. The walk
// above instead runs a group of eight until its deepest row is at a leaf: on the benchmark booster
// (200 trees x 63 leaves) that executed 1,969 steps per row for 966 on its paths (counted by a harness
// over the booster's compiled trees). Four lanes beat 3, 6 and 8 there and tied 5 (the lane state
// is two registers; eight lanes spilled). The leaf of row r is leaf_of[r] (the row's last store), added to
// acc[r] after the walk: each row gets its tree's value once, in tree order, as in the walk above.
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the refill walk reads a node's children as its 16-bit halves 2 and 3");
// C = the child of the split node at NP (splits-only form) for the code at CODES[(CK_SLOT(node) << SHIFT) + ROW],
// the tree's categorical splits from CAT (evaluated only at a categorical split). Shared by both refill walks.
#define CK_SPLIT_CHILD(C, NP, CODES, SHIFT, ROW, CAT)                                                    \
    do {                                                                                            \
        const uint64_t n_ = *(NP);                                                                  \
        const uint64_t k_ = (CODES)[(CK_SLOT(n_) << (SHIFT)) + (ROW)];                              \
        int right_;                                                                                 \
        if (__builtin_expect(CK_CAT(n_) != 0, 0)) right_ = !cat_left(n_, k_, CODE_MAX, CAT, bits);  \
        else right_ = ((k_ + CK_DL(n_)) & CODE_MAX) > CK_THR(n_);                                   \
        /* The child read from the node's memory (16-bit half 2 left, 3 right: 2 + right_), not */ \
        /* selected: fewer instructions than shifts and a conditional move (~7 % of the walk). */   \
        uint16_t c16_;                                                                              \
        __builtin_memcpy(&c16_, (const char *)(NP) + 2 * (2 + right_), 2);                          \
        C = c16_;                                                                                   \
    } while (0)
// One step of a refill lane holding item R (a row of the block, or a tree of the row) at node I of the
// splits-only tree at TREE: record the child in leaf_of[R] (the item's last store is its leaf), and at a
// leaf take item `next` from its root (TAKE: advancing next; in the drain every lane takes the same scratch item).
#define CK_REFILL_LANE_STEP(I, R, TAKE, TREE, SHIFT, ROW, CAT)                                      \
    do {                                                                                            \
        uint64_t c_;                                                                                \
        CK_SPLIT_CHILD(c_, (TREE) + I, codes, SHIFT, ROW, CAT);                                     \
        leaf_of[R] = (uint16_t)c_;                                                                  \
        const uint64_t leaf_ = c_ >> 15;                                                            \
        R = __builtin_unpredictable(leaf_) ? next : R;                                              \
        I = __builtin_unpredictable(leaf_) ? 0 : c_;                                                \
        if (TAKE) next += leaf_;                                                                    \
    } while (0)
#define CK_REFILL_STEP(I, R, TAKE) CK_REFILL_LANE_STEP(I, R, TAKE, tree, 8, R, cat)
#define CK_REFILL_STEPS(TAKE)                                                                       \
    CK_REFILL_STEP(i0, r0, TAKE); CK_REFILL_STEP(i1, r1, TAKE);                                     \
    CK_REFILL_STEP(i2, r2, TAKE); CK_REFILL_STEP(i3, r3, TAKE)

#define CK_REFILL_BODY(CODE, CODE_MAX_VALUE)                                                        \
    enum { CODE_MAX = CODE_MAX_VALUE, LANES = 4 };                                                  \
    if (nsplits == 0) {                                                                             \
        for (int64_t r = 0; r < m; r++) acc[r] += values[0];                                        \
        return;                                                                                     \
    }                                                                                               \
    /* Rows m ... m + LANES are scratch (a lane past the block's last row walks one). */          \
    uint16_t leaf_of[256 + 2 * LANES];                                                              \
    uint64_t i0 = 0, i1 = 0, i2 = 0, i3 = 0;                                                        \
    int64_t r0 = 0, r1 = 1, r2 = 2, r3 = 3, next = LANES;                                           \
    while (next < m) { CK_REFILL_STEPS(1); }                                                        \
    /* Drain: lanes finishing now take scratch row m + LANES, until every lane holds a scratch row. */ \
    next = m + LANES;                                                                               \
    while ((r0 < m) | (r1 < m) | (r2 < m) | (r3 < m)) { CK_REFILL_STEPS(0); }                       \
    for (int64_t r = 0; r < m; r++) acc[r] += values[leaf_of[r] & 0x7FFF];

void ck_tree_refill_u8(const uint64_t *restrict tree, int64_t nsplits, const double *restrict values,
                       const uint8_t *restrict codes, int64_t m, const int32_t *cat, const uint64_t *bits,
                       double *restrict acc) {
    CK_REFILL_BODY(uint8_t, 255)
}

void ck_tree_refill_u16(const uint64_t *restrict tree, int64_t nsplits, const double *restrict values,
                        const uint16_t *restrict codes, int64_t m, const int32_t *cat, const uint64_t *bits,
                        double *restrict acc) {
    CK_REFILL_BODY(uint16_t, 65535)
}

// One row through every tree, eight trees at once (their chains of dependent loads overlap, as
// the rows' do in the walk above): single rows and a block's last m % 8 rows of ensembles without the
// splits-only form (large trees, or too wide for it; else single rows take the refill walk below).
// Each group of eight runs the steps of its deepest tree, stopping early once no tree's node
// moved; the leaf values are then added in tree order, as the walk above adds them.
#define CK_ROW_STEP(k)                                                                              \
    do {                                                                                            \
        const uint64_t n_ = tp[k][ix[k]];                                                           \
        const uint64_t k_ = codes[CK_SLOT(n_) << shift];                                            \
        int left_;                                                                                  \
        if (__builtin_expect(CK_CAT(n_) != 0, 0)) left_ = cat_left(n_, k_, CODE_MAX, cp[k], bits);  \
        else left_ = ((k_ + CK_DL(n_)) & CODE_MAX) <= CK_THR(n_);                                   \
        const uint64_t c_ = __builtin_unpredictable(left_) ? CK_LEFT(n_) : CK_RIGHT(n_);           \
        moved |= c_ ^ ix[k];                                                                        \
        ix[k] = c_;                                                                                 \
    } while (0)

#define CK_ROW_BODY(CODE, CODE_MAX_VALUE)                                                           \
    enum { CODE_MAX = CODE_MAX_VALUE };                                                             \
    double s = *acc;                                                                                \
    int64_t t = 0;                                                                                  \
    for (; t + 8 <= ntrees; t += 8) {                                                               \
        const uint64_t *tp[8];                                                                      \
        const int32_t *cp[8];                                                                       \
        uint64_t ix[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                                  \
        int64_t depth = 0, dmin = INT64_MAX;                                                        \
        for (int k = 0; k < 8; k++) {                                                               \
            tp[k] = nodes + roots[t + k];                                                           \
            cp[k] = cat + 2 * cat_roots[t + k];                                                     \
            depth = depths[t + k] > depth ? depths[t + k] : depth;                                  \
            dmin = dmins[t + k] < dmin ? dmins[t + k] : dmin;                                       \
        }                                                                                           \
        for (int64_t d = 0; d < depth; d++) {                                                       \
            uint64_t moved = 0;                                                                     \
            CK_ROW_STEP(0); CK_ROW_STEP(1); CK_ROW_STEP(2); CK_ROW_STEP(3);                         \
            CK_ROW_STEP(4); CK_ROW_STEP(5); CK_ROW_STEP(6); CK_ROW_STEP(7);                         \
            if (d >= dmin && moved == 0) break;                                                     \
        }                                                                                           \
        for (int k = 0; k < 8; k++) s += values[roots[t + k] + (int64_t)ix[k]];                     \
    }                                                                                               \
    for (; t < ntrees; t++) {                                                                       \
        const uint64_t *tp[1] = {nodes + roots[t]};                                                 \
        const int32_t *cp[1] = {cat + 2 * cat_roots[t]};                                            \
        uint64_t ix[1] = {0}, moved = 0;                                                            \
        for (int64_t d = 0; d < depths[t]; d++) CK_ROW_STEP(0);                                     \
        (void)moved;                                                                                \
        s += values[roots[t] + (int64_t)ix[0]];                                                     \
    }                                                                                               \
    *acc = s;

void ck_tree_row_u8(const uint64_t *nodes, const double *values, const int64_t *roots, const int64_t *depths,
                    const int64_t *dmins, const int64_t *cat_roots, int64_t ntrees, const uint8_t *codes, int64_t shift,
                    const int32_t *cat, const uint64_t *bits, double *acc) {
    CK_ROW_BODY(uint8_t, 255)
}

void ck_tree_row_u16(const uint64_t *nodes, const double *values, const int64_t *roots, const int64_t *depths,
                     const int64_t *dmins, const int64_t *cat_roots, int64_t ntrees, const uint16_t *codes, int64_t shift,
                     const int32_t *cat, const uint64_t *bits, double *acc) {
    CK_ROW_BODY(uint16_t, 65535)
}

// One row through every tree by refilling lanes across trees (`CodedTreeScorer`'s single rows when the
// ensemble has the splits-only form of the refill walk above, where a tree of one leaf is a split whose
// children are both leaf 0, so every tree starts at a split): the refill walk with trees for rows. Each of
// LANES lanes holds a tree and its node; a lane whose step reaches a leaf records it (leaf_of, by tree) and
// takes the next tree, so no step is spent on a tree whose leaf is known. The eight-tree walk above instead
// runs each group of eight trees to its deepest tree's depth (stopping early only once no tree moved): on the
// serve benchmark's booster (200 trees x 31 leaves, leaf-wise: depth 10.8, shallowest leaf 1.8 on average)
// that is 1,494 steps a row for the 619 on the row's paths. Trees go in chunks of CK_ROW_CHUNK, whose split
// roots are first gathered into a table on the stack (a lane's node is then tps[tree][node]: no register
// for the tree's root, none for the node array); entries past the chunk's last tree repeat it, as scratch
// trees for lanes past the end (their leaf_of slots are never summed; a categorical split of a scratch tree
// reads the last tree's bitsets, which is the tree it walks). After a chunk its leaf values are added in
// tree order from *acc, so the sum is the eight-tree walk's bit for bit. Lane counts: `CodedTreeScorer`.
enum { CK_ROW_CHUNK = 256 };
#define CK_ROW_STEP_TREE(L, TAKE)                                                                   \
    CK_REFILL_LANE_STEP(i##L, tr##L, TAKE, tps[tr##L], 0, 0, cat + 2 * cr[tr##L < cnt ? tr##L : cnt - 1]);
#define CK_ROW_LANES(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define CK_ROW_LANE_INIT(L) int64_t tr##L = (L); uint64_t i##L = 0;
#define CK_ROW_TAKE(L) CK_ROW_STEP_TREE(L, 1)
#define CK_ROW_DRAIN(L) CK_ROW_STEP_TREE(L, 0)
#define CK_ROW_PENDING(L) | (tr##L < cnt)
#define CK_ROW_REFILL_BODY(CODE, CODE_MAX_VALUE)                                                    \
    enum { CODE_MAX = CODE_MAX_VALUE, LANES = 6 };                                                  \
    double s = *acc;                                                                                \
    const uint64_t *tps[CK_ROW_CHUNK + LANES + 1];                                                  \
    uint16_t leaf_of[CK_ROW_CHUNK + LANES + 1];                                                     \
    for (int64_t first = 0; first < ntrees; first += CK_ROW_CHUNK) {                                \
        const int64_t cnt = ntrees - first < CK_ROW_CHUNK ? ntrees - first : CK_ROW_CHUNK;          \
        const int64_t *cr = cat_roots + first;                                                      \
        for (int64_t j = 0; j < cnt; j++) tps[j] = tree + roots[first + j];                         \
        for (int64_t j = cnt; j <= cnt + LANES; j++) tps[j] = tps[cnt - 1];                         \
        CK_ROW_LANES(CK_ROW_LANE_INIT)                                                              \
        int64_t next = LANES;                                                                       \
        while (next < cnt) { CK_ROW_LANES(CK_ROW_TAKE) }                                            \
        next = cnt + LANES;                                                                         \
        while (0 CK_ROW_LANES(CK_ROW_PENDING)) { CK_ROW_LANES(CK_ROW_DRAIN) }                       \
        const int64_t *restrict lr = leaf_roots + first;                                            \
        for (int64_t j = 0; j < cnt; j++) s += values[lr[j] + (leaf_of[j] & 0x7FFF)];               \
    }                                                                                               \
    *acc = s;

void ck_tree_row_refill_u8(const uint64_t *restrict tree, const int64_t *restrict roots, const double *restrict values,
                           const int64_t *restrict leaf_roots, const int64_t *restrict cat_roots, int64_t ntrees,
                           const uint8_t *restrict codes, const int32_t *cat, const uint64_t *bits, double *restrict acc) {
    CK_ROW_REFILL_BODY(uint8_t, 255)
}

void ck_tree_row_refill_u16(const uint64_t *restrict tree, const int64_t *restrict roots, const double *restrict values,
                            const int64_t *restrict leaf_roots, const int64_t *restrict cat_roots, int64_t ntrees,
                            const uint16_t *restrict codes, const int32_t *cat, const uint64_t *bits, double *restrict acc) {
    CK_ROW_REFILL_BODY(uint16_t, 65535)
}


// TreeSHAP by per-leaf tables (`LeafSHAPTables`, Fast TreeSHAP v2). In C for the same reason as
// the walks above: the split comparisons and the "feature j in O" tests are the row's coin flips
// and must stay conditional moves and arithmetic, not branches.

// phi[f_j] += v (o_j - z_j) sum_k c(k) q_k for a leaf computed per row, where
// sum_k q_k x^k = prod_{i != j} (z_i + o_i x): the full product once, one synthetic division per j.
static void shap_deep_leaf(int64_t d, const double *zeros, const int32_t *features, uint64_t mask, double v, double *phi) {
    double p[66], q[66], c[66];
    c[0] = 1.0 / (double)d;
    for (int64_t k = 0; k + 1 < d; k++) c[k + 1] = c[k] * (double)(k + 1) / (double)(d - 1 - k);
    p[0] = 1;
    for (int64_t k = 1; k <= d; k++) p[k] = 0;
    for (int64_t i = 0; i < d; i++) {
        const double z = zeros[i];
        const int one = (int)((mask >> i) & 1);
        for (int64_t k = i + 1; k >= 1; k--) p[k] = p[k] * z + (one ? p[k - 1] : 0);
        p[0] *= z;
    }
    for (int64_t j = 0; j < d; j++) {
        const double z = zeros[j];
        double u = 0;
        if ((mask >> j) & 1) {
            q[d - 1] = p[d];
            for (int64_t k = d - 1; k >= 1; k--) q[k - 1] = p[k] - z * q[k];
            for (int64_t k = 0; k < d; k++) u += c[k] * q[k];
            phi[features[j]] += v * (1 - z) * u;
        } else {
            for (int64_t k = 0; k < d; k++) u += c[k] * p[k];
            phi[features[j]] += v * (0 - z) * (u / z);
        }
    }
}

void ck_shap_tree(const ck_shap_node *nodes, int64_t n, const ck_shap_leaf *leaves, const int32_t *path_feature,
                  const double *path_weight, const double *path_zero, const double *table, const uint64_t *category_bits,
                  const double *x_, int64_t rows, int64_t stride, double *phi_, uint64_t *masks, double *acc) {
    for (int64_t r = 0; r < rows; r++) {
        const double *x = x_ + r * stride;
        double *phi = phi_ + r * stride;
        masks[0] = ~(uint64_t)0;
        // Forward: masks; at a leaf its j in O terms, acc[leaf] = T(O) (0 for a per-row leaf).
        for (int64_t i = 0; i < n; i++) {
            const ck_shap_node *node = nodes + i;
            const uint64_t m = masks[i];
            if (node->feature < 0) {
                const ck_shap_leaf *leaf = leaves + node->aux;
                const int64_t d = leaf->path_count, ps = leaf->path_start;
                if (leaf->table_start < 0) {
                    shap_deep_leaf(d, path_zero + ps, path_feature + ps, m, leaf->value, phi);
                    acc[i] = 0;
                    continue;
                }
                const double *t = table + leaf->table_start, *w = path_weight + ps;
                const int32_t *f = path_feature + ps;
                const int64_t o = (int64_t)(m & ((UINT64_C(1) << d) - 1));
                const double here = t[o];
                for (int64_t j = 0; j < d; j++) {
                    const double in_o = (double)((o >> j) & 1);   // j not in O adds 0 (t[o | bit] is in range)
                    phi[f[j]] += in_o * (here + w[j] * t[o ^ (INT64_C(1) << j)]);
                }
                acc[i] = here;
                continue;
            }
            const double v = x[node->feature];
            int left;
            if (__builtin_expect((node->flags & 2) != 0, 0)) {
                const int64_t c = (int64_t)v;
                if (c < 0) left = node->flags & 1;
                else {
                    const int64_t w = c >> 6;
                    left = w < node->category_words && ((category_bits[node->aux + w] >> (c & 63)) & 1);
                }
            } else {
                left = (v <= node->threshold) | ((v != v) & (node->flags & 1));
            }
            const uint64_t cleared = m & ~(UINT64_C(1) << node->bit);
            masks[i + 1] = __builtin_unpredictable(left) ? m : cleared;
            masks[node->right] = __builtin_unpredictable(left) ? cleared : m;
        }
        // Backward: acc[node] = sum of T(O) over its leaves, taken from its feature where first split on.
        for (int64_t i = n - 1; i >= 0; i--) {
            const ck_shap_node *node = nodes + i;
            if (node->feature >= 0) {
                const double s = acc[i + 1] + acc[node->right];
                acc[i] = s;
                if (node->flags & 4) phi[node->feature] -= s;
            }
        }
    }
}
