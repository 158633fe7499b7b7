import Foundation

/// A policy over a fixed list of actions: for each row of a context frame, a
/// probability for every action. Everything else — sampling a decision with
/// its propensity, scoring a policy on the simulator's truth, off-policy
/// evaluation — is written once against this.
public protocol DecisionPolicy: AnyObject {
    /// Action names; index 0 is usually "none".
    var actions: [String] { get }
    /// Row-major n × actions.count probabilities (rows sum to 1).
    func probabilities(_ frame: Frame) throws -> [Double]
    /// Learns from logged decisions (bandits); fixed policies ignore it.
    func update(_ logs: LoggedDecisions) throws
    /// Short description for `tostring`.
    var summary: String { get }
    /// The frame columns the policy decides on (logged as each decision's context).
    var contextColumns: [String] { get }
}

extension DecisionPolicy {
    public func update(_ logs: LoggedDecisions) throws {}
    public var contextColumns: [String] { [] }

    /// Samples one action per row from `probabilities`: row i draws from its own
    /// stream of `seed`, so a decision does not depend on the other rows.
    /// Returns 0-based action indices and the probability each was chosen with.
    public func decide(_ frame: Frame, seed: UInt64) throws -> (actions: [Int], propensities: [Double]) {
        let p = try probabilities(frame)
        return PolicySampling.sample(p, k: actions.count, seed: seed, streamBase: 0)
    }
}

/// Sampling an action from a row of probabilities (shared by policies and the simulator).
public enum PolicySampling {
    /// Row i uses `SeededRandom(seed:, stream: streamBase + i)`.
    public static func sample(_ p: [Double], k: Int, seed: UInt64, streamBase: UInt64) -> (actions: [Int], propensities: [Double]) {
        let n = k == 0 ? 0 : p.count / k
        var acts = [Int](repeating: 0, count: n), props = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var rng = SeededRandom(seed: seed, stream: streamBase &+ UInt64(i))
            let a = draw(p, row: i, k: k, u: rng.uniform())
            acts[i] = a; props[i] = p[i * k + a]
        }
        return (acts, props)
    }

    /// The action whose cumulative probability first exceeds u (never one with probability 0).
    @inline(__always) public static func draw(_ p: [Double], row i: Int, k: Int, u: Double) -> Int {
        var acc = 0.0, last = 0
        for a in 0..<k where p[i * k + a] > 0 {
            acc += p[i * k + a]; last = a
            if u < acc { return a }
        }
        return last
    }

    /// Checks that a probability matrix is n × k with finite, non-negative rows summing to 1.
    public static func check(_ p: [Double], n: Int, k: Int, what: String) throws {
        guard p.count == n * k else { throw FrameError.invalid("\(what): expected \(n) × \(k) probabilities, got \(p.count)") }
        for i in 0..<n {
            var s = 0.0
            for a in 0..<k {
                let v = p[i * k + a]
                guard v.isFinite, v >= 0 else { throw FrameError.invalid("\(what): probability \(v) at row \(i + 1)") }
                s += v
            }
            guard abs(s - 1) < 1e-6 else { throw FrameError.invalid("\(what): probabilities of row \(i + 1) sum to \(s), not 1") }
        }
    }
}

/// Decisions as logged: context frame, chosen action, the probability it was
/// chosen with, and the observed reward.
public struct LoggedDecisions {
    public let context: Frame
    /// 0-based indices into `actions`.
    public let actions: [Int]
    public let propensities: [Double]
    public let rewards: [Double]
    public let actionNames: [String]
    /// Row-major n × K logging probabilities of every action, when the log has them
    /// (`p_<action>` columns); used to check the target policy's support.
    public let loggingProbabilities: [Double]?

    public var count: Int { actions.count }

