/// How churn is defined for a label.
public enum ChurnDefinition: String, Codable, Sendable {
    /// Users active in `[asOf − activeWithin, asOf)` churn when they have no
    /// event in `[asOf, asOf + horizon)`.
    case inactivity
    /// Users with a running subscription term at `asOf` churn when their
    /// coverage (the term plus renewals starting within `graceDays` of its end)
    /// ends inside `[asOf, asOf + horizon)`.
    case subscription
}

/// What to do with users whose label window runs past the end of the data.
public enum Censoring: String, Codable, Sendable {
    /// Leave them out.
    case exclude
    /// Keep them with `churn` null and `censored` = true.
    case flag
}

/// Options for `churnLabels`. Codable with snake_case keys; only `as_of` is required.
public struct LabelOptions: Codable, Sendable, Equatable {
    /// Observation moment, µs since epoch.
    public var asOf: Int64
    /// Label window length in days.
    public var horizon: Int = 30
    /// Only users with an event this many days before `asOf` are labelled
    /// (inactivity definition); nil = every user seen before `asOf`.
    public var activeWithin: Int? = 30
    public var definition: ChurnDefinition = .inactivity
    public var censoring: Censoring = .exclude
    /// End of observation, µs (exclusive). nil: the log's `defaultDataEnd`, or for
    /// subscriptions the latest term start + 1 µs (the last thing observed).
    public var dataEnd: Int64? = nil
    /// Subscription definition: a term starting at most this many days after the
    /// previous one ends still counts as a renewal.
    public var graceDays: Int = 0

    public init(asOf: Int64, horizon: Int = 30, activeWithin: Int? = 30, definition: ChurnDefinition = .inactivity,
                censoring: Censoring = .exclude, dataEnd: Int64? = nil, graceDays: Int = 0) {
        self.asOf = asOf; self.horizon = horizon; self.activeWithin = activeWithin; self.definition = definition
        self.censoring = censoring; self.dataEnd = dataEnd; self.graceDays = graceDays
    }

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of", horizon, activeWithin = "active_within", definition, censoring
        case dataEnd = "data_end", graceDays = "grace_days"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(asOf: try c.decode(Int64.self, forKey: .asOf))
        horizon = try c.decodeIfPresent(Int.self, forKey: .horizon) ?? horizon
        if c.contains(.activeWithin) { activeWithin = try c.decodeIfPresent(Int.self, forKey: .activeWithin) }
        definition = try c.decodeIfPresent(ChurnDefinition.self, forKey: .definition) ?? definition
        censoring = try c.decodeIfPresent(Censoring.self, forKey: .censoring) ?? censoring
        dataEnd = try c.decodeIfPresent(Int64.self, forKey: .dataEnd)
        graceDays = try c.decodeIfPresent(Int.self, forKey: .graceDays) ?? graceDays
    }

    /// Periods are bounded by `OptionLimits.days` so that days × µs per day
    /// cannot overflow (grace_days = 1e9 used to trap).
    func validate() throws {
        let maxDays = OptionLimits.days
        guard horizon > 0, horizon <= maxDays else { throw EventError.invalidOption("labels: horizon must be in 1...\(maxDays) days, got \(horizon)") }
        if let a = activeWithin, a <= 0 || a > maxDays {
            throw EventError.invalidOption("labels: active_within must be in 1...\(maxDays) days, got \(a)")
        }
        guard graceDays >= 0, graceDays <= maxDays else { throw EventError.invalidOption("labels: grace_days must be in 0...\(maxDays), got \(graceDays)") }
    }

    var horizonEnd: Int64 { asOf &+ Int64(horizon) &* TimeUnit.microsPerDay }
}

/// Labels as (dense user index, churn, censored), users ascending.
struct LabelRows {
    var users: [Int32] = []
    var churn: [Bool] = []
    var censored: [Bool] = []

    func frame(ids: UserIDs, userColumn: String) throws -> Frame {
        let churnCol = Column(name: "churn", data: .int64(churn.map { $0 ? 1 : 0 }),
                              validity: censored.contains(true) ? Validity(censored.map { !$0 }) : nil)
        return try Frame([ids.column(named: userColumn, rows: users), churnCol,
                          Column(name: "censored", data: .bool(censored))])
    }
}

/// Churn labels from an event log (inactivity definition). Columns: user id,
/// `churn` (int 0/1, null when censored), `censored` (bool).
///
/// A user's label window `[asOf, asOf + horizon)` that ends after the data
/// end is censored for every user alike (we cannot tell who would return), so
/// such users are excluded or flagged — never labelled 0.
public func churnLabels(_ log: EventLog, _ o: LabelOptions) throws -> Frame {
    guard o.definition == .inactivity else {
        throw EventError.invalidOption("labels: the subscription definition needs a subscriptions table, not an event log")
    }
    try o.validate()
    try refuseAllCensored(o, dataEnd: o.dataEnd ?? log.defaultDataEnd, grace: 0, defaultEnd: "just after the last event")
    return try inactivityLabels(log, o).frame(ids: log.users, userColumn: log.userColumn)
}

