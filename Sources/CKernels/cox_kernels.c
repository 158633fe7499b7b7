// The Cox evaluation's inner loops (see CKernels.h for why they are in C).
// `CoxRiskSets.evaluate` splits the groups into fixed chunks and calls
// `ck_cox_groups` once per chunk from its Parallel workers.
#include <math.h>
#include <string.h>
#include "CKernels.h"
#include "ck_clones.h"

int64_t ck_gram_tile_size(int64_t p) { return p * ((p + 7) & ~(int64_t)7); }

// The body shared by the exported function and the Cox pass (inlined into each clone,
// so it is compiled at that clone's width). Row a of the product is built over columns
// 0 ..< ⌈(a+1)/8⌉·8 in a p × pad(p) tile (the few past the diagonal are dropped when
// packing; for the last rows they read the padding after X); four rows per sweep of the tile.
static inline __attribute__((always_inline))
void gram_packed(double *restrict acc, const double *restrict X, const double *restrict w,
                 int64_t lo, int64_t hi, int64_t p, double *restrict tile) {
    if (lo >= hi) return;
    const int64_t q = (p + 7) & ~(int64_t)7;
    memset(tile, 0, sizeof(double) * (size_t)(p * q));
    int64_t r = lo;
    for (; r + 4 <= hi; r += 4) {
        const double *x0 = X + r * p, *x1 = x0 + p, *x2 = x1 + p, *x3 = x2 + p;
        const double w0 = w[r], w1 = w[r + 1], w2 = w[r + 2], w3 = w[r + 3];
        for (int64_t a = 0; a < p; a++) {
            const double u0 = w0 * x0[a], u1 = w1 * x1[a], u2 = w2 * x2[a], u3 = w3 * x3[a];
            double *row = tile + a * q;
            const int64_t end = (a + 8) & ~(int64_t)7;
            for (int64_t b = 0; b < end; b++)
                row[b] += (u0 * x0[b] + u1 * x1[b]) + (u2 * x2[b] + u3 * x3[b]);
        }
    }
    for (; r < hi; r++) {
        const double *x = X + r * p;
        const double wr = w[r];
        for (int64_t a = 0; a < p; a++) {
            const double u = wr * x[a];
            double *row = tile + a * q;
            const int64_t end = (a + 8) & ~(int64_t)7;
            for (int64_t b = 0; b < end; b++) row[b] += u * x[b];
        }
    }
    double *out = acc;
    for (int64_t a = 0; a < p; a++) {
        const double *row = tile + a * q;
        for (int64_t b = 0; b <= a; b++) out[b] += row[b];
        out += a + 1;
    }
}

CK_CLONES
void ck_gram_packed(double *acc, const double *X, const double *w, int64_t lo, int64_t hi, int64_t p, double *tile) {
    gram_packed(acc, X, w, lo, hi, p, tile);
}

CK_CLONES
void ck_cox_groups(const double *restrict X, int64_t p, const double *restrict beta, const double *restrict w,
                   const int64_t *restrict start, const int64_t *restrict eventStart, int64_t g0, int64_t g1,
                   double *restrict sums, double *restrict grams, double *restrict e, double *restrict tile) {
    const int64_t stride = 3 + 2 * p, T = p * (p + 1) / 2;
    for (int64_t g = g0; g < g1; g++) {
        double *s = sums + g * stride, *zc = s + 3, *zd = zc + p;
        const int64_t lo = start[g], mid = eventStart[g], hi = start[g + 1];
        double sAll = 0, sD = 0, llObs = 0;
        for (int64_t r = lo; r < hi; r++) {
            const double *x = X + r * p;
            double eta = 0;
            for (int64_t a = 0; a < p; a++) eta += x[a] * beta[a];
            const double wr = w ? w[r] : 1.0, er = wr * exp(eta);
            e[r] = er;
            sAll += er;
            if (r < mid) {
                for (int64_t a = 0; a < p; a++) zc[a] += er * x[a];
            } else {
                sD += er; llObs += wr * eta;
                for (int64_t a = 0; a < p; a++) zd[a] += er * x[a];
            }
        }
        s[0] = sAll; s[1] = sD; s[2] = llObs;
        if (grams) {
            gram_packed(grams + g * 2 * T, X, e, lo, mid, p, tile);
            gram_packed(grams + g * 2 * T + T, X, e, mid, hi, p, tile);
        }
    }
}