    public init(context: Frame, actions: [Int], propensities: [Double], rewards: [Double], actionNames: [String],
                loggingProbabilities: [Double]? = nil) throws {
        let n = context.nrow, k = actionNames.count
        guard actions.count == n, propensities.count == n, rewards.count == n else {
            throw FrameError.invalid("logs: \(n) context rows but \(actions.count) actions, \(propensities.count) propensities, \(rewards.count) rewards")
        }
        for i in 0..<n {
            guard actions[i] >= 0, actions[i] < k else { throw FrameError.invalid("logs: action index out of range at row \(i + 1)") }
            guard propensities[i].isFinite, propensities[i] > 0, propensities[i] <= 1 + 1e-9 else {
                throw FrameError.invalid("logs: propensity must be in (0, 1], got \(propensities[i]) at row \(i + 1)")
            }
            guard rewards[i].isFinite else { throw FrameError.invalid("logs: reward \(rewards[i]) at row \(i + 1) is not finite") }
        }
        if let lp = loggingProbabilities { try PolicySampling.check(lp, n: n, k: k, what: "logging probabilities") }
        self.context = context; self.actions = actions; self.propensities = propensities; self.rewards = rewards
        self.actionNames = actionNames; self.loggingProbabilities = loggingProbabilities
    }

    /// Reads a log frame: `action` (text naming one of `actionNames`), `propensity`,
    /// the reward column, and the logging distribution from `p_<action>` columns when any are
    /// present (a missing column = an action the logger never took).
    public init(frame: Frame, actionNames: [String], action: String = "action", propensity: String = "propensity",
                reward: String = "reward") throws {
        let n = frame.nrow, k = actionNames.count
        let ac = try frame.column(action)
        var index: [String: Int] = [:]
        for (j, a) in actionNames.enumerated() { index[a] = j }
        var acts = [Int](repeating: 0, count: n)
        for i in 0..<n {
            guard let s = ac.string(at: i) else {
                throw FrameError.invalid("logs: column '\(action)' must hold action names (text), row \(i + 1) has none")
            }
            guard let j = index[s] else {
                throw FrameError.invalid("logs: action '\(s)' at row \(i + 1) is not one of the policy's actions (\(actionNames.joined(separator: ", ")))")
            }
            acts[i] = j
        }
        func doubles(_ name: String) throws -> [Double] {
            guard let v = try frame.column(name).toDoubles() else { throw FrameError.invalid("logs: column '\(name)' must be numeric") }
            if let i = v.firstIndex(where: { $0.isNaN }) { throw FrameError.invalid("logs: column '\(name)' has a null or NaN at row \(i + 1)") }
            return v
        }
        // Logging probabilities: the p_<action> columns present; an action without one was never
        // available to the logger (0). Any null (a row logged without its distribution) leaves
        // the support unknown rather than guessed.
        var lp: [Double]? = nil
        let present = actionNames.enumerated().compactMap { j, a in frame.columnIfPresent("p_" + a).map { (j, $0) } }
        if !present.isEmpty {
            var m = [Double](repeating: 0, count: n * k), complete = true
            for (j, c) in present {
                guard let v = c.toDoubles() else { throw FrameError.invalid("logs: column '\(c.name)' must be numeric") }
                if v.contains(where: { $0.isNaN }) { complete = false; break }
                for i in 0..<n { m[i * k + j] = v[i] }
            }
            if complete {
                for i in 0..<n {
                    let s = (0..<k).reduce(0.0) { $0 + m[i * k + $1] }
                    guard abs(s - 1) < 1e-6 else {
                        let others = frame.names.filter { $0.hasPrefix("p_") && !actionNames.contains(String($0.dropFirst(2))) }
                        throw FrameError.invalid("logs: the logging probabilities (p_<action> columns) of row \(i + 1) sum to \(s) over the policy's actions (\(actionNames.joined(separator: ", ")))"
                                                 + (others.isEmpty ? "" : "; the log also has \(others.joined(separator: ", ")): the logger could take actions the policy does not know"))
                    }
                }
                lp = m
            }
        }
        try self.init(context: frame, actions: acts, propensities: try doubles(propensity), rewards: try doubles(reward),
                      actionNames: actionNames, loggingProbabilities: lp)
    }
}
