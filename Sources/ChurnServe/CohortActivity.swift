import ChurnCore
import Foundation

/// Current retention by signup cohort, read off the online state: users grouped
/// by the calendar month of their first event (the cohort, as
/// `cl.analytics.cohort_retention` groups them), and per cohort the share with an
/// event in the last 7, 30 and 90 days ("of the users who joined in September,
/// 62 % were active this month").
///
/// Why this and not the classic month-by-month triangle: the state keeps each
/// user's recent events and only aggregates (first, last, count) of the events
/// that aged out of the feature horizon, so activity in old months is gone; the
/// first and last event times are exact for every user, and these shares need
/// nothing else.
public struct CohortActivity: Sendable, Equatable {
    public struct Cohort: Sendable, Equatable {
        /// First day of the signup month (days since 1970-01-01).
        public let month: Int32
        public let users: Int
        /// Users with an event in the last `windows[k]` days (time ≥ asOf − window), per window.
        public let active: [Int]
    }
    public static let defaultWindows = [7, 30, 90]
    public let windows: [Int]
    /// Oldest cohort first.
    public let cohorts: [Cohort]
    public let asOf: Int64

    /// From each user's first and last event time before `asOf` (µs).
    public init(spans: [(first: Int64, last: Int64)], asOf: Int64, windows: [Int] = CohortActivity.defaultWindows) {
        self.windows = windows; self.asOf = asOf
        var byMonth: [Int32: (users: Int, active: [Int])] = [:]
        let cuts = windows.map { asOf &- Int64($0) &* TimeUnit.microsPerDay }
        for s in spans {
            let c = DateText.civil(days: Int(TimeUnit.day(s.first)))
            let month = Int32(DateText.days(year: c.year, month: c.month, day: 1))
            var e = byMonth[month] ?? (0, [Int](repeating: 0, count: windows.count))
            e.users += 1
            for k in cuts.indices where s.last >= cuts[k] { e.active[k] += 1 }
            byMonth[month] = e
        }
        cohorts = byMonth.keys.sorted().map { Cohort(month: $0, users: byMonth[$0]!.users, active: byMonth[$0]!.active) }
    }

    /// "2026-09" for a cohort's month.
    public static func label(_ month: Int32) -> String { String(DateText.format(days: month).prefix(7)) }
}

extension OnlineState {
    /// Each user's first and last event time before `asOf` (users without one are left out).
    func activitySpans(asOf: Int64) -> [(first: Int64, last: Int64)] {
        var out: [(first: Int64, last: Int64)] = []
        out.reserveCapacity(users.count)
        for u in users.values {
            var lo = 0, hi = u.times.count
            while lo < hi { let m = (lo + hi) / 2; if u.times[m] < asOf { lo = m + 1 } else { hi = m } }
            guard u.agedCount + lo > 0 else { continue }
            let first = u.agedCount > 0 ? u.agedFirst : u.times[0]
            let last = lo > 0 ? u.times[lo - 1] : u.agedLast
            out.append((first, last))
        }
        return out
    }
}
