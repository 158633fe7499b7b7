import Foundation

/// The greedy policy of a learned Q table over discrete states (the values of
/// one context column, e.g. a discretised risk × contacts bucket).
public final class QTablePolicy: DecisionPolicy {
    public let actions: [String]
    public let stateColumn: String
    /// State labels (text of the column's values), row order of `Q`.
    public let states: [String]
    /// Row-major states × actions.
    public let Q: [Double]
    public let discount: Double
    private let index: [String: Int]

    public init(actions: [String], stateColumn: String, states: [String], Q: [Double], discount: Double) {
        self.actions = actions; self.stateColumn = stateColumn; self.states = states; self.Q = Q; self.discount = discount
        var ix: [String: Int] = [:]
        for (i, s) in states.enumerated() { ix[s] = i }
        index = ix
    }

    /// A column value as a state label (text as is, numbers as integers when whole).
    public static func label(_ c: Column, _ i: Int) -> String? {
        if let s = c.string(at: i) { return s }
        guard let d = c.double(at: i) else { return nil }
        return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    /// Learns Q by tabular Q-learning from a transitions frame.
    public static func learn(_ f: Frame, actions: [String], state: String, action: String, reward: String, nextState: String,
                             done: String?, discount: Double, alpha: Double, epochs: Int, seed: UInt64) throws -> QTablePolicy {
        let sc = try f.column(state), nc = try f.column(nextState), ac = try f.column(action)
        guard let r = try f.column(reward).toDoubles() else { throw FrameError.invalid("q_learning: column '\(reward)' must be numeric") }
        var states: [String] = [], ix: [String: Int] = [:]
        func id(_ c: Column, _ i: Int) throws -> Int {
            guard let l = label(c, i) else { throw FrameError.invalid("q_learning: column '\(c.name)' is null at row \(i + 1)") }
            if let k = ix[l] { return k }
            ix[l] = states.count; states.append(l); return states.count - 1
        }
        var aix: [String: Int] = [:]
        for (j, a) in actions.enumerated() { aix[a] = j }
        var t = Transitions(states: [], actions: [], rewards: r, nextStates: [], done: [])
        let dc = try done.map { try f.column($0) }
        for i in 0..<f.nrow {
            t.states.append(try id(sc, i)); t.nextStates.append(try id(nc, i))
            guard let a = ac.string(at: i), let j = aix[a] else {
                throw FrameError.invalid("q_learning: action at row \(i + 1) is not one of \(actions.joined(separator: ", "))")
            }
            t.actions.append(j)
            t.done.append((dc?.double(at: i) ?? 0) != 0)
        }
        let Q = try QLearning.tabular(t, states: states.count, actions: actions.count, discount: discount, alpha: alpha, epochs: epochs, seed: seed)
        return QTablePolicy(actions: actions, stateColumn: state, states: states, Q: Q, discount: discount)
    }

    public func probabilities(_ frame: Frame) throws -> [Double] {
        let c = try frame.column(stateColumn), k = actions.count
        var p = [Double](repeating: 0, count: frame.nrow * k)
        let best = QLearning.greedy(Q, actions: k)
        for i in 0..<frame.nrow {
            guard let l = Self.label(c, i), let s = index[l] else {
                throw FrameError.invalid("policy: state '\(Self.label(c, i) ?? "null")' at row \(i + 1) of '\(stateColumn)' was never seen in the transitions")
            }
            p[i * k + best[s]] = 1
        }
        return p
    }

    public var contextColumns: [String] { [stateColumn] }

    public var summary: String { "q_learning on '\(stateColumn)': \(states.count) states, γ = \(discount)" }
}
