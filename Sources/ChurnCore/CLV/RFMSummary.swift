import ExecutionControl

/// Per-customer frequency / recency / T / monetary value from a transaction log,
/// the convention of lifetimes' `summary_data_from_transaction_data` and
/// `calibration_and_holdout_data` with `freq = "D"`, `freq_multiplier = periodDays`:
/// purchases on the same (UTC) day are one purchase whose amount is their sum;
/// frequency = purchase days − 1 (the first is excluded); recency = last − first
/// day; T = calibration end − first day (both in periods of `periodDays` days);
/// monetary value = mean amount of the repeat purchase days (0 when none).
/// Customers are those with a purchase on or before the calibration end, in
/// order of first appearance in the log. (lifetimes' `freq = "W"` instead floors
/// dates to calendar weeks; Fader–Hardie–Lee's CDNOW figures use days / 7, as here.)
public struct RFMOptions: Sendable {
    public var customer: String
    public var time: String
    public var amount: String?
    /// Last day of the calibration period (days since 1970-01-01), inclusive.
    public var calibrationEndDay: Int64
    /// Last day of the holdout period, inclusive; nil = no holdout columns.
    public var holdoutEndDay: Int64?
    public var periodDays: Double = 1
    public init(customer: String, time: String, amount: String? = nil, calibrationEndDay: Int64,
                holdoutEndDay: Int64? = nil, periodDays: Double = 1) {
        self.customer = customer; self.time = time; self.amount = amount
        self.calibrationEndDay = calibrationEndDay; self.holdoutEndDay = holdoutEndDay; self.periodDays = periodDays
    }
}

public enum RFMSummary {
    public static func build(_ f: Frame, _ o: RFMOptions) throws -> Frame {
        guard o.periodDays > 0 && o.periodDays.isFinite else { throw CLVError.invalid("clv.summary: period must be > 0 days") }
        if let h = o.holdoutEndDay, h <= o.calibrationEndDay {
            throw CLVError.invalid("clv.summary: holdout_end must be after calibration_end")
        }
        let cust = try f.column(o.customer), tcol = try f.column(o.time)
        let n = f.nrow
        var days = [Int64](repeating: 0, count: n)
        switch tcol.data {
        case .date(let v): for i in 0..<n { days[i] = Int64(v[i]) }
        case .timestamp(let v): for i in 0..<n { days[i] = TimeUnit.day(v[i]) }
        case .string(let codes, let dict), .category(let codes, let dict):
            // Date text ("1997-01-01" or a timestamp): parsed once per distinct value.
            var parsed = [Int64?](repeating: nil, count: dict.count)
            for (k, text) in dict.enumerated() {
                if let d = DateText.parseDate(text) { parsed[k] = Int64(d) } else if let t = DateText.parseTimestamp(text) { parsed[k] = TimeUnit.day(t) }
            }
            for i in 0..<n where !tcol.isNull(i) {
                guard let d = parsed[Int(codes[i])] else {
                    throw CLVError.invalid("clv.summary: column '\(o.time)' row \(i + 1): '\(dict[Int(codes[i])])' is not a date like 1997-01-01")
                }
                days[i] = d
            }
        default: throw CLVError.invalid("clv.summary: column '\(o.time)' must be a date, timestamp or date-text column, got \(tcol.dtype.rawValue)")
        }
        if tcol.nullCount > 0 || cust.nullCount > 0 { throw CLVError.invalid("clv.summary: '\(o.customer)' and '\(o.time)' must have no nulls") }
        var amounts: [Double]? = nil
        if let a = o.amount {
            let c = try f.column(a)
            guard let v = c.toDoubles(), c.nullCount == 0 else { throw CLVError.invalid("clv.summary: amount column '\(a)' must be numeric without nulls") }
            if let bad = v.firstIndex(where: { !$0.isFinite }) { throw CLVError.invalid("clv.summary: amount row \(bad + 1) is not finite") }
            amounts = v
        }
        let groups = try Factorizer.factorize(column: cust)
        // Rows of each customer sorted by day (counting sort by group, then by day within).
        var start = [Int](repeating: 0, count: groups.count + 1)
        for g in groups.ids { start[Int(g) + 1] += 1 }
        for g in 0..<groups.count { start[g + 1] += start[g] }
        var fill = start, rows = [Int](repeating: 0, count: n)
        for i in 0..<n { let g = Int(groups.ids[i]); rows[fill[g]] = i; fill[g] += 1 }
        let cal = o.calibrationEndDay, hold = o.holdoutEndDay, k = o.periodDays
        var keep: [Int] = [], freq: [Double] = [], rec: [Double] = [], T: [Double] = [], mon: [Double] = []
        var fh: [Double] = [], mh: [Double] = []
        for g in 0..<groups.count {
            if g & 0x3FFF == 0 { try ExecutionContext.check() }
            var r = Array(rows[start[g]..<start[g + 1]])
            r.sort { days[$0] < days[$1] }
            guard let first = r.first, days[first] <= cal else { continue }
            // Walk distinct days: calibration days and holdout days.
            var calDays = 0, lastCal = days[first], repeatSum = 0.0
            var holdDays = 0, holdSum = 0.0
            var i = 0
            while i < r.count {
                let d = days[r[i]]
                var s = 0.0
                while i < r.count && days[r[i]] == d { s += amounts?[r[i]] ?? 0; i += 1 }
                if d <= cal {
                    calDays += 1; lastCal = d
                    if calDays > 1 { repeatSum += s }
                } else if let h = hold, d <= h { holdDays += 1; holdSum += s }
            }
            keep.append(groups.firstRow[g])
            let x = Double(calDays - 1)
            freq.append(x); rec.append(Double(lastCal - days[first]) / k); T.append(Double(cal - days[first]) / k)
            mon.append(x > 0 ? repeatSum / x : 0)
            fh.append(Double(holdDays)); mh.append(holdDays > 0 ? holdSum / Double(holdDays) : 0)
        }
        guard !keep.isEmpty else { throw CLVError.invalid("clv.summary: no transactions on or before calibration_end") }
        var cols = [cust.take(keep), .float("frequency", freq), .float("recency", rec), .float("T", T)]
        if amounts != nil { cols.append(.float("monetary_value", mon)) }
        if let h = hold {
            cols.append(.float("frequency_holdout", fh))
            if amounts != nil { cols.append(.float("monetary_value_holdout", mh)) }
            cols.append(.float("duration_holdout", [Double](repeating: Double(h - cal) / k, count: keep.count)))
        }
        return try Frame(cols)
    }
}

public enum CLVError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    public var description: String { switch self { case .invalid(let m): return m } }
}
