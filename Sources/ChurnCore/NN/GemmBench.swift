import Foundation

/// Times the layers' matrix-product path (for scripts/bench/gemm_blas_vs_swift.sh).
public enum GemmBench {
    /// Seconds per C[m×n] = A[m×k]·B[k×n] through `MatMul.rows` (best of
    /// `reps`) with `threads` workers, each making one call on its block of
    /// rows: ChurnLab's kernel (`openblas` false) or OpenBLAS behind its lock.
    public static func seconds(m: Int, n: Int, k: Int, reps: Int, threads: Int, openblas: Bool = false) -> Double {
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        var best = Double.infinity
        for _ in 0..<max(1, reps) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            a.withPtr { ap in b.withPtr { bp in c.withMutPtr { cp in
                MatMul.rows(m, n, k, ap, k, bp, n, beta: 0, cp, n, threads: threads, backend: openblas ? .openblas : .kernel)
            } } }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return best
    }
}
