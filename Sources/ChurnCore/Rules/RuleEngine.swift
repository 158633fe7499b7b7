/// Evaluates a `RuleSet` over a scored frame.
///
/// Semantics (documented for analysts in scripts/examples/retention_rules.lua):
/// 1. Rules run by priority (descending; ties in declaration order). A user gets at most
///    one decision per run: the first rule that selects them.
/// 2. A rule's candidates are the users whose condition is true (null = false), who are in
///    one of its tiers, not opted out (suppress column / list), not treated by this rule within
///    its cooldown before or after the as-of, and under every frequency cap of its channel
///    (history + this run).
/// 3. Candidates are taken in `orderBy` (default: the tier score) descending, then row order.
///    Each candidate's group comes from the stable holdout hash; control users are recorded
///    (so they cannot fall through to a lower rule and contaminate the comparison) and cost
///    nothing; treated users consume the budget. When the next treated user would exceed
///    max_users or max_cost the rule stops; the remaining candidates stay free for lower rules.
public enum RuleEngine {
    public static func evaluate(_ frame: Frame, rules ruleSet: RuleSet, asOf: Int32,
                                history: ContactHistory = ContactHistory()) throws -> RuleDecisions {
        try ruleSet.validate()
        let n = frame.nrow
        guard let users = frame.columnIfPresent(ruleSet.userColumn) else {
            throw RulesError("the users frame has no user id column '\(ruleSet.userColumn)'" + hint(frame, ruleSet.userColumn))
        }
        let ordered = ruleSet.rules.enumerated().sorted { a, b in
            a.element.priority != b.element.priority ? a.element.priority > b.element.priority : a.offset < b.offset
        }.map(\.element)

        // Templates, checked against the frame before any work.
        let builtins: Set<String> = ["user_id", "rule", "tier", "channel", "offer", "group", "action"]
        var messages: [MessageTemplate] = [], reasons: [MessageTemplate?] = []
        for r in ordered {
            let m = try MessageTemplate(r.action.message)
            let reason = try r.reason.map { try MessageTemplate($0) }
            for f in m.fields + (reason?.fields ?? []) where !builtins.contains(f) && !frame.has(f) {
                throw RulesError("rule '\(r.name)': template field {\(f)} is not a column" + hint(frame, f))
            }
            messages.append(m); reasons.append(reason)
        }

        // Tiers.
        var tierCode = [Int8](repeating: -1, count: n)
        var tierNames: [String] = []
        var scoreColumn: Column? = nil
        if let t = ruleSet.tiers {
            let sc = try numericColumn(frame, t.scoreColumn, what: "tier score")
            scoreColumn = sc
            tierNames = t.thresholds.map(\.name) + [t.lowest]
            let mins = t.thresholds.map(\.min)
            let lowest = Int8(mins.count)
            sc.withDoubles { x, valid in
                for i in 0..<n where valid(i) {
                    var code = lowest
                    for (k, m) in mins.enumerated() where x(i) >= m { code = Int8(k); break }
                    tierCode[i] = code
                }
            }
        }
        if let o = ruleSet.orderBy { scoreColumn = try numericColumn(frame, o, what: "order_by") }
        for name in ruleSet.contextColumns where !frame.has(name) {
            throw RulesError("context column '\(name)' is missing" + hint(frame, name))
        }

        // Opt-outs.
        var free = [Bool](repeating: true, count: n)      // not suppressed and not yet assigned
        var skipped: [String: [String: Int]] = [:]
        var suppressed = 0
        if let s = ruleSet.suppressColumn {
            let c = try frame.column(s)
            guard case .bool(let v) = c.data else { throw RulesError("suppress column '\(s)' must be bool, got \(c.dtype.rawValue)") }
            for i in 0..<n where !c.isNull(i) && v[i] { free[i] = false; suppressed += 1 }
        }
        if !ruleSet.suppressedUsers.isEmpty {
            for i in 0..<n where free[i] && ruleSet.suppressedUsers.contains(userText(users, i)) { free[i] = false; suppressed += 1 }
        }
        if suppressed > 0 { skipped["*", default: [:]]["suppressed"] = suppressed }

        let hasher = HoldoutHasher(key: ruleSet.holdoutKey)
        var outRows: [Int32] = [], outRule: [Int32] = [], outControl: [Bool] = []
        var outChoice: [Int16] = [], outPropensity: [Double] = []
        var policyProbabilities = [[Double]?](repeating: nil, count: ordered.count)
        let periodLabel = ruleSet.period.label(asOf: asOf)

        for (ri, rule) in ordered.enumerated() {
            try ExecutionContext.check()   // per rule, and every 65536 candidates below
            var cand = try candidates(rule, frame: frame, n: n, free: free, tierCode: tierCode, tierNames: tierNames)
            // History-based exclusions (only users with history pay for the string id).
            let channels = rule.channels
            if !history.isEmpty && (rule.cooldownDays != nil || ruleSet.caps.contains { channels.contains($0.channel) }) {
                let caps = ruleSet.caps.filter { channels.contains($0.channel) }
                var kept: [Int32] = []
                kept.reserveCapacity(cand.count)
                var cool = 0, capped = 0
                for (k, i) in cand.enumerated() {
                    if k & 0xFFFF == 0xFFFF { try ExecutionContext.check() }
                    let u = userText(users, Int(i))
                    if !history.hasUser(u) { kept.append(i); continue }
                    if let cd = rule.cooldownDays, let d = history.daysFromRuleContact(u, rule.name, asOf: asOf), d < cd { cool += 1; continue }
                    if caps.contains(where: { history.contacts(u, channel: $0.channel, window: $0.windowDays, asOf: asOf) >= $0.maxContacts }) {
                        capped += 1; continue
                    }
                    kept.append(i)
                }
                if cool > 0 { skipped[rule.name, default: [:]]["cooldown"] = cool }
                if capped > 0 { skipped[rule.name, default: [:]]["frequency_cap"] = capped }
                cand = kept
            }
            // A cap of 0 contacts blocks the channel outright.
            if ruleSet.caps.contains(where: { channels.contains($0.channel) && $0.maxContacts == 0 }) {
                if !cand.isEmpty { skipped[rule.name, default: [:]]["frequency_cap", default: 0] += cand.count }
                cand = []
            }
            let experiment = ruleSet.experiment.map { $0 + "/" + rule.name } ?? rule.name
            let prefix = Array(experiment.utf8) + [0x1F]
            // A policy's probabilities over the whole frame (one vectorized call), exploration mixed in.
            let probs: [Double]?
            do { probs = try rule.policy?.probabilities(frame) } catch { throw RulesError("rule '\(rule.name)': \(error)") }
            policyProbabilities[ri] = probs
            let policyExperiment = experiment + "/policy/" + periodLabel
            let k = rule.policy?.actions.count ?? 0
            if budgetBinds(rule, candidates: cand.count), let scoreColumn {
                cand = scoreOrder(cand, scoreColumn)
            }
            // Walk candidates in blocks: hash a block's holdout flags in parallel, then take
            // users in order until the budget stops the rule (later blocks are never hashed).
            var budget = BudgetTracker(maxUsers: rule.budget.maxUsers, maxCost: rule.budget.maxCost)
            var taken = 0
            var stopped = false
            let block = 1 << 16
            var start = 0
            while start < cand.count && !stopped {
                let end = min(cand.count, start + block)
                let isControl = rule.holdout > 0
                    ? Parallel.mapChunks(end - start) { r in
                        hasher.controlFlags(rows: cand[(start + r.lowerBound)..<(start + r.upperBound)], users: users, prefix: prefix, holdout: rule.holdout)
                    }.flatMap { $0 }
                    : [Bool](repeating: false, count: end - start)
                for j in start..<end {
                    let i = cand[j], control = isControl[j - start]
                    var choice: Int16 = -1
                    var propensity = control ? rule.holdout : 1 - rule.holdout
                    var contactCost: Double? = control ? nil : rule.action.cost
                    if let probs, !control {
                        let u = hasher.uniform(experiment: policyExperiment, user: userText(users, Int(i)))
                        let a = PolicySampling.draw(probs, row: Int(i), k: k, u: u)
                        choice = Int16(a)
                        propensity *= probs[Int(i) * k + a]
                        contactCost = rule.policy!.deliveries[a]?.cost
                    }
                    if let c = contactCost {
                        guard budget.allows(c) else { stopped = true; break }
                        budget.charge(c)
                    }
                    free[Int(i)] = false
                    outRows.append(i); outRule.append(Int32(ri)); outControl.append(control)
                    outChoice.append(choice); outPropensity.append(propensity)
                    taken += 1
                }
                start = end
            }
            if taken < cand.count { skipped[rule.name, default: [:]]["budget"] = cand.count - taken }
        }
        return RuleDecisions(frame: frame, ruleSet: ruleSet, rules: ordered, asOf: asOf, rows: outRows, ruleIndex: outRule,
                             control: outControl, choice: outChoice, propensities: outPropensity,
                             policyProbabilities: policyProbabilities, tierCode: tierCode, tierNames: tierNames, skipped: skipped, userColumn: users,
                             scoreColumn: scoreColumn, messages: messages, reasons: reasons,
                             defaultReasons: ordered.map(RuleDecisions.defaultReason))
    }

