/// Retention analytics on event logs. Every function returns a `Frame`.
/// "Active on a day" means at least one event that UTC day.

/// Distinct active days (day numbers, ascending) of user `u`.
@inline(__always) func activeDays(_ log: EventLog, user u: Int, into out: inout [Int64]) {
    out.removeAll(keepingCapacity: true)
    for i in log.offsets[u]..<log.offsets[u + 1] {
        let d = TimeUnit.day(log.times[i])
        if out.last != d { out.append(d) }
    }
}

/// Per-user chunks combined in chunk order: integer sums, so results never depend on threads.
func sumOverUsers(_ log: EventLog, length: Int, _ body: (Int, inout [Int64], inout [Int]) -> Void) -> [Int] {
    let parts = Parallel.mapChunks(log.userCount) { range -> [Int] in
        var acc = [Int](repeating: 0, count: length)
        var days: [Int64] = []
        for u in range { activeDays(log, user: u, into: &days); body(u, &days, &acc) }
        return acc
    }
    var total = [Int](repeating: 0, count: length)
    for p in parts { for k in 0..<length { total[k] += p[k] } }
    return total
}

/// Daily, weekly and monthly active users and stickiness for each day in
/// `[from, to)` (day numbers; defaults: the log's first and last day + 1).
/// WAU counts users active in the 7 days ending that day, MAU in the 30 days;
/// `stickiness` = DAU / MAU (null when MAU is 0).
/// Columns: date, dau, wau, mau, stickiness.
public func activeUsers(_ log: EventLog, from: Int32? = nil, to: Int32? = nil) throws -> Frame {
    guard let r = log.timeRange else { throw EventError.invalidOption("active users: the event log is empty") }
    let lo = from.map(Int64.init) ?? TimeUnit.day(r.min), hi = to.map(Int64.init) ?? TimeUnit.day(r.max) + 1
    guard lo < hi, hi - lo <= 1_000_000 else { throw EventError.invalidOption("active users: bad day range \(lo)..<\(hi)") }
    let n = Int(hi - lo)
    // Difference arrays: a user active on day a covers [a, a+L) for WAU (L = 7) and MAU (L = 30);
    // overlapping spans of one user are merged so each user counts once per day.
    let lengths = [1, 7, 30]
    let diff = sumOverUsers(log, length: 3 * (n + 1)) { _, days, acc in
        for (k, L) in lengths.enumerated() {
            var spanStart = Int64.min, spanEnd = Int64.min
            func flush() {
                let a = max(spanStart, lo), b = min(spanEnd, hi)
                if a < b { acc[k * (n + 1) + Int(a - lo)] += 1; acc[k * (n + 1) + Int(b - lo)] -= 1 }
            }
            for d in days {
                if d <= spanEnd { spanEnd = d + Int64(L) } else { flush(); spanStart = d; spanEnd = d + Int64(L) }
            }
            flush()
        }
    }
    var series = [[Int64]](repeating: [Int64](repeating: 0, count: n), count: 3)
    for k in 0..<3 {
        var run = 0
        for d in 0..<n { run += diff[k * (n + 1) + d]; series[k][d] = Int64(run) }
    }
    let stick = (0..<n).map { series[2][$0] > 0 ? Double(series[0][$0]) / Double(series[2][$0]) : 0 }
    return try Frame([
        Column(name: "date", data: .date((0..<n).map { Int32(lo + Int64($0)) })),
        Column(name: "dau", data: .int64(series[0])),
        Column(name: "wau", data: .int64(series[1])),
        Column(name: "mau", data: .int64(series[2])),
        Column(name: "stickiness", data: .float64(stick), validity: Validity(series[2].map { $0 > 0 })),
    ])
}

/// Cohort retention matrix: one row per signup month with signups (the month of a user's
/// first event), columns `cohort` (date, first day of the month), `users`, then
/// `m0`, `m1`, … = share of the cohort with an event in the k-th calendar month
/// after signup (m0 = 1). Months after the data's last month are null.
public func cohortRetention(_ log: EventLog) throws -> Frame {
    guard let r = log.timeRange else { throw EventError.invalidOption("cohort retention: the event log is empty") }
    let first = CalendarMonth.index(ofDay: TimeUnit.day(r.min)), last = CalendarMonth.index(ofDay: TimeUnit.day(r.max))
    let M = Int(last - first) + 1
    guard M <= 1200 else { throw EventError.invalidOption("cohort retention: the log spans \(M) months; at most 1200") }
    // counts[c * (M + 1)]: cohort size; counts[c * (M + 1) + 1 + k]: active in month k after signup.
    let counts = sumOverUsers(log, length: M * (M + 1)) { _, days, acc in
        guard let d0 = days.first else { return }
        let c = Int(CalendarMonth.index(ofDay: d0) - first)
        acc[c * (M + 1)] += 1
        var lastK = -1
        for d in days {
            let k = Int(CalendarMonth.index(ofDay: d) - first) - c
            if k != lastK { acc[c * (M + 1) + 1 + k] += 1; lastK = k }
        }
    }
    let rows = (0..<M).filter { counts[$0 * (M + 1)] > 0 }   // months with signups
    var cols = [
        Column(name: "cohort", data: .date(rows.map { Int32(CalendarMonth.firstDay(ofIndex: first + Int64($0))) })),
        Column(name: "users", data: .int64(rows.map { Int64(counts[$0 * (M + 1)]) })),
    ]
    for k in 0..<M {
        let v = rows.map { c in c + k < M ? Double(counts[c * (M + 1) + 1 + k]) / Double(counts[c * (M + 1)]) : 0 }
        cols.append(Column(name: "m\(k)", data: .float64(v), validity: Validity(rows.map { $0 + k < M })))
    }
    return try Frame(cols)
}

/// Retention curve: for N = 0…`maxDays`, the share of users still active N
/// days after signup (signup = day of the first event; "still active" = an
/// event on day signup + N or later). Only users whose day signup + N is
/// within the data (≤ the last event day) count as eligible.
/// Columns: day (int), eligible, retained, share.
public func retentionCurve(_ log: EventLog, maxDays: Int = 90) throws -> Frame {
    guard let r = log.timeRange else { throw EventError.invalidOption("retention curve: the event log is empty") }
    guard maxDays >= 0, maxDays <= 100_000 else { throw EventError.invalidOption("retention curve: max_days must be 0…100000") }
    let lastDay = TimeUnit.day(r.max), L = maxDays + 1
    // Difference arrays over N: eligible for N ≤ lastDay − signup; retained for N ≤ lastActive − signup.
    let diff = sumOverUsers(log, length: 2 * (L + 1)) { _, days, acc in
        guard let s = days.first, let e = days.last else { return }
        let elig = min(L, Int(lastDay - s) + 1), ret = min(L, Int(e - s) + 1)
        acc[0] += 1; acc[elig] -= 1
        acc[L + 1] += 1; acc[L + 1 + ret] -= 1
    }
    var eligible = [Int64](repeating: 0, count: L), retained = eligible
    var a = 0, b = 0
    for k in 0..<L { a += diff[k]; b += diff[L + 1 + k]; eligible[k] = Int64(a); retained[k] = Int64(b) }
    return try Frame([
        Column(name: "day", data: .int64((0..<L).map(Int64.init))),
        Column(name: "eligible", data: .int64(eligible)),
        Column(name: "retained", data: .int64(retained)),
        Column(name: "share", data: .float64((0..<L).map { eligible[$0] > 0 ? Double(retained[$0]) / Double(eligible[$0]) : 0 }),
               validity: Validity(eligible.map { $0 > 0 })),
    ])
}
