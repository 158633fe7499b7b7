/// Retention outcomes joined back to logged decisions by user and horizon.
///
/// An outcomes frame has the user id and `retained` (bool or 0/1) or `churned` (inverted).
/// With a `date` column (a date or YYYY-MM-DD text: when the outcome was observed), a
/// decision made on day t with horizon h takes its user's earliest outcome observed on or
/// after t + h, so one outcomes file can serve many runs and a decision never reads an
/// outcome observed before its horizon. Without `date`, each user has one outcome (the last
/// row wins) and the join is by user alone.
public struct OutcomeTable: Sendable {
    /// user → (observation day, retained), by day; the day is nil without a date column.
    private var rows: [String: [(day: Int32?, retained: Bool)]] = [:]
    public let dated: Bool

    public init(_ frame: Frame, userColumn: String = "user_id", dateColumn: String = "date") throws {
        guard let users = frame.columnIfPresent(userColumn) else { throw RulesError("outcomes have no '\(userColumn)' column") }
        let invert: Bool
        let col: Column
        if let c = frame.columnIfPresent("retained") { col = c; invert = false }
        else if let c = frame.columnIfPresent("churned") { col = c; invert = true }
        else { throw RulesError("outcomes need a 'retained' or 'churned' column (bool or 0/1)") }
        let dates = frame.columnIfPresent(dateColumn)
        dated = dates != nil
        rows.reserveCapacity(frame.nrow)
        for i in 0..<frame.nrow {
            if i & 0xFFFF == 0xFFFF { try ExecutionContext.check() }
            guard let x = col.double(at: i) else { continue }
            guard x == 0 || x == 1 else {
                throw RulesError("outcomes column '\(col.name)' row \(i + 1): expected 0/1 or true/false, got \(x)")
            }
            let user = RuleEngine.userText(users, i), kept = (x == 1) != invert
            guard let dates else { rows[user] = [(nil, kept)]; continue }
            let day: Int32
            if case .date(let v) = dates.data, !dates.isNull(i) { day = v[i] }
            else if let s = dates.string(at: i), let d = DateText.parseDate(s) { day = d }
            else { throw RulesError("outcomes column '\(dateColumn)' row \(i + 1): expected a YYYY-MM-DD date") }
            rows[user, default: []].append((day, kept))
        }
        if dated { for k in rows.keys { rows[k]!.sort { $0.day! < $1.day! } } }
    }

    /// The outcome of a decision for `user` made on `asOfDay` with `horizonDays` (nil = 0), or nil.
    public func outcome(user: String, asOfDay: Int32, horizonDays: Int?) -> Bool? {
        guard let r = rows[user] else { return nil }
        guard dated else { return r.last?.retained }
        let due = Int64(asOfDay) + Int64(horizonDays ?? 0)
        return r.first { Int64($0.day!) >= due }?.retained
    }

    /// Per-user outcomes (the last by date when dated).
    public var byUser: [String: Bool] { rows.compactMapValues { $0.last?.retained } }
}
