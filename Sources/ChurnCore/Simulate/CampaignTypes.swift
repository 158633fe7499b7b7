import Foundation

/// One retention action the campaign simulator knows (an email, a coupon, a call).
///
/// Its effect lowers a user's churn log-odds in the period it is given, by
///
///     effect × (1 + price·(2s − 1) + engagement·e + tenure·t) × personas[p]
///
/// where s ∈ [0, 1] is the user's price sensitivity, e the engagement z-score,
/// t the standardised log tenure and p the persona — so the same action helps
/// some users, does nothing for others and can backfire (a negative product).
/// What is left of it carries over to later periods, shrinking by `decay` each
/// period (wear-off). A contact also counts toward annoyance (see
/// `CampaignSimOptions.annoyance`).
public struct CampaignAction: Sendable, Equatable {
    public var name: String
    public var cost: Double
    public var effect: Double
    public var price: Double
    public var engagement: Double
    public var tenure: Double
    /// Multiplier per persona (`CampaignSimulator.personas` order); nil: all 1.
    public var personas: [Double]?
    /// Whether giving it counts as contacting the user (annoyance). "none" does not.
    public var contact: Bool

    public init(name: String, cost: Double = 0, effect: Double = 0, price: Double = 0, engagement: Double = 0,
                tenure: Double = 0, personas: [Double]? = nil, contact: Bool = true) {
        self.name = name; self.cost = cost; self.effect = effect; self.price = price
        self.engagement = engagement; self.tenure = tenure; self.personas = personas; self.contact = contact
    }

    /// The do-nothing action every campaign has first.
    public static let none = CampaignAction(name: "none", contact: false)
}

/// Options of `CampaignSimulator`.
public struct CampaignSimOptions: Sendable, Equatable {
    public var users: Int = 1_000
    public var periods: Int = 1
    /// The actions after the implicit first one, "none".
    public var actions: [CampaignAction] = []
    public var seed: UInt64 = 42
    /// Revenue of a user who stays through a period (reward = value × retained − cost).
    public var value: Double = 30
    /// Churn log-odds of an average user with no action (−2.2 ≈ 10 % a period).
    public var baseline: Double = -2.2
    /// Share of an action's effect left one period later (0: no carry-over).
    public var decay: Double = 0.5
    /// Added churn log-odds per contact beyond `freeContacts` within the last `window` periods
    /// (this period's contact included), times the persona's annoyance sensitivity.
    public var annoyance: Double = 0.4
    public var freeContacts: Int = 1
    public var window: Int = 3

    public init() {}

    public static let maxUsers = 10_000_000
    public static let maxPeriods = 1_000
    public static let maxActions = 64

    func validate() throws {
        func bad(_ m: String) -> Error { FrameError.invalid("simulate.campaign: \(m)") }
        guard (1...Self.maxUsers).contains(users) else { throw bad("users must be 1…\(Self.maxUsers), got \(users)") }
        guard (1...Self.maxPeriods).contains(periods) else { throw bad("periods must be 1…\(Self.maxPeriods), got \(periods)") }
        guard actions.count <= Self.maxActions else { throw bad("at most \(Self.maxActions) actions, got \(actions.count)") }
        var seen: Set<String> = ["none"]
        for a in actions {
            guard !a.name.isEmpty else { throw bad("an action has an empty name") }
            guard seen.insert(a.name).inserted else { throw bad("action '\(a.name)' is given twice ('none' is always the first action)") }
            for (k, v) in [("cost", a.cost), ("effect", a.effect), ("price", a.price), ("engagement", a.engagement), ("tenure", a.tenure)] {
                guard v.isFinite else { throw bad("action '\(a.name)': \(k) must be finite, got \(v)") }
            }
            if let p = a.personas {
                guard p.count == CampaignSimulator.personas.count, p.allSatisfy(\.isFinite) else {
                    throw bad("action '\(a.name)': personas must be \(CampaignSimulator.personas.count) finite multipliers (\(CampaignSimulator.personas.joined(separator: ", ")))")
                }
            }
        }
        for (k, v) in [("value", value), ("baseline", baseline), ("annoyance", annoyance)] where !v.isFinite {
            throw bad("\(k) must be finite, got \(v)")
        }
        guard decay >= 0, decay <= 1 else { throw bad("decay must be in [0, 1], got \(decay)") }
        guard window >= 1, window <= 52 else { throw bad("window must be 1…52, got \(window)") }
        guard freeContacts >= 0, freeContacts <= 52 else { throw bad("free_contacts must be 0…52, got \(freeContacts)") }
    }
}
