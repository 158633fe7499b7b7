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

void ck_tree_codes_u8(const double *x, int64_t n, const double *t, int64_t p, uint8_t *out) {
    for (int64_t r = 0; r < n; r++) {
        const double v = x[r];
        out[r] = v != v ? (uint8_t)255 : (uint8_t)rank_below(t, p, v);
    }
}

void ck_tree_codes_u16(const double *x, int64_t n, const double *t, int64_t p, uint16_t *out) {
    for (int64_t r = 0; r < n; r++) {
        const double v = x[r];
        out[r] = v != v ? (uint16_t)65535 : (uint16_t)rank_below(t, p, v);
    }
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

// One step of row j: node i → its child.
#define CK_STEP(i, j)                                                                               \
    do {                                                                                            \
        const uint64_t n_ = tree[i];                                                                \
        const uint64_t k_ = p[(CK_SLOT(n_) << SHIFT) + (j)];                                       \
        int left_;                                                                                  \
        if (__builtin_expect(CK_CAT(n_) != 0, 0)) left_ = cat_left(n_, k_, CODE_MAX, cat, bits);    \
        else left_ = ((k_ + CK_DL(n_)) & CODE_MAX) <= CK_THR(n_);                                   \
        i = __builtin_unpredictable(left_) ? CK_LEFT(n_) : CK_RIGHT(n_);                           \
    } while (0)

// The walk for one code width and block size (SHIFT a constant: the slot offset is one shift).
#define CK_WALK_BODY(CODE, CODE_MAX_VALUE, SHIFT_VALUE)                                              \
    enum { CODE_MAX = CODE_MAX_VALUE, SHIFT = SHIFT_VALUE };                                        \
    int64_t r = 0;                                                                                  \
    for (; r + 8 <= m; r += 8) {                                                                    \
        const CODE *restrict p = codes + r;                                                         \
        uint64_t i0 = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0, i6 = 0, i7 = 0;                    \
        for (int64_t d = 0; d < depth; d++) {                                                       \
            CK_STEP(i0, 0); CK_STEP(i1, 1); CK_STEP(i2, 2); CK_STEP(i3, 3);                         \
            CK_STEP(i4, 4); CK_STEP(i5, 5); CK_STEP(i6, 6); CK_STEP(i7, 7);                         \
        }                                                                                           \
        acc[r] += values[i0]; acc[r + 1] += values[i1]; acc[r + 2] += values[i2];                   \
        acc[r + 3] += values[i3]; acc[r + 4] += values[i4]; acc[r + 5] += values[i5];               \
        acc[r + 6] += values[i6]; acc[r + 7] += values[i7];                                         \
    }                                                                                               \
    for (; r < m; r++) {                                                                            \
        const CODE *restrict p = codes + r;                                                         \
        uint64_t i0 = 0;                                                                            \
        for (int64_t d = 0; d < depth; d++) CK_STEP(i0, 0);                                         \
        acc[r] += values[i0];                                                                       \
    }

#define CK_WALK(NAME, CODE, CODE_MAX_VALUE, SHIFT_VALUE)                                            \
static void NAME(const uint64_t *restrict tree, const double *restrict values, int64_t depth,      \
                 const CODE *restrict codes, int64_t m, const int32_t *cat, const uint64_t *bits,   \
                 double *restrict acc) {                                                            \
    CK_WALK_BODY(CODE, CODE_MAX_VALUE, SHIFT_VALUE)                                                 \
}

CK_WALK(walk_u8_256, uint8_t, 255, 8)
CK_WALK(walk_u8_4096, uint8_t, 255, 12)
CK_WALK(walk_u16_256, uint16_t, 65535, 8)
CK_WALK(walk_u16_4096, uint16_t, 65535, 12)

void ck_tree_walk_u8(const uint64_t *tree, const double *values, int64_t depth, const uint8_t *codes,
                     int64_t shift, int64_t m, const int32_t *cat, const uint64_t *bits, double *acc) {
    if (shift == 8) walk_u8_256(tree, values, depth, codes, m, cat, bits, acc);
    else walk_u8_4096(tree, values, depth, codes, m, cat, bits, acc);
}

void ck_tree_walk_u16(const uint64_t *tree, const double *values, int64_t depth, const uint16_t *codes,
                      int64_t shift, int64_t m, const int32_t *cat, const uint64_t *bits, double *acc) {
    if (shift == 8) walk_u16_256(tree, values, depth, codes, m, cat, bits, acc);
    else walk_u16_4096(tree, values, depth, codes, m, cat, bits, acc);
}
