/* OpenBLAS side of scripts/bench/gemm_blas_vs_swift.sh: seconds per
 * row-major float32 C = A·B (best of reps) for the shapes given on the command
 * line as m,n,k,threads triples; openblas_set_num_threads pins the thread count. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
extern void openblas_set_num_threads(int);
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
    int reps = atoi(argv[1]);
    for (int i = 2; i < argc; i++) {
        int m, n, k, th;
        if (sscanf(argv[i], "%d,%d,%d,%d", &m, &n, &k, &th) != 4) return 2;
        openblas_set_num_threads(th);
        float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
        for (long j = 0; j < (long)m * k; j++) a[j] = 0.5f;
        for (long j = 0; j < (long)k * n; j++) b[j] = 0.25f;
        double best = 1e30;
        for (int r = 0; r < reps; r++) {
            double t0 = now();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
            double t = now() - t0; if (t < best) best = t;
        }
        printf("%s %.6f\n", argv[i], best);
        free(a); free(b); free(c);
    }
    return 0;
}
