import ChurnCore

/// The columns the online state produces for a `FeatureSpec`, named and ordered
/// exactly as `buildFeatures` (`cl.features.build`) names them for an event log
/// with the same event types, so a model fitted on batch features can be scored
/// from the online state. The subscription family is there once the state holds
/// a subscription term (as `buildFeatures` has it only with a subscription table),
/// its auto_renew_off and discount columns once a term gave them.
struct OnlineFeatureLayout: Sendable {
    /// `plan`: the value is a code into the state's plan table (NaN: null).
    enum Kind: Sendable { case int, double, plan }
    let names: [String]
    let kinds: [Kind]
    let windows: [Int]
    let trendWindows: [Int]
    let behaviourWindow: Int
    let sessionGap: Int64
    let families: Set<FeatureFamily>
    /// Counted and recency types: codes into the state's type table.
    let countedTypes: [Int32]
    let recencyTypes: [Int32]
    /// Whether amounts were ever seen (`buildFeatures` has the monetary family only with an amount column).
    let monetary: Bool
    /// First output column of each family.
    let base: [FeatureFamily: Int]
    /// Whether the subscription family has its auto_renew_off and discount columns.
    let subscriptionAutoRenew: Bool
    let subscriptionDiscount: Bool
    /// Days of history a feature can look back (windows, trend's previous window, behaviour window).
    let horizonDays: Int

    /// `typeNames`: the state's type table; `hasAmounts`: whether the monetary family applies;
    /// `subscriptions`: nil while the state holds no term, else which optional columns terms gave.
    init(spec: FeatureSpec, typeNames: [String], hasAmounts: Bool, subscriptions: (autoRenew: Bool, discount: Bool)? = nil) throws {
        try spec.validate()
        var has = Set(spec.families)
        if subscriptions == nil { has.remove(.subscription) }
        families = has
        windows = spec.windows.sorted()
        trendWindows = has.contains(.trend) ? (spec.trendWindows ?? spec.windows).sorted() : []
        behaviourWindow = spec.behaviourWindow
        sessionGap = Int64((spec.sessionGapMinutes * Double(TimeUnit.microsPerMinute)).rounded())
        monetary = has.contains(.monetary) && hasAmounts
        var code: [String: Int32] = [:]
        for (i, n) in typeNames.enumerated() { code[n] = Int32(i) }
        func codes(_ names: [String]?) -> [Int32] {
            // All types in name order, as `buildFeatures` does; listed types keep the given order.
            guard let names else { return (0..<typeNames.count).sorted { typeNames[$0] < typeNames[$1] }.map { Int32($0) } }
            return names.map { code[$0] ?? -1 }
        }
        countedTypes = has.contains(.types) ? codes(spec.eventTypes) : []
        recencyTypes = has.contains(.recency) ? codes(spec.recencyTypes ?? spec.eventTypes) : []
        func typeName(_ c: Int32, _ listed: [String]?, _ k: Int) -> String { c >= 0 ? typeNames[Int(c)] : listed![k] }

        var names: [String] = [], kinds: [Kind] = [], base: [FeatureFamily: Int] = [:]
        func add(_ f: FeatureFamily, _ cols: [(String, Kind)]) { base[f] = names.count; names += cols.map(\.0); kinds += cols.map(\.1) }
        let W = windows
        if has.contains(.activity) { add(.activity, W.map { ("events_\($0)d", .int) } + W.map { ("active_days_\($0)d", .int) }) }
        if has.contains(.types) {
            add(.types, countedTypes.enumerated().flatMap { k, c in W.map { ("\(typeName(c, spec.eventTypes, k))_\($0)d", Kind.int) } })
        }
        if monetary { add(.monetary, W.map { ("amount_\($0)d", .double) } + W.map { ("amount_mean_\($0)d", .double) }) }
        if has.contains(.recency) {
            let listed = spec.recencyTypes ?? spec.eventTypes
            add(.recency, [("recency_days", .double)] +
                recencyTypes.enumerated().map { k, c in ("recency_\(typeName(c, listed, k))_days", Kind.double) })
        }
        if has.contains(.tenure) { add(.tenure, [("tenure_days", .double)]) }
        if has.contains(.trend) { add(.trend, trendWindows.map { ("trend_\($0)d", .double) }) }
        if has.contains(.gaps) { add(.gaps, [("gap_mean_days", .double), ("gap_max_days", .double)]) }
        let B = spec.behaviourWindow
        if has.contains(.sessions) { add(.sessions, [("sessions_\(B)d", .int), ("session_minutes_mean_\(B)d", .double)]) }
        if has.contains(.weekend) { add(.weekend, [("weekend_share_\(B)d", .double)]) }
        subscriptionAutoRenew = has.contains(.subscription) && subscriptions?.autoRenew == true
        subscriptionDiscount = has.contains(.subscription) && subscriptions?.discount == true
        if has.contains(.subscription) {
            add(.subscription, SubscriptionFeatures.columns(autoRenew: subscriptionAutoRenew, discount: subscriptionDiscount).map { c in
                (c.name, c.kind == .int ? Kind.int : c.kind == .double ? Kind.double : Kind.plan)
            })
        }
        self.names = names; self.kinds = kinds; self.base = base
        horizonDays = max(windows.last ?? 0, 2 * (trendWindows.last ?? 0), B)
    }
}
