import Foundation

/// A retention campaign with counterfactual truth.
///
/// Each user has an engagement z-score, a tenure (months), a price
/// sensitivity in [0, 1] and a persona. In every period a still-active user
/// gets one action; their churn probability that period is
///
///     σ(baseline − 0.8·e − 0.35·t + 1.2·(s − ½) + persona offset
///       − carry-over − effect of the action (`CampaignAction`)
///       + annoyance · sensitivity · max(0, contacts in the window − free contacts))
///
/// where t is the standardised log tenure. A user who churns is gone; one who
/// stays earns `value`; the action costs its `cost`. The context a policy sees
/// is the user's attributes plus the state the history left
/// (`recent_contacts`, `carryover`), so the expected reward of every action in
/// every context is known exactly: `expectedRewards`. That is what makes a
/// policy's value, and its regret, exact here rather than estimated.
///
/// Deterministic for a seed: user i's attributes come from stream i of
/// `seed`; a log's draws for (period p, user i) from their own stream of the
/// log's seed, so results do not depend on threads or on the other users.
public final class CampaignSimulator {
    public let options: CampaignSimOptions
    /// "none" first, then the options' actions.
    public let actions: [CampaignAction]
    public let engagement: [Double], tenure: [Double], priceSensitivity: [Double]
    public let persona: [Int]

    public static let personas = ["casual", "learner", "bargain_hunter", "loyal"]
    static let personaOffset = [0.3, -0.2, 0.2, -0.8]
    static let annoyanceSensitivity = [1.0, 0.6, 0.8, 1.6]
    /// The context columns a policy sees, in order.
    public static let contextColumns = ["user_id", "period", "engagement", "tenure", "price_sensitivity", "persona",
                                        "recent_contacts", "carryover"]

    public init(_ o: CampaignSimOptions) throws {
        try o.validate()
        try ExecutionContext.checkMemory(o.users * 40, for: "campaign users")
        options = o
        actions = [CampaignAction.none] + o.actions
        var e = [Double](repeating: 0, count: o.users), t = e, s = e, p = [Int](repeating: 0, count: o.users)
        for i in 0..<o.users {
            if i & 4095 == 0 { try ExecutionContext.check() }
            var rng = SeededRandom(seed: o.seed, stream: UInt64(i))
            e[i] = rng.normal()
            t[i] = (-12 * Foundation.log(1 - rng.uniform())).rounded(.down)   // months, exponential with mean ≈ 12
            s[i] = rng.uniform()
            let u = rng.uniform()
            p[i] = u < 0.35 ? 0 : u < 0.6 ? 1 : u < 0.8 ? 2 : 3
        }
        engagement = e; tenure = t; priceSensitivity = s; persona = p
    }

    public var users: Int { options.users }
    public var actionNames: [String] { actions.map(\.name) }

    /// The state a user's history left at the start of a period.
    public struct State: Sendable, Equatable {
        /// Bit j: a contact j + 1 periods ago.
        public var contacts: UInt64 = 0
        public var carryover: Double = 0
        public init() {}
    }

    // MARK: the model

    /// Standardised log tenure.
    @inline(__always) static func tenureScore(_ months: Double) -> Double { (Foundation.log1p(months) - 2.0) / 0.9 }

    /// The effect (churn log-odds reduction) of action `a` for user i at a tenure.
    @inline(__always) func effect(_ a: Int, user i: Int, tenure months: Double) -> Double {
        let act = actions[a]
        if act.effect == 0 { return 0 }
        let m = 1 + act.price * (2 * priceSensitivity[i] - 1) + act.engagement * engagement[i]
            + act.tenure * Self.tenureScore(months)
        return act.effect * m * (act.personas?[persona[i]] ?? 1)
    }

    /// Contacts counted for annoyance from the history alone (this period's not included).
    @inline(__always) func recentContacts(_ s: State) -> Int {
        let w = options.window - 1
        return w == 0 ? 0 : (s.contacts & ((UInt64(1) << UInt64(w)) - 1)).nonzeroBitCount
    }

    /// Churn probability of user i in period `period` (0-based) under action a.
    @inline(__always) func churnProbability(user i: Int, period: Int, state: State, action a: Int) -> Double {
        let months = tenure[i] + Double(period)
        let contacts = recentContacts(state) + (actions[a].contact ? 1 : 0)
        let z = options.baseline - 0.8 * engagement[i] - 0.35 * Self.tenureScore(months)
            + 1.2 * (priceSensitivity[i] - 0.5) + Self.personaOffset[persona[i]]
            - state.carryover - effect(a, user: i, tenure: months)
            + options.annoyance * Self.annoyanceSensitivity[persona[i]] * Double(max(0, contacts - options.freeContacts))
        return 1 / (1 + Foundation.exp(-z))
    }

