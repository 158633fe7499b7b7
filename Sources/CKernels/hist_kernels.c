// The GBDT row-wise histogram update (HistogramBuilder.buildRowWise; see CKernels.h for why
// kernels are in C). Here for the software prefetch Swift has no way to issue: a leaf's rows
// are scattered over the row-major bins, and before this kernel a third of the histogram
// time was spent waiting for those loads (perf annotate, 1M-row benchmark table).
#include "CKernels.h"
#include "ck_clones.h"

CK_CLONES
void ck_hist_rows(double *a, double *b, const uint8_t *rowBins, int64_t stride, const int32_t *off,
                  int64_t f0, int64_t f1, const uint32_t *rows, int64_t m, const double *gh) {
    enum { ahead = 16 };   // rows prefetched ahead: enough to cover a memory miss at 11+ bins a row
    for (int64_t i = 0; i < m; i++) {
        if (i + ahead < m) {
            const int64_t q = (int64_t)rows[i + ahead];
            const uint8_t *next = rowBins + q * stride;
            __builtin_prefetch(next + f0);
            if (((uintptr_t)(next + f0) ^ (uintptr_t)(next + f1 - 1)) >= 64) __builtin_prefetch(next + f1 - 1);
            __builtin_prefetch(gh + 2 * q);
        }
        const int64_t r = (int64_t)rows[i];
        const uint8_t *rb = rowBins + r * stride;
        const double g = gh[2 * r], h = gh[2 * r + 1];
        double *hist = (i & 1) ? b : a;
        for (int64_t f = f0; f < f1; f++) {
            double *p = hist + 3 * ((int64_t)off[f] + rb[f]);
            p[0] += g;
            p[1] += h;
            p[2] += 1;
        }
    }
}