    /// Rows passing the rule's condition and tier filter that are still free, ascending.
    static func candidates(_ rule: Rule, frame: Frame, n: Int, free: [Bool], tierCode: [Int8], tierNames: [String]) throws -> [Int32] {
        let allowedTiers: [Bool]? = rule.tiers.isEmpty ? nil : tierNames.map { rule.tiers.contains($0) }
        var mask: [Bool]
        var valid: Validity? = nil
        switch rule.condition {
        case .always: mask = [Bool](repeating: true, count: n)
        case .mask(let m):
            guard m.count == n else { throw RulesError("rule '\(rule.name)': mask has \(m.count) flags for \(n) users") }
            mask = m
        case .expr(let e):
            let c: Column
            do { c = try e.evaluate(on: frame) } catch { throw RulesError("rule '\(rule.name)': condition \(e): \(error)") }
            guard case .bool(let v) = c.data else {
                throw RulesError("rule '\(rule.name)': condition \(e) gives \(c.dtype.rawValue), not bool (use a comparison)")
            }
            mask = v; valid = c.validity
        }
        var out: [Int32] = []
        mask.withUnsafeBufferPointer { m in
            free.withUnsafeBufferPointer { f in
                tierCode.withUnsafeBufferPointer { t in
                    for i in 0..<n where m[i] && f[i] {
                        if let valid, !valid.isValid(i) { continue }
                        if let allowedTiers { let c = t[i]; if c < 0 || !allowedTiers[Int(c)] { continue } }
                        out.append(Int32(i))
                    }
                }
            }
        }
        return out
    }

