import ExecutionControl

/// Options of implicit-feedback ALS (names as in the `implicit` package).
public struct ALSOptions: Sendable {
    public var factors = 64
    public var iterations = 15
    public var regularization = 0.01
    /// Confidence c_ui = 1 + alpha · r_ui (Hu, Koren & Volinsky 2008). Note that
    /// `implicit` uses c = alpha · r, so one view at its default alpha = 1 adds nothing.
    public var alpha = 40.0
    /// Conjugate-gradient steps per user/item solve (3 as in `implicit`);
    /// `factors` steps solve each least-squares problem exactly.
    public var cgSteps = 3
    public var seed: UInt64 = 42
    public init() {}
}

/// Implicit-feedback matrix factorisation by alternating least squares
/// (Hu, Koren & Volinsky 2008) with the conjugate-gradient solver of
/// Takács, Pilászy & Tikk (2011), as `implicit`'s AlternatingLeastSquares:
/// minimises Σ_{u,i} c_ui (p_ui − x_uᵀ y_i)² + λ (Σ‖x_u‖² + Σ‖y_i‖²), p = 1
/// for observed pairs and 0 otherwise, over all pairs, using
/// YᵀC_uY = YᵀY + Yᵀ(C_u − I)Y so each user's solve costs only its own items.
/// Users (then items) are solved in parallel over fixed chunks; results do not
/// depend on the thread count.
public struct ALSModel: Sendable {
    public let matrix: InteractionMatrix
    public let factors: Int
    /// Row-major users × factors and items × factors.
    public var userFactors: [Double]
    public var itemFactors: [Double]
    public let options: ALSOptions
    /// Objective after each iteration.
    public var loss: [Double] = []

    public static func fit(_ m: InteractionMatrix, _ o: ALSOptions) throws -> ALSModel {
        guard o.factors >= 1, o.iterations >= 1, o.cgSteps >= 1 else { throw ClusterError.invalid("factors, iterations and cg_steps must be at least 1") }
        guard o.regularization.isFinite, o.regularization >= 0, o.alpha.isFinite, o.alpha >= 0 else {
            throw ClusterError.invalid("regularization and alpha must be finite numbers >= 0")
        }
        let f = o.factors
        try ExecutionContext.checkMemory((m.users.count + m.items.count) * f * 8, for: "ALS factors")
        var rng = SeededRandom(seed: o.seed)
        var model = ALSModel(matrix: m, factors: f,
                             userFactors: (0..<(m.users.count * f)).map { _ in rng.normal() * 0.01 },
                             itemFactors: (0..<(m.items.count * f)).map { _ in rng.normal() * 0.01 }, options: o)
        for _ in 0..<o.iterations {
            try ExecutionContext.check()
            model.userFactors = try solve(rows: m.byUser, fixed: model.itemFactors, current: model.userFactors, f: f, o: o)
            model.itemFactors = try solve(rows: m.byItem, fixed: model.userFactors, current: model.itemFactors, f: f, o: o)
            model.loss.append(model.objective())
        }
        return model
    }

    /// One half-step: every row's factors by CG on (YᵀY + λI + Yᵀ(C − I)Y) x = YᵀC p, warm-started.
    static func solve(rows: [[(Int, Double)]], fixed Y: [Double], current X: [Double], f: Int, o: ALSOptions) throws -> [Double] {
        let nFixed = Y.count / f
        // YᵀY + λI from fixed chunks in order.
        let parts: [[Double]] = Y.withUnsafeBufferPointer { y in
            Parallel.mapChunks(nFixed, chunks: max(1, min(64, nFixed / 256))) { range in
                var g = [Double](repeating: 0, count: f * f)
                g.withUnsafeMutableBufferPointer { gb in
                    let gp = gb.baseAddress!, yp = y.baseAddress!
                    for i in range { for a in 0..<f { axpy(yp[i * f + a], yp + i * f + a, gp + a * f + a, f - a) } }
                }
                return g
            }
        }
        var yty = [Double](repeating: 0, count: f * f)
        for p in parts { for t in 0..<(f * f) { yty[t] += p[t] } }
        for a in 0..<f { yty[a * f + a] += o.regularization; for b in 0..<a { yty[a * f + b] = yty[b * f + a] } }
        var out = X
        let ranges = Parallel.ranges(rows.count, chunks: max(1, min(256, rows.count / 64)))
        // The f × f products are written as axpy over columns of the symmetric YᵀY + λI
        // (each output independent, so the loop vectorises without reassociating sums), the
        // per-interaction dot products with four running sums; buffers are per chunk.
        out.withUnsafeMutableBufferPointer { ob in
            let xp = ob.baseAddress!
            Y.withUnsafeBufferPointer { yb in
                yty.withUnsafeBufferPointer { gb in
                    let y = yb.baseAddress!, g = gb.baseAddress!
                    Parallel.forEach(ranges.count) { r in
                        if (try? ExecutionContext.check()) == nil { return }   // cancelled: the check after the loop throws
                        let buf = UnsafeMutablePointer<Double>.allocate(capacity: 3 * f)
                        defer { buf.deallocate() }
                        let res = buf, p = buf + f, ap = buf + 2 * f
                        for u in ranges[r] {
                            let x = xp + u * f
                            // r = YᵀC p − (YᵀY + λI + Yᵀ(C − I)Y) x
                            symv(g, x, into: res, f, scale: -1)
                            for (i, w) in rows[u] {
                                let c = 1 + o.alpha * w
                                let yi = y + i * f
                                axpy(c - (c - 1) * ClusterData.dot(yi, x, f), yi, res, f)
                            }
                            p.update(from: res, count: f)
                            var rs = ClusterData.dot(res, res, f)
                            for _ in 0..<o.cgSteps {
                                if rs < 1e-20 { break }
                                symv(g, p, into: ap, f, scale: 1)
                                for (i, w) in rows[u] {
                                    let yi = y + i * f
                                    axpy(o.alpha * w * ClusterData.dot(yi, p, f), yi, ap, f)
                                }
                                let pap = ClusterData.dot(p, ap, f)
                                if pap <= 0 { break }
                                let step = rs / pap
                                axpy(step, p, x, f)
                                axpy(-step, ap, res, f)
                                let rsNew = ClusterData.dot(res, res, f)
                                let beta = rsNew / rs
                                for a in 0..<f { p[a] = res[a] + beta * p[a] }
                                rs = rsNew
                            }
                        }
                    }
                }
            }
        }
        try ExecutionContext.check()   // cancellation is sticky: a block that stopped early is never used
        return out
    }

