/// Per-month account and revenue movements of a subscription table.
/// Periods are calendar months; an account is active at a moment when a term
/// covers it, and its MRR there is the sum of its covering terms' MRR.
struct MonthlyMovements {
    var periodStart: [Int64] = []          // day numbers
    var activeStart: [Int64] = [], churned: [Int64] = []
    var mrrStart: [Double] = [], mrrEnd: [Double] = [], mrrChurned: [Double] = []
    var expansion: [Double] = [], contraction: [Double] = []

    /// Months from the one containing `from` (default: earliest term start)
    /// whose end is at or before `to` (default: the day after the latest term start).
    init(_ subs: Subscriptions, from: Int32?, to: Int32?) throws {
        guard let s0 = subs.starts.min(), let s1 = subs.starts.max() else {
            throw EventError.invalidOption("revenue analytics: the subscription table is empty")
        }
        let lo = from.map(Int64.init) ?? TimeUnit.day(s0)
        let hi = to.map(Int64.init) ?? TimeUnit.day(s1) + 1
        var m = CalendarMonth.index(ofDay: lo)
        while CalendarMonth.firstDay(ofIndex: m + 1) <= hi && periodStart.count < 12_000 {
            periodStart.append(CalendarMonth.firstDay(ofIndex: m)); m += 1
        }
        guard !periodStart.isEmpty else {
            throw EventError.invalidOption("revenue analytics: no whole calendar month between day \(lo) and day \(hi)")
        }
        let P = periodStart.count
        let bounds = (0...P).map { CalendarMonth.firstDay(ofIndex: CalendarMonth.index(ofDay: periodStart[0]) + Int64($0)) * TimeUnit.microsPerDay }
        // Per chunk of users: [activeStart, churned] counts and 4 money sums per period, combined in order.
        let parts = Parallel.mapChunks(subs.userCount) { range -> ([Int64], [Double]) in
            var counts = [Int64](repeating: 0, count: 2 * P), money = [Double](repeating: 0, count: 5 * P)
            for u in range {
                var prev = subs.mrr(user: u, at: bounds[0])
                for p in 0..<P {
                    let next = subs.mrr(user: u, at: bounds[p + 1])
                    if prev > 0 {
                        counts[p] += 1
                        money[p] += prev; money[P + p] += next
                        if next == 0 { counts[P + p] += 1; money[2 * P + p] += prev }
                        else if next > prev { money[3 * P + p] += next - prev }
                        else if next < prev { money[4 * P + p] += prev - next }
                    }
                    prev = next
                }
            }
            return (counts, money)
        }
        var counts = [Int64](repeating: 0, count: 2 * P), money = [Double](repeating: 0, count: 5 * P)
        for (c, mo) in parts {
            for k in 0..<(2 * P) { counts[k] += c[k] }
            for k in 0..<(5 * P) { money[k] += mo[k] }
        }
        activeStart = Array(counts[0..<P]); churned = Array(counts[P..<(2 * P)])
        mrrStart = Array(money[0..<P]); mrrEnd = Array(money[P..<(2 * P)]); mrrChurned = Array(money[(2 * P)..<(3 * P)])
        expansion = Array(money[(3 * P)..<(4 * P)]); contraction = Array(money[(4 * P)..<(5 * P)])
    }

    func ratio(_ a: [Double], _ b: [Double], name: String) -> Column {
        Column(name: name, data: .float64(zip(a, b).map { $1 > 0 ? $0 / $1 : 0 }), validity: Validity(b.map { $0 > 0 }))
    }
    var periodColumn: Column { Column(name: "period", data: .date(periodStart.map { Int32($0) })) }
}

/// Churn rate per calendar month, account-based and revenue-based. Accounts
/// active at the month's start that have no running term at the next month's
/// start have churned. Columns: period (date), active_start, churned,
/// churn_rate, mrr_start, mrr_churned, revenue_churn_rate. `from`/`to` are day
/// numbers bounding the months (defaults: the table's first and last term start).
public func churnRates(_ subs: Subscriptions, from: Int32? = nil, to: Int32? = nil) throws -> Frame {
    let m = try MonthlyMovements(subs, from: from, to: to)
    return try Frame([
        m.periodColumn,
        Column(name: "active_start", data: .int64(m.activeStart)),
        Column(name: "churned", data: .int64(m.churned)),
        m.ratio(m.churned.map(Double.init), m.activeStart.map(Double.init), name: "churn_rate"),
        Column(name: "mrr_start", data: .float64(m.mrrStart)),
        Column(name: "mrr_churned", data: .float64(m.mrrChurned)),
        m.ratio(m.mrrChurned, m.mrrStart, name: "revenue_churn_rate"),
    ])
}

/// Net and gross revenue retention per calendar month, over the accounts
/// active at the month's start: NRR = their MRR at the next month's start ÷
/// their MRR at this month's start; GRR = (start − churned − contraction) ÷ start.
/// Columns: period, mrr_start, mrr_end, expansion, contraction, mrr_churned, nrr, grr.
public func revenueRetention(_ subs: Subscriptions, from: Int32? = nil, to: Int32? = nil) throws -> Frame {
    let m = try MonthlyMovements(subs, from: from, to: to)
    let kept = (0..<m.mrrStart.count).map { m.mrrStart[$0] - m.mrrChurned[$0] - m.contraction[$0] }
    return try Frame([
        m.periodColumn,
        Column(name: "mrr_start", data: .float64(m.mrrStart)),
        Column(name: "mrr_end", data: .float64(m.mrrEnd)),
        Column(name: "expansion", data: .float64(m.expansion)),
        Column(name: "contraction", data: .float64(m.contraction)),
        Column(name: "mrr_churned", data: .float64(m.mrrChurned)),
        m.ratio(m.mrrEnd, m.mrrStart, name: "nrr"),
        m.ratio(kept, m.mrrStart, name: "grr"),
    ])
}
