import ExecutionControl

/// Single-precision vector kernels of the conjugate-gradient ALS solver.
///
/// Factors are stored as rows of `nv` `SIMD4<Float>` vectors (the factor count
/// padded with zeros to a multiple of 16 lanes), so every kernel is a plain loop
/// of 4-lane operations that the compiler keeps in SSE registers without
/// relying on auto-vectorisation or reassociation. Padded lanes stay zero
/// through every solve: they have no data, a zero right-hand side and zero
/// Gram rows, so a padded model is exactly the unpadded one.
enum ALSKernels {
    typealias V = SIMD4<Float>

    /// Vectors per row for `f` factors (a multiple of 4, i.e. 16 floats, so `dot` needs no tail).
    static func lanes(_ f: Int) -> Int { (f + 15) / 16 * 4 }

    /// a · b over nv vectors, four independent running sums.
    @inline(__always)
    static func dot(_ a: UnsafePointer<V>, _ b: UnsafePointer<V>, _ nv: Int) -> Float {
        var s0 = V(), s1 = V(), s2 = V(), s3 = V()
        var v = 0
        while v < nv {
            s0 += a[v] * b[v]; s1 += a[v + 1] * b[v + 1]; s2 += a[v + 2] * b[v + 2]; s3 += a[v + 3] * b[v + 3]
            v += 4
        }
        return ((s0 + s1) + (s2 + s3)).sum()
    }

    /// y += alpha · x over nv vectors.
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<V>, _ y: UnsafeMutablePointer<V>, _ nv: Int) {
        let a = V(repeating: alpha)
        for v in 0..<nv { y[v] += a * x[v] }
    }

    /// Lane `a` of a row.
    @inline(__always)
    static func lane(_ x: UnsafePointer<V>, _ a: Int) -> Float {
        UnsafeRawPointer(x).load(fromByteOffset: a &* 4, as: Float.self)
    }

    /// out = G x for the symmetric Gram matrix G (f rows of nv vectors): a sum of
    /// G's rows weighted by x, four rows per pass over `out`.
    @inline(__always)
    static func symv(_ g: UnsafePointer<V>, _ x: UnsafePointer<V>, into out: UnsafeMutablePointer<V>, f: Int, nv: Int) {
        out.initialize(repeating: V(), count: nv)
        var b = 0
        while b + 4 <= f {
            let c0 = V(repeating: lane(x, b)), c1 = V(repeating: lane(x, b + 1))
            let c2 = V(repeating: lane(x, b + 2)), c3 = V(repeating: lane(x, b + 3))
            let g0 = g + b * nv, g1 = g0 + nv, g2 = g1 + nv, g3 = g2 + nv
            for v in 0..<nv { out[v] += (c0 * g0[v] + c1 * g1[v]) + (c2 * g2[v] + c3 * g3[v]) }
            b += 4
        }
        while b < f { axpy(lane(x, b), g + b * nv, out, nv); b += 1 }
    }

    /// YᵀY + λI over the n rows of Y (f rows of nv vectors, padded lanes zero).
    /// Upper triangle by fixed chunks of four-row rank-4 updates, chunk partials
    /// summed in chunk order (independent of the thread count), then mirrored.
    static func gram(_ y: UnsafePointer<V>, rows n: Int, f: Int, nv: Int, regularization: Float) -> [V] {
        let parts: [[V]] = Parallel.mapChunks(n, chunks: max(1, min(16, n / 1024))) { range in
            var g = [V](repeating: V(), count: f * nv)
            g.withUnsafeMutableBufferPointer { gb in
                let gp = gb.baseAddress!
                var r = range.lowerBound
                while r < range.upperBound {
                    let m = min(4, range.upperBound - r)
                    let x0 = y + r * nv
                    let x1 = m > 1 ? x0 + nv : x0, x2 = m > 2 ? x0 + 2 * nv : x0, x3 = m > 3 ? x0 + 3 * nv : x0
                    // Missing rows of a short block are weighted 0.
                    let w1: Float = m > 1 ? 1 : 0, w2: Float = m > 2 ? 1 : 0, w3: Float = m > 3 ? 1 : 0
                    for a in 0..<f {
                        let c0 = V(repeating: lane(x0, a)), c1 = V(repeating: w1 * lane(x1, a))
                        let c2 = V(repeating: w2 * lane(x2, a)), c3 = V(repeating: w3 * lane(x3, a))
                        let row = gp + a * nv
                        for v in (a / 4)..<nv { row[v] += (c0 * x0[v] + c1 * x1[v]) + (c2 * x2[v] + c3 * x3[v]) }
                    }
                    r += m
                }
            }
            return g
        }
        var g = [V](repeating: V(), count: f * nv)
        for p in parts { for t in 0..<g.count { g[t] += p[t] } }
        g.withUnsafeMutableBufferPointer { gb in
            let raw = UnsafeMutableRawPointer(gb.baseAddress!)
            @inline(__always) func at(_ a: Int, _ b: Int) -> Int { (a * nv * 4 + b) * 4 }
            for a in 0..<f {
                for b in 0..<a { raw.storeBytes(of: raw.load(fromByteOffset: at(b, a), as: Float.self), toByteOffset: at(a, b), as: Float.self) }
                raw.storeBytes(of: raw.load(fromByteOffset: at(a, a), as: Float.self) + regularization, toByteOffset: at(a, a), as: Float.self)
            }
        }
        return g
    }
}