    /// y += alpha · x over n values (vectorises: each y[a] is independent).
    @inline(__always)
    static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        for a in 0..<n { y[a] += alpha * x[a] }
    }

    /// out = scale · G v for a symmetric n × n G (row-major), as a sum of G's
    /// columns (= rows) weighted by v: axpy steps, no horizontal sums.
    @inline(__always)
    static func symv(_ g: UnsafePointer<Double>, _ v: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, _ n: Int, scale: Double) {
        out.initialize(repeating: 0, count: n)
        for b in 0..<n { axpy(scale * v[b], g + b * n, out, n) }
    }

    /// Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + λ(Σ‖x‖² + Σ‖y‖²) over all user–item pairs,
    /// computed as Σ_u x_uᵀ(YᵀY)x_u + Σ_observed [c (1 − s)² − s²] (s = x_uᵀy_i),
    /// so it costs O(users · f² + interactions · f), not users × items.
    public func objective() -> Double {
        let f = factors, nU = matrix.users.count, nI = matrix.items.count
        var yty = [Double](repeating: 0, count: f * f)
        let parts: [Double] = yty.withUnsafeMutableBufferPointer { gb in
            itemFactors.withUnsafeBufferPointer { ib in
                userFactors.withUnsafeBufferPointer { ub in
                    let g = gb.baseAddress!, y = ib.baseAddress!, x = ub.baseAddress!
                    for i in 0..<nI { for a in 0..<f { ALSModel.axpy(y[i * f + a], y + i * f, g + a * f, f) } }
                    return Parallel.mapChunks(nU, chunks: max(1, min(64, nU / 64))) { range in
                        let t = UnsafeMutablePointer<Double>.allocate(capacity: f)
                        defer { t.deallocate() }
                        var s = 0.0
                        for u in range {
                            let xu = x + u * f
                            ALSModel.symv(g, xu, into: t, f, scale: 1)
                            s += ClusterData.dot(xu, t, f)
                            for (i, w) in matrix.byUser[u] {
                                let dot = ClusterData.dot(xu, y + i * f, f)
                                let c = 1 + options.alpha * w
                                s += c * (1 - dot) * (1 - dot) - dot * dot
                            }
                        }
                        return s
                    }
                }
            }
        }
        let reg = userFactors.reduce(0) { $0 + $1 * $1 } + itemFactors.reduce(0) { $0 + $1 * $1 }
        return parts.reduce(0, +) + options.regularization * reg
    }

    /// x_uᵀ y_i for every item (four running sums per dot product, pointer loops).
    func itemScores(_ u: Int) -> [Double] {
        let f = factors, nI = matrix.items.count
        return [Double](unsafeUninitializedCapacity: nI) { out, count in
            userFactors.withUnsafeBufferPointer { ub in
                itemFactors.withUnsafeBufferPointer { ib in
                    let x = ub.baseAddress! + u * f, y = ib.baseAddress!
                    for i in 0..<nI { out[i] = ClusterData.dot(x, y + i * f, f) }
                }
            }
            count = nI
        }
    }

    /// The reason for recommending item j: the seen item whose factors are most aligned with j's.
    func because(_ j: Int, seen row: [(Int, Double)]) -> Int? {
        let f = factors
        return itemFactors.withUnsafeBufferPointer { ib in
            var best: Int?, bs = -Double.infinity
            for (i, _) in row {
                let s = ClusterData.dot(ib.baseAddress! + i * f, ib.baseAddress! + j * f, f)
                if s > bs { bs = s; best = i }
            }
            return best
        }
    }

    public func recommend(user: String, k: Int, excludeSeen: Bool) -> Recommendation? {
        guard let u = matrix.userIndex[user] else { return nil }
        let scores = itemScores(u)
        let row = matrix.byUser[u]
        let top = TopN.select(scores, k: k, skip: excludeSeen ? Set(row.map(\.0)) : [])
        // Reasons for the k recommended items only (for every item they cost items × seen × f).
        return Recommendation(items: top, scores: top.map { scores[$0] }, because: top.map { because($0, seen: row) })
    }
}
