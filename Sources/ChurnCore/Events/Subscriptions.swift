/// Subscription terms, one row per paid term (a renewal is a new row), sorted
/// by (user, start) with CSR offsets per user, like `EventLog`.
///
/// A term covers `[start, end)` and is running at `t` when `start <= t < end`
/// (a renewal starting exactly at `t` counts); a null `end` means open-ended
/// (still running, no scheduled end). What `price` means is `pricePeriod`:
/// the price of the whole term (default) or a monthly rate; `mrr` is the
/// monthly rate either way (see `PricePeriod`).
public struct Subscriptions: Sendable {
    /// What the price column holds.
    public enum PricePeriod: String, Sendable, CaseIterable {
        /// The price paid for the whole term. MRR divides it by the term's length in
        /// calendar months when the term spans whole months (Jan 31 → Feb 29 is one
        /// month, a year twelve), else scales it by 30.4375 / days. So a monthly plan
        /// billed on calendar months has a constant MRR in 28-, 30- and 31-day months
        /// (scaling by days would invent expansion and contraction every month).
        case term
        /// The price is already a monthly rate (an `mrr` column): MRR = price.
        case month
    }
    public let userColumn: String
    public let users: UserIDs
    public let offsets: [Int]
    /// Term start, µs since epoch.
    public let starts: [Int64]
    /// Term end (exclusive), µs since epoch; `Int64.max` for open-ended terms.
    public let ends: [Int64]
    /// Plan per term: index into `planNames`.
    public let plans: [Int32]
    public let planNames: [String]
    public let prices: [Double]
    /// Monthly recurring revenue per term (from `prices` and `pricePeriod`).
    public let monthlyRevenue: [Double]
    public let pricePeriod: PricePeriod
    /// Auto-renew flag per term; nil when no column was given.
    public let autoRenew: [Bool]?
    /// Discount per term (fraction or amount, as given; NaN = missing); nil when no column was given.
    public let discounts: [Double]?
    public let timeIsDate: Bool

    public var count: Int { starts.count }
    public var userCount: Int { users.count }

    /// Days in an average month, for MRR.
    public static let daysPerMonth = 30.4375

    public init(_ frame: Frame, user: String = "user_id", start: String = "start", end: String = "end",
                plan: String = "plan", price: String = "price", autoRenew: String? = nil,
                discount: String? = nil, pricePeriod: PricePeriod = .term) throws {
        let scol = try frame.column(start), ecol = try frame.column(end)
        let (s, sDate) = try timeValues(scol, allowNull: false)
        let (e, _) = try timeValues(ecol, allowNull: true)
        for i in 0..<s.count where e[i] != Int64.max && e[i] < s[i] {
            throw EventError.invalidValue(column: end, row: i, message: "term ends before it starts")
        }
        let pcol = try frame.column(plan)
        let planCodes: [Int32], names: [String]
        switch pcol.data {
        case .string(let c, let d), .category(let c, let d):
            planCodes = c; names = d
            if let v = pcol.validity, let r = (0..<pcol.count).first(where: { !v.isValid($0) }) {
                throw EventError.nullValue(column: plan, row: r)
            }
        default: throw EventError.columnType(column: plan, expected: "string (plan)", got: pcol.dtype)
        }
        let prcol = try frame.column(price)
        guard let pr = prcol.toDoubles(), prcol.dtype != .date, prcol.dtype != .timestamp else {
            throw EventError.columnType(column: price, expected: "numeric (price)", got: prcol.dtype)
        }
        if let r = pr.firstIndex(where: { $0.isNaN }) { throw EventError.nullValue(column: price, row: r) }
        var ar: [Bool]? = nil
        if let autoRenew {
            let c = try frame.column(autoRenew)
            guard case .bool(let v) = c.data else {
                throw EventError.columnType(column: autoRenew, expected: "bool (auto-renew)", got: c.dtype)
            }
            if let r = (0..<c.count).first(where: { c.isNull($0) }) { throw EventError.nullValue(column: autoRenew, row: r) }
            ar = v
        }
        var disc: [Double]? = nil
        if let discount {
            let c = try frame.column(discount)
            guard let d = c.toDoubles(), c.dtype != .date, c.dtype != .timestamp else {
                throw EventError.columnType(column: discount, expected: "numeric (discount)", got: c.dtype)
            }
            disc = d
        }
        let (ids, keys) = try UserIDs.encode(try frame.column(user))
        let (perm, offsets, sortedStarts) = GroupSort.byKeyThenTime(keys: keys, groups: ids.count, times: s)
        userColumn = user; users = ids; self.offsets = offsets; timeIsDate = sDate
        starts = sortedStarts; ends = EventLog.gather(e, perm)
        plans = EventLog.gather(planCodes, perm); planNames = names
        let sortedPrices = EventLog.gather(pr, perm), sortedEnds = ends
        prices = sortedPrices
        self.pricePeriod = pricePeriod
        monthlyRevenue = pricePeriod == .month ? sortedPrices
            : (0..<sortedPrices.count).map { Subscriptions.monthlyRate(price: sortedPrices[$0], start: sortedStarts[$0], end: sortedEnds[$0]) }
        self.autoRenew = ar.map { EventLog.gather($0, perm) }
        discounts = disc.map { EventLog.gather($0, perm) }
    }

    /// Monthly recurring revenue of term `i`.
    @inline(__always) public func mrr(_ i: Int) -> Double { monthlyRevenue[i] }

    /// The monthly rate of a term priced `price` for `[start, end)` (µs): the price over
    /// the number of whole calendar months when the term spans whole months, else
    /// scaled to a 30.4375-day month. Open-ended terms: the price as monthly.
    public static func monthlyRate(price: Double, start: Int64, end: Int64) -> Double {
        guard end != Int64.max else { return price }
        if let months = CalendarMonth.wholeMonths(from: start, to: end) { return price / Double(months) }
        let days = Double(end - start) / Double(TimeUnit.microsPerDay)
        return days > 0 ? price * Subscriptions.daysPerMonth / days : 0
    }

    /// The term of user `u` running at time `t` (`start <= t < end`; the latest-starting
    /// one if several), or nil. Every "is subscribed at" question goes through here.
    public func term(user u: Int, at t: Int64) -> Int? { runningTerm(in: offsets[u]..<offsets[u + 1], at: t) }

    /// End of observation when none is given: the latest term start + 1 µs (the last thing observed).
    public var defaultDataEnd: Int64 { starts.max().map { $0 + 1 } ?? Int64.min }

    /// Sum of MRR over user `u`'s terms covering `t`.
    public func mrr(user u: Int, at t: Int64) -> Double {
        var s = 0.0
        for i in offsets[u]..<offsets[u + 1] where starts[i] <= t && t < ends[i] { s += mrr(i) }
        return s
    }

    /// End of user `u`'s continuous coverage starting from term `i`: follows
    /// renewals (terms starting no later than the current end + `grace`) until
    /// a gap. `Int64.max` when coverage is open-ended.
    public func coverageEnd(user u: Int, from i: Int, grace: Int64) -> Int64 {
        var end = ends[i]
        var extended = true
        while extended && end != Int64.max {
            extended = false
            for j in offsets[u]..<offsets[u + 1] where starts[j] <= end &+ grace && ends[j] > end && starts[j] >= starts[i] {
                end = ends[j]; extended = true
            }
        }
        return end
    }
}