/// One side of the interaction matrix in compressed rows for the solver:
/// row r's entries are `index[start[r]..<start[r+1]]` with `alpha · weight`
/// (the confidence minus one) in `extra`.
struct ALSRows {
    let start: [Int]
    let index: [Int32]
    let extra: [Float]
    var count: Int { start.count - 1 }

    init(_ rows: [[(Int, Double)]], alpha: Double) {
        var s = [Int](repeating: 0, count: rows.count + 1)
        for (r, row) in rows.enumerated() { s[r + 1] = s[r] + row.count }
        var idx = [Int32](repeating: 0, count: s[rows.count]), ex = [Float](repeating: 0, count: s[rows.count])
        var k = 0
        for row in rows { for (i, w) in row { idx[k] = Int32(i); ex[k] = Float(alpha * w); k += 1 } }
        start = s; index = idx; extra = ex
    }
}

/// The conjugate-gradient half-steps: each solved row x minimises
/// xᵀ(YᵀY + λI + Yᵀ(C − I)Y)x − 2xᵀYᵀC p by `steps` CG steps warm-started at its
/// current value (Takács, Pilászy & Tikk 2011; as `implicit`'s CG solver).
enum ALSConjugateGradient {
    typealias V = SIMD4<Float>
    typealias K = ALSKernels

    /// Row by row: for a solved side whose rows each read a few fixed rows that
    /// stay in cache (users against the item factors). Fixed chunks in parallel.
    static func byRow(_ rows: ALSRows, fixed y: UnsafePointer<V>, solved xs: UnsafeMutablePointer<V>,
                      gram g: UnsafePointer<V>, f: Int, nv: Int, steps: Int) throws {
        let n = rows.count
        let ranges = Parallel.ranges(n, chunks: max(1, min(256, n / 64)))
        rows.start.withUnsafeBufferPointer { sb in
            rows.index.withUnsafeBufferPointer { ib in
                rows.extra.withUnsafeBufferPointer { eb in
                    let start = sb.baseAddress!, index = ib.baseAddress!, extra = eb.baseAddress!
                    Parallel.forEach(ranges.count) { c in
                        if ExecutionContext.isCancelled { return }   // the check after the loop throws
                        let buf = UnsafeMutablePointer<V>.allocate(capacity: 3 * nv)
                        defer { buf.deallocate() }
                        let r = buf, p = buf + nv, ap = buf + 2 * nv
                        for u in ranges[c] {
                            let x = xs + u * nv
                            let lo = start[u], hi = start[u + 1]
                            // r = YᵀC p − (YᵀY + λI + Yᵀ(C − I)Y) x
                            K.symv(g, x, into: r, f: f, nv: nv)
                            for v in 0..<nv { r[v] = -r[v] }
                            for k in lo..<hi {
                                let yi = y + Int(index[k]) * nv, e = extra[k]
                                K.axpy(1 + e - e * K.dot(yi, x, nv), yi, r, nv)
                            }
                            p.update(from: r, count: nv)
                            var rs = K.dot(r, r, nv)
                            for _ in 0..<steps {
                                if rs < 1e-20 { break }
                                K.symv(g, p, into: ap, f: f, nv: nv)
                                for k in lo..<hi {
                                    let yi = y + Int(index[k]) * nv
                                    K.axpy(extra[k] * K.dot(yi, p, nv), yi, ap, nv)
                                }
                                let pap = K.dot(p, ap, nv)
                                if !(pap > 0) { break }
                                let step = rs / pap
                                K.axpy(step, p, x, nv)
                                K.axpy(-step, ap, r, nv)
                                let rsNew = K.dot(r, r, nv)
                                let beta = V(repeating: rsNew / rs)
                                for v in 0..<nv { p[v] = r[v] + beta * p[v] }
                                rs = rsNew
                            }
                        }
                    }
                }
            }
        }
        try ExecutionContext.check()   // cancellation is sticky: a half-step that stopped early is never used
    }

    /// Chunk partial buffers this many solved rows × lanes may take (bytes) before
    /// `inLockstep` is not used.
    static let lockstepBytes = 96 << 20
    static let lockstepChunks = 8

    /// Whether `inLockstep` fits for `solved` rows of nv vectors.
    static func lockstepFits(solved: Int, nv: Int) -> Bool { solved * nv * 16 * lockstepChunks <= lockstepBytes }