    static func budgetBinds(_ rule: Rule, candidates: Int) -> Bool {
        if let m = rule.budget.maxUsers, candidates > m { return true }
        let cost = rule.policy.map { $0.deliveries.map { $0?.cost ?? 0 }.max() ?? 0 } ?? rule.action.cost
        if let m = rule.budget.maxCost, Double(candidates) * cost > m { return true }
        return false
    }

    /// Candidate rows by score descending (nulls and NaN last), ties by row.
    static func scoreOrder(_ cand: [Int32], _ score: Column) -> [Int32] {
        var keyed: [(Double, Int32)] = []
        keyed.reserveCapacity(cand.count)
        score.withDoubles { x, valid in
            for i in cand { keyed.append((valid(Int(i)) ? x(Int(i)) : -.infinity, i)) }
        }
        keyed.sort { a, b in a.0 != b.0 ? a.0 > b.0 : a.1 < b.1 }
        return keyed.map(\.1)
    }

    /// A user id as text (ints without decoration; floats that are whole numbers as ints).
    @inline(__always) public static func userText(_ c: Column, _ i: Int) -> String {
        switch c.data {
        case .string(let k, let d), .category(let k, let d): return c.isNull(i) ? "" : d[Int(k[i])]
        case .int64(let v): return c.isNull(i) ? "" : String(v[i])
        case .float64(let v):
            if c.isNull(i) { return "" }
            let x = v[i]
            return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : x.description
        default: return CellText.plain(c, i) ?? ""
        }
    }

    static func numericColumn(_ frame: Frame, _ name: String, what: String) throws -> Column {
        guard let c = frame.columnIfPresent(name) else { throw RulesError("\(what) column '\(name)' is missing" + hint(frame, name)) }
        switch c.dtype {
        case .float64, .int64, .bool: return c
        default: throw RulesError("\(what) column '\(name)' must be numeric, got \(c.dtype.rawValue)")
        }
    }

    static func hint(_ frame: Frame, _ name: String) -> String {
        let near = frame.nearMatches(name)
        return near.isEmpty ? "" : " (did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?)"
    }
}

extension Column {
    /// Calls `body` with a value reader and a validity reader over a numeric column.
    func withDoubles(_ body: ((Int) -> Double, (Int) -> Bool) -> Void) {
        let valid: (Int) -> Bool = { !self.isNull($0) }
        switch data {
        case .float64(let v): v.withUnsafeBufferPointer { p in body({ p[$0] }, { i in !self.isNull(i) && !p[i].isNaN }) }
        case .int64(let v): v.withUnsafeBufferPointer { p in body({ Double(p[$0]) }, valid) }
        case .bool(let v): v.withUnsafeBufferPointer { p in body({ p[$0] ? 1 : 0 }, valid) }
        default: body({ _ in .nan }, { _ in false })
        }
    }
}
