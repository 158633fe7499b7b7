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

    /// user → (rule → latest day)
    private var lastByRule: [String: [String: Int32]] = [:]
    /// user → (channel → days, unsorted)
    private var daysByChannel: [String: [String: [Int32]]] = [:]
    public private(set) var count = 0

    public init(_ contacts: [Contact] = []) { for c in contacts { add(c) } }

    public mutating func add(_ c: Contact) {
        count += 1
        let prev = lastByRule[c.user]?[c.rule]
        if prev == nil || prev! < c.day { lastByRule[c.user, default: [:]][c.rule] = c.day }
        daysByChannel[c.user, default: [:]][c.channel, default: []].append(c.day)
    }

    public var isEmpty: Bool { count == 0 }

    /// Days since `user` was last treated by `rule`, or nil.
    public func daysSinceRule(_ user: String, _ rule: String, asOf: Int32) -> Int? {
        lastByRule[user]?[rule].map { Int(asOf) - Int($0) }
    }

    /// Treated contacts of `user` on `channel` within the `window` days ending at `asOf` (asOf − window < day ≤ asOf).
    public func contacts(_ user: String, channel: String, window: Int, asOf: Int32) -> Int {
        guard let days = daysByChannel[user]?[channel] else { return 0 }
        let lo = Int(asOf) - window
        return days.reduce(0) { $0 + ((Int($1) > lo && $1 <= asOf) ? 1 : 0) }
    }

    public func hasUser(_ user: String) -> Bool { daysByChannel[user] != nil || lastByRule[user] != nil }
}
