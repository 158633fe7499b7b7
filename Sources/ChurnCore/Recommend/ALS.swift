import ExecutionControl

/// Options of implicit-feedback ALS (names as in the `implicit` package).
public struct ALSOptions: Sendable {
    /// How each user's (item's) least-squares problem is solved.
    public enum Solver: String, Sendable {
        /// `cgSteps` warm-started conjugate-gradient steps in single precision (fast; `implicit`'s default).
        case cg
        /// The exact solution in double precision (Cholesky of the normal equations): O(f³) per row.
        case cholesky
    }
    public var factors = 64
    public var iterations = 15
    public var regularization = 0.01
    /// Confidence c_ui = 1 + alpha · r_ui (Hu, Koren & Volinsky 2008). Note that
    /// `implicit` uses c = alpha · r, so one view at its default alpha = 1 adds nothing.
    public var alpha = 40.0
    /// Conjugate-gradient steps per user/item solve (3 as in `implicit`).
    public var cgSteps = 3
    public var solver = Solver.cg
    /// Record the objective after every iteration in `loss` (costs about one more
    /// pass over the data per iteration; off by default, as `implicit`'s
    /// `calculate_training_loss`).
    public var calculateTrainingLoss = false
    public var seed: UInt64 = 42
    public init() {}
}

/// Implicit-feedback matrix factorisation by alternating least squares
/// (Hu, Koren & Volinsky 2008) with the conjugate-gradient solver of
/// Takács, Pilászy & Tikk (2011), as `implicit`'s AlternatingLeastSquares:
/// minimises Σ_{u,i} c_ui (p_ui − x_uᵀ y_i)² + λ (Σ‖x_u‖² + Σ‖y_i‖²), p = 1
/// for observed pairs and 0 otherwise, over all pairs, using
/// YᵀC_uY = YᵀY + Yᵀ(C_u − I)Y so each user's solve costs only its own items.
/// The CG solver works in single precision (`ALSKernels`): users row by row
/// against the cached item factors, items in lockstep over a sequential pass of
/// the user factors (`ALSConjugateGradient`); the exact solver in double
/// precision. Fixed chunks throughout: results do not depend on the thread count.
public struct ALSModel: Sendable {
    public let matrix: InteractionMatrix
    public let factors: Int
    /// Row-major users × factors and items × factors.
    public let userFactors: [Double]
    public let itemFactors: [Double]
    public let options: ALSOptions
    /// Objective after each iteration (when `calculateTrainingLoss`, or as saved).
    public var loss: [Double] = []
    /// Single-precision copies, rows of `lanes` vectors (`ALSKernels`), for scoring;
    /// the item factors also in panels of 8 items for the batched top-k (`ALSTopK`).
    let userVectors: [SIMD4<Float>], itemVectors: [SIMD4<Float>], itemPanels: [SIMD4<Float>], lanes: Int

    init(matrix: InteractionMatrix, factors: Int, userFactors: [Double], itemFactors: [Double], options: ALSOptions, loss: [Double]) {
        self.matrix = matrix; self.factors = factors; self.userFactors = userFactors; self.itemFactors = itemFactors
        self.options = options; self.loss = loss
        lanes = ALSKernels.lanes(factors)
        userVectors = Self.vectors(userFactors, f: factors, nv: lanes)
        itemVectors = Self.vectors(itemFactors, f: factors, nv: lanes)
        itemPanels = ALSTopK.panels(itemVectors, items: matrix.items.count, f: factors, nv: lanes)
    }

    /// Rows of f doubles as rows of nv zero-padded float vectors.
    static func vectors(_ x: [Double], f: Int, nv: Int) -> [SIMD4<Float>] {
        let n = f == 0 ? 0 : x.count / f
        var out = [SIMD4<Float>](repeating: SIMD4<Float>(), count: n * nv)
        out.withUnsafeMutableBufferPointer { ob in
            let raw = UnsafeMutableRawPointer(ob.baseAddress!)
            for r in 0..<n { for a in 0..<f { raw.storeBytes(of: Float(x[r * f + a]), toByteOffset: (r * nv * 4 + a) * 4, as: Float.self) } }
        }
        return out
    }

