import Foundation

/// Thompson sampling with bootstrapped reward models (the online bootstrap of Eckles &
/// Kaptein 2014; bootstrapped Thompson / DQN, Osband & Van Roy 2015): instead of a
/// posterior, `replicates` reward models per action, each fitted on the log reweighted by
/// its own resample — every logged row gets, in replicate b, a weight drawn once from
/// Poisson(1) (`poisson`, the online bootstrap), 2·Bernoulli(½) (`bernoulli`, double or
/// nothing) or 1 (`none`: every replicate is the base fit). The spread of the replicates
/// plays the posterior's part for any model kind, not only a linear one.
///
/// A decision picks a replicate uniformly and takes the argmax of its predicted rewards, so
/// the policy is a finite mixture and its propensities — the share of replicates in which an
/// action wins — are exact. A row's weights depend only on (seed, replicate, the row's position
/// in everything logged so far), so the policy is deterministic for a seed and the same log
/// gives the same replicates however it is split into updates.
///
/// Bases: `ridge` — a ridge regression per action on the encoded context (`ContextEncoder`),
/// statistics kept incrementally per replicate (with `none` and one replicate it is exactly
/// `LinearBandit`'s greedy policy); `model` — any regressor with sample weights (a GBDT …),
/// refitted on the whole weighted log at every update, rows of weight 0 left out. A replicate
/// whose action has no weighted rows predicts 0 for it. Until every action has been logged,
/// decisions are uniform (there is nothing to bootstrap yet). Ties go to the lowest action index.
public final class BootstrapThompson: DecisionPolicy {
    public enum Resample: String, Sendable, CaseIterable { case poisson, bernoulli, none }
    /// Fits on (X, y, weights) and returns the predictor.
    public typealias Regressor = (FeatureMatrix, [Double], [Double]) throws -> (FeatureMatrix) throws -> [Double]
    public enum Base {
        case ridge(lambda: Double)
        case model(label: String, fit: Regressor)
    }

    public static let maxReplicates = 10_000

    public let actions: [String]
    public let features: [String]
    public let replicates: Int
    public let resample: Resample
    public let seed: UInt64
    let base: Base
    let encoder: ContextEncoder
    /// Categorical levels of the model base's features, fixed at the first frame.
    private var levels: [String: [String]]?
    /// Everything logged so far (model base: the features; both: actions, rewards, weights).
    private var logged: Frame?
    private var loggedActions: [Int] = []
    private var loggedRewards: [Double] = []
    /// weights[b][row].
    private var weights: [[Double]]
    /// Ridge base: statistics and θ per replicate and action.
    private var ridge: [[RidgeStatistics]] = []
    private var theta: [[[Double]]] = []
    /// Model base: predictor per replicate and action (nil: no weighted rows → 0).
    private var predictors: [[((FeatureMatrix) throws -> [Double])?]] = []
    public private(set) var updates = 0

    public init(actions: [String], features: [String], base: Base, replicates: Int, resample: Resample = .poisson, seed: UInt64 = 42) throws {
        guard actions.count >= 1, Set(actions).count == actions.count else { throw FrameError.invalid("policy: actions must be distinct names, at least one") }
        guard (1...Self.maxReplicates).contains(replicates) else {
            throw FrameError.invalid("policy: n_bootstrap must be 1…\(Self.maxReplicates), got \(replicates)")
        }
        if case .ridge(let l) = base, !(l > 0 && l.isFinite) { throw FrameError.invalid("policy: ridge must be > 0, got \(l)") }
        self.actions = actions; self.features = features; self.base = base
        self.replicates = replicates; self.resample = resample; self.seed = seed
        encoder = try ContextEncoder(features: features)
        weights = [[Double]](repeating: [], count: replicates)
    }

    /// The weight of logged row `row` in replicate `b`.
    func weight(replicate b: Int, row: Int) -> Double {
        switch resample {
        case .none: return 1
        case .bernoulli:
            var rng = SeededRandom(seed: seed &+ UInt64(b) &* 0x9E37_79B9_7F4A_7C15, stream: UInt64(row))
            return rng.uniform() < 0.5 ? 2 : 0
        case .poisson:
            // Knuth's product of uniforms: the count of factors before the product drops below e^-1.
            var rng = SeededRandom(seed: seed &+ UInt64(b) &* 0x9E37_79B9_7F4A_7C15, stream: UInt64(row))
            let limit = exp(-1.0)
            var k = 0.0, p = rng.uniform()
            while p > limit { k += 1; p *= rng.uniform() }
            return k
        }
    }

