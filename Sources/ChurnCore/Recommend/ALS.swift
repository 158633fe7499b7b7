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
                for i in range { for a in 0..<f { let ya = y[i * f + a]; for b in a..<f { g[a * f + b] += ya * y[i * f + b] } } }
                return g
            }
        }
        var yty = [Double](repeating: 0, count: f * f)
        for p in parts { for t in 0..<(f * f) { yty[t] += p[t] } }
        for a in 0..<f { yty[a * f + a] += o.regularization; for b in 0..<a { yty[a * f + b] = yty[b * f + a] } }
        var out = X
        let ranges = Parallel.ranges(rows.count, chunks: max(1, min(256, rows.count / 64)))
        out.withUnsafeMutableBufferPointer { ob in
            let xp = ob.baseAddress!
            Y.withUnsafeBufferPointer { yb in
                let y = yb.baseAddress!
                Parallel.forEach(ranges.count) { r in
                    if (try? ExecutionContext.check()) == nil { return }   // cancelled: the check after the loop throws
                    var res = [Double](repeating: 0, count: f), p = res, ap = res
                    for u in ranges[r] {
                        let x = xp + u * f
                        // r = YᵀC p − (YᵀY + λI + Yᵀ(C − I)Y) x
                        for a in 0..<f { var s = 0.0; for b in 0..<f { s -= yty[a * f + b] * x[b] }; res[a] = s }
                        for (i, w) in rows[u] {
                            let c = 1 + o.alpha * w
                            var yx = 0.0
                            for a in 0..<f { yx += y[i * f + a] * x[a] }
                            let coef = c - (c - 1) * yx
                            for a in 0..<f { res[a] += coef * y[i * f + a] }
                        }
                        for a in 0..<f { p[a] = res[a] }
                        var rs = 0.0
                        for a in 0..<f { rs += res[a] * res[a] }
                        for _ in 0..<o.cgSteps {
                            if rs < 1e-20 { break }
                            for a in 0..<f { var s = 0.0; for b in 0..<f { s += yty[a * f + b] * p[b] }; ap[a] = s }
                            for (i, w) in rows[u] {
                                let c1 = o.alpha * w
                                var yp = 0.0
                                for a in 0..<f { yp += y[i * f + a] * p[a] }
                                for a in 0..<f { ap[a] += c1 * yp * y[i * f + a] }
                            }
                            var pap = 0.0
                            for a in 0..<f { pap += p[a] * ap[a] }
                            if pap <= 0 { break }
                            let step = rs / pap
                            var rsNew = 0.0
                            for a in 0..<f { x[a] += step * p[a]; res[a] -= step * ap[a]; rsNew += res[a] * res[a] }
                            let beta = rsNew / rs
                            for a in 0..<f { p[a] = res[a] + beta * p[a] }
                            rs = rsNew
                        }
                    }
                }
            }
        }
        try ExecutionContext.check()   // cancellation is sticky: a block that stopped early is never used
        return out
    }

    /// Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + λ(Σ‖x‖² + Σ‖y‖²) over all user–item pairs,
    /// computed as Σ_u x_uᵀ(YᵀY)x_u + Σ_observed [c (1 − s)² − s²] (s = x_uᵀy_i),
    /// so it costs O(users · f² + interactions · f), not users × items.
    public func objective() -> Double {
        let f = factors, nU = matrix.users.count, nI = matrix.items.count
        var yty = [Double](repeating: 0, count: f * f)
        for i in 0..<nI { for a in 0..<f { let ya = itemFactors[i * f + a]; for b in 0..<f { yty[a * f + b] += ya * itemFactors[i * f + b] } } }
        let parts: [Double] = Parallel.mapChunks(nU, chunks: max(1, min(64, nU / 64))) { range in
            var s = 0.0
            for u in range {
                for a in 0..<f {
                    var t = 0.0
                    for b in 0..<f { t += yty[a * f + b] * userFactors[u * f + b] }
                    s += userFactors[u * f + a] * t
                }
                for (i, w) in matrix.byUser[u] {
                    var dot = 0.0
                    for a in 0..<f { dot += userFactors[u * f + a] * itemFactors[i * f + a] }
                    let c = 1 + options.alpha * w
                    s += c * (1 - dot) * (1 - dot) - dot * dot
                }
            }
            return s
        }
        let reg = userFactors.reduce(0) { $0 + $1 * $1 } + itemFactors.reduce(0) { $0 + $1 * $1 }
        return parts.reduce(0, +) + options.regularization * reg
    }

    public func recommend(user: String, k: Int, excludeSeen: Bool) -> Recommendation? {
        guard let u = matrix.userIndex[user] else { return nil }
        let f = factors
        var scores = [Double](repeating: 0, count: matrix.items.count)
        for i in 0..<scores.count {
            var s = 0.0
            for a in 0..<f { s += userFactors[u * f + a] * itemFactors[i * f + a] }
            scores[i] = s
        }
        let row = matrix.byUser[u]
        let top = TopN.select(scores, k: k, skip: excludeSeen ? Set(row.map(\.0)) : [])
        // Reason: the seen item whose factors are most aligned with the recommendation.
        let because: [Int?] = top.map { j in
            var best: Int?, bs = -Double.infinity
            for (i, _) in row {
                var s = 0.0
                for a in 0..<f { s += itemFactors[i * f + a] * itemFactors[j * f + a] }
                if s > bs { bs = s; best = i }
            }
            return best
        }
        return Recommendation(items: top, scores: top.map { scores[$0] }, because: because)
    }
}
