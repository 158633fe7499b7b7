/// The resolved layout of a `FeatureSpec` against one log: which output
/// columns exist, in which order, and where each family's values go.
struct FeaturePlan {
    enum Kind { case int, double, plan }
    struct Output { let name: String; let kind: Kind }

    let asOf: Int64
    /// Windows ascending, in days, and their start cut-offs (µs).
    let windows: [Int]
    let cuts: [Int64]
    /// Per log type code: slot among counted types, or -1.
    let typeSlot: [Int32]
    let countedTypes: Int
    /// Per log type code: slot among recency types, or -1.
    let recencySlot: [Int32]
    let recencyTypes: Int
    let trendWindows: [Int]
    let trendCuts: [Int64]
    let trendPrevCuts: [Int64]
    let behaviourWindow: Int
    let behaviourCut: Int64
    let sessionGap: Int64
    let has: Set<FeatureFamily>
    let monetary: Bool
    let subscription: Bool
    let autoRenew: Bool
    let discount: Bool

    /// Output columns (after the user column) and the first column of each family.
    var outputs: [Output] = []
    var base: [FeatureFamily: Int] = [:]

    init(_ spec: FeatureSpec, log: EventLog, subscriptions: Subscriptions?) throws {
        try spec.validate()
        asOf = spec.asOf
        let day = TimeUnit.microsPerDay
        windows = spec.windows.sorted()
        cuts = windows.map { spec.asOf &- Int64($0) &* day }
        has = Set(spec.families)
        monetary = has.contains(.monetary) && log.amounts != nil
        subscription = has.contains(.subscription) && subscriptions != nil
        autoRenew = subscription && subscriptions?.autoRenew != nil
        discount = subscription && subscriptions?.discounts != nil

        func codes(_ names: [String]?) throws -> [Int32] {
            // All types: in name order, so columns do not depend on the input's row order.
            guard let names else { return (0..<log.typeNames.count).sorted { log.typeNames[$0] < log.typeNames[$1] }.map { Int32($0) } }
            return try names.map { n in
                guard let c = log.typeCode(n) else {
                    let near = log.typeNames.filter { editDistance($0.lowercased(), n.lowercased()) <= 2 }
                    throw EventError.invalidOption("feature spec: unknown event type '\(n)'" +
                        (near.isEmpty ? "; the log has: \(log.typeNames.prefix(12).joined(separator: ", "))"
                                      : "; did you mean '\(near[0])'?"))
                }
                return c
            }
        }
        let counted = has.contains(.types) ? try codes(spec.eventTypes) : []
        let recency = has.contains(.recency) ? try codes(spec.recencyTypes ?? spec.eventTypes) : []
        var ts = [Int32](repeating: -1, count: log.typeNames.count)
        for (i, c) in counted.enumerated() { ts[Int(c)] = Int32(i) }
        var rs = [Int32](repeating: -1, count: log.typeNames.count)
        for (i, c) in recency.enumerated() { rs[Int(c)] = Int32(i) }
        typeSlot = ts; countedTypes = counted.count; recencySlot = rs; recencyTypes = recency.count
        trendWindows = has.contains(.trend) ? (spec.trendWindows ?? spec.windows).sorted() : []
        trendCuts = trendWindows.map { spec.asOf &- Int64($0) &* day }
        trendPrevCuts = trendWindows.map { spec.asOf &- 2 &* Int64($0) &* day }
        behaviourWindow = spec.behaviourWindow
        behaviourCut = spec.asOf &- Int64(spec.behaviourWindow) &* day
        sessionGap = Int64((spec.sessionGapMinutes * Double(TimeUnit.microsPerMinute)).rounded())

        // Column layout, family by family, in a fixed order.
        func add(_ f: FeatureFamily, _ cols: [Output]) {
            base[f] = outputs.count; outputs += cols
        }
        let W = windows
        if has.contains(.activity) {
            add(.activity, W.map { Output(name: "events_\($0)d", kind: .int) } + W.map { Output(name: "active_days_\($0)d", kind: .int) })
        }
        if has.contains(.types) {
            add(.types, counted.flatMap { c in W.map { Output(name: "\(log.typeNames[Int(c)])_\($0)d", kind: .int) } })
        }
        if monetary {
            add(.monetary, W.map { Output(name: "amount_\($0)d", kind: .double) } + W.map { Output(name: "amount_mean_\($0)d", kind: .double) })
        }
        if has.contains(.recency) {
            add(.recency, [Output(name: "recency_days", kind: .double)] +
                recency.map { Output(name: "recency_\(log.typeNames[Int($0)])_days", kind: .double) })
        }
        if has.contains(.tenure) { add(.tenure, [Output(name: "tenure_days", kind: .double)]) }
        if has.contains(.trend) { add(.trend, trendWindows.map { Output(name: "trend_\($0)d", kind: .double) }) }
        if has.contains(.gaps) {
            add(.gaps, [Output(name: "gap_mean_days", kind: .double), Output(name: "gap_max_days", kind: .double)])
        }
        let B = spec.behaviourWindow
        if has.contains(.sessions) {
            add(.sessions, [Output(name: "sessions_\(B)d", kind: .int), Output(name: "session_minutes_mean_\(B)d", kind: .double)])
        }
        if has.contains(.weekend) { add(.weekend, [Output(name: "weekend_share_\(B)d", kind: .double)]) }
        if subscription {
            add(.subscription, SubscriptionFeatures.columns(autoRenew: autoRenew, discount: discount).map { c in
                Output(name: c.name, kind: c.kind == .int ? .int : c.kind == .double ? .double : .plan)
            })
        }
        var seen: Set<String> = [log.userColumn]
        for o in outputs where !seen.insert(o.name).inserted {
            throw EventError.invalidOption("feature spec: two features would be named '\(o.name)' " +
                                           "(an event type clashes with a built-in feature or the user column)")
        }
    }
}
