// Float32 matrix products of cl.nn (MatMul.swift): C = op(A)·op(B) + beta·C, row-major.
//
// Why our own kernels and not OpenBLAS: Debian's sequential OpenBLAS 0.3.21 is built without
// USE_LOCKING and gives wrong products when two threads call it at once (OpenBLAS#2126), so
// every call into it is serialised by a lock (BLAS.swift) and the two workers' recurrent-step
// products cannot overlap. These kernels keep no global state (packing space is the caller's
// stack and a per-thread buffer), so workers run them in parallel without a lock.
//
// Structure (BLIS-style): k is cut into blocks of KC, n into blocks of NC; per (k, n) block,
// op(B) is packed into panels of NR columns (k-major, zero-padded), and per MR rows op(A) is
// packed k-major; a register-blocked micro-kernel then computes an MR × NR tile from one A
// panel and one B panel. Two builds, picked at run time (__builtin_cpu_supports):
//   AVX2+FMA: MR 6 × NR 16 (12 ymm accumulators);
//   baseline: MR 4 × NR 8, plain C.
// No AVX-512 build: on this machine (AMD EPYC, Zen 4, which runs a 512-bit FMA as two 256-bit
// halves) an AVX-512 12 × 32 kernel ran a 128 × 256 × 72 product (the LSTM step) at 47 GFLOP/s
// and an AVX-512VL 12 × 16 one (32 registers) at 52, against 91 for the AVX2 6 × 16 kernel and
// 95 for OpenBLAS 0.3.21's Haswell kernel (one thread, /tmp C harness, 2026-12-04 11:45 UTC).
//
// Deterministic: every element of C is the sum over p = 0, 1, …, k−1 in that order, one
// multiply-add at a time into one Float32 accumulator; a k block continues from the value
// the previous block stored (a Float32 store and load are exact), and beta·C is added once,
// after the first k block. So an element's bits depend on k, its row of op(A) and its column
// of op(B) only — not on m, on how the rows or columns of C are split, or on thread count.
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include "CKernels.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define CK_KC 256      // k block: an A panel (MR × KC) stays in L1, a B panel (KC × NR) in L1/L2
#define CK_NC 512      // n block: the packed B block (KC × NC floats, 512 KB) stays in L2
#define CK_MR_MAX 6

// ---- per-thread packing buffer for B (grown as needed, freed when the thread exits) ----

static pthread_key_t ck_gemm_key;
static pthread_once_t ck_gemm_once = PTHREAD_ONCE_INIT;
typedef struct { float *data; size_t capacity; } ck_gemm_buffer;
static void ck_gemm_buffer_free(void *p) {
    ck_gemm_buffer *b = p;
    free(b->data);
    free(b);
}
static void ck_gemm_key_init(void) { pthread_key_create(&ck_gemm_key, ck_gemm_buffer_free); }

/// This thread's B buffer with room for `count` floats (64-byte aligned), or NULL when out of memory.
static float *ck_gemm_thread_buffer(size_t count) {
    pthread_once(&ck_gemm_once, ck_gemm_key_init);
    ck_gemm_buffer *b = pthread_getspecific(ck_gemm_key);
    if (!b) {
        b = calloc(1, sizeof *b);
        if (!b || pthread_setspecific(ck_gemm_key, b) != 0) { free(b); return NULL; }
    }
    if (b->capacity < count) {
        void *p = NULL;
        if (posix_memalign(&p, 64, count * sizeof(float)) != 0) return NULL;
        free(b->data);
        b->data = p;
        b->capacity = count;
    }
    return b->data;
}

// ---- packing ----

