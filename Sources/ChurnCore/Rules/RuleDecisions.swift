/// The result of evaluating a rule set: one decision per selected user, kept
/// columnar (row indices into the scored frame) so nothing is rendered until asked.
/// Order: rules by priority, and within a rule the order users were taken
/// (score descending, then row order).
public struct RuleDecisions: Sendable {
    public let frame: Frame
    public let ruleSet: RuleSet
    /// Rules in evaluation order (priority descending, then declaration order).
    public let rules: [Rule]
    public let asOf: Int32
    /// Row of each decision in `frame`.
    public let rows: [Int32]
    /// Index into `rules` of each decision.
    public let ruleIndex: [Int32]
    /// True = control (held out, not contacted).
    public let control: [Bool]
    /// Index into the rule's policy actions (−1: a plain rule, or a holdout control).
    public let choice: [Int16]
    /// The probability the logged (group, action) was chosen with: holdout randomisation × policy.
    public let propensities: [Double]
    /// Per rule (evaluation order), its policy's n × K probabilities over the frame, exploration
    /// mixed in (nil for a plain rule): what `probabilities(k)` reads the whole distribution from.
    let policyProbabilities: [[Double]?]
    /// Tier code per frame row (−1: no tiers or a null score) and the tier names.
    let tierCode: [Int8]
    public let tierNames: [String]
    /// Per rule, per reason the number of users excluded (suppressed, cooldown, cap, budget).
    public let skipped: [String: [String: Int]]

    let userColumn: Column
    let scoreColumn: Column?
    let messages: [MessageTemplate]
    let reasons: [MessageTemplate?]
    let defaultReasons: [String]

    public var count: Int { rows.count }
    public var period: String { ruleSet.period.label(asOf: asOf) }

    public func user(_ k: Int) -> String { RuleEngine.userText(userColumn, Int(rows[k])) }
    public func rule(_ k: Int) -> Rule { rules[Int(ruleIndex[k])] }
    /// "control" (holdout), "none" (a policy chose not to contact) or "treatment".
    public func group(_ k: Int) -> String {
        if control[k] { return "control" }
        if let p = rule(k).policy, p.deliveries[Int(choice[k])] == nil { return "none" }
        return "treatment"
    }

    /// The action as delivered (a holdout control of a plain rule keeps the rule's action, at no cost).
    public func action(_ k: Int) -> RuleAction {
        let r = rule(k)
        guard let p = r.policy else { return r.action }
        return choice[k] < 0 ? RuleAction(channel: "", name: "none") : p.deliveries[Int(choice[k])] ?? RuleAction(channel: "", name: p.actions[Int(choice[k])])
    }

    /// The logged action name: "none" for a holdout control, the policy's action, or the rule's action name.
    public func actionName(_ k: Int) -> String {
        if control[k] { return "none" }
        let r = rule(k)
        if let p = r.policy { return p.actions[Int(choice[k])] }
        return r.actionName
    }

    public func propensity(_ k: Int) -> Double { propensities[k] }

    /// The whole distribution decision k was drawn from, by logged action name: a holdout
    /// control is action "none" with probability `holdout`; otherwise a plain rule takes its
    /// action (1 − holdout) and a policy rule each of its actions with (1 − holdout)·p[a]
    /// (a policy action named "none" adds to the control's: both leave the user uncontacted).
    /// Zero-probability actions are kept — they mark where a candidate leaves the support.
    public func distribution(_ k: Int) -> [(action: String, probability: Double)] {
        let r = rule(k), h = r.holdout
        var out: [(action: String, probability: Double)] = []
        func add(_ name: String, _ p: Double) {
            if let i = out.firstIndex(where: { $0.action == name }) { out[i].probability += p } else { out.append((name, p)) }
        }
        if let pol = r.policy, let probs = policyProbabilities[Int(ruleIndex[k])] {
            let kk = pol.actions.count, row = Int(rows[k])
            for (j, a) in pol.actions.enumerated() { add(a, (1 - h) * probs[row * kk + j]) }
        } else {
            add(r.actionName, 1 - h)
        }
        add("none", h)
        return out
    }

    /// `distribution(k)` as the ledger stores it: a JSON object action → probability.
    public func probabilities(_ k: Int) -> String {
        "{" + distribution(k).map { Outbox.jsonString($0.action) + ":" + $0.probability.description }.joined(separator: ",") + "}"
    }
    public func horizonDays(_ k: Int) -> Int? { rule(k).horizonDays }

    /// The columns logged as a decision's context under rule `r`: the run's context columns,
    /// the tier score / order column and the rule policy's features (first occurrence kept).
    func contextColumns(rule r: Rule) -> [String] {
        var names = ruleSet.contextColumns
        if let t = ruleSet.tiers { names.append(t.scoreColumn) }
        if let o = ruleSet.orderBy { names.append(o) }
        names += r.policy?.policy.contextColumns ?? []
        var seen = Set<String>()
        return names.filter { frame.has($0) && seen.insert($0).inserted }
    }

