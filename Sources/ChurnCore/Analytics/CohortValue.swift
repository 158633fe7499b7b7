/// Lifetime value per signup cohort (month of the first event), from the
/// log's amounts (all events with an amount count as revenue).
///
/// - `ltv_observed` = cohort revenue so far ÷ cohort users.
/// - `arpu_month` = cohort revenue ÷ active user-months, where a user is
///   counted from the signup month through the last month with an event.
/// - `monthly_churn` = users whose last active month is before the data's
///   last month ÷ active user-months (a hazard estimate);
///   `expected_lifetime_months` = 1 ÷ monthly_churn (null when no one churned);
///   `ltv_expected` = arpu_month × expected_lifetime_months.
/// Columns: cohort (date), users, revenue, ltv_observed, user_months,
/// arpu_month, monthly_churn, expected_lifetime_months, ltv_expected.
public func cohortLTV(_ log: EventLog) throws -> Frame {
    guard let r = log.timeRange else { throw EventError.invalidOption("cohort LTV: the event log is empty") }
    guard let amounts = log.amounts else { throw EventError.invalidOption("cohort LTV: the event log has no amount column") }
    let first = CalendarMonth.index(ofDay: TimeUnit.day(r.min)), last = CalendarMonth.index(ofDay: TimeUnit.day(r.max))
    let M = Int(last - first) + 1
    guard M <= 12_000 else { throw EventError.invalidOption("cohort LTV: the log spans too many months") }
    // Integer counts combine exactly; revenue sums are combined in chunk order.
    let parts = Parallel.mapChunks(log.userCount) { range -> ([Int], [Double]) in
        var c = [Int](repeating: 0, count: 3 * M), rev = [Double](repeating: 0, count: M)
        for u in range where log.offsets[u] < log.offsets[u + 1] {
            let m0 = Int(CalendarMonth.index(ofDay: TimeUnit.day(log.times[log.offsets[u]])) - first)
            let m1 = Int(CalendarMonth.index(ofDay: TimeUnit.day(log.times[log.offsets[u + 1] - 1])) - first)
            c[m0] += 1; c[M + m0] += m1 - m0 + 1
            if m1 < M - 1 { c[2 * M + m0] += 1 }
            for i in log.offsets[u]..<log.offsets[u + 1] where !amounts[i].isNaN { rev[m0] += amounts[i] }
        }
        return (c, rev)
    }
    var c = [Int](repeating: 0, count: 3 * M), rev = [Double](repeating: 0, count: M)
    for (pc, pr) in parts { for k in 0..<(3 * M) { c[k] += pc[k] }; for k in 0..<M { rev[k] += pr[k] } }
    let rows = (0..<M).filter { c[$0] > 0 }
    let users = rows.map { Double(c[$0]) }, months = rows.map { Double(c[M + $0]) }, churned = rows.map { Double(c[2 * M + $0]) }
    let revenue = rows.map { rev[$0] }
    let arpu = zip(revenue, months).map { $0 / $1 }
    let hazard = zip(churned, months).map { $0 / $1 }
    let life = hazard.map { $0 > 0 ? 1 / $0 : 0 }
    let known = Validity(hazard.map { $0 > 0 })
    return try Frame([
        Column(name: "cohort", data: .date(rows.map { Int32(CalendarMonth.firstDay(ofIndex: first + Int64($0))) })),
        Column(name: "users", data: .int64(rows.map { Int64(c[$0]) })),
        Column(name: "revenue", data: .float64(revenue)),
        Column(name: "ltv_observed", data: .float64(zip(revenue, users).map { $0 / $1 })),
        Column(name: "user_months", data: .int64(months.map { Int64($0) })),
        Column(name: "arpu_month", data: .float64(arpu)),
        Column(name: "monthly_churn", data: .float64(hazard)),
        Column(name: "expected_lifetime_months", data: .float64(life), validity: known),
        Column(name: "ltv_expected", data: .float64(zip(arpu, life).map { $0 * $1 }), validity: known),
    ])
}

/// Conversion funnel: stage 0 is signup (every user, at their first event);
/// stage k is the first event of type `steps[k-1]` at or after the time the
/// user reached stage k-1. Columns: stage (string), users, conversion (from
/// the previous stage), conversion_from_start, median_days_from_previous
/// (null for signup or when nobody converted).
public func funnel(_ log: EventLog, steps: [String] = ["purchase", "renew"]) throws -> Frame {
    guard !steps.isEmpty else { throw EventError.invalidOption("funnel: give at least one step") }
    let codes: [Int32] = try steps.map { s in
        guard let c = log.typeCode(s) else {
            throw EventError.invalidOption("funnel: unknown event type '\(s)'; the log has: \(log.typeNames.prefix(12).joined(separator: ", "))")
        }
        return c
    }
    let S = steps.count
    // Per chunk: users reaching each stage and the days each took (for medians), in user order.
    let parts = Parallel.mapChunks(log.userCount) { range -> ([Int], [[Double]]) in
        var reached = [Int](repeating: 0, count: S + 1)
        var waits = [[Double]](repeating: [], count: S + 1)
        for u in range where log.offsets[u] < log.offsets[u + 1] {
            var i = log.offsets[u], t = log.times[i]
            reached[0] += 1
            for k in 0..<S {
                while i < log.offsets[u + 1] && log.types[i] != codes[k] { i += 1 }
                guard i < log.offsets[u + 1] else { break }
                reached[k + 1] += 1
                waits[k + 1].append(Double(log.times[i] - t) / Double(TimeUnit.microsPerDay))
                t = log.times[i]
                i += 1   // a later step needs a later event
            }
        }
        return (reached, waits)
    }
    var reached = [Int](repeating: 0, count: S + 1)
    var waits = [[Double]](repeating: [], count: S + 1)
    for (r, w) in parts { for k in 0...S { reached[k] += r[k]; waits[k] += w[k] } }
    let medians: [Double] = waits.map { w in
        guard !w.isEmpty else { return .nan }
        let s = w.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }
    let conv = (0...S).map { k in k == 0 ? 1 : (reached[k - 1] > 0 ? Double(reached[k]) / Double(reached[k - 1]) : 0) }
    return try Frame([
        .string("stage", ["signup"] + steps),
        Column(name: "users", data: .int64(reached.map(Int64.init))),
        Column(name: "conversion", data: .float64(conv)),
        Column(name: "conversion_from_start", data: .float64(reached.map { reached[0] > 0 ? Double($0) / Double(reached[0]) : 0 })),
        Column(name: "median_days_from_previous", data: .float64(medians.map { $0.isNaN ? 0 : $0 }),
               validity: Validity(medians.map { !$0.isNaN })),
    ])
}
