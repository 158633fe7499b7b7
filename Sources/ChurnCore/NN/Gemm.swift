import Foundation

/// Matrix products for the layers, row-major, our own kernels.
///
/// Why not OpenBLAS (for now): determinism and shape. Every element of C here
/// is a sum over the inner index in ascending order, computed by one thread,
/// so results are bit-identical whatever the thread count; a BLAS's summation
/// order follows its blocking and threading. And the products in these
/// networks are small and skinny — a recurrent step multiplies (rows in one
/// worker's block × 64) by (64 × 192) — already split batch-parallel above the
/// GEMM. Measured so far (scripts/bench/gemm_blas_vs_swift.sh, OpenBLAS
/// 0.3.21 on a loaded 2-core machine): OpenBLAS does 128×192×64 on one thread
/// in 47 µs (≈ 67 GFLOP/s); the built-in kernels' side of that script was not
/// yet run in a release build, so the choice is not yet settled by
/// measurement — run the script before swapping.
enum Gemm {
    /// C[m×n] = (or +=) A[m×k] · B[k×n]. Serial; 4 rows of C at a time so each
    /// row of B is loaded once for four FMAs-worth of work.
    @_specialize(exported: false, where T == Float)
    static func nn<T: NNFloat>(_ m: Int, _ n: Int, _ k: Int,
                               _ a: UnsafePointer<T>, _ lda: Int,
                               _ b: UnsafePointer<T>, _ ldb: Int,
                               _ c: UnsafeMutablePointer<T>, _ ldc: Int, accumulate: Bool) {
        var i = 0
        while i + 4 <= m {
            let c0 = c + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
            if !accumulate { for j in 0..<n { c0[j] = 0; c1[j] = 0; c2[j] = 0; c3[j] = 0 } }
            let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
            for p in 0..<k {
                let x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p]
                let bp = b + p * ldb
                for j in 0..<n {
                    let bv = bp[j]
                    c0[j] += x0 * bv; c1[j] += x1 * bv; c2[j] += x2 * bv; c3[j] += x3 * bv
                }
            }
            i += 4
        }
        while i < m {
            let ci = c + i * ldc, ai = a + i * lda
            if !accumulate { for j in 0..<n { ci[j] = 0 } }
            for p in 0..<k {
                let x = ai[p], bp = b + p * ldb
                for j in 0..<n { ci[j] += x * bp[j] }
            }
            i += 1
        }
    }

    /// `nn` split over row blocks of C on `threads` workers.
    @_specialize(exported: false, where T == Float)
    static func nnParallel<T: NNFloat>(_ m: Int, _ n: Int, _ k: Int,
                                       _ a: UnsafePointer<T>, _ lda: Int,
                                       _ b: UnsafePointer<T>, _ ldb: Int,
                                       _ c: UnsafeMutablePointer<T>, _ ldc: Int,
                                       accumulate: Bool, threads: Int) {
        let work = m * n * k
        if threads <= 1 || work < 1 << 16 || m < 8 {
            nn(m, n, k, a, lda, b, ldb, c, ldc, accumulate: accumulate); return
        }
        let blocks = min(m / 4, threads * 4)
        let rs = Parallel.ranges(m, chunks: blocks)
        WorkerPool.shared.run(rs.count, threads: threads) { bi in
            let r = rs[bi]
            nn(r.count, n, k, a + r.lowerBound * lda, lda, b, ldb, c + r.lowerBound * ldc, ldc, accumulate: accumulate)
        }
    }

    /// C[k×n] = (or +=) Aᵀ · B with A[m×k], B[m×n] (weight gradients: the sum
    /// over the batch). Parallel over rows of C; within a thread the m rows are
    /// walked in blocks (ascending) so a block of B stays in cache while every
    /// row of C it touches is updated — each C element still sums m in order.
    @_specialize(exported: false, where T == Float)
    static func tn<T: NNFloat>(_ m: Int, _ n: Int, _ k: Int,
                               _ a: UnsafePointer<T>, _ lda: Int,
                               _ b: UnsafePointer<T>, _ ldb: Int,
                               _ c: UnsafeMutablePointer<T>, _ ldc: Int,
                               accumulate: Bool, threads: Int) {
        let body: (Range<Int>) -> Void = { rows in
            if !accumulate { for i in rows { for j in 0..<n { c[i * ldc + j] = 0 } } }
            let mb = 128
            var m0 = 0
            while m0 < m {
                let m1 = min(m, m0 + mb)
                var i = rows.lowerBound
                while i + 4 <= rows.upperBound {
                    let c0 = c + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
                    for r in m0..<m1 {
                        let ar = a + r * lda + i
                        let x0 = ar[0], x1 = ar[1], x2 = ar[2], x3 = ar[3]
                        let br = b + r * ldb
                        for j in 0..<n {
                            let bv = br[j]
                            c0[j] += x0 * bv; c1[j] += x1 * bv; c2[j] += x2 * bv; c3[j] += x3 * bv
                        }
                    }
                    i += 4
                }
                while i < rows.upperBound {
                    let ci = c + i * ldc
                    for r in m0..<m1 {
                        let x = a[r * lda + i], br = b + r * ldb
                        for j in 0..<n { ci[j] += x * br[j] }
                    }
                    i += 1
                }
                m0 = m1
            }
        }
        if threads <= 1 || m * n * k < 1 << 16 || k < 8 { body(0..<k); return }
        let rs = Parallel.ranges(k, chunks: min(k / 4, threads * 2))
        WorkerPool.shared.run(rs.count, threads: threads) { body(rs[$0]) }
    }

    /// out[n×m] = in[m×n]ᵀ.
    @_specialize(exported: false, where T == Float)
    static func transpose<T: NNFloat>(_ m: Int, _ n: Int, _ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>) {
        for i in 0..<m { for j in 0..<n { dst[j * m + i] = src[i * n + j] } }
    }

    /// Column sums of A[m×n] added into out[n] (bias gradients), each column
    /// summed in row order.
    @_specialize(exported: false, where T == Float)
    static func addColumnSums<T: NNFloat>(_ m: Int, _ n: Int, _ a: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>) {
        for r in 0..<m { let ar = a + r * n; for j in 0..<n { out[j] += ar[j] } }
    }
}

extension Array {
    /// Mutable and read-only pointer access in one call (the kernels take raw pointers).
    @inline(__always)
    func withPtr<R>(_ body: (UnsafePointer<Element>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(bitPattern: 64)!) }
    }
    @inline(__always)
    mutating func withMutPtr<R>(_ body: (UnsafeMutablePointer<Element>) throws -> R) rethrows -> R {
        try withUnsafeMutableBufferPointer { try body($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 64)!) }
    }
}

/// Times the kernels on one shape (for scripts/bench/gemm_blas_vs_swift.sh).
public enum GemmBench {
    /// Seconds per C[m×n] = A[m×k]·B[k×n] (best of `reps`), with `threads` workers.
    public static func seconds(m: Int, n: Int, k: Int, reps: Int, threads: Int) -> Double {
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        var best = Double.infinity
        for _ in 0..<max(1, reps) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            a.withPtr { ap in b.withPtr { bp in c.withMutPtr { cp in
                Gemm.nnParallel(m, n, k, ap, k, bp, n, cp, n, accumulate: false, threads: threads)
            } } }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return best
    }
}