    /// Every solved row in lockstep, for a solved side that is small (items) while
    /// the fixed side is large (users): each CG product is one sequential pass over
    /// the fixed rows in their own order (`byFixed`: fixed row → solved rows), so
    /// the large factor matrix is streamed rather than gathered at random; fixed
    /// chunks accumulate into their own buffers, summed in chunk order. The same
    /// arithmetic per solved row as `byRow` (a row that converges stops there).
    static func inLockstep(_ byFixed: ALSRows, fixed xf: UnsafePointer<V>, solved ys: UnsafeMutablePointer<V>, solvedCount n: Int,
                           gram g: UnsafePointer<V>, f: Int, nv: Int, steps: Int) throws {
        let chunks = Parallel.ranges(byFixed.count, chunks: lockstepChunks)
        let size = n * nv
        let partial = UnsafeMutablePointer<V>.allocate(capacity: chunks.count * size)
        let work = UnsafeMutablePointer<V>.allocate(capacity: 3 * size)
        defer { partial.deallocate(); work.deallocate() }
        let r = work, p = work + size, ap = work + 2 * size
        var rs = [Float](repeating: 0, count: n), active = [Bool](repeating: true, count: n)
        let itemRanges = Parallel.ranges(n, chunks: max(1, min(64, n / 16)))
        try byFixed.start.withUnsafeBufferPointer { sb in
            try byFixed.index.withUnsafeBufferPointer { ib in
                try byFixed.extra.withUnsafeBufferPointer { eb in
                    let start = sb.baseAddress!, index = ib.baseAddress!, extra = eb.baseAddress!
                    /// One pass over the fixed rows: initial residual sums Σ (1 + e − e·xᵀy) x
                    /// (`initial`), or the products Σ e (xᵀp) x for active rows.
                    func accumulate(initial: Bool, _ act: UnsafePointer<Bool>) throws {
                        Parallel.forEach(chunks.count) { c in
                            if ExecutionContext.isCancelled { return }
                            let buf = partial + c * size
                            buf.initialize(repeating: V(), count: size)
                            for u in chunks[c] {
                                let x = xf + u * nv
                                for k in start[u]..<start[u + 1] {
                                    let i = Int(index[k]), e = extra[k]
                                    if initial {
                                        K.axpy(1 + e - e * K.dot(x, ys + i * nv, nv), x, buf + i * nv, nv)
                                    } else if act[i] {
                                        K.axpy(e * K.dot(x, p + i * nv, nv), x, buf + i * nv, nv)
                                    }
                                }
                            }
                        }
                        try ExecutionContext.check()
                    }
                    /// out_i = Σ_chunks partial_i + sign · G v_i for the active rows.
                    func combine(into out: UnsafeMutablePointer<V>, sign: Float, _ vecs: UnsafePointer<V>, _ act: UnsafePointer<Bool>) {
                        Parallel.forEach(itemRanges.count) { t in
                            let tmp = UnsafeMutablePointer<V>.allocate(capacity: nv)
                            defer { tmp.deallocate() }
                            let s = V(repeating: sign)
                            for i in itemRanges[t] where act[i] {
                                let o = out + i * nv
                                K.symv(g, vecs + i * nv, into: tmp, f: f, nv: nv)
                                for v in 0..<nv { o[v] = s * tmp[v] }
                                for c in 0..<chunks.count { let b = partial + c * size + i * nv; for v in 0..<nv { o[v] += b[v] } }
                            }
                        }
                    }
                    try active.withUnsafeMutableBufferPointer { acb in
                        let act = acb.baseAddress!
                        try accumulate(initial: true, act)
                        combine(into: r, sign: -1, ys, act)
                        p.update(from: r, count: size)
                        for i in 0..<n { rs[i] = K.dot(r + i * nv, r + i * nv, nv) }
                        for _ in 0..<steps {
                            for i in 0..<n where rs[i] < 1e-20 { act[i] = false }
                            if !(0..<n).contains(where: { act[$0] }) { break }
                            try accumulate(initial: false, act)
                            combine(into: ap, sign: 1, p, act)
                            for i in 0..<n where act[i] {
                                let pi = p + i * nv, api = ap + i * nv, ri = r + i * nv
                                let pap = K.dot(pi, api, nv)
                                if !(pap > 0) { act[i] = false; continue }
                                let step = rs[i] / pap
                                K.axpy(step, pi, ys + i * nv, nv)
                                K.axpy(-step, api, ri, nv)
                                let rsNew = K.dot(ri, ri, nv)
                                let beta = V(repeating: rsNew / rs[i])
                                for v in 0..<nv { pi[v] = ri[v] + beta * pi[v] }
                                rs[i] = rsNew
                            }
                        }
                    }
                }
            }
        }
    }
}
