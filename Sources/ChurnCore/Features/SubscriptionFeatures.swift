/// Read access to subscription terms, one user's terms forming a contiguous
/// index range sorted by start: what the subscription features need. The batch
/// table (`Subscriptions`) and the server's per-user online terms both conform,
/// so both compute the features through `SubscriptionFeatures` (one code path).
public protocol SubscriptionTermTable {
    /// Term start, µs since epoch.
    func termStart(_ i: Int) -> Int64
    /// Term end (exclusive), µs since epoch; `Int64.max` when open-ended.
    func termEnd(_ i: Int) -> Int64
    /// Plan code of the term (the table's own plan dictionary).
    func termPlan(_ i: Int) -> Int32
    func termPrice(_ i: Int) -> Double
    /// Monthly recurring revenue of the term.
    func termMRR(_ i: Int) -> Double
    /// Auto-renew flag; nil when the table has none for this term.
    func termAutoRenew(_ i: Int) -> Bool?
    /// Discount; NaN when missing.
    func termDiscount(_ i: Int) -> Double
}

extension SubscriptionTermTable {
    /// The term in `range` running at `t` (`start <= t < end`; the latest-starting one if several), or nil.
    public func runningTerm(in range: Range<Int>, at t: Int64) -> Int? {
        var i = range.upperBound - 1
        while i >= range.lowerBound {
            if termStart(i) <= t && t < termEnd(i) { return i }
            i -= 1
        }
        return nil
    }
}

/// One user's subscription feature values as of `asOf` (the `subscription`
/// family of `buildFeatures`). The current term is the latest one running at
/// `asOf` (a renewal starting exactly at `asOf` is known then). Without one,
/// `subscribed` = 0, price and MRR 0, `plan` the last plan held (none if never
/// subscribed), renewal, auto-renew and discount fields null (NaN).
public struct SubscriptionFeatures: Sendable, Equatable {
    /// The family's columns after `weekend`, in order; auto_renew_off and discount only
    /// when the table has those columns.
    public enum Kind: Sendable { case int, double, plan }
    public static func columns(autoRenew: Bool, discount: Bool) -> [(name: String, kind: Kind)] {
        var c: [(name: String, kind: Kind)] = [("subscribed", .int), ("plan", .plan), ("price", .double), ("mrr", .double),
                                                ("days_to_renewal", .double), ("renewals", .int)]
        if autoRenew { c.append(("auto_renew_off", .int)) }
        if discount { c.append(("discount", .double)) }
        return c
    }

    public var subscribed: Bool = false
    /// Plan code of the last term started at or before `asOf`; -1 when none.
    public var plan: Int32 = -1
    public var price = 0.0
    public var mrr = 0.0
    public var daysToRenewal = Double.nan
    /// Terms started at or before `asOf`, less one.
    public var renewals = 0
    /// 1 when the current term does not auto-renew, 0 when it does, NaN without one.
    public var autoRenewOff = Double.nan
    public var discount = Double.nan
    /// Days from the first term start to `asOf` when a term started at or before `asOf`, else nil:
    /// `tenure_days` is lowered to this when it is larger.
    public var daysSinceFirstStart: Double?

    /// A user without terms.
    public init() {}

    /// The values of the user whose terms are `range` of `table`.
    public init<T: SubscriptionTermTable>(_ table: T, terms range: Range<Int>, asOf: Int64) {
        let day = Double(TimeUnit.microsPerDay)
        var started = 0, lastStarted = -1
        for i in range where table.termStart(i) <= asOf { started += 1; lastStarted = i }
        if started > 0 { daysSinceFirstStart = Double(asOf - table.termStart(range.lowerBound)) / day }
        plan = lastStarted >= 0 ? table.termPlan(lastStarted) : -1
        renewals = max(0, started - 1)
        guard let c = table.runningTerm(in: range, at: asOf) else { return }
        subscribed = true
        price = table.termPrice(c)
        mrr = table.termMRR(c)
        let end = table.termEnd(c)
        daysToRenewal = end == Int64.max ? .nan : Double(end - asOf) / day
        autoRenewOff = table.termAutoRenew(c).map { $0 ? 0 : 1 } ?? .nan
        discount = table.termDiscount(c)
    }

    /// Writes the family's numeric columns through `put(k, value)` with `k` counted from the
    /// family's first column (the plan column, k = 1, is left to the caller: `plan`), and lowers
    /// `tenure_days` through `tenure` (read, write) when the family's spec has it.
    public func write(autoRenew: Bool, discount hasDiscount: Bool, put: (Int, Double) -> Void,
                      tenure: (get: () -> Double, set: (Double) -> Void)?) {
        if let tenure, let d = daysSinceFirstStart, d > tenure.get() { tenure.set(d) }
        put(0, subscribed ? 1 : 0)
        put(2, price)
        put(3, mrr)
        put(4, daysToRenewal)
        put(5, Double(renewals))
        var k = 6
        if autoRenew { put(k, autoRenewOff); k += 1 }
        if hasDiscount { put(k, discount) }
    }
}

extension Subscriptions: SubscriptionTermTable {
    public func termStart(_ i: Int) -> Int64 { starts[i] }
    public func termEnd(_ i: Int) -> Int64 { ends[i] }
    public func termPlan(_ i: Int) -> Int32 { plans[i] }
    public func termPrice(_ i: Int) -> Double { prices[i] }
    public func termMRR(_ i: Int) -> Double { monthlyRevenue[i] }
    public func termAutoRenew(_ i: Int) -> Bool? { autoRenew?[i] }
    public func termDiscount(_ i: Int) -> Double { discounts?[i] ?? .nan }
}