    /// Rows of nv float vectors as rows of f doubles.
    static func doubles(_ v: [SIMD4<Float>], f: Int, nv: Int) -> [Double] {
        let n = v.count / nv
        return v.withUnsafeBufferPointer { vb in
            let raw = UnsafeRawPointer(vb.baseAddress!)
            return [Double](unsafeUninitializedCapacity: n * f) { out, count in
                for r in 0..<n { for a in 0..<f { out[r * f + a] = Double(raw.load(fromByteOffset: (r * nv * 4 + a) * 4, as: Float.self)) } }
                count = n * f
            }
        }
    }

    public static func fit(_ m: InteractionMatrix, _ o: ALSOptions) throws -> ALSModel {
        guard o.factors >= 1, o.iterations >= 1, o.cgSteps >= 1 else { throw ClusterError.invalid("factors, iterations and cg_steps must be at least 1") }
        guard o.regularization.isFinite, o.regularization >= 0, o.alpha.isFinite, o.alpha >= 0 else {
            throw ClusterError.invalid("regularization and alpha must be finite numbers >= 0")
        }
        let f = o.factors, nU = m.users.count, nI = m.items.count
        try ExecutionContext.checkMemory((nU + nI) * f * 8 * 3, for: "ALS factors")
        var rng = SeededRandom(seed: o.seed)
        // Starts uniform in [0, 0.01), as `implicit`: with a few warm-started CG steps per
        // iteration the start still shows in the result, and at the issue-14 anchor this start
        // gave implicit NDCG@10 0.00525 against 0.00518 from normal(0, 0.01) (5 seeds each,
        // scripts/bench/recommend_bench.sh --als-seeds).
        var x = (0..<(nU * f)).map { _ in rng.uniform() * 0.01 }
        var y = (0..<(nI * f)).map { _ in rng.uniform() * 0.01 }
        var loss: [Double] = []
        switch o.solver {
        case .cholesky:
            for _ in 0..<o.iterations {
                try ExecutionContext.check()
                x = try ALSExact.solve(rows: m.byUser, fixed: y, current: x, f: f, o: o)
                y = try ALSExact.solve(rows: m.byItem, fixed: x, current: y, f: f, o: o)
                if o.calculateTrainingLoss { loss.append(objective(m, x, y, f: f, o)) }
            }
        case .cg:
            let nv = ALSKernels.lanes(f)
            try ExecutionContext.checkMemory(m.byUser.reduce(0) { $0 + $1.count } * 24 + nI * nv * 16 * 11, for: "the ALS solver")
            var xv = vectors(x, f: f, nv: nv), yv = vectors(y, f: f, nv: nv)
            let byUser = ALSRows(m.byUser, alpha: o.alpha)
            let lockstep = ALSConjugateGradient.lockstepFits(solved: nI, nv: nv)
            let byItem = lockstep ? nil : ALSRows(m.byItem, alpha: o.alpha)
            let lambda = Float(o.regularization)
            for _ in 0..<o.iterations {
                try ExecutionContext.check()
                try yv.withUnsafeMutableBufferPointer { yb in
                    try xv.withUnsafeMutableBufferPointer { xb in
                        let yp = yb.baseAddress!, xp = xb.baseAddress!
                        let gy = ALSKernels.gram(yp, rows: nI, f: f, nv: nv, regularization: lambda)
                        try gy.withUnsafeBufferPointer { g in
                            try ALSConjugateGradient.byRow(byUser, fixed: yp, solved: xp, gram: g.baseAddress!, f: f, nv: nv, steps: o.cgSteps)
                        }
                        let gx = ALSKernels.gram(xp, rows: nU, f: f, nv: nv, regularization: lambda)
                        try gx.withUnsafeBufferPointer { g in
                            if let byItem {
                                try ALSConjugateGradient.byRow(byItem, fixed: xp, solved: yp, gram: g.baseAddress!, f: f, nv: nv, steps: o.cgSteps)
                            } else {
                                try ALSConjugateGradient.inLockstep(byUser, fixed: xp, solved: yp, solvedCount: nI, gram: g.baseAddress!,
                                                                    f: f, nv: nv, steps: o.cgSteps)
                            }
                        }
                    }
                }
                if o.calculateTrainingLoss { loss.append(objective(m, doubles(xv, f: f, nv: nv), doubles(yv, f: f, nv: nv), f: f, o)) }
            }
            x = doubles(xv, f: f, nv: nv); y = doubles(yv, f: f, nv: nv)
        }
        return ALSModel(matrix: m, factors: f, userFactors: x, itemFactors: y, options: o, loss: loss)
    }