/// ap[p · MR + r] = op(A)(i0 + r, p0 + p) for r < mr, p < kc.
static void ck_pack_a(int transA, const float *a, ptrdiff_t lda, ptrdiff_t i0, int mr, ptrdiff_t p0,
                      ptrdiff_t kc, int MR, float *ap) {
    if (transA) {
        // Full panels copy a constant size (inlined moves; a memmove call per p of 24 bytes was
        // most of the 14 % memmove in an MLP epoch's profile).
        if (mr == CK_MR_MAX && MR == CK_MR_MAX) {
            for (ptrdiff_t p = 0; p < kc; p++) memcpy(ap + p * CK_MR_MAX, a + (p0 + p) * lda + i0, CK_MR_MAX * sizeof(float));
        } else {
            for (ptrdiff_t p = 0; p < kc; p++) memcpy(ap + p * MR, a + (p0 + p) * lda + i0, (size_t)mr * sizeof(float));
        }
    } else {
        for (int r = 0; r < mr; r++) {
            const float *ar = a + (i0 + r) * lda + p0;
            for (ptrdiff_t p = 0; p < kc; p++) ap[p * MR + r] = ar[p];
        }
    }
}

/// Panels of NR columns of op(B)(p0 ..< p0 + kc, j0 ..< j0 + nc): panel q at bp + q · kc · NR,
/// bp[q · kc · NR + p · NR + jj] = op(B)(p0 + p, j0 + q · NR + jj), zeros past column nc.
static void ck_pack_b(int transB, const float *b, ptrdiff_t ldb, ptrdiff_t p0, ptrdiff_t kc, ptrdiff_t j0,
                      ptrdiff_t nc, int NR, float *bp) {
    for (ptrdiff_t q = 0; q * NR < nc; q++) {
        float *panel = bp + q * kc * NR;
        const ptrdiff_t jb = j0 + q * NR;
        const int nr = nc - q * NR < NR ? (int)(nc - q * NR) : NR;
        if (transB) {
            if (nr < NR) memset(panel, 0, (size_t)(kc * NR) * sizeof(float));
            for (int jj = 0; jj < nr; jj++) {
                const float *bj = b + (jb + jj) * ldb + p0;
                for (ptrdiff_t p = 0; p < kc; p++) panel[p * NR + jj] = bj[p];
            }
        } else if (nr == 16 && NR == 16) {
            for (ptrdiff_t p = 0; p < kc; p++) memcpy(panel + p * 16, b + (p0 + p) * ldb + jb, 16 * sizeof(float));
        } else {
            for (ptrdiff_t p = 0; p < kc; p++) {
                float *dst = panel + p * NR;
                memcpy(dst, b + (p0 + p) * ldb + jb, (size_t)nr * sizeof(float));
                for (int jj = nr; jj < NR; jj++) dst[jj] = 0;
            }
        }
    }
}

// ---- micro-kernels: C tile (mr × nr, row stride ldc) from ap (kc × MR) and bp (kc × NR) ----
// first: this is the first k block (C = acc + beta·C, or acc when beta is 0); else C = C + acc,
// the sum continued from C's value.

typedef void (*ck_tile_fn)(ptrdiff_t kc, const float *a, ptrdiff_t aps, ptrdiff_t ars, const float *bp, float *c,
                           ptrdiff_t ldc, int mr, int nr, int first, float beta);

/// Baseline: MR 4 × NR 8, plain C (SSE2 after the compiler). op(A)(r, p) = a[p · aps + r · ars]
/// (packed: aps = MR, ars = 1; A read in place: its strides).
#define CK_G_MR 4
#define CK_G_NR 8
static void ck_tile_generic(ptrdiff_t kc, const float *a, ptrdiff_t aps, ptrdiff_t ars, const float *bp, float *c,
                            ptrdiff_t ldc, int mr, int nr, int first, float beta) {
    float acc[CK_G_MR][CK_G_NR];
    for (int r = 0; r < CK_G_MR; r++)
        for (int j = 0; j < CK_G_NR; j++) acc[r][j] = (!first && r < mr && j < nr) ? c[r * ldc + j] : 0.0f;
    for (ptrdiff_t p = 0; p < kc; p++) {
        const float *bk = bp + p * CK_G_NR;
        for (int r = 0; r < mr; r++) {
            const float av = a[p * aps + r * ars];
            for (int j = 0; j < CK_G_NR; j++) acc[r][j] += av * bk[j];
        }
    }
    for (int r = 0; r < mr; r++)
        for (int j = 0; j < nr; j++)
            c[r * ldc + j] = (first && beta != 0.0f) ? acc[r][j] + beta * c[r * ldc + j] : acc[r][j];
}

#if defined(__x86_64__)
#define CK_AVX2 __attribute__((target("avx2,fma")))

