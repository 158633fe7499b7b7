import Foundation

/// Multi-period learning from transitions (s, a, r, s′, done) over several
/// periods, with a discount γ: the value of an action counts what it does to
/// later periods (a coupon now that makes a call unnecessary later), which a
/// one-step bandit cannot see.
public struct Transitions: Sendable {
    /// 0-based state indices (tabular) — or rows of `features` / `nextFeatures` (function approximation).
    public var states: [Int], actions: [Int], rewards: [Double], nextStates: [Int], done: [Bool]
    public init(states: [Int], actions: [Int], rewards: [Double], nextStates: [Int], done: [Bool]) {
        self.states = states; self.actions = actions; self.rewards = rewards; self.nextStates = nextStates; self.done = done
    }
    public var count: Int { states.count }

    func check(states S: Int, actions K: Int) throws {
        let n = count
        guard actions.count == n, rewards.count == n, nextStates.count == n, done.count == n else {
            throw FrameError.invalid("q_learning: transitions have columns of different lengths")
        }
        guard n > 0 else { throw FrameError.invalid("q_learning: no transitions") }
        for i in 0..<n {
            guard (0..<S).contains(states[i]), (0..<S).contains(nextStates[i]) else { throw FrameError.invalid("q_learning: state out of range at row \(i + 1)") }
            guard (0..<K).contains(actions[i]) else { throw FrameError.invalid("q_learning: action out of range at row \(i + 1)") }
            guard rewards[i].isFinite else { throw FrameError.invalid("q_learning: reward at row \(i + 1) is not finite") }
        }
    }
}

public enum QLearning {
    /// Tabular Q-learning (Watkins): `epochs` passes over the transitions in a
    /// seeded random order, Q(s,a) += α_n (r + γ·max Q(s′,·)·(1 − done) − Q(s,a))
    /// with α_n = alpha / (1 + n(s,a))^0.6 decaying in the visits of (s, a)
    /// (a Robbins–Monro rate, so the estimates settle instead of chasing the
    /// last sample). Returns Q row-major S × K.
    public static func tabular(_ t: Transitions, states S: Int, actions K: Int, discount: Double, alpha: Double = 1,
                               epochs: Int = 100, seed: UInt64 = 42) throws -> [Double] {
        try t.check(states: S, actions: K)
        try checkCommon(discount: discount, epochs: epochs)
        guard alpha > 0, alpha <= 1 else { throw FrameError.invalid("q_learning: alpha must be in (0, 1], got \(alpha)") }
        guard S <= 10_000_000 / max(K, 1) else { throw FrameError.invalid("q_learning: too many states × actions") }
        var Q = [Double](repeating: 0, count: S * K), visits = [Double](repeating: 0, count: S * K)
        var order = Array(0..<t.count)
        var rng = SeededRandom(seed: seed)
        for _ in 0..<epochs {
            try ExecutionContext.check()
            rng.shuffle(&order)
            for i in order {
                let s = t.states[i], a = t.actions[i]
                var target = t.rewards[i]
                if !t.done[i] {
                    let s2 = t.nextStates[i]
                    var m = -Double.infinity
                    for b in 0..<K { m = max(m, Q[s2 * K + b]) }
                    target += discount * m
                }
                let rate = alpha / Foundation.pow(1 + visits[s * K + a], 0.6)
                visits[s * K + a] += 1
                Q[s * K + a] += rate * (target - Q[s * K + a])
            }
        }
        return Q
    }

    /// Fitted-Q iteration with a linear Q per action (Ernst et al. 2005):
    /// Q_{k+1}(x, a) = θ_a·x, θ_a the ridge fit of r + γ·max_b Q_k(x′, b)·(1 − done)
    /// on the transitions that took a. The design (rows of `X`, next rows of
    /// `Xnext`, both n × d) is fixed, so each action's A = λI + XᵀX is factored
    /// once and every iteration only re-solves for new targets. Iterates until
    /// the largest change of a prediction is below `tolerance` or `iterations`.
    /// Returns θ row-major K × d.
    public static func fittedLinear(_ t: Transitions, X: [Double], Xnext: [Double], d: Int, actions K: Int,
                                    discount: Double, ridge: Double = 1, iterations: Int = 200, tolerance: Double = 1e-8) throws -> [Double] {
        let n = t.count
        guard X.count == n * d, Xnext.count == n * d else { throw FrameError.invalid("fitted_q: design sizes differ from the transitions") }
        try checkCommon(discount: discount, epochs: iterations)
        guard ridge > 0, ridge.isFinite else { throw FrameError.invalid("fitted_q: ridge must be > 0") }
        for i in 0..<n where !(0..<K).contains(t.actions[i]) { throw FrameError.invalid("fitted_q: action out of range at row \(i + 1)") }
        var stats = [RidgeStatistics](repeating: RidgeStatistics(d: d, lambda: ridge), count: K)
        X.withUnsafeBufferPointer { x in for i in 0..<n { stats[t.actions[i]].add(x, offset: i * d, 0) } }
        let chol = try stats.map { try $0.cholesky() }
        var theta = [Double](repeating: 0, count: K * d)
        var nextQ = [Double](repeating: 0, count: n)     // max_b Q_k(x′, b)
        for _ in 0..<iterations {
            try ExecutionContext.check()
            var b = [[Double]](repeating: [Double](repeating: 0, count: d), count: K)
            for i in 0..<n {
                let y = t.rewards[i] + (t.done[i] ? 0 : discount * nextQ[i])
                let a = t.actions[i]
                for j in 0..<d { b[a][j] += y * X[i * d + j] }
            }
            for a in 0..<K {
                let th = DenseSPD.solve(cholesky: chol[a], d, b[a])
                for j in 0..<d { theta[a * d + j] = th[j] }
            }
            var change = 0.0
            for i in 0..<n {
                var m = -Double.infinity
                for a in 0..<K {
                    var s = 0.0
                    for j in 0..<d { s += Xnext[i * d + j] * theta[a * d + j] }
                    m = max(m, s)
                }
                change = max(change, abs(m - nextQ[i]))
                nextQ[i] = m
            }
            if change < tolerance { break }
        }
        return theta
    }

    static func checkCommon(discount: Double, epochs: Int) throws {
        guard discount >= 0, discount < 1 else { throw FrameError.invalid("q_learning: discount must be in [0, 1), got \(discount)") }
        guard (1...1_000_000).contains(epochs) else { throw FrameError.invalid("q_learning: epochs/iterations must be 1…1000000, got \(epochs)") }
    }

    /// The greedy action per state of a row-major S × K table (ties: lowest index).
    public static func greedy(_ Q: [Double], actions K: Int) -> [Int] {
        stride(from: 0, to: Q.count, by: K).map { o in
            var best = 0
            for a in 1..<max(K, 1) where Q[o + a] > Q[o + best] { best = a }
            return best
        }
    }
}
