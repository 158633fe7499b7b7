import CKernels

/// The right side op(B) (k × n) of many products packed once, for the
/// Float32 kernel's panels (`ck_sgemm_pack_b`): a recurrent layer multiplies
/// by the same weights at every step of a pass, and `ck_sgemm` repacked them
/// every step — 17 % of GRU inference in perf (nngemm10). `product` gives the
/// same bits as `MatMul.gemm` with that op(B) (SgemmKernelTests).
///
/// Float64 (the test mode) and a failed allocation keep a row-major copy of
/// op(B) and run `MatMul.gemm` on it.
final class PackedRightSide<T: NNFloat> {
    let k: Int, n: Int
    private var packed: UnsafeMutableRawPointer?
    private var plain: [T] = []

    /// op(B) = B (k × n, row stride ldb), or Bᵀ with B n × k when `transB`.
    init(transB: Bool, _ k: Int, _ n: Int, _ b: UnsafePointer<T>, _ ldb: Int) {
        self.k = k; self.n = n
        if T.self == Float.self, k > 0, n > 0 {
            let floats = ck_sgemm_packed_floats(k, n)
            let p = UnsafeMutableRawPointer.allocate(byteCount: floats * MemoryLayout<Float>.stride, alignment: 64)
            if ck_sgemm_pack_b(transB ? 1 : 0, k, n, UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb,
                               p.assumingMemoryBound(to: Float.self)) == 0 {
                packed = p; return
            }
            p.deallocate()
        }
        plain = [T](repeating: 0, count: k * n)
        for p in 0..<k { for j in 0..<n { plain[p * n + j] = transB ? b[j * ldb + p] : b[p * ldb + j] } }
    }

    deinit { packed?.deallocate() }

    /// C (m × n) = A · op(B) + beta · C, A m × k with row stride lda; one call on this thread.
    @inline(__always)
    func product(_ m: Int, _ a: UnsafePointer<T>, _ lda: Int, beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int) {
        if let packed, T.self == Float.self {
            ck_sgemm_packed(0, m, n, k, UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda,
                            packed.assumingMemoryBound(to: Float.self), Float(beta),
                            UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc)
            return
        }
        plain.withPtr { MatMul.gemm(m, n, k, a, lda, $0, n, beta: beta, c, ldc) }
    }
}
