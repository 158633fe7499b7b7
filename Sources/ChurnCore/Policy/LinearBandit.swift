import Foundation

/// Contextual bandits over a linear reward model per action (disjoint model,
/// Li et al. 2010): action a keeps ridge statistics A_a = λI + Σ xxᵀ,
/// b_a = Σ r x over the logged rows that took it, θ_a = A_a⁻¹ b_a.
///
/// - `greedy(ε)`: argmax θ·x with probability 1 − ε, uniform otherwise
///   (ε = 0: the fitted linear policy).
/// - `linUCB(α)`: argmax θ·x + α √(xᵀ A⁻¹ x), deterministic.
/// - `thompson(v, draws)`: Bayesian linear regression, θ_a ~ N(θ̂_a, v² A_a⁻¹).
///   `draws` parameter vectors are sampled per update (seeded); a decision
///   picks one at random and takes its argmax, so the policy is a finite
///   mixture and its propensities — the share of draws in which an action wins
///   — are exact, not estimated.
///
/// Ties go to the lowest action index. Deterministic for a seed.
public final class LinearBandit: DecisionPolicy {
    public enum Kind: Sendable, Equatable {
        case greedy(epsilon: Double)
        case linUCB(alpha: Double)
        case thompson(scale: Double, draws: Int)
    }
    public let actions: [String]
    public let kind: Kind
    public let encoder: ContextEncoder
    public let lambda: Double
    public let seed: UInt64
    public private(set) var stats: [RidgeStatistics] = []
    public private(set) var theta: [[Double]] = []
    private var inverse: [[Double]] = []
    /// Thompson: draws × K sampled parameter vectors (each d long).
    private var sampled: [[Double]] = []
    public private(set) var updates = 0

    public init(actions: [String], kind: Kind, features: [String], lambda: Double = 1, seed: UInt64 = 42) throws {
        guard actions.count >= 1, Set(actions).count == actions.count else { throw FrameError.invalid("policy: actions must be distinct names, at least one") }
        guard lambda > 0, lambda.isFinite else { throw FrameError.invalid("policy: ridge must be > 0, got \(lambda)") }
        switch kind {
        case .greedy(let e): guard e >= 0, e <= 1 else { throw FrameError.invalid("policy: epsilon must be in [0, 1], got \(e)") }
        case .linUCB(let a): guard a >= 0, a.isFinite else { throw FrameError.invalid("policy: alpha must be >= 0, got \(a)") }
        case .thompson(let v, let m):
            guard v > 0, v.isFinite else { throw FrameError.invalid("policy: scale must be > 0, got \(v)") }
            guard (1...100_000).contains(m) else { throw FrameError.invalid("policy: draws must be 1…100000, got \(m)") }
        }
        self.actions = actions; self.kind = kind; self.lambda = lambda; self.seed = seed
        encoder = try ContextEncoder(features: features)
    }

    private func ensureShape(_ d: Int) throws {
        guard stats.isEmpty else { return }
        stats = [RidgeStatistics](repeating: RidgeStatistics(d: d, lambda: lambda), count: actions.count)
        try refresh()
    }

    /// Recomputes θ, A⁻¹ and (Thompson) the sampled parameters from the statistics.
    private func refresh() throws {
        theta = try stats.map { try $0.solve() }
        inverse = try stats.map { try $0.inverse() }
        if case .thompson(let v, let m) = kind {
            let d = stats[0].d, k = actions.count
            var rng = SeededRandom(seed: seed, stream: UInt64(updates))
            let chol = try stats.map { try $0.cholesky() }
            sampled = (0..<m).map { _ in
                var out = [Double](repeating: 0, count: k * d)
                for a in 0..<k {
                    // θ̂ + v L⁻ᵀ z has covariance v² (L Lᵀ)⁻¹ = v² A⁻¹.
                    var z = (0..<d).map { _ in rng.normal() }
                    let l = chol[a]
                    for i in stride(from: d - 1, through: 0, by: -1) {
                        var s = z[i]
                        for r in (i + 1)..<max(i + 1, d) { s -= l[r * d + i] * z[r] }
                        z[i] = s / l[i * d + i]
                    }
                    for j in 0..<d { out[a * d + j] = theta[a][j] + v * z[j] }
                }
                return out
            }
        }
    }

