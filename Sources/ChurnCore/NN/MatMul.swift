import CKernels

/// The matrix products of the network layers, row-major: Float32 through
/// ChurnLab's own C kernels (`ck_sgemm`, Sources/CKernels/gemm_kernels.c),
/// the Float64 test mode through OpenBLAS (`BLAS.dgemm`).
///
/// Why our own Float32 kernels: Debian's sequential OpenBLAS races when two
/// threads call it at once (see `BLAS`), so every call takes a process-wide
/// lock and the workers' recurrent-step products ran one after the other —
/// the lock made a 2-thread GRU epoch only 0.67× PyTorch's. `ck_sgemm` keeps
/// no shared state, so the workers' products overlap. Per call it is about as
/// fast as OpenBLAS on cl.nn's shapes (AVX2+FMA 6 × 16 micro-kernel; one
/// thread, 128×256×72 LSTM step: 52.5 vs 50.1 µs; weight gradient
/// 256×72×1920: 1.16 vs 0.80 ms), and on two workers it is faster, because
/// OpenBLAS's two calls queue at the lock (`scripts/bench/gemm_blas_vs_swift.sh`).
/// OpenBLAS stays the fallback when the kernel cannot allocate its packing
/// buffer, and `Backend.openblas` times it for that bench.
///
/// Threads: `rows` splits the rows of C into one block per worker, each worker
/// making one call on its block; `transposedA` (weight gradients) splits the
/// summed rows into chunks fixed by the sizes alone. `ck_sgemm` sums every
/// element over k in a fixed order whatever the block, so results are
/// bit-identical for any row split, and the weight gradients for any thread
/// count (FusedCellKernelTests, TrainerTests, SgemmKernelTests).
enum MatMul {
    /// Which library a Float32 product runs on (the Float64 mode always uses OpenBLAS).
    enum Backend: Sendable { case kernel, openblas }
    /// Work (multiply–adds) below which a product runs as one call on the
    /// calling thread: splitting costs more than it saves.
    static let serialBelow = 1 << 16