    /// Expected reward: value × P(stay) − cost.
    @inline(__always) func expectedReward(user i: Int, period: Int, state: State, action a: Int) -> Double {
        options.value * (1 - churnProbability(user: i, period: period, state: state, action: a)) - actions[a].cost
    }

    /// The state after user i got action a in `period` (and stayed).
    @inline(__always) func next(_ s: State, user i: Int, period: Int, action a: Int) -> State {
        var n = State()
        n.contacts = (s.contacts << 1) | (actions[a].contact ? 1 : 0)
        n.carryover = options.decay * (s.carryover + effect(a, user: i, tenure: tenure[i] + Double(period)))
        return n
    }

    // MARK: contexts

    /// The context frame of (user, period, state) rows.
    func contextFrame(users idx: [Int], period: [Int], states: [State]) throws -> Frame {
        let n = idx.count
        var codes = [Int32](repeating: 0, count: n)
        for r in 0..<n { codes[r] = Int32(persona[idx[r]]) }
        return try Frame([
            .int("user_id", idx.map { Int64($0 + 1) }),
            .int("period", period.map { Int64($0 + 1) }),
            .float("engagement", idx.map { engagement[$0] }),
            .float("tenure", (0..<n).map { tenure[idx[$0]] + Double(period[$0]) }),
            .float("price_sensitivity", idx.map { priceSensitivity[$0] }),
            Column(name: "persona", data: .string(codes: codes, dictionary: Self.personas)),
            .int("recent_contacts", states.map { Int64(recentContacts($0)) }),
            .float("carryover", states.map(\.carryover)),
        ])
    }

    /// Reads back the (user, period, state) of each row of a context frame
    /// (a log or a frame built like one), so truth can be computed for it.
    func contexts(of frame: Frame) throws -> (users: [Int], periods: [Int], states: [State]) {
        func ints(_ name: String) throws -> [Int] {
            guard let v = try frame.column(name).toDoubles() else { throw FrameError.invalid("campaign: column '\(name)' must be numeric") }
            return try v.enumerated().map { r, d in
                guard d.isFinite, d >= 0, d < 1e9, d == d.rounded() else { throw FrameError.invalid("campaign: '\(name)' has \(d) at row \(r + 1)") }
                return Int(d)
            }
        }
        let u = try ints("user_id"), p = try ints("period"), rc = try ints("recent_contacts")
        guard let carry = try frame.column("carryover").toDoubles() else { throw FrameError.invalid("campaign: column 'carryover' must be numeric") }
        var states = [State](repeating: State(), count: frame.nrow)
        for r in 0..<frame.nrow {
            guard u[r] >= 1, u[r] <= users else { throw FrameError.invalid("campaign: user_id \(u[r]) at row \(r + 1) is not a simulated user (1…\(users))") }
            guard p[r] >= 1, p[r] <= options.periods else { throw FrameError.invalid("campaign: period \(p[r]) at row \(r + 1) is outside 1…\(options.periods)") }
            guard carry[r].isFinite else { throw FrameError.invalid("campaign: carryover at row \(r + 1) is not finite") }
            // The count is what the model uses; a mask with that many recent bits reproduces it.
            states[r].contacts = rc[r] >= 64 ? UInt64.max : (UInt64(1) << UInt64(rc[r])) - 1
            states[r].carryover = carry[r]
        }
        return (u.map { $0 - 1 }, p.map { $0 - 1 }, states)
    }

    /// Users' attributes: user_id, engagement, tenure (at period 1), price_sensitivity, persona.
    public func usersFrame() throws -> Frame {
        let all = Array(0..<users)
        let f = try contextFrame(users: all, period: [Int](repeating: 0, count: users), states: [State](repeating: State(), count: users))
        return try Frame(f.columns.filter { ["user_id", "engagement", "tenure", "price_sensitivity", "persona"].contains($0.name) })
    }

    /// Contexts of period 1 (every user, empty history).
    public func firstPeriodContexts() throws -> Frame {
        try contextFrame(users: Array(0..<users), period: [Int](repeating: 0, count: users), states: [State](repeating: State(), count: users))
    }

    /// Exact expected reward of every action for every row of a context frame:
    /// row-major n × actions.
    public func expectedRewards(_ frame: Frame) throws -> [Double] {
        let (u, p, s) = try contexts(of: frame)
        let k = actions.count
        try ExecutionContext.checkMemory(u.count * k * 8, for: "expected rewards")
        var out = [Double](repeating: 0, count: u.count * k)
        for r in 0..<u.count {
            if r & 8191 == 0 { try ExecutionContext.check() }
            for a in 0..<k { out[r * k + a] = expectedReward(user: u[r], period: p[r], state: s[r], action: a) }
        }
        return out
    }

