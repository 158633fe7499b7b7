/// The running budget of one decision walk — at most `maxUsers` contacts and `maxCost` in
/// total — and the one check of whether another contact fits. Both places that spend a
/// budget use it: the rules engine (a rule's `budget`, where the first contact that does not
/// fit stops the rule) and `DecisionConstraints` (`policy:choose{budget =}`, where an action
/// that does not fit gives its probability to the no-contact action). What happens on a
/// refusal differs; what counts as a refusal does not.
public struct BudgetTracker: Sendable, Equatable {
    public let maxUsers: Int?
    public let maxCost: Double?
    public private(set) var users = 0
    public private(set) var spent = 0.0
    /// Slack on the cost limit, so costs summing to the limit in floating point still fit.
    public static let costTolerance = 1e-9

    public init(maxUsers: Int? = nil, maxCost: Double? = nil) { self.maxUsers = maxUsers; self.maxCost = maxCost }

    /// Whether one more contact costing `cost` stays within both limits.
    @inline(__always) public func allows(_ cost: Double) -> Bool {
        if let m = maxUsers, users + 1 > m { return false }
        if let m = maxCost, spent + cost > m + Self.costTolerance { return false }
        return true
    }

    /// Records a contact costing `cost`.
    @inline(__always) public mutating func charge(_ cost: Double) { users += 1; spent += cost }
}
