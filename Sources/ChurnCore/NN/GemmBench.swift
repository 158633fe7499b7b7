import Foundation

/// Times the layers' matrix-product path (for scripts/bench/gemm_blas_vs_swift.sh).
public enum GemmBench {
    /// Seconds per C[m×n] = A[m×k]·B[k×n] with the m rows split over
    /// `threads` workers as the recurrence splits its batch: each worker runs
    /// `reps` products on its own block back to back (so waking the workers is
    /// paid once, not per product), on ChurnLab's kernel (`openblas` false) or
    /// on OpenBLAS behind its lock, where the workers' products queue. Total
    /// time / reps, best of 3.
    public static func seconds(m: Int, n: Int, k: Int, reps: Int, threads: Int, openblas: Bool = false) -> Double {
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        let blocks = Parallel.ranges(m, chunks: max(1, min(threads, m)))
        let backend: MatMul.Backend = openblas ? .openblas : .kernel
        var best = Double.infinity
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            a.withPtr { ap in b.withPtr { bp in c.withMutPtr { cp in
                WorkerPool.shared.run(blocks.count, threads: threads) { i in
                    let r = blocks[i]
                    for _ in 0..<max(1, reps) {
                        MatMul.gemm(r.count, n, k, ap + r.lowerBound * k, k, bp, n, beta: 0, cp + r.lowerBound * n, n, backend: backend)
                    }
                }
            } } }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(max(1, reps)))
        }
        return best
    }
}