    /// Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + λ(Σ‖x‖² + Σ‖y‖²) over all user–item pairs,
    /// computed as Σ_u x_uᵀ(YᵀY)x_u + Σ_observed [c (1 − s)² − s²] (s = x_uᵀy_i),
    /// so it costs O(users · f² + interactions · f), not users × items.
    public func objective() -> Double { Self.objective(matrix, userFactors, itemFactors, f: factors, options) }

    static func objective(_ matrix: InteractionMatrix, _ userFactors: [Double], _ itemFactors: [Double], f: Int, _ options: ALSOptions) -> Double {
        let nU = matrix.users.count, nI = matrix.items.count
        var yty = [Double](repeating: 0, count: f * f)
        let parts: [Double] = yty.withUnsafeMutableBufferPointer { gb in
            itemFactors.withUnsafeBufferPointer { ib in
                userFactors.withUnsafeBufferPointer { ub in
                    let g = gb.baseAddress!, y = ib.baseAddress!, x = ub.baseAddress!
                    for i in 0..<nI { for a in 0..<f { ALSExact.axpy(y[i * f + a], y + i * f, g + a * f, f) } }
                    return Parallel.mapChunks(nU, chunks: max(1, min(64, nU / 64))) { range in
                        let t = UnsafeMutablePointer<Double>.allocate(capacity: f)
                        defer { t.deallocate() }
                        var s = 0.0
                        for u in range {
                            let xu = x + u * f
                            ALSExact.symv(g, xu, into: t, f, scale: 1)
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

    /// x_uᵀ y_i for every item, in single precision (the kernel of the batched
    /// top-k, so these are exactly the scores `recommend` ranks).
    func itemScores(_ u: Int) -> [Double] {
        let nI = matrix.items.count
        var out = [Double](repeating: 0, count: nI)
        userVectors.withUnsafeBufferPointer { ub in
            itemPanels.withUnsafeBufferPointer { pb in
                ALSTopK.forEachRow([u], x: ub.baseAddress!, panels: pb.baseAddress!, items: nI, f: factors, nv: lanes) { _, row in
                    for i in 0..<nI { out[i] = Double(row[i]) }
                }
            }
        }
        return out
    }

    /// The reason for recommending item j: the seen item whose factors are most
    /// aligned with j's (single precision; the first of equals).
    func because(_ j: Int, seen row: [(Int, Double)]) -> Int? {
        let nv = lanes
        return itemVectors.withUnsafeBufferPointer { ib in
            let y = ib.baseAddress!
            var best: Int?, bs = -Float.infinity
            for (i, _) in row {
                let s = ALSKernels.dot(y + i * nv, y + j * nv, nv)
                if s > bs || best == nil { bs = s; best = i }
            }
            return best
        }
    }

    public func recommend(user: String, k: Int, excludeSeen: Bool) -> Recommendation? {
        guard let u = matrix.userIndex[user] else { return nil }
        return recommend(users: [u], k: k, excludeSeen: excludeSeen)[0]
    }

    /// Top k of each user (indices into `matrix.users`) in one batched pass
    /// (`ALSTopK`); reasons are computed for the k chosen items only (for every
    /// item they would cost items × seen × factors).
    public func recommend(users: [Int], k: Int, excludeSeen: Bool) -> [Recommendation] {
        let nI = matrix.items.count
        if k > ALSTopK.maxK {
            return users.map { u in
                let scores = itemScores(u), row = matrix.byUser[u]
                let top = TopN.select(scores, k: k, skip: excludeSeen ? Set(row.map(\.0)) : [])
                return Recommendation(items: top, scores: top.map { scores[$0] }, because: top.map { because($0, seen: row) })
            }
        }
        let m = matrix
        let tops = userVectors.withUnsafeBufferPointer { ub in
            itemPanels.withUnsafeBufferPointer { pb in
                ALSTopK.topK(users, x: ub.baseAddress!, panels: pb.baseAddress!, items: nI, f: factors, nv: lanes, k: k,
                             seen: excludeSeen ? { m.byUser[$0] } : nil)
            }
        }
        return zip(users, tops).map { u, t in
            let row = matrix.byUser[u]
            return Recommendation(items: t.items, scores: t.scores.map(Double.init), because: t.items.map { because($0, seen: row) })
        }
    }
}
