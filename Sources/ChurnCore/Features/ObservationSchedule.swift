/// Observation schedules for subscription churn, as in Carl Gold's "Fighting
/// Churn With Data" (chapter 4): subscriptions are chained into *active
/// periods* (a term starting within `gap` of the coverage so far continues
/// it), and each period is observed once per billing interval, `lead` before
/// each renewal date, so that a model sees the account while there is still
/// time to act. An observation is a churn when the period ends (the account
/// stops paying) before the next observation; tenure counts from the start of
/// the active period.
///
/// For a period starting at S with renewals every month, observations fall at
/// S + 1 month − lead, S + 2 months − lead, …, while before the period's end.
/// Months are calendar months with the day clamped to the month's end (pandas
/// `DateOffset`), so a Jan 31 start renews Feb 29, Mar 31, …
public struct ActivePeriod: Sendable, Equatable {
    /// User index in `Subscriptions.users`.
    public var user: Int
    /// Start of the first term of the chain (µs).
    public var start: Int64
    /// End of coverage (µs), or nil when the coverage reaches `dataEnd` (still active).
    public var churn: Int64?
}

/// How far apart observations (and renewals) are.
public enum ObservationInterval: Sendable, Equatable {
    case months(Int)
    case days(Int)

    /// `t` moved by `k` intervals (calendar months clamp the day to the month's end).
    func advance(_ t: Int64, by k: Int) -> Int64 {
        switch self {
        case .days(let d): return t + Int64(k * d) * TimeUnit.microsPerDay
        case .months(let m):
            let day = TimeUnit.day(t), inDay = t - day * TimeUnit.microsPerDay
            let (y, mo, dd) = CalendarMonth.civil(day)
            let idx = y * 12 + (mo - 1) + Int64(k * m)
            let ny = idx >= 0 ? idx / 12 : -((-idx + 11) / 12), nm = idx - ny * 12 + 1
            let d = Swift.min(dd, CalendarMonth.length(year: ny, month: nm))
            return CalendarMonth.days(year: ny, month: nm, day: d) * TimeUnit.microsPerDay + inDay
        }
    }
}

extension Subscriptions {
    /// Each user's terms chained into active periods: a term that starts no later
    /// than `gap` after the coverage so far extends it. A period whose coverage
    /// reaches `dataEnd` (or is open-ended) has no churn date.
    public func activePeriods(gap: Int64, dataEnd: Int64) throws -> [ActivePeriod] {
        var out: [ActivePeriod] = []
        for u in 0..<userCount {
            if u & 0xFFFF == 0 { try ExecutionContext.check() }
            var i = offsets[u]
            let end = offsets[u + 1]
            while i < end {
                guard starts[i] < dataEnd else { break }
                let s = starts[i]
                var cover = ends[i]
                var j = i + 1
                // Terms are sorted by start: extend while the next starts within the gap.
                while j < end && cover != Int64.max && starts[j] <= cover &+ gap && starts[j] < dataEnd {
                    cover = Swift.max(cover, ends[j]); j += 1
                }
                while j < end && cover == Int64.max { j += 1 }   // inside an open-ended term
                out.append(ActivePeriod(user: u, start: s, churn: cover == Int64.max || cover >= dataEnd ? nil : cover))
                i = j
            }
        }
        return out
    }

    /// Observation rows of every active period: observation dates start + k·interval − lead
    /// (k = 1, 2, …) that fall in [from, to] and before the period's churn; `is_churn` when the
    /// period ends before the next observation date. Observations whose outcome is not yet
    /// known (the next one is after `dataEnd` and the period has not ended) are left out.
    public func observationDates(interval: ObservationInterval, leadDays: Int, gap: Int64, from: Int64?, to: Int64?,
                                 dataEnd: Int64) throws -> Frame {
        let lead = Int64(leadDays) * TimeUnit.microsPerDay
        var users: [Int32] = [], dates: [Int64] = [], churn: [Bool] = [], tenure: [Int64] = [], periodStart: [Int64] = []
        for p in try activePeriods(gap: gap, dataEnd: dataEnd) {
            var k = 1
            while true {
                if k & 0xFFF == 0 { try ExecutionContext.check() }
                let obs = interval.advance(p.start, by: k) - lead
                if let c = p.churn, obs >= c { break }
                if let to, obs > to { break }
                if obs >= dataEnd { break }
                let next = interval.advance(p.start, by: k + 1) - lead
                let isChurn = p.churn.map { $0 < next } ?? false
                if !isChurn && next > dataEnd { break }
                if obs >= p.start && (from.map { obs >= $0 } ?? true) {
                    users.append(Int32(p.user)); dates.append(obs); churn.append(isChurn)
                    tenure.append(TimeUnit.day(obs) - TimeUnit.day(p.start)); periodStart.append(p.start)
                }
                if isChurn { break }
                k += 1
            }
        }
        return try Frame([self.users.column(named: userColumn, rows: users),
                          timeColumn("observation_date", dates),
                          .bool("is_churn", churn),
                          .int("tenure_days", tenure),
                          timeColumn("period_start", periodStart)])
    }

    /// Times as dates when the subscriptions were given dates, else timestamps.
    func timeColumn(_ name: String, _ t: [Int64], validity: Validity? = nil) -> Column {
        guard timeIsDate else { return Column(name: name, data: .timestamp(t), validity: validity) }
        return Column(name: name, data: .date(t.map { Int32(truncatingIfNeeded: TimeUnit.day($0)) }), validity: validity)
    }

    /// The active periods as a frame: user, start, churn_date (null while active), n_days.
    public func activePeriodFrame(gap: Int64, dataEnd: Int64) throws -> Frame {
        let ps = try activePeriods(gap: gap, dataEnd: dataEnd)
        let users = ps.map { Int32($0.user) }
        let churnValid = Validity(ps.map { $0.churn != nil })
        return try Frame([self.users.column(named: userColumn, rows: users),
                          timeColumn("start", ps.map(\.start)),
                          timeColumn("churn_date", ps.map { $0.churn ?? 0 }, validity: churnValid),
                          .int("days", ps.map { TimeUnit.day($0.churn ?? dataEnd) - TimeUnit.day($0.start) })])
    }

    /// Tenure at `asOf` (whole days since the start of the active period running
    /// then, terms chained with `gap`), for every user active at `asOf`.
    public func tenure(asOf: Int64, gap: Int64) throws -> Frame {
        var users: [Int32] = [], days: [Int64] = [], since: [Int64] = []
        for p in try activePeriods(gap: gap, dataEnd: asOf &+ 1) where p.start <= asOf && p.churn.map({ $0 > asOf }) ?? true {
            users.append(Int32(p.user)); days.append(TimeUnit.day(asOf) - TimeUnit.day(p.start)); since.append(p.start)
        }
        return try Frame([self.users.column(named: userColumn, rows: users),
                          .int("tenure_days", days), timeColumn("active_since", since)])
    }
}