/// AVX2 + FMA: MR 6 × NR 16 (two 8-float vectors), the 12 accumulators in registers. Full
/// tiles load and store C plainly; edge tiles (nr < 16) through a lane mask (AMD runs
/// vmaskmovps stores in microcode: a 23,040 × 192 × 8 product took 17 ms with masked stores
/// on every tile, 8 ms without).
#define CK_A2_MR 6
#define CK_A2_NR 16
CK_AVX2 static inline __attribute__((always_inline))
void ck_tile_avx2_body(const int MR, ptrdiff_t kc, const float *a, const ptrdiff_t aps, const ptrdiff_t ars,
                       const float *bp, float *c, ptrdiff_t ldc, int nr, int first, float beta) {
    __m256 c0[CK_A2_MR], c1[CK_A2_MR];
    const int full = nr == CK_A2_NR;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr), lane);
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr - 8), lane);
    for (int r = 0; r < MR; r++) {
        if (first) { c0[r] = _mm256_setzero_ps(); c1[r] = _mm256_setzero_ps(); }
        else if (full) { c0[r] = _mm256_loadu_ps(c + r * ldc); c1[r] = _mm256_loadu_ps(c + r * ldc + 8); }
        else { c0[r] = _mm256_maskload_ps(c + r * ldc, m0); c1[r] = _mm256_maskload_ps(c + r * ldc + 8, m1); }
    }
    for (ptrdiff_t p = 0; p < kc; p++) {
        const __m256 b0 = _mm256_load_ps(bp + p * CK_A2_NR), b1 = _mm256_load_ps(bp + p * CK_A2_NR + 8);
        for (int r = 0; r < MR; r++) {
            const __m256 av = _mm256_broadcast_ss(a + p * aps + r * ars);
            c0[r] = _mm256_fmadd_ps(av, b0, c0[r]);
            c1[r] = _mm256_fmadd_ps(av, b1, c1[r]);
        }
    }
    const __m256 vb = _mm256_set1_ps(beta);
    for (int r = 0; r < MR; r++) {
        float *cr = c + r * ldc;
        if (full) {
            if (first && beta != 0.0f) {
                c0[r] = _mm256_add_ps(c0[r], _mm256_mul_ps(vb, _mm256_loadu_ps(cr)));
                c1[r] = _mm256_add_ps(c1[r], _mm256_mul_ps(vb, _mm256_loadu_ps(cr + 8)));
            }
            _mm256_storeu_ps(cr, c0[r]);
            _mm256_storeu_ps(cr + 8, c1[r]);
        } else {
            if (first && beta != 0.0f) {
                c0[r] = _mm256_add_ps(c0[r], _mm256_mul_ps(vb, _mm256_maskload_ps(cr, m0)));
                c1[r] = _mm256_add_ps(c1[r], _mm256_mul_ps(vb, _mm256_maskload_ps(cr + 8, m1)));
            }
            _mm256_maskstore_ps(cr, m0, c0[r]);
            _mm256_maskstore_ps(cr + 8, m1, c1[r]);
        }
    }
}

/// The tile's row count as a constant, so the accumulators unroll into registers; A packed
/// (strides MR, 1: constants, so its addresses fold) or read in place (the caller's strides:
/// one row pointer per row, no copy).
#define CK_A2_SWITCH(APS, ARS) \
    switch (mr) { \
    case 1: ck_tile_avx2_body(1, kc, a, APS, ARS, bp, c, ldc, nr, first, beta); break; \
    case 2: ck_tile_avx2_body(2, kc, a, APS, ARS, bp, c, ldc, nr, first, beta); break; \
    case 3: ck_tile_avx2_body(3, kc, a, APS, ARS, bp, c, ldc, nr, first, beta); break; \
    case 4: ck_tile_avx2_body(4, kc, a, APS, ARS, bp, c, ldc, nr, first, beta); break; \
    case 5: ck_tile_avx2_body(5, kc, a, APS, ARS, bp, c, ldc, nr, first, beta); break; \
    default: ck_tile_avx2_body(6, kc, a, APS, ARS, bp, c, ldc, nr, first, beta); break; \
    }