/// Churn labels from subscriptions (subscription definition): users with a
/// term running at `asOf` (start <= asOf < end); churn = their coverage ends in
/// `[asOf, asOf + horizon)` without a renewal. Censored when
/// `asOf + horizon + grace` is after the data end.
public func churnLabels(_ subs: Subscriptions, _ o: LabelOptions) throws -> Frame {
    guard o.definition == .subscription else {
        throw EventError.invalidOption("labels: the inactivity definition needs an event log, not subscriptions")
    }
    try o.validate()
    try refuseAllCensored(o, dataEnd: o.dataEnd ?? subs.defaultDataEnd, grace: o.graceDays, defaultEnd: "the latest term start + 1 µs")
    return try subscriptionLabels(subs, o).frame(ids: subs.users, userColumn: subs.userColumn)
}

/// A single labelling whose window ends after the data end censors every user; with
/// `censoring = .exclude` that is an empty frame that looks like "nobody to label".
/// Say why and how to fix it instead. (Snapshots call the row functions directly:
/// their last dates are censored by design.)
func refuseAllCensored(_ o: LabelOptions, dataEnd: Int64, grace: Int, defaultEnd: String) throws {
    let windowEnd = o.horizonEnd &+ Int64(grace) &* TimeUnit.microsPerDay
    guard o.censoring == .exclude, windowEnd > dataEnd else { return }
    let window = grace > 0 ? "as_of + horizon (\(o.horizon) d) + grace_days (\(grace) d)" : "as_of + horizon (\(o.horizon) d)"
    let end = o.dataEnd == nil ? "the default data end \(timeText(dataEnd)) (\(defaultEnd))"
                               : "data_end \(timeText(dataEnd))"
    throw EventError.invalidOption("labels: every user is censored, so censoring = 'exclude' would return no rows: "
        + "the label window ends at \(window) = \(timeText(windowEnd)), after \(end). "
        + "Give data_end = the date your data is complete up to, an earlier as_of or shorter horizon, "
        + "or censoring = 'flag' to keep the users with churn = nil")
}

/// A time for an error message; never traps on an out-of-range value (an empty table's end is Int64.min).
private func timeText(_ t: Int64) -> String {
    let limit = 10_000_000 * TimeUnit.microsPerDay   // ±27,000 years: DateText.format stays in range
    guard t > -limit && t < limit else { return t < 0 ? "the beginning of time (no data)" : "the end of time" }
    let text = DateText.format(micros: t)
    return text.hasSuffix(" 00:00:00") ? String(text.dropLast(9)) : text
}

func inactivityLabels(_ log: EventLog, _ o: LabelOptions) throws -> LabelRows {
    try o.validate()
    let dataEnd = o.dataEnd ?? log.defaultDataEnd
    let hEnd = o.horizonEnd
    let censored = hEnd > dataEnd
    if censored && o.censoring == .exclude { return LabelRows() }
    let activeFrom = o.activeWithin.map { o.asOf &- Int64($0) &* TimeUnit.microsPerDay } ?? Int64.min
    var rows = LabelRows()
    try log.times.withUnsafeBufferPointer { t in
        for u in 0..<log.userCount {
            if u & 0xFFFF == 0 { try ExecutionContext.check() }   // every 65536 users (a binary search each)
            let lo = log.offsets[u], hi = log.offsets[u + 1]
            let k = EventLog.lowerBound(t, lo, hi, o.asOf)   // first event at/after asOf
            guard k > lo, t[k - 1] >= activeFrom else { continue }
            rows.users.append(Int32(u))
            rows.censored.append(censored)
            rows.churn.append(!censored && !(k < hi && t[k] < hEnd))
        }
    }
    return rows
}

func subscriptionLabels(_ subs: Subscriptions, _ o: LabelOptions) throws -> LabelRows {
    try o.validate()
    let grace = Int64(o.graceDays) * TimeUnit.microsPerDay
    let dataEnd = o.dataEnd ?? subs.defaultDataEnd
    let hEnd = o.horizonEnd
    let censored = hEnd &+ grace > dataEnd
    if censored && o.censoring == .exclude { return LabelRows() }
    var rows = LabelRows()
    for u in 0..<subs.userCount {
        if u & 0xFFFF == 0 { try ExecutionContext.check() }
        guard let i = subs.term(user: u, at: o.asOf) else { continue }
        rows.users.append(Int32(u))
        rows.censored.append(censored)
        rows.churn.append(!censored && subs.coverageEnd(user: u, from: i, grace: grace) < hEnd)
    }
    return rows
}
