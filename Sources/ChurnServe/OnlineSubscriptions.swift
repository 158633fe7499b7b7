import ChurnCore
import Foundation

/// One subscription term as the server receives it (`POST /v1/subscriptions`,
/// `--subscriptions-from`): the row `Subscriptions` reads from a table.
public struct OnlineTerm: Sendable, Equatable {
    public var user: String
    /// µs since the epoch, UTC.
    public var start: Int64
    /// Exclusive end, µs; `Int64.max` when open-ended.
    public var end: Int64
    public var plan: String
    public var price: Double
    /// What `price` means (the whole term, or a monthly rate); MRR follows `Subscriptions.monthlyRate`.
    public var pricePeriod: Subscriptions.PricePeriod
    /// nil when not given.
    public var autoRenew: Bool?
    /// NaN when not given.
    public var discount: Double

    public init(user: String, start: Int64, end: Int64 = Int64.max, plan: String, price: Double,
                pricePeriod: Subscriptions.PricePeriod = .term, autoRenew: Bool? = nil, discount: Double = .nan) {
        self.user = user; self.start = start; self.end = end; self.plan = plan; self.price = price
        self.pricePeriod = pricePeriod; self.autoRenew = autoRenew; self.discount = discount
    }

    public static func == (a: OnlineTerm, b: OnlineTerm) -> Bool {
        a.user == b.user && a.start == b.start && a.end == b.end && a.plan == b.plan && a.price == b.price &&
            a.pricePeriod == b.pricePeriod && a.autoRenew == b.autoRenew && (a.discount == b.discount || (a.discount.isNaN && b.discount.isNaN))
    }

    /// Monthly recurring revenue, as the batch table computes it.
    var mrr: Double {
        pricePeriod == .month ? price : Subscriptions.monthlyRate(price: price, start: start, end: end)
    }

    /// Every term of a subscription table, per user in start order (the `--subscriptions-from` file).
    public static func terms(of subs: Subscriptions) -> [OnlineTerm] {
        var out: [OnlineTerm] = []
        out.reserveCapacity(subs.count)
        for u in 0..<subs.userCount {
            let id = subs.users.text(u)
            for i in subs.offsets[u]..<subs.offsets[u + 1] {
                out.append(OnlineTerm(user: id, start: subs.starts[i], end: subs.ends[i], plan: subs.planNames[Int(subs.plans[i])],
                                      price: subs.prices[i], pricePeriod: subs.pricePeriod, autoRenew: subs.autoRenew?[i],
                                      discount: subs.discounts?[i] ?? .nan))
            }
        }
        return out
    }
}

extension OnlineEvent {
    /// Every event of a log, per user in time order (the `--events-from` file).
    public static func events(of log: EventLog) -> [OnlineEvent] {
        var out: [OnlineEvent] = []
        out.reserveCapacity(log.count)
        for u in 0..<log.userCount {
            let id = log.users.text(u)
            for i in log.offsets[u]..<log.offsets[u + 1] {
                out.append(OnlineEvent(user: id, type: log.typeNames[Int(log.types[i])], time: log.times[i], amount: log.amounts?[i] ?? .nan))
            }
        }
        return out
    }
}

extension UserIDs {
    /// User `u`'s id as the server keys it (integer ids in decimal).
    func text(_ u: Int) -> String {
        switch self { case .int(let v): return String(v[u]); case .string(let v): return v[u] }
    }
}

extension OnlineState {
    /// One user's terms sorted by start (starts are unique: a term with the start of an
    /// existing one replaces it, which is how an end date or cancellation is recorded).
    struct Terms: Sendable, SubscriptionTermTable {
        var starts: [Int64] = []
        var ends: [Int64] = []
        /// Codes into the state's plan table.
        var plans: [Int32] = []
        var prices: [Double] = []
        var mrr: [Double] = []
        /// 1 on, 0 off, -1 not given.
        var autoRenew: [Int8] = []
        var discounts: [Double] = []