    /// True once every action has logged rows.
    var ready: Bool { Set(loggedActions).count == actions.count }

    public func update(_ logs: LoggedDecisions) throws {
        guard logs.actionNames == actions else {
            throw FrameError.invalid("policy: the log's actions (\(logs.actionNames.joined(separator: ", "))) differ from the policy's")
        }
        let first = loggedActions.count, n = logs.count, k = actions.count
        try ExecutionContext.checkMemory(n * replicates * 8, for: "bootstrap weights")
        for b in 0..<replicates {
            weights[b].reserveCapacity(first + n)
            for i in 0..<n { weights[b].append(weight(replicate: b, row: first + i)) }
        }
        loggedActions += logs.actions
        loggedRewards += logs.rewards
        switch base {
        case .ridge(let lambda):
            let X = try encoder.encode(logs.context)
            let d = encoder.dimension
            if ridge.isEmpty { ridge = [[RidgeStatistics]](repeating: [RidgeStatistics](repeating: RidgeStatistics(d: d, lambda: lambda), count: k), count: replicates) }
            for b in 0..<replicates {
                if b & 15 == 15 { try ExecutionContext.check() }
                X.withUnsafeBufferPointer { x in
                    for i in 0..<n { ridge[b][logs.actions[i]].add(x, offset: i * d, logs.rewards[i], weight: weights[b][first + i]) }
                }
            }
            theta = try ridge.map { try $0.map { try $0.solve() } }
        case .model(_, let fit):
            let part = try Frame(try features.map { try logs.context.column($0) })
            logged = try logged.map { try Frame.concat([$0, part]) } ?? part
            let X = try FeatureMatrix(frame: logged!, columns: features, levels: levels ?? [:])
            if levels == nil { levels = X.categoricalLevels }
            var rowsOf = [[Int]](repeating: [], count: k)
            for (i, a) in loggedActions.enumerated() { rowsOf[a].append(i) }
            predictors = try (0..<replicates).map { b in
                try (0..<k).map { a -> ((FeatureMatrix) throws -> [Double])? in
                    try ExecutionContext.check()
                    let rows = rowsOf[a].filter { weights[b][$0] > 0 }
                    guard !rows.isEmpty else { return nil }
                    return try fit(X.take(rows), rows.map { loggedRewards[$0] }, rows.map { weights[b][$0] })
                }
            }
        }
        updates += 1
    }

    public func probabilities(_ frame: Frame) throws -> [Double] {
        let n = frame.nrow, k = actions.count
        try ExecutionContext.checkMemory(n * k * 8 * 2, for: "policy probabilities")
        guard ready else { return [Double](repeating: 1 / Double(k), count: n * k) }
        var wins = [Double](repeating: 0, count: n * k)
        switch base {
        case .ridge:
            let X = try encoder.encode(frame)
            let d = encoder.dimension
            X.withUnsafeBufferPointer { x in
                for b in 0..<replicates {
                    let flat = theta[b].flatMap { $0 }
                    flat.withUnsafeBufferPointer { th in
                        for i in 0..<n { wins[i * k + LinearBandit.argmax(x, row: i * d, th, k: k, d: d)] += 1 }
                    }
                }
            }
        case .model:
            let X = try FeatureMatrix(frame: frame, columns: features, levels: levels ?? [:])
            var q = [Double](repeating: 0, count: n * k)
            for b in 0..<replicates {
                try ExecutionContext.check()
                for a in 0..<k {
                    if let f = predictors[b][a] {
                        let v = try f(X)
                        for i in 0..<n { q[i * k + a] = v[i] }
                    } else {
                        for i in 0..<n { q[i * k + a] = 0 }
                    }
                }
                for i in 0..<n {
                    var best = 0
                    for a in 1..<max(1, k) where q[i * k + a] > q[i * k + best] { best = a }
                    wins[i * k + best] += 1
                }
            }
        }
        let m = Double(replicates)
        for j in 0..<wins.count { wins[j] /= m }
        return wins
    }

    public var contextColumns: [String] { features }

    public var summary: String {
        let b: String
        switch base {
        case .ridge(let l): b = "ridge λ=\(l)"
        case .model(let label, _): b = label
        }
        return "thompson (bootstrap, \(replicates) \(resample.rawValue) replicates of \(b)), \(actions.count) actions, \(features.count) features, \(loggedActions.count) rows, \(updates) updates"
    }
}