    /// The decision's context as a JSON object of those columns' values (null for a null cell).
    public func context(_ k: Int) -> String {
        let row = Int(rows[k])
        let cols = contextColumns(rule: rule(k))
        return "{" + cols.map { name -> String in
            let c = frame.columnIfPresent(name)!
            let v: String
            if c.isNull(row) { v = "null" } else {
                switch c.data {
                case .float64(let x): v = x[row].isFinite ? x[row].description : "null"   // shortest round-trip text, valid JSON
                case .int64(let x): v = String(x[row])
                case .bool(let x): v = x[row] ? "true" : "false"
                default: v = Outbox.jsonString(CellText.plain(c, row) ?? "")
                }
            }
            return Outbox.jsonString(name) + ":" + v
        }.joined(separator: ",") + "}"
    }

    public func tier(_ k: Int) -> String {
        let c = tierCode[Int(rows[k])]
        return c < 0 ? "" : tierNames[Int(c)]
    }
    public func score(_ k: Int) -> Double? { scoreColumn?.double(at: Int(rows[k])) }
    public func cost(_ k: Int) -> Double { group(k) == "treatment" ? action(k).cost : 0 }

    public func message(_ k: Int) -> String { render(messages[Int(ruleIndex[k])], k) }

    public func reason(_ k: Int) -> String {
        let r = Int(ruleIndex[k])
        if let t = reasons[r] { return render(t, k) }
        return defaultReasons[r]
    }

    /// A rule's reason when it has no template: its condition's text.
    static func defaultReason(_ rule: Rule) -> String {
        switch rule.condition {
        case .always: return "always"
        case .expr(let e): return e.description
        case .mask: return "function"
        }
    }

    private func render(_ t: MessageTemplate, _ k: Int) -> String {
        var s = ""
        let row = Int(rows[k])
        for p in t.parts {
            switch p {
            case .text(let x): s += x
            case .field(let f):
                switch f {
                case "user_id": s += user(k)
                case "rule": s += rule(k).name
                case "tier": s += tier(k)
                case "channel": s += action(k).channel
                case "offer": s += action(k).offer
                case "action": s += actionName(k)
                case "group": s += group(k)
                default: if let c = frame.columnIfPresent(f) { s += CellText.plain(c, row) ?? "" }
                }
            }
        }
        return s
    }

    /// Treated / control counts and total cost per rule name.
    public func summary() -> [(rule: String, treatment: Int, control: Int, cost: Double)] {
        var t = [Int](repeating: 0, count: rules.count), c = t, spent = [Double](repeating: 0, count: rules.count)
        for k in 0..<count {
            let r = Int(ruleIndex[k])
            switch group(k) {
            case "control": c[r] += 1
            case "treatment": t[r] += 1; spent[r] += cost(k)
            default: break
            }
        }
        return rules.indices.map { (rules[$0].name, t[$0], c[$0], spent[$0]) }
    }

    /// The decisions as a frame: user_id, rule, tier, channel, offer, cost, group, score, message, reason, action, propensity.
    public func toFrame() throws -> Frame {
        let n = count
        let names = rules.map(\.name)
        let codes = ruleIndex
        var tiers: [String?] = [], users: [String?] = [], msgs: [String?] = [], reas: [String?] = []
        var channels: [String?] = [], offers: [String?] = [], groups: [String?] = [], actionNames: [String?] = []
        tiers.reserveCapacity(n); users.reserveCapacity(n); msgs.reserveCapacity(n); reas.reserveCapacity(n)
        var costs = [Double](repeating: 0, count: n), scores = costs, scoreNull = [Bool](repeating: false, count: n)
        for k in 0..<n {
            users.append(user(k)); tiers.append(tier(k)); msgs.append(message(k)); reas.append(reason(k))
            let a = action(k)
            channels.append(a.channel); offers.append(a.offer); groups.append(group(k)); actionNames.append(actionName(k))
            costs[k] = cost(k)
            if let s = score(k) { scores[k] = s } else { scoreNull[k] = true }
        }
        return try Frame([
            .string("user_id", users), Column(name: "rule", data: .category(codes: codes, levels: names)),
            .string("tier", tiers, category: true), .string("channel", channels, category: true), .string("offer", offers, category: true),
            .float("cost", costs), .string("group", groups, category: true), .float("score", scores, nulls: scoreNull.contains(true) ? scoreNull : nil),
            .string("message", msgs), .string("reason", reas), .string("action", actionNames, category: true), .float("propensity", propensities),
        ])
    }
}
