import Foundation

/// Multi-period transitions from a decision log (`cl.rules.history` with outcomes joined):
/// a ledger decision records the state it saw (its context) and the action, the outcome
/// join gives the reward, but nothing records the next state. Consecutive runs do: a user's
/// decision at run t and their decision at their next run give
///
///   state = the features logged at t, action and reward at t, next state = the features
///   logged at t + 1, done = 0;
///
/// a decision whose outcome is churn is terminal (done = 1, next state = its own state,
/// which `done` makes irrelevant). A user's last decision while still retained has no next
/// state yet: its future is unknown (truncated, not terminal), so it is left out, as are rows
/// without an outcome or reward yet. The result feeds `cl.policy.fitted_q` (features and
/// `next_<feature>` columns, `done`) and `cl.policy.q_learning` (a discrete `state` column
/// and its `next_state`).
public enum LedgerTransitions {
    public struct Options: Sendable {
        public var features: [String]
        public var user = "user_id"
        /// The run date: a date column, YYYY-MM-DD text or a number (larger = later).
        public var time = "as_of"
        public var action = "action"
        public var reward = "reward"
        /// 0/1 outcome; `churned` (inverted) when this column is absent.
        public var retained = "retained"
        public var churned = "churned"
        public var prefix = "next_"
        public init(features: [String]) { self.features = features }
    }

    public struct Result {
        public let frame: Frame
        /// Rows left out: no outcome or reward yet, or retained with no later decision.
        public let noOutcome: Int
        public let truncated: Int
    }

    public static func build(_ f: Frame, _ o: Options) throws -> Result {
        guard !o.features.isEmpty else { throw FrameError.invalid("transitions: features must name at least one column") }
        guard Set(o.features).count == o.features.count else { throw FrameError.invalid("transitions: a feature is listed twice") }
        let n = f.nrow
        let outcome: (col: Column, invert: Bool)
        if let c = f.columnIfPresent(o.retained) { outcome = (c, false) }
        else if let c = f.columnIfPresent(o.churned) { outcome = (c, true) }
        else {
            throw FrameError.invalid("transitions: the log has no '\(o.retained)' or '\(o.churned)' column (join outcomes first: cl.rules.history(ledger, {outcomes = …}))")
        }
        let users = try f.column(o.user), times = try f.column(o.time), rewards = try f.column(o.reward)
        for name in o.features + [o.action] { _ = try f.column(name) }
        for name in o.features where f.has(o.prefix + name) {
            throw FrameError.invalid("transitions: the log already has a column '\(o.prefix + name)'")
        }
        // The run time of every row as a number.
        var t = [Double](repeating: 0, count: n)
        for i in 0..<n {
            if i & 0xFFFF == 0xFFFF { try ExecutionContext.check() }
            if case .date(let v) = times.data, !times.isNull(i) { t[i] = Double(v[i]); continue }
            if let s = times.string(at: i), times.dtype == .string || times.dtype == .category {
                guard let d = DateText.parseDate(s) else { throw FrameError.invalid("transitions: column '\(o.time)' row \(i + 1): '\(s)' is not a YYYY-MM-DD date") }
                t[i] = Double(d); continue
            }
            guard let x = times.double(at: i), x.isFinite else { throw FrameError.invalid("transitions: column '\(o.time)' is null at row \(i + 1)") }
            t[i] = x
        }
        // Rows by user, in time order (row order breaks no ties: two decisions of one user at one time are an error).
        var byUser: [String: [Int]] = [:]
        for i in 0..<n { byUser[RuleEngine.userText(users, i), default: []].append(i) }
        var state: [Int] = [], next: [Int] = [], done: [Bool] = []
        var noOutcome = 0, truncated = 0
        for user in byUser.keys.sorted() {
            let rows = byUser[user]!.sorted { t[$0] != t[$1] ? t[$0] < t[$1] : $0 < $1 }
            for (k, i) in rows.enumerated() {
                if k + 1 < rows.count, t[rows[k + 1]] == t[i] {
                    throw FrameError.invalid("transitions: user \(user) has two decisions at the same run (rows \(i + 1) and \(rows[k + 1] + 1)): keep one rule's decisions (e.g. logs:filter(cl.col('rule') == '…'))")
                }
                guard let y = outcome.col.double(at: i), let r = rewards.double(at: i), r.isFinite else { noOutcome += 1; continue }
                guard y == 0 || y == 1 else { throw FrameError.invalid("transitions: column '\(outcome.col.name)' row \(i + 1): expected 0/1, got \(y)") }
                let churned = (y == 1) == outcome.invert
                if churned { state.append(i); next.append(i); done.append(true); continue }
                guard k + 1 < rows.count else { truncated += 1; continue }
                state.append(i); next.append(rows[k + 1]); done.append(false)
            }
        }
        try ExecutionContext.checkMemory(state.count * (o.features.count * 2 + 6) * 8, for: "transitions")
        var cols: [Column] = [users.take(state), times.take(state)]
        for name in o.features { cols.append(try f.column(name).take(state)) }
        cols.append(try f.column(o.action).take(state))
        cols.append(rewards.take(state))
        if let p = f.columnIfPresent("propensity"), o.action == "action" { cols.append(p.take(state)) }
        cols.append(.float("done", done.map { $0 ? 1 : 0 }))
        for name in o.features { cols.append(try f.column(name).take(next).renamed(o.prefix + name)) }
        // Columns named twice (a feature that is also the user or time column) keep their first copy.
        var seen = Set<String>()
        cols = cols.filter { seen.insert($0.name).inserted }
        return Result(frame: try Frame(cols), noOutcome: noOutcome, truncated: truncated)
    }
}
