/// Past treated contacts (from the ledger), indexed for cooldown and frequency-cap checks.
public struct ContactHistory: Sendable {
    public struct Contact: Sendable, Equatable {
        public var user: String
        public var rule: String
        public var channel: String
        /// Days since epoch of the run's as-of date.
        public var day: Int32
        public init(user: String, rule: String, channel: String, day: Int32) {
            self.user = user; self.rule = rule; self.channel = channel; self.day = day
        }
    }

    /// user → (rule → days, unsorted)
    private var daysByRule: [String: [String: [Int32]]] = [:]
    /// user → (channel → days, unsorted)
    private var daysByChannel: [String: [String: [Int32]]] = [:]
    public private(set) var count = 0

    public init(_ contacts: [Contact] = []) { for c in contacts { add(c) } }

    public mutating func add(_ c: Contact) {
        count += 1
        daysByRule[c.user, default: [:]][c.rule, default: []].append(c.day)
        daysByChannel[c.user, default: [:]][c.channel, default: []].append(c.day)
    }

    public var isEmpty: Bool { count == 0 }

    /// Days between `asOf` and the nearest treatment of `user` by `rule`, before or
    /// after it (a cooldown applies both ways), or nil when there is none.
    public func daysFromRuleContact(_ user: String, _ rule: String, asOf: Int32) -> Int? {
        daysByRule[user]?[rule]?.map { abs(Int(asOf) - Int($0)) }.min()
    }

    /// The most treated contacts of `user` on `channel` in any `window`-day window that would
    /// also hold a contact on `asOf`: windows (e − window, e] for e in [asOf, asOf + window − 1].
    /// With only past contacts this is the count in (asOf − window, asOf]; contacts after
    /// `asOf` (recorded by a run for a later date) count for the windows that reach them.
    public func contacts(_ user: String, channel: String, window: Int, asOf: Int32) -> Int {
        guard let days = daysByChannel[user]?[channel], window > 0 else { return 0 }
        let a = Int(asOf)
        // The count only rises at a contact's day, so the maximum is at e = asOf or at a later contact's day.
        var ends = [a]
        for d in days where Int(d) > a && Int(d) <= a + window - 1 { ends.append(Int(d)) }
        return ends.map { e in days.reduce(0) { $0 + ((Int($1) > e - window && Int($1) <= e) ? 1 : 0) } }.max() ?? 0
    }

    public func hasUser(_ user: String) -> Bool { daysByChannel[user] != nil || daysByRule[user] != nil }
}