        var count: Int { starts.count }
        func termStart(_ i: Int) -> Int64 { starts[i] }
        func termEnd(_ i: Int) -> Int64 { ends[i] }
        func termPlan(_ i: Int) -> Int32 { plans[i] }
        func termPrice(_ i: Int) -> Double { prices[i] }
        func termMRR(_ i: Int) -> Double { mrr[i] }
        func termAutoRenew(_ i: Int) -> Bool? { autoRenew[i] < 0 ? nil : autoRenew[i] == 1 }
        func termDiscount(_ i: Int) -> Double { discounts[i] }

        mutating func put(start: Int64, end: Int64, plan: Int32, price: Double, mrr m: Double, autoRenew ar: Int8, discount: Double) {
            var lo = 0, hi = starts.count
            while lo < hi { let k = (lo + hi) / 2; if starts[k] < start { lo = k + 1 } else { hi = k } }
            if lo < starts.count && starts[lo] == start {
                ends[lo] = end; plans[lo] = plan; prices[lo] = price; mrr[lo] = m; autoRenew[lo] = ar; discounts[lo] = discount
                return
            }
            starts.insert(start, at: lo); ends.insert(end, at: lo); plans.insert(plan, at: lo); prices.insert(price, at: lo)
            mrr.insert(m, at: lo); autoRenew.insert(ar, at: lo); discounts.insert(discount, at: lo)
        }
    }

    /// At most this many distinct plan names.
    public static let maxPlans = 4096

    /// Why `term` cannot be added, or nil: the member at fault and why. `pendingPlans`: new plans earlier in the batch.
    public func rejection(_ t: OnlineTerm, pendingPlans: Set<String>) -> (member: String, message: String)? {
        if t.end != Int64.max && t.end < t.start { return ("end", "the term ends before it starts") }
        if planCode[t.plan] == nil, !pendingPlans.contains(t.plan), planNames.count + pendingPlans.count >= OnlineState.maxPlans {
            return ("plan", "a new plan beyond the limit of \(OnlineState.maxPlans) distinct plans")
        }
        return nil
    }

    /// Adds (or, with the start of an existing term of the user, replaces) one term (validated with `rejection` first).
    public mutating func add(_ t: OnlineTerm) {
        let code: Int32
        if let c = planCode[t.plan] { code = c } else { code = Int32(planNames.count); planNames.append(t.plan); planCode[t.plan] = code }
        if termCount == 0 || (t.autoRenew != nil && !hasAutoRenew) || (!t.discount.isNaN && !hasDiscount) { layoutCache = nil }
        if t.autoRenew != nil { hasAutoRenew = true }
        if !t.discount.isNaN { hasDiscount = true }
        let before = terms[t.user]?.count ?? 0
        terms[t.user, default: Terms()].put(start: t.start, end: t.end, plan: code, price: t.price, mrr: t.mrr,
                                            autoRenew: t.autoRenew.map { $0 ? 1 : 0 } ?? -1, discount: t.discount)
        termCount += terms[t.user]!.count - before
    }

    /// Subscription features of `user` as of `asOf` into `out` (laid out by `L`), lowering tenure like the batch builder.
    func writeSubscriptionFeatures(user: String, asOf: Int64, layout L: OnlineFeatureLayout, into out: inout [Double]) {
        guard let b = L.base[.subscription] else { return }
        let v = terms[user].map { SubscriptionFeatures($0, terms: 0..<$0.count, asOf: asOf) } ?? SubscriptionFeatures()
        var row = out
        row[b + 1] = v.plan >= 0 ? Double(v.plan) : .nan
        v.write(autoRenew: L.subscriptionAutoRenew, discount: L.subscriptionDiscount, put: { row[b + $0] = $1 },
                tenure: L.base[.tenure].map { t in (get: { row[t] }, set: { row[t] = $0 }) })
        out = row
    }
}