CK_AVX2 static void ck_tile_avx2(ptrdiff_t kc, const float *a, ptrdiff_t aps, ptrdiff_t ars, const float *bp, float *c,
                                 ptrdiff_t ldc, int mr, int nr, int first, float beta) {
    if (aps == CK_A2_MR && ars == 1) { CK_A2_SWITCH(CK_A2_MR, 1) }
    else { CK_A2_SWITCH(aps, ars) }
}
#endif

/// The widest micro-kernel this CPU runs, and its MR × NR.
static ck_tile_fn ck_pick_tile(int *MR, int *NR) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) { *MR = CK_A2_MR; *NR = CK_A2_NR; return ck_tile_avx2; }
#endif
    *MR = CK_G_MR; *NR = CK_G_NR;
    return ck_tile_generic;
}

int32_t ck_sgemm_isa(void) {
    int mr, nr;
    const ck_tile_fn f = ck_pick_tile(&mr, &nr);
#if defined(__x86_64__)
    if (f == ck_tile_avx2) return 1;
#endif
    return 0;
}

/// Floats of the packed op(B) (k × n) for NR-column panels: per k block of KC, ⌈n/NR⌉ panels.
static ptrdiff_t ck_packed_b_floats(ptrdiff_t k, ptrdiff_t n, int NR) { return k * ((n + NR - 1) / NR) * NR; }

/// C (rows i0 … m of the tiles) for one k block [p0, p0 + kc) and the n columns [j0, j0 + nc),
/// with that block of op(B) packed at bp (panel q at bp + q · kc · NR). op(A) is read in place
/// when it is not transposed (its rows are contiguous in k: the kernel broadcasts from MR row
/// pointers, no copy), else packed MR rows at a time into ap.
static void ck_block(ck_tile_fn tile, int MR, int NR, int transA, ptrdiff_t m, const float *a, ptrdiff_t lda,
                     ptrdiff_t p0, ptrdiff_t kc, ptrdiff_t j0, ptrdiff_t nc, const float *bp, float beta,
                     float *c, ptrdiff_t ldc, float *ap) {
    const int first = p0 == 0;
    for (ptrdiff_t i0 = 0; i0 < m; i0 += MR) {
        const int mr = m - i0 < MR ? (int)(m - i0) : MR;
        const float *at;
        ptrdiff_t aps, ars;
        if (transA) { ck_pack_a(transA, a, lda, i0, mr, p0, kc, MR, ap); at = ap; aps = MR; ars = 1; }
        else { at = a + i0 * lda + p0; aps = 1; ars = lda; }
        for (ptrdiff_t q = 0; q * NR < nc; q++) {
            const int nr = nc - q * NR < NR ? (int)(nc - q * NR) : NR;
            tile(kc, at, aps, ars, bp + q * kc * NR, c + i0 * ldc + j0 + q * NR, ldc, mr, nr, first, beta);
        }
    }
}

/// C = beta · C (k = 0: no products).
static void ck_scale_c(ptrdiff_t m, ptrdiff_t n, float beta, float *c, ptrdiff_t ldc) {
    for (ptrdiff_t i = 0; i < m; i++)
        for (ptrdiff_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
}

int32_t ck_sgemm(int32_t transA, int32_t transB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                 const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                 float beta, float *c, ptrdiff_t ldc) {
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) { ck_scale_c(m, n, beta, c, ldc); return 0; }
    int MR, NR;
    const ck_tile_fn tile = ck_pick_tile(&MR, &NR);
    const ptrdiff_t kcMax = k < CK_KC ? k : CK_KC;
    const ptrdiff_t ncMax = n < CK_NC ? n : CK_NC;
    float *bp = ck_gemm_thread_buffer((size_t)ck_packed_b_floats(kcMax, ncMax, NR));
    if (!bp) return -1;
    float ap[CK_KC * CK_MR_MAX] __attribute__((aligned(64)));
    for (ptrdiff_t p0 = 0; p0 < k; p0 += CK_KC) {
        const ptrdiff_t kc = k - p0 < CK_KC ? k - p0 : CK_KC;
        for (ptrdiff_t j0 = 0; j0 < n; j0 += CK_NC) {
            const ptrdiff_t nc = n - j0 < CK_NC ? n - j0 : CK_NC;
            ck_pack_b(transB, b, ldb, p0, kc, j0, nc, NR, bp);
            ck_block(tile, MR, NR, transA, m, a, lda, p0, kc, j0, nc, bp, beta, c, ldc, ap);
        }
    }
    return 0;
}

