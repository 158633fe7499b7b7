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
    public func group(_ k: Int) -> String { control[k] ? "control" : "treatment" }
    public func tier(_ k: Int) -> String {
        let c = tierCode[Int(rows[k])]
        return c < 0 ? "" : tierNames[Int(c)]
    }
    public func score(_ k: Int) -> Double? { scoreColumn?.double(at: Int(rows[k])) }
    public func cost(_ k: Int) -> Double { control[k] ? 0 : rule(k).action.cost }

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
                case "channel": s += rule(k).action.channel
                case "offer": s += rule(k).action.offer
                case "group": s += group(k)
                default: if let c = frame.columnIfPresent(f) { s += CellText.plain(c, row) ?? "" }
                }
            }
        }
        return s
    }

    /// Treated / control counts and total cost per rule name.
    public func summary() -> [(rule: String, treatment: Int, control: Int, cost: Double)] {
        var t = [Int](repeating: 0, count: rules.count), c = t
        for k in 0..<count { if control[k] { c[Int(ruleIndex[k])] += 1 } else { t[Int(ruleIndex[k])] += 1 } }
        return rules.indices.map { (rules[$0].name, t[$0], c[$0], Double(t[$0]) * rules[$0].action.cost) }
    }

    /// The decisions as a frame: user_id, rule, tier, channel, offer, cost, group, score, message, reason.
    public func toFrame() throws -> Frame {
        let n = count
        let names = rules.map(\.name)
        let codes = ruleIndex
        func cat(_ name: String, _ f: (Rule) -> String) -> Column {
            Column(name: name, data: .category(codes: codes, levels: rules.map(f)))
        }
        var tiers: [String?] = [], users: [String?] = [], msgs: [String?] = [], reas: [String?] = []
        tiers.reserveCapacity(n); users.reserveCapacity(n); msgs.reserveCapacity(n); reas.reserveCapacity(n)
        var costs = [Double](repeating: 0, count: n), scores = costs, scoreNull = [Bool](repeating: false, count: n)
        for k in 0..<n {
            users.append(user(k)); tiers.append(tier(k)); msgs.append(message(k)); reas.append(reason(k))
            costs[k] = cost(k)
            if let s = score(k) { scores[k] = s } else { scoreNull[k] = true }
        }
        let groups = Column(name: "group", data: .category(codes: control.map { $0 ? 1 : 0 }, levels: ["treatment", "control"]))
        return try Frame([
            .string("user_id", users), Column(name: "rule", data: .category(codes: codes, levels: names)),
            .string("tier", tiers, category: true), cat("channel") { $0.action.channel }, cat("offer") { $0.action.offer },
            .float("cost", costs), groups, .float("score", scores, nulls: scoreNull.contains(true) ? scoreNull : nil),
            .string("message", msgs), .string("reason", reas),
        ])
    }
}