    /// C (m × n) = op(A) · op(B) + beta · C, one call on this thread.
    /// op(A) is m × k, op(B) is k × n; lda, ldb, ldc are row strides.
    @inline(__always)
    static func gemm<T: NNFloat>(transA: Bool = false, transB: Bool = false, _ m: Int, _ n: Int, _ k: Int,
                                 _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
                                 beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int, backend: Backend = .kernel) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // BLAS rejects a zero inner size (its strides must be ≥ 1): C = beta · C.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        if T.self == Float.self {
            let af = UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), bf = UnsafeRawPointer(b).assumingMemoryBound(to: Float.self)
            let cf = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self)
            if backend == .kernel,
               ck_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, af, lda, bf, ldb, Float(beta), cf, ldc) == 0 { return }
            BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k,
                       a: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda: lda,
                       b: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb: ldb,
                       beta: Float(beta), c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc)
        } else {
            BLAS.dgemm(transA: transA, transB: transB, m: m, n: n, k: k,
                       a: UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), lda: lda,
                       b: UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), ldb: ldb,
                       beta: Double(beta), c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc: ldc)
        }
    }

    /// C (m × n) = A · op(B) + beta · C with the m rows of A and C split into
    /// one block per worker (forward products and input gradients: the rows
    /// are the batch).
    static func rows<T: NNFloat>(transB: Bool = false, _ m: Int, _ n: Int, _ k: Int,
                                 _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
                                 beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int, threads: Int,
                                 backend: Backend = .kernel) {
        let blocks = min(threads, m / 8)
        if blocks <= 1 || m * n * k < serialBelow {
            gemm(transB: transB, m, n, k, a, lda, b, ldb, beta: beta, c, ldc, backend: backend); return
        }
        let rs = Parallel.ranges(m, chunks: blocks)
        WorkerPool.shared.run(rs.count, threads: threads) { i in
            let r = rs[i]
            gemm(transB: transB, r.count, n, k, a + r.lowerBound * lda, lda, b, ldb, beta: beta, c + r.lowerBound * ldc, ldc,
                 backend: backend)
        }
    }

    /// Rows of the summed dimension per chunk of a weight gradient, at least.
    static let gradientChunkRows = 1024
    /// Chunks of a weight gradient, at most (12 divides evenly among 1, 2, 3, 4 or 6 workers).
    static let gradientChunks = 12
    /// Values of partial sums a weight gradient may keep (bounds the chunk count for a wide C).
    static let partialBudget = 1 << 22

    /// C (p × q) = Aᵀ · B + beta · C for A (m × p) and B (m × q): a weight
    /// gradient, summed over the m rows (batch, or batch × time).
    ///
    /// The m rows are cut into chunks whose number depends on the sizes only
    /// (≥ `gradientChunkRows` rows each, at most `gradientChunks`); each
    /// worker makes one call per chunk into its own partial C, and the
    /// partials are added to beta · C in chunk order. So every worker packs
    /// only its own rows of A and B (splitting C instead made each pack all m
    /// rows of B: 8.5 % of an LSTM epoch in perf), and the result is the same
    /// bits for every thread count. Fewer rows than two chunks (an MLP batch):
    /// one call, or fixed blocks of C's longer side when the product is large.
    static func transposedA<T: NNFloat>(_ m: Int, _ p: Int, _ q: Int,
                                        _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
                                        beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int, threads: Int) {
        guard p > 0, q > 0 else { return }
        let chunks = min(gradientChunks, m / gradientChunkRows, partialBudget / (p * q))
        if chunks >= 2 {
            let rs = Parallel.ranges(m, chunks: chunks), pq = p * q
            let partial = UnsafeMutablePointer<T>.allocate(capacity: chunks * pq)
            defer { partial.deallocate() }
            WorkerPool.shared.run(chunks, threads: threads) { i in
                let r = rs[i]
                gemm(transA: true, p, q, r.count, a + r.lowerBound * lda, lda, b + r.lowerBound * ldb, ldb,
                     beta: 0, partial + i * pq, q)
            }
            // C = (((beta · C + P₀) + P₁) + …), each row of C by one worker (fixed blocks).
            let rowBlocks = Parallel.ranges(p, chunks: min(threads, p))
            WorkerPool.shared.run(rowBlocks.count, threads: threads) { bi in
                for r in rowBlocks[bi] {
                    let cr = c + r * ldc
                    if beta == 0 { cr.update(repeating: 0, count: q) } else if beta != 1 { for j in 0..<q { cr[j] *= beta } }
                    for i in 0..<chunks { let pr = partial + i * pq + r * q; for j in 0..<q { cr[j] += pr[j] } }
                }
            }
            return
        }
        // One call, or blocks of C's longer side (about 2^20 multiply–adds each, 8 at most).
        let splitRows = p >= q, side = splitRows ? p : q
        let blocks = min(8, (m * p * q) >> 20, side / 16)
        if blocks <= 1 {
            gemm(transA: true, p, q, m, a, lda, b, ldb, beta: beta, c, ldc); return
        }
        let rs = Parallel.ranges(side, chunks: blocks)
        WorkerPool.shared.run(rs.count, threads: threads) { i in
            let r = rs[i]
            if splitRows {
                gemm(transA: true, r.count, q, m, a + r.lowerBound, lda, b, ldb, beta: beta, c + r.lowerBound * ldc, ldc)
            } else {
                gemm(transA: true, p, r.count, m, a, lda, b + r.lowerBound, ldb, beta: beta, c + r.lowerBound, ldc)
            }
        }
    }

    /// out[j] += Σ_i A[i, j] for A (m × n): a bias gradient, each column
    /// summed in row order. With `threads` > 1 and enough rows, blocks of
    /// columns go to the workers (a recurrent layer sums 23,040 rows × 256
    /// columns a batch); each column is still one sum in row order, so the
    /// bits do not depend on the split.
    static func addColumnSums<T: NNFloat>(_ m: Int, _ n: Int, _ a: UnsafePointer<T>, _ lda: Int, _ out: UnsafeMutablePointer<T>,
                                          threads: Int = 1) {
        let blocks = m * n < serialBelow ? 1 : min(threads, n / 16)
        // Float32: the same sums in C, vectorised across columns (ck_column_sums_f32, same bits).
        @inline(__always) func sums(_ c0: Int, _ w: Int) {
            if T.self == Float.self {
                ck_column_sums_f32(m, w, UnsafeRawPointer(a + c0).assumingMemoryBound(to: Float.self), lda,
                                   UnsafeMutableRawPointer(out + c0).assumingMemoryBound(to: Float.self))
            } else {
                for r in 0..<m { let ar = a + r * lda + c0, o = out + c0; for j in 0..<w { o[j] += ar[j] } }
            }
        }
        guard blocks > 1 else { sums(0, n); return }
        let cs = Parallel.ranges(n, chunks: blocks)
        WorkerPool.shared.run(cs.count, threads: threads) { bi in sums(cs[bi].lowerBound, cs[bi].count) }
    }

    /// Every row of C (m × n) set to `v` (a bias, before a product with beta = 1).
    static func fillRows<T: NNFloat>(_ m: Int, _ n: Int, _ v: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>, _ ldc: Int) {
        for r in 0..<m { (c + r * ldc).update(from: v, count: n) }
    }
}

extension Array {
    /// Read-only and mutable pointer access in one call (the products take raw pointers).
    @inline(__always)
    func withPtr<R>(_ body: (UnsafePointer<Element>) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { try body($0.baseAddress ?? UnsafePointer(bitPattern: 64)!) }
    }
    @inline(__always)
    mutating func withMutPtr<R>(_ body: (UnsafeMutablePointer<Element>) throws -> R) rethrows -> R {
        try withUnsafeMutableBufferPointer { try body($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 64)!) }
    }
}
