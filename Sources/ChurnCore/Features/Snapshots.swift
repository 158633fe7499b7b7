/// Options for `snapshots`: observation dates `from`, `from + every`, … ≤ `to`.
public struct SnapshotOptions: Codable, Sendable, Equatable {
    /// First observation moment, µs since epoch.
    public var from: Int64
    /// Last possible observation moment (inclusive), µs since epoch.
    public var to: Int64
    /// Days between observation dates.
    public var everyDays: Int = 28
    /// Feature spec; its `asOf` is replaced by each observation date.
    public var spec: FeatureSpec
    /// Label options (their `asOf` is replaced too); nil = features only.
    public var label: LabelOptions?

    public init(from: Int64, to: Int64, everyDays: Int = 28, spec: FeatureSpec, label: LabelOptions? = nil) {
        self.from = from; self.to = to; self.everyDays = everyDays; self.spec = spec; self.label = label
    }

    enum CodingKeys: String, CodingKey { case from, to, everyDays = "every_days", spec, label }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(from: try c.decode(Int64.self, forKey: .from), to: try c.decode(Int64.self, forKey: .to),
                  everyDays: try c.decodeIfPresent(Int.self, forKey: .everyDays) ?? 28,
                  spec: try c.decode(FeatureSpec.self, forKey: .spec),
                  label: try c.decodeIfPresent(LabelOptions.self, forKey: .label))
    }

    /// The observation dates.
    public func dates() throws -> [Int64] {
        // Bounded so the step in microseconds cannot overflow (every = math.maxinteger used to trap).
        guard everyDays > 0, everyDays <= OptionLimits.days else {
            throw EventError.invalidOption("snapshots: every must be in 1...\(OptionLimits.days) days, got \(everyDays)")
        }
        guard from <= to else { throw EventError.invalidOption("snapshots: from is after to") }
        let step = Int64(everyDays) * TimeUnit.microsPerDay
        let n = (to - from) / step + 1
        guard n <= 10_000 else { throw EventError.invalidOption("snapshots: \(n) observation dates; at most 10000") }
        return (0..<n).map { from + $0 * step }
    }
}

/// A training set over time ("Fighting Churn With Data"): for each observation
/// date, the features of `buildFeatures` and (if `label` is set) the churn
/// label, inner-joined on user, stacked oldest date first, with an `as_of`
/// timestamp column first. Within a date, rows are in user-id order. With a
/// label, only users that have both features and a label are kept (censored
/// users follow the label's censoring option).
public func snapshots(_ log: EventLog, _ o: SnapshotOptions, subscriptions: Subscriptions? = nil) throws -> Frame {
    let dates = try o.dates()
    // Label users from a subscription table are mapped onto the log's users.
    let subToLog: [Int32]? = try subscriptions.map { try $0.users.indices(in: log.users) }
    var parts: [Frame] = []
    for asOf in dates {
        try ExecutionContext.check()
        var spec = o.spec
        spec.asOf = asOf
        let (features, featureUsers) = try FeatureBuilder(log: log, spec: spec, subscriptions: subscriptions).build()
        var keep: [Int] = []
        var labelRows: [Int] = []
        var labels = LabelRows()
        if var lo = o.label {
            lo.asOf = asOf
            switch lo.definition {
            case .inactivity:
                labels = try inactivityLabels(log, lo)
            case .subscription:
                guard let subscriptions, let subToLog else {
                    throw EventError.invalidOption("snapshots: the subscription label definition needs subscriptions")
                }
                labels = try subscriptionLabels(subscriptions, lo)
                labels.users = labels.users.map { subToLog[Int($0)] }
            }
            // Merge-join on the log's dense user index (matched indices ascend on both sides; -1 = not in the log, skipped).
            var j = 0
            for (r, u) in featureUsers.enumerated() {
                while j < labels.users.count && labels.users[j] < u { j += 1 }
                if j < labels.users.count && labels.users[j] == u { keep.append(r); labelRows.append(j) }
            }
        } else {
            keep = Array(0..<featureUsers.count)
        }
        var cols = [Column(name: "as_of", data: .timestamp([Int64](repeating: asOf, count: keep.count)))]
        cols += features.columns.map { SnapshotStacking.rows($0, keep) }
        if o.label != nil {
            let churn = labelRows.map { labels.churn[$0] }, cens = labelRows.map { labels.censored[$0] }
            cols.append(Column(name: "churn", data: .int64(churn.map { $0 ? 1 : 0 }),
                               validity: cens.contains(true) ? Validity(cens.map { !$0 }) : nil))
            cols.append(Column(name: "censored", data: .bool(cens)))
        }
        parts.append(try Frame(cols))
    }
    return try SnapshotStacking.stack(parts)
}

/// Row selection and vertical stacking for snapshot frames (same schema each date).
enum SnapshotStacking {
    static func rows(_ c: Column, _ rows: [Int]) -> Column {
        let v = c.validity.map { val in Validity(rows.map { val.isValid($0) }) }
        let data: ColumnData
        switch c.data {
        case .float64(let x): data = .float64(rows.map { x[$0] })
        case .int64(let x): data = .int64(rows.map { x[$0] })
        case .bool(let x): data = .bool(rows.map { x[$0] })
        case .string(let x, let d): data = .string(codes: rows.map { x[$0] }, dictionary: d)
        case .category(let x, let d): data = .category(codes: rows.map { x[$0] }, levels: d)
        case .date(let x): data = .date(rows.map { x[$0] })
        case .timestamp(let x): data = .timestamp(rows.map { x[$0] })
        }
        return Column(name: c.name, data: data, validity: v)
    }

    static func stack(_ parts: [Frame]) throws -> Frame {
        guard let first = parts.first else { return try Frame() }
        var cols: [Column] = []
        for (k, c0) in first.columns.enumerated() {
            let cs = parts.map { $0.columns[k] }
            let anyNull = cs.contains { $0.validity != nil }
            let validity = anyNull ? Validity(cs.flatMap { c in (0..<c.count).map { !c.isNull($0) } }) : nil
            let data: ColumnData
            switch c0.data {
            case .float64: data = .float64(cs.flatMap { if case .float64(let x) = $0.data { return x }; return [] })
            case .int64: data = .int64(cs.flatMap { if case .int64(let x) = $0.data { return x }; return [] })
            case .bool: data = .bool(cs.flatMap { if case .bool(let x) = $0.data { return x }; return [] })
            case .date: data = .date(cs.flatMap { if case .date(let x) = $0.data { return x }; return [] })
            case .timestamp: data = .timestamp(cs.flatMap { if case .timestamp(let x) = $0.data { return x }; return [] })
            case .string(_, let d), .category(_, let d):
                // Every snapshot encodes against the same dictionary (the log's ids, the plan names).
                var codes: [Int32] = []
                for c in cs {
                    switch c.data {
                    case .string(let x, let dd), .category(let x, let dd):
                        guard dd == d else { throw EventError.invalidOption("snapshots: column '\(c.name)' changed its dictionary") }
                        codes += x
                    default: break
                    }
                }
                if case .category = c0.data { data = .category(codes: codes, levels: d) } else { data = .string(codes: codes, dictionary: d) }
            }
            cols.append(Column(name: c0.name, data: data, validity: validity))
        }
        return try Frame(cols)
    }
}