    // MARK: policy value

    /// The exact value of `policy` on given contexts: mean over rows of
    /// Σₐ π(a | x) μ(x, a), and the same for the best action per row (the
    /// oracle), so regret = oracle − value (per decision).
    public func value(of policy: DecisionPolicy, on frame: Frame) throws -> (value: Double, oracle: Double) {
        try checkActions(policy)
        let mu = try expectedRewards(frame)
        let pi = try policy.probabilities(frame)
        let k = actions.count, n = frame.nrow
        try PolicySampling.check(pi, n: n, k: k, what: "policy")
        var v = 0.0, best = 0.0
        for r in 0..<n {
            var m = -Double.infinity
            for a in 0..<k { v += pi[r * k + a] * mu[r * k + a]; m = max(m, mu[r * k + a]) }
            best += m
        }
        return (v / Double(max(n, 1)), best / Double(max(n, 1)))
    }

    /// The exact expected total reward per user over all periods when every
    /// user follows `policy`. Churn is the only chance event and ends a user's
    /// run, so for a deterministic policy each user's path is fixed while they
    /// stay: value = Σₜ S_t μ_t with S_t the probability of reaching period t.
    /// A stochastic policy branches; then the value is the mean of `draws`
    /// simulated runs per user (`exact` false) with its standard error.
    public func horizonValue(of policy: DecisionPolicy, draws: Int = 200, seed: UInt64 = 1) throws
        -> (value: Double, exact: Bool, standardError: Double) {
        try checkActions(policy)
        let k = actions.count, n = users, T = options.periods
        var alive = [Double](repeating: 1, count: n)        // survival probability (exact path)
        var states = [State](repeating: State(), count: n)
        var total = [Double](repeating: 0, count: n)
        var deterministic = true
        for t in 0..<T {
            try ExecutionContext.check()
            let frame = try contextFrame(users: Array(0..<n), period: [Int](repeating: t, count: n), states: states)
            let pi = try policy.probabilities(frame)
            try PolicySampling.check(pi, n: n, k: k, what: "policy")
            for i in 0..<n {
                var a = 0
                for j in 0..<k where pi[i * k + j] > 0 {
                    if pi[i * k + j] < 1 - 1e-12 { deterministic = false }
                    a = j
                }
                if !deterministic { break }
                total[i] += alive[i] * expectedReward(user: i, period: t, state: states[i], action: a)
                alive[i] *= 1 - churnProbability(user: i, period: t, state: states[i], action: a)
                states[i] = next(states[i], user: i, period: t, action: a)
            }
            if !deterministic { break }
        }
        if deterministic { return (total.reduce(0, +) / Double(n), true, 0) }
        // Monte Carlo: `draws` runs of every user.
        guard (1...100_000).contains(draws) else { throw FrameError.invalid("campaign: draws must be 1…100000, got \(draws)") }
        var sums = [Double](repeating: 0, count: draws)
        for d in 0..<draws {
            let run = try simulate(policy, seed: seed &+ UInt64(d) &* 0x9E37_79B9, collect: false)
            sums[d] = run.totalReward / Double(n)
        }
        let mean = sums.reduce(0, +) / Double(draws)
        let varr = draws > 1 ? sums.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws - 1) : 0
        return (mean, false, (varr / Double(draws)).squareRoot())
    }

    func checkActions(_ policy: DecisionPolicy) throws {
        guard policy.actions == actionNames else {
            throw FrameError.invalid("policy actions (\(policy.actions.joined(separator: ", "))) differ from the simulator's (\(actionNames.joined(separator: ", ")))")
        }
    }

    // MARK: logging

    /// The result of running a policy over all periods.
    public struct Run {
        public var frame: Frame?
        public var totalReward: Double
    }

    /// Runs `policy` over every user and period with real draws: each active
    /// user's action is sampled with its probability (stream (period, user) of
    /// `seed`), then churn. With `collect`, returns the log frame: the context
    /// columns, `action` (name), `propensity`, `p_<action>` for every action,
    /// `retained` (bool) and `reward` (value × retained − cost).
    public func simulate(_ policy: DecisionPolicy, seed: UInt64, collect: Bool = true) throws -> Run {
        try checkActions(policy)
        let k = actions.count, T = options.periods
        var active = Array(0..<users)
        var states = [State](repeating: State(), count: users)
        var parts: [Frame] = [], total = 0.0, rows = 0
        for t in 0..<T where !active.isEmpty {
            try ExecutionContext.check()
            let st = active.map { states[$0] }
            let frame = try contextFrame(users: active, period: [Int](repeating: t, count: active.count), states: st)
            let pi = try policy.probabilities(frame)
            try PolicySampling.check(pi, n: active.count, k: k, what: "policy")
            let m = active.count
            var acts = [Int](repeating: 0, count: m), props = [Double](repeating: 0, count: m)
            var retained = [Bool](repeating: false, count: m), reward = [Double](repeating: 0, count: m)
            var still: [Int] = []
            still.reserveCapacity(m)
            for r in 0..<m {
                let i = active[r]
                var rng = SeededRandom(seed: seed, stream: (UInt64(t) << 32) | UInt64(i))
                let a = PolicySampling.draw(pi, row: r, k: k, u: rng.uniform())
                let churn = rng.uniform() < churnProbability(user: i, period: t, state: states[i], action: a)
                acts[r] = a; props[r] = pi[r * k + a]; retained[r] = !churn
                reward[r] = (churn ? 0 : options.value) - actions[a].cost
                total += reward[r]
                if !churn { states[i] = next(states[i], user: i, period: t, action: a); still.append(i) }
            }
            if collect {
                rows += m
                try ExecutionContext.checkMemory(m * (8 * (k + 12)), for: "campaign log")
                var cols = frame.columns
                cols.append(Column(name: "action", data: .string(codes: acts.map { Int32($0) }, dictionary: actionNames)))
                cols.append(.float("propensity", props))
                for a in 0..<k { cols.append(.float("p_" + actions[a].name, (0..<m).map { pi[$0 * k + a] })) }
                cols.append(Column(name: "retained", data: .bool(retained)))
                cols.append(.float("reward", reward))
                parts.append(try Frame(cols))
            }
            active = still
        }
        guard collect else { return Run(frame: nil, totalReward: total) }
        return Run(frame: try Self.concat(parts), totalReward: total)
    }

    /// The state features a policy sees that change from period to period (`transitions` gives
    /// each of them a `next_` column).
    public static let stateColumns = ["period", "engagement", "tenure", "price_sensitivity", "persona", "recent_contacts", "carryover"]

    /// A run of `policy` as multi-period transitions for Q-learning: the log (`simulate`) plus,
    /// per row, `next_<column>` for the state columns — the same user's context one period
    /// later — and `done` (1 when the user churned or it was the last period; the next-state
    /// columns then repeat the current ones, and fitted-Q ignores them).
    public func transitions(_ policy: DecisionPolicy, seed: UInt64) throws -> Frame {
        let log = try simulate(policy, seed: seed).frame!
        let n = log.nrow
        let users = try log.column("user_id").toDoubles()!, periods = try log.column("period").toDoubles()!
        guard case .bool(let retained) = try log.column("retained").data else { throw FrameError.invalid("campaign: retained is not bool") }
        var row: [Int64: Int] = [:]
        row.reserveCapacity(n)
        for i in 0..<n { row[Int64(users[i]) * 4096 + Int64(periods[i])] = i }
        var next = [Int](repeating: 0, count: n), done = [Double](repeating: 0, count: n)
        for i in 0..<n {
            if i & 0xFFFF == 0xFFFF { try ExecutionContext.check() }
            if retained[i], let j = row[Int64(users[i]) * 4096 + Int64(periods[i]) + 1] { next[i] = j } else { next[i] = i; done[i] = 1 }
        }
        var cols = log.columns
        for name in Self.stateColumns {
            let c = try log.column(name)
            let data: ColumnData
            switch c.data {
            case .float64(let v): data = .float64(next.map { v[$0] })
            case .int64(let v): data = .int64(next.map { v[$0] })
            case .string(let k, let d): data = .string(codes: next.map { k[$0] }, dictionary: d)
            default: throw FrameError.invalid("campaign: unexpected column type of '\(name)'")
            }
            cols.append(Column(name: "next_" + name, data: data))
        }
        cols.append(.float("done", done))
        return try Frame(cols)
    }

    /// Row-concatenation of same-schema frames (string columns share one dictionary here).
    static func concat(_ parts: [Frame]) throws -> Frame {
        guard let first = parts.first else { return try Frame([]) }
        if parts.count == 1 { return first }
        var cols: [Column] = []
        for (j, c) in first.columns.enumerated() {
            let all = parts.map { $0.columns[j].data }
            let data: ColumnData
            switch c.data {
            case .float64: data = .float64(all.flatMap { if case .float64(let v) = $0 { return v } else { return [] } })
            case .int64: data = .int64(all.flatMap { if case .int64(let v) = $0 { return v } else { return [] } })
            case .bool: data = .bool(all.flatMap { if case .bool(let v) = $0 { return v } else { return [] } })
            case .string(_, let dict):
                data = .string(codes: all.flatMap { if case .string(let v, _) = $0 { return v } else { return [] } }, dictionary: dict)
            default: throw FrameError.invalid("campaign: unexpected column type")
            }
            cols.append(Column(name: c.name, data: data))
        }
        return try Frame(cols)
    }
}
