import ExecutionControl

/// The conjugate-gradient ALS half-step (`solver = "cg"`), in single precision
/// through BLAS.
///
/// Each solved row x (a user, or an item) minimises
/// xᵀ(YᵀY + λI + Yᵀ(C − I)Y)x − 2xᵀYᵀC p by `steps` CG steps warm-started at its
/// current value (Takács, Pilászy & Tikk 2011; as `implicit`'s CG solver), using
/// YᵀC Y = G + Yᵀ(C − I)Y with the Gram matrix G = YᵀY + λI, so a row's cost is
/// only its own entries. The rows of Y a solved row touches are first copied into
/// one contiguous block B (entries × f), so every product of its CG is a BLAS
/// matrix–vector product: B v and Bᵀ w (`sgemv`) and G v (`sgemv`); G itself is
/// one `ssyrk` per half-step. The library's kernels use the CPU's widest vectors
/// (AVX-512, FMA), which the package's baseline-x86-64 Swift cannot, and the
/// gathered block stays in cache for the CG's four passes. A row with more than
/// `gatherRows` entries (an item every user touched) is gathered in segments
/// again for each product instead, so the buffers stay bounded.
///
/// Factors are rows of `ld` floats (`ld` ≥ f, the padded stride of `ALSKernels`;
/// lanes past f are never written, so zero padding stays zero). Every row is
/// solved from its own data over fixed chunks, and G's row chunks are summed in
/// chunk order: results do not depend on the thread count.
enum ALSGatheredCG {
    /// Longest block gathered once per solve (rows of f floats).
    static let gatherRows = 16_384

    /// G = YᵀY + λI over the n rows of Y, f × f row-major (both triangles): `ssyrk`
    /// over fixed row chunks in parallel, the chunk partials summed in chunk order.
    static func gram(_ y: UnsafePointer<Float>, rows n: Int, f: Int, ld: Int, regularization: Float) -> [Float] {
        let parts: [[Float]] = Parallel.mapChunks(n, chunks: max(1, min(8, n / 4096))) { range in
            var g = [Float](repeating: 0, count: f * f)
            if !range.isEmpty {
                g.withUnsafeMutableBufferPointer { gb in
                    BLAS.ssyrkUpper(transposed: true, n: f, k: range.count, a: y + range.lowerBound * ld, lda: ld,
                                    beta: 0, c: gb.baseAddress!, ldc: f)
                }
            }
            return g
        }
        var g = [Float](repeating: 0, count: f * f)
        for p in parts { for a in 0..<f { for b in a..<f { g[a * f + b] += p[a * f + b] } } }
        for a in 0..<f {
            for b in 0..<a { g[a * f + b] = g[b * f + a] }
            g[a * f + a] += regularization
        }
        return g
    }

    /// Bytes of the per-worker buffers `solve` needs for these rows.
    static func workBytes(_ rows: ALSRows, f: Int, ld: Int, segment: Int) -> Int {
        var longest = 0
        for r in 0..<rows.count { longest = max(longest, rows.start[r + 1] - rows.start[r]) }
        return (min(longest, segment) * (f + 1) + 3 * ld) * 4
    }

    /// Every row of `rows` (the solved side; entries index rows of `fixed`) by
    /// `steps` CG steps from its current value in `solved`. Rows of more than
    /// `segment` entries are gathered in segments of that many for each product.
    static func solve(_ rows: ALSRows, fixed y: UnsafePointer<Float>, solved xs: UnsafeMutablePointer<Float>,
                      gram g: UnsafePointer<Float>, f: Int, ld: Int, steps: Int, segment: Int = gatherRows) throws {
        let n = rows.count
        let ranges = Parallel.ranges(n, chunks: max(1, min(256, n / 16)))
        try ExecutionContext.checkMemory(min(Parallel.threads, ranges.count) * workBytes(rows, f: f, ld: ld, segment: segment), for: "the ALS solver")
        rows.start.withUnsafeBufferPointer { sb in
            rows.index.withUnsafeBufferPointer { ib in
                rows.extra.withUnsafeBufferPointer { eb in
                    let start = sb.baseAddress!, index = ib.baseAddress!, extra = eb.baseAddress!
                    Parallel.forEach(ranges.count) { c in
                        if ExecutionContext.isCancelled { return }   // the check after the loop throws
                        var cap = 0
                        for u in ranges[c] { cap = max(cap, start[u + 1] - start[u]) }
                        cap = min(cap, segment)
                        let block = UnsafeMutablePointer<Float>.allocate(capacity: max(1, cap * f))
                        let t = UnsafeMutablePointer<Float>.allocate(capacity: max(1, cap))
                        let vec = UnsafeMutablePointer<Float>.allocate(capacity: 3 * ld)
                        defer { block.deallocate(); t.deallocate(); vec.deallocate() }
                        vec.initialize(repeating: 0, count: 3 * ld)   // the padding lanes stay zero
                        let r = vec, p = vec + ld, ap = vec + 2 * ld
                        for u in ranges[c] {
                            let x = xs + u * ld
                            let lo = start[u], hi = start[u + 1]
                            let once = hi - lo <= cap
                            /// Copies the fixed rows of entries lo0..<hi0 into the block.
                            func gather(_ lo0: Int, _ hi0: Int) {
                                for k in lo0..<hi0 { (block + (k - lo0) * f).update(from: y + Int(index[k]) * ld, count: f) }
                            }
                            /// out += Σ_k w_k y_k with w = Y v: initial w_k = 1 + e_k − e_k w_k (the
                            /// residual's data part), else w_k = e_k w_k (the product with Yᵀ(C − I)Y).
                            func product(_ v: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, initial: Bool) {
                                var s = lo
                                while s < hi {
                                    let e = min(hi, s + segment), m = e - s
                                    if !once { gather(s, e) }
                                    BLAS.sgemv(m: m, n: f, a: block, lda: f, x: v, y: t)
                                    if initial {
                                        for j in 0..<m { let c = extra[s + j]; t[j] = 1 + c - c * t[j] }
                                    } else {
                                        for j in 0..<m { t[j] *= extra[s + j] }
                                    }
                                    BLAS.sgemv(transposed: true, m: m, n: f, a: block, lda: f, x: t, beta: 1, y: out)
                                    s = e
                                }
                            }
                            if once { gather(lo, hi) }
                            // r = YᵀC p − (G + Yᵀ(C − I)Y) x
                            BLAS.sgemv(m: f, n: f, alpha: -1, a: g, lda: f, x: x, y: r)
                            product(x, into: r, initial: true)
                            p.update(from: r, count: f)
                            var rs = ALSKernels.dot(r, r, ld)
                            for _ in 0..<steps {
                                if rs < 1e-20 { break }
                                BLAS.sgemv(m: f, n: f, a: g, lda: f, x: p, y: ap)
                                product(p, into: ap, initial: false)
                                let pap = ALSKernels.dot(p, ap, ld)
                                if !(pap > 0) { break }
                                let step = rs / pap
                                ALSKernels.axpy(step, p, x, ld)
                                ALSKernels.axpy(-step, ap, r, ld)
                                let rsNew = ALSKernels.dot(r, r, ld)
                                ALSKernels.xpay(r, rsNew / rs, p, ld)
                                rs = rsNew
                            }
                        }
                    }
                }
            }
        }
        try ExecutionContext.check()   // cancellation is sticky: a half-step that stopped early is never used
    }
}
