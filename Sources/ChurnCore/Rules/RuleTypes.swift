import Foundation

/// Retention rules: risk tiers → interventions. The types here are plain
/// values the Lua binding fills from `cl.rules.rule{...}`; `RuleEngine`
/// evaluates them over a scored frame in whole-column passes.

/// A rule failed to build or evaluate: which rule, and why.
public struct RulesError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What a rule does to a selected user.
public struct RuleAction: Sendable, Equatable {
    public var channel: String
    public var offer: String
    /// Cost per treated user (control users cost nothing).
    public var cost: Double
    /// `{field}` template; fields are frame columns or `user_id`, `rule`, `tier`, `channel`, `offer`, `action`.
    public var message: String
    /// The action's name in the decision log ("" = the rule's name); holdout controls log "none".
    public var name: String
    public init(channel: String, offer: String = "", cost: Double = 0, message: String = "", name: String = "") {
        self.channel = channel; self.offer = offer; self.cost = cost; self.message = message; self.name = name
    }
}

/// Caps on a rule's treated users and their total cost (nil = unlimited).
public struct RuleBudget: Sendable, Equatable {
    public var maxUsers: Int?
    public var maxCost: Double?
    public init(maxUsers: Int? = nil, maxCost: Double? = nil) { self.maxUsers = maxUsers; self.maxCost = maxCost }
}

/// Which users a rule applies to.
public enum RuleCondition: Sendable {
    /// Every user.
    case always
    /// A vectorized bool column expression (null counts as false).
    case expr(Expr)
    /// A precomputed mask, one flag per frame row (the per-user Lua-function path fills it).
    case mask([Bool])
}

/// One retention rule.
public struct Rule: Sendable {
    public var name: String
    public var condition: RuleCondition
    public var action: RuleAction
    /// Higher runs first; ties keep declaration order.
    public var priority: Int
    /// Only users in these tiers (empty = all tiers).
    public var tiers: [String]
    /// Skip users this rule treated fewer than this many days before or after the run's
    /// as-of date (nil = no cooldown); "after" matters when a run for an earlier date
    /// starts after a run for a later one (a backfill).
    public var cooldownDays: Int?
    public var budget: RuleBudget
    /// Fraction of selected users kept as an untreated control group, in [0, 1).
    public var holdout: Double
    /// `{field}` template for the decision's reason (default: the condition's text).
    public var reason: String?
    /// A learned policy choosing the action among the selected users (nil: `action` for all).
    public var policy: RulePolicy?
    /// Days after the as-of at which the decision's outcome is read (logged; outcomes join on it).
    public var horizonDays: Int?
    public init(name: String, condition: RuleCondition = .always, action: RuleAction, priority: Int = 0,
                tiers: [String] = [], cooldownDays: Int? = nil, budget: RuleBudget = RuleBudget(),
                holdout: Double = 0, reason: String? = nil, policy: RulePolicy? = nil, horizonDays: Int? = nil) {
        self.name = name; self.condition = condition; self.action = action; self.priority = priority
        self.tiers = tiers; self.cooldownDays = cooldownDays; self.budget = budget; self.holdout = holdout
        self.reason = reason; self.policy = policy; self.horizonDays = horizonDays
    }

    /// The logged name of the plain action.
    public var actionName: String { action.name.isEmpty ? name : action.name }

    /// The channels the rule can contact on (its action's, or every channel its policy delivers on).
    public var channels: [String] { policy?.channels ?? [action.channel] }
}

/// Score thresholds naming risk tiers: a user is in the first tier (highest
/// threshold first) whose threshold the score reaches; below all thresholds
/// the tier is `lowest` ("low"); a null score has tier "" (no tier).
public struct Tiers: Sendable, Equatable {
    public var scoreColumn: String
    /// (name, minimum score), any order; sorted by threshold descending on use.
    public var thresholds: [(name: String, min: Double)]
    public var lowest: String
    public init(scoreColumn: String, thresholds: [(name: String, min: Double)], lowest: String = "low") {
        self.scoreColumn = scoreColumn; self.thresholds = thresholds.sorted { $0.min > $1.min }; self.lowest = lowest
    }
    public static func == (a: Tiers, b: Tiers) -> Bool {
        a.scoreColumn == b.scoreColumn && a.lowest == b.lowest
            && a.thresholds.map(\.name) == b.thresholds.map(\.name) && a.thresholds.map(\.min) == b.thresholds.map(\.min)
    }
}

/// At most `maxContacts` treated contacts on `channel` within any `windowDays`-day window
/// (this run included; windows after the as-of count too, for runs made out of date order).
public struct FrequencyCap: Sendable, Equatable {
    public var channel: String
    public var maxContacts: Int
    public var windowDays: Int
    public init(channel: String, maxContacts: Int, windowDays: Int) {
        self.channel = channel; self.maxContacts = maxContacts; self.windowDays = windowDays
    }
}

/// How long a decision's idempotency period is: the key is (rule, user, period).
public enum RulePeriod: String, Sendable, CaseIterable {
    case day, week, month