    public func probabilities(_ frame: Frame) throws -> [Double] {
        let X = try encoder.encode(frame)
        let d = encoder.dimension, k = actions.count, n = frame.nrow
        try ensureShape(d)
        try ExecutionContext.checkMemory(n * k * 8, for: "policy probabilities")
        var p = [Double](repeating: 0, count: n * k)
        let flat = theta.flatMap { $0 }
        X.withUnsafeBufferPointer { x in
            flat.withUnsafeBufferPointer { th in
                switch kind {
                case .greedy(let eps):
                    let base = eps / Double(k)
                    for i in 0..<n {
                        let a = Self.argmax(x, row: i * d, th, k: k, d: d)
                        for j in 0..<k { p[i * k + j] = base }
                        p[i * k + a] += 1 - eps
                    }
                case .linUCB(let alpha):
                    for i in 0..<n {
                        var best = 0, bv = -Double.infinity
                        for a in 0..<k {
                            var s = 0.0
                            for j in 0..<d { s += x[i * d + j] * th[a * d + j] }
                            let inv = inverse[a]
                            var q = 0.0
                            for r in 0..<d {
                                var t = 0.0
                                for c in 0..<d { t += inv[r * d + c] * x[i * d + c] }
                                q += x[i * d + r] * t
                            }
                            let u = s + alpha * max(q, 0).squareRoot()
                            if u > bv { bv = u; best = a }
                        }
                        p[i * k + best] = 1
                    }
                case .thompson:
                    // Count wins, then divide: shares of whole counts sum to exactly 1.
                    for draw in sampled {
                        draw.withUnsafeBufferPointer { th2 in
                            for i in 0..<n { p[i * k + Self.argmax(x, row: i * d, th2, k: k, d: d)] += 1 }
                        }
                    }
                    let m = Double(sampled.count)
                    for j in 0..<p.count { p[j] /= m }
                }
            }
        }
        return p
    }

    @inline(__always) static func argmax(_ x: UnsafeBufferPointer<Double>, row: Int, _ th: UnsafeBufferPointer<Double>, k: Int, d: Int) -> Int {
        var best = 0, bv = -Double.infinity
        for a in 0..<k {
            var s = 0.0
            for j in 0..<d { s += x[row + j] * th[a * d + j] }
            if s > bv { bv = s; best = a }
        }
        return best
    }

    /// Adds the logged rows to each chosen action's statistics and refits.
    public func update(_ logs: LoggedDecisions) throws {
        guard logs.actionNames == actions else {
            throw FrameError.invalid("policy: the log's actions (\(logs.actionNames.joined(separator: ", "))) differ from the policy's")
        }
        let X = try encoder.encode(logs.context)
        let d = encoder.dimension
        try ensureShape(d)
        X.withUnsafeBufferPointer { x in
            for i in 0..<logs.count { stats[logs.actions[i]].add(x, offset: i * d, logs.rewards[i]) }
        }
        updates += 1
        try refresh()
    }

    public var contextColumns: [String] { encoder.features }

    public var summary: String {
        let k: String
        switch kind {
        case .greedy(let e): k = e == 0 ? "greedy" : "epsilon_greedy ε=\(e)"
        case .linUCB(let a): k = "linucb α=\(a)"
        case .thompson(let v, let m): k = "thompson scale=\(v) draws=\(m)"
        }
        return "\(k), \(actions.count) actions, \(encoder.features.count) features, \(stats.first?.count ?? 0)+ rows, \(updates) updates"
    }
}
