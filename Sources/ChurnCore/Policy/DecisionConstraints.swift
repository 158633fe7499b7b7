import Foundation

/// Budgets and cooldowns applied when a policy decides (`policy:choose(frame, {budget =,
/// cooldown_days =, history =, …})`), the same for every policy because it works on the
/// probabilities every policy produces.
///
/// One rule does it all: an action a row may not take — a contact while the user is in
/// cooldown, or one the remaining budget cannot pay for — gives its probability to the
/// no-contact action, and the row draws from what is left. Rows are decided in a fixed order
/// (`order`, e.g. by risk, else row order), each from its own random stream, so the budget
/// left for a row depends only on the rows before it, and the logged propensity — the
/// adjusted probability of the drawn action given those rows — is exact: off-policy
/// evaluation of the log stays unbiased. The budget check is `BudgetTracker`'s, the same one
/// a rule's budget uses in `RuleEngine` (where a contact that does not fit stops the rule).
public struct DecisionConstraints: Sendable {
    /// Index of the action that contacts nobody and costs nothing (usually "none").
    public var noContact: Int
    /// Cost per action (the no-contact action's is ignored).
    public var costs: [Double]
    /// At most this many contacted users.
    public var maxUsers: Int?
    /// At most this total cost.
    public var maxCost: Double?
    /// A user contacted within this many days of `asOf` (either side) is not contacted again.
    public var cooldownDays: Int?
    /// Per row, the days (since epoch) of the user's nearest past contact; nil = never.
    public var lastContact: [Int32?]?
    public var asOf: Int32
    /// The order rows take the budget in (0-based rows, a permutation); nil = row order.
    public var order: [Int]?

    public init(noContact: Int, costs: [Double], maxUsers: Int? = nil, maxCost: Double? = nil, cooldownDays: Int? = nil,
                lastContact: [Int32?]? = nil, asOf: Int32 = 0, order: [Int]? = nil) {
        self.noContact = noContact; self.costs = costs; self.maxUsers = maxUsers; self.maxCost = maxCost
        self.cooldownDays = cooldownDays; self.lastContact = lastContact; self.asOf = asOf; self.order = order
    }

    func validate(n: Int, k: Int) throws {
        func bad(_ m: String) -> Error { FrameError.invalid("choose: \(m)") }
        guard (0..<k).contains(noContact) else { throw bad("the no-contact action is not one of the policy's") }
        guard costs.count == k, costs.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw bad("costs must be \(k) finite numbers >= 0") }
        if let m = maxUsers { guard m >= 0 else { throw bad("budget max_users must be >= 0") } }
        if let m = maxCost { guard m.isFinite, m >= 0 else { throw bad("budget max_cost must be finite >= 0") } }
        if let c = cooldownDays {
            guard c >= 0 else { throw bad("cooldown_days must be >= 0") }
            guard let l = lastContact, l.count == n else { throw bad("a cooldown needs the contact history of every row") }
        }
        if let o = order {
            guard o.count == n, Set(o).count == n, o.allSatisfy({ (0..<n).contains($0) }) else { throw bad("order must be a permutation of the rows") }
        }
    }
}

extension DecisionPolicy {
    /// `decide` under budgets and cooldowns (see `DecisionConstraints`). Returns 0-based
    /// actions, the propensity of each (the adjusted probability it was drawn with) and the
    /// adjusted row-major distributions (what a log needs to check support later).
    public func decide(_ frame: Frame, seed: UInt64, constraints c: DecisionConstraints) throws
        -> (actions: [Int], propensities: [Double], probabilities: [Double]) {
        let k = actions.count, n = frame.nrow
        var p = try probabilities(frame)
        try PolicySampling.check(p, n: n, k: k, what: "policy")
        try c.validate(n: n, k: k)
        var acts = [Int](repeating: c.noContact, count: n), props = [Double](repeating: 1, count: n)
        var budget = BudgetTracker(maxUsers: c.maxUsers, maxCost: c.maxCost)
        /// Moves the mass of every action `allowed` rejects to the no-contact action.
        func restrict(_ i: Int, _ allowed: (Int) -> Bool) {
            for a in 0..<k where a != c.noContact && p[i * k + a] > 0 && !allowed(a) {
                p[i * k + c.noContact] += p[i * k + a]; p[i * k + a] = 0
            }
        }
        for (step, i) in (c.order ?? Array(0..<n)).enumerated() {
            if step & 0xFFFF == 0xFFFF { try ExecutionContext.check() }
            if let cd = c.cooldownDays, let last = c.lastContact?[i], abs(Int(c.asOf) - Int(last)) < cd {
                restrict(i) { _ in false }
            }
            if c.maxUsers != nil || c.maxCost != nil { restrict(i) { budget.allows(c.costs[$0]) } }
            var rng = SeededRandom(seed: seed, stream: UInt64(i))
            let a = PolicySampling.draw(p, row: i, k: k, u: rng.uniform())
            acts[i] = a; props[i] = p[i * k + a]
            if a != c.noContact { budget.charge(c.costs[a]) }
        }
        return (acts, props, p)
    }
}

extension DecisionConstraints {
    /// Per row of `users`, the day of that user's contact nearest to `asOf` in a history frame
    /// (`userColumn`, a `dateColumn` of dates or YYYY-MM-DD text, and — when present — `group`,
    /// of which only "treatment" rows are contacts, as in the ledger's exports); nil = none.
    public static func nearestContacts(users: Column, history h: Frame, userColumn: String, dateColumn: String,
                                       asOf: Int32) throws -> [Int32?] {
        let hu = try h.column(userColumn), hd = try h.column(dateColumn)
        let group = h.columnIfPresent("group")
        var nearest: [String: Int32] = [:]
        for r in 0..<h.nrow {
            if r & 0xFFFF == 0xFFFF { try ExecutionContext.check() }
            if let g = group, g.string(at: r) != "treatment" { continue }
            let day: Int32
            switch hd.data {
            case .date(let v) where !hd.isNull(r): day = v[r]
            default:
                guard let s = hd.string(at: r), let d = DateText.parseDate(s) else {
                    throw FrameError.invalid("choose: history column '\(dateColumn)' row \(r + 1) is not a date (YYYY-MM-DD)")
                }
                day = d
            }
            let u = RuleEngine.userText(hu, r)
            if let old = nearest[u], abs(Int(old) - Int(asOf)) <= abs(Int(day) - Int(asOf)) { continue }
            nearest[u] = day
        }
        return (0..<users.count).map { nearest[RuleEngine.userText(users, $0)] }
    }
}

extension DecisionConstraints {
    /// Rows by a numeric column descending (nulls and NaN last, ties by row): who takes the budget first.
    public static func descendingOrder(_ column: Column) throws -> [Int] {
        switch column.dtype {
        case .float64, .int64, .bool: break
        default: throw FrameError.invalid("choose: order_by column '\(column.name)' must be numeric, got \(column.dtype.rawValue)")
        }
        return RuleEngine.scoreOrder((0..<Int32(column.count)).map { $0 }, column).map(Int.init)
    }
}