    /// The period label of an as-of date (days since epoch): `2024-10-01`, `2024-W40` (ISO week), `2024-10`.
    public func label(asOf days: Int32) -> String {
        let (y, m, d) = DateText.civil(days: Int(days))
        switch self {
        case .day: return DateText.format(days: days)
        case .month: return String(format: "%04d-%02d", y, m)
        case .week:
            // ISO 8601: the week belongs to the year of its Thursday.
            let weekday = ((Int(days) % 7) + 7 + 3) % 7          // 0 = Monday (1970-01-01 was a Thursday)
            let thursday = Int(days) - weekday + 3
            let ty = DateText.civil(days: thursday).year
            let jan1 = DateText.days(year: ty, month: 1, day: 1)
            _ = (m, d, y)
            return String(format: "%04d-W%02d", ty, (thursday - jan1) / 7 + 1)
        }
    }
}

/// Everything a rules run needs besides the users.
public struct RuleSet: Sendable {
    public var rules: [Rule] = []
    public var tiers: Tiers?
    public var caps: [FrequencyCap] = []
    /// The user id column of the scored frame.
    public var userColumn = "user_id"
    /// Within a rule, users are taken by this column descending (default: the tiers' score column), then row order.
    public var orderBy: String?
    /// A bool column: true = opted out (never selected).
    public var suppressColumn: String?
    /// User ids that opted out.
    public var suppressedUsers: Set<String> = []
    /// Key for the holdout hash (HMAC-SHA256); the same key and names give the same control groups.
    public var holdoutKey: [UInt8] = Array("churnlab-holdout".utf8)
    /// Experiment name mixed into the holdout hash (default: the rule's name).
    public var experiment: String?
    public var period: RulePeriod = .day
    /// Columns logged as every decision's context (besides the tier score and a policy's features).
    public var contextColumns: [String] = []
    public init() {}

    /// How far back (and forward) a run must read the ledger's contacts: the longest
    /// cooldown or frequency-cap window (see `Ledger.history`).
    public var historyLookbackDays: Int {
        max(rules.compactMap(\.cooldownDays).max() ?? 0, caps.map(\.windowDays).max() ?? 0)
    }

    /// Checks names, budgets and holdouts; throws naming the offending rule.
    public func validate() throws {
        var seen = Set<String>()
        for r in rules {
            guard !r.name.isEmpty else { throw RulesError("a rule has an empty name") }
            guard seen.insert(r.name).inserted else { throw RulesError("rule '\(r.name)' is defined twice") }
            guard r.policy != nil || !r.action.channel.isEmpty else { throw RulesError("rule '\(r.name)': action.channel is required") }
            if let h = r.horizonDays, h < 0 || h > OptionLimits.days {
                throw RulesError("rule '\(r.name)': horizon must be 0…\(OptionLimits.days) days, got \(h)")
            }
            guard r.action.cost.isFinite, r.action.cost >= 0 else { throw RulesError("rule '\(r.name)': cost must be ≥ 0, got \(r.action.cost)") }
            guard r.holdout >= 0, r.holdout < 1 else { throw RulesError("rule '\(r.name)': holdout must be in [0, 1), got \(r.holdout)") }
            if let c = r.cooldownDays, c < 0 || c > OptionLimits.days {
                throw RulesError("rule '\(r.name)': cooldown must be 0…\(OptionLimits.days) days, got \(c)")
            }
            if let m = r.budget.maxUsers, m < 0 { throw RulesError("rule '\(r.name)': budget.max_users must be ≥ 0, got \(m)") }
            if let m = r.budget.maxCost, !(m >= 0) { throw RulesError("rule '\(r.name)': budget.max_cost must be ≥ 0, got \(m)") }
            if let t = tiers {
                let names = Set(t.thresholds.map(\.name) + [t.lowest])
                for tier in r.tiers where !names.contains(tier) {
                    throw RulesError("rule '\(r.name)': unknown tier '\(tier)' (tiers: \(names.sorted().joined(separator: ", ")))")
                }
            } else if !r.tiers.isEmpty {
                throw RulesError("rule '\(r.name)': uses tiers but no tiers were defined (cl.rules.tiers{...})")
            }
        }
        for c in caps where c.maxContacts < 0 || c.windowDays <= 0 || c.windowDays > OptionLimits.days {
            throw RulesError("frequency cap for channel '\(c.channel)': max must be ≥ 0 and the window > 0 days")
        }
    }
}

/// Parses durations like `14d`, `2w`, `36h` (rounded up to days) or a bare number of days.
public enum RuleDuration {
    /// Whole days of a duration like "14d", "2w", "48h" or "14"; at most
    /// `OptionLimits.days` (checked before any arithmetic: "9223372036854775807w" used to trap).
    public static func days(_ text: String) throws -> Int {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = t.last else { throw RulesError("empty duration") }
        let maxDays = OptionLimits.days
        func bounded(_ d: Int) throws -> Int {
            guard d <= maxDays else { throw RulesError("duration '\(text)' is longer than \(maxDays) days") }
            return d
        }
        if let n = Int(t), n >= 0 { return try bounded(n) }
        guard let n = Int(t.dropLast()), n >= 0 else { throw RulesError("bad duration '\(text)' (expected e.g. 14d, 2w, 48h)") }
        guard n <= maxDays * 24 else { throw RulesError("duration '\(text)' is longer than \(maxDays) days") }
        switch unit {
        case "d": return try bounded(n)
        case "w": return try bounded(n * 7)
        case "h": return try bounded((n + 23) / 24)
        default: throw RulesError("bad duration unit in '\(text)' (use d, w or h)")
        }
    }
}