// ---- op(B) packed once, used by many products (a recurrent layer's weights, every step) ----
// Layout: the k block [p0, p0 + kc) at p0 · ⌈n/NR⌉·NR, as `ck_pack_b` writes it for all n
// columns at once; NC blocks of C's columns are runs of its panels (CK_NC is a multiple of NR).
// Each element of C is summed in the same order as by `ck_sgemm`, so the two give the same bits.

ptrdiff_t ck_sgemm_packed_floats(ptrdiff_t k, ptrdiff_t n) {
    int MR, NR;
    (void)ck_pick_tile(&MR, &NR);
    return k > 0 && n > 0 ? ck_packed_b_floats(k, n, NR) : 0;
}

int32_t ck_sgemm_pack_b(int32_t transB, ptrdiff_t k, ptrdiff_t n, const float *b, ptrdiff_t ldb, float *bp) {
    if (((uintptr_t)bp & 31) != 0) return -1;
    int MR, NR;
    (void)ck_pick_tile(&MR, &NR);
    const ptrdiff_t npad = (n + NR - 1) / NR * NR;
    for (ptrdiff_t p0 = 0; p0 < k; p0 += CK_KC) {
        const ptrdiff_t kc = k - p0 < CK_KC ? k - p0 : CK_KC;
        ck_pack_b(transB, b, ldb, p0, kc, 0, n, NR, bp + p0 * npad);
    }
    return 0;
}

int32_t ck_sgemm_packed(int32_t transA, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t lda,
                        const float *bp, float beta, float *c, ptrdiff_t ldc) {
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) { ck_scale_c(m, n, beta, c, ldc); return 0; }
    int MR, NR;
    const ck_tile_fn tile = ck_pick_tile(&MR, &NR);
    const ptrdiff_t npad = (n + NR - 1) / NR * NR;
    float ap[CK_KC * CK_MR_MAX] __attribute__((aligned(64)));
    for (ptrdiff_t p0 = 0; p0 < k; p0 += CK_KC) {
        const ptrdiff_t kc = k - p0 < CK_KC ? k - p0 : CK_KC;
        for (ptrdiff_t j0 = 0; j0 < n; j0 += CK_NC) {
            const ptrdiff_t nc = n - j0 < CK_NC ? n - j0 : CK_NC;
            ck_block(tile, MR, NR, transA, m, a, lda, p0, kc, j0, nc, bp + p0 * npad + (j0 / NR) * kc * NR, beta,
                     c, ldc, ap);
        }
    }
    return 0;
}

// ---- column sums (bias gradients) ----
// out[j] += Σ_r a[r · lda + j], each column summed in row order (the same bits as the plain loop
// `for r { for j { out[j] += a[r][j] } }`), 64 columns at a time held in registers. The Swift
// loop it replaces (MatMul.addColumnSums: 23,040 rows × 256 columns a batch for an LSTM) ran
// scalar, with out reloaded every row (its pointers may alias): 11 % of an LSTM epoch in perf.
#include "ck_clones.h"
CK_CLONES
void ck_column_sums_f32(ptrdiff_t m, ptrdiff_t n, const float *restrict a, ptrdiff_t lda, float *restrict out) {
    ptrdiff_t j0 = 0;
    for (; j0 + 64 <= n; j0 += 64) {
        float acc[64];
        for (int j = 0; j < 64; j++) acc[j] = out[j0 + j];
        for (ptrdiff_t r = 0; r < m; r++) {
            const float *ar = a + r * lda + j0;
            for (int j = 0; j < 64; j++) acc[j] += ar[j];
        }
        for (int j = 0; j < 64; j++) out[j0 + j] = acc[j];
    }
    for (ptrdiff_t r = 0; r < m && j0 < n; r++) {
        const float *ar = a + r * lda;
        for (ptrdiff_t j = j0; j < n; j++) out[j] += ar[j];
    }
}
