import ExecutionControl

/// One survival row per user from the product's own objects, with the same
/// censoring rules as `churnLabels`: a churn is an event only once the whole
/// window that proves it (inactivity, or the renewal grace) lies before `as_of`;
/// everyone else is censored at `as_of`. Durations are in days.
///
/// Columns: user id, `start` (µs; first event / first term start), `duration`,
/// `event` (1 churned, 0 censored), `end` (µs: last event, coverage end, or as_of when censored).
public enum SurvivalFrames {
    /// Event logs, the inactivity definition: a user churned when their last
    /// event before `asOf` is more than `inactivityDays` before it — the
    /// `churnLabels(log, {as_of = A, horizon = H})` rule with A + H = asOf, H =
    /// inactivityDays (churn ⇔ no event in [asOf − H, asOf)). Duration: first →
    /// last event for churners, first event → asOf for the censored. Only events
    /// strictly before asOf count; users without one are left out.
    public static func fromEvents(_ log: EventLog, asOf: Int64, inactivityDays: Int) throws -> Frame {
        guard inactivityDays >= 1 && inactivityDays <= OptionLimits.days else {
            throw SurvivalError.invalid("from_events: inactivity_days must be in 1...\(OptionLimits.days), got \(inactivityDays)")
        }
        let gap = Int64(inactivityDays) * TimeUnit.microsPerDay
        var users: [Int32] = [], start: [Int64] = [], end: [Int64] = [], dur: [Double] = [], ev: [Int64] = []
        try log.times.withUnsafeBufferPointer { t in
            for u in 0..<log.userCount {
                if u & 0xFFFF == 0 { try ExecutionContext.check() }
                let lo = log.offsets[u], hi = log.offsets[u + 1]
                let k = EventLog.lowerBound(t, lo, hi, asOf)      // events before asOf: lo..<k
                guard k > lo else { continue }
                let first = t[lo], last = t[k - 1]
                let churned = asOf - last > gap
                users.append(Int32(u)); start.append(first); ev.append(churned ? 1 : 0)
                let e = churned ? last : asOf
                end.append(e); dur.append(Double(e - first) / Double(TimeUnit.microsPerDay))
            }
        }
        return try frame(log.users.column(named: log.userColumn, rows: users), start, end, dur, ev)
    }

    /// Subscriptions, the subscription definition: a user's first coverage spell
    /// (their earliest term, followed through renewals starting within `graceDays`
    /// of the end, as `churnLabels` does) starting before `asOf`. Churned when the
    /// coverage end + grace is before asOf (the whole grace window, whose last instant a renewal may still start at, was observed
    /// without a renewal); duration first term start → coverage end, or → asOf when censored.
    public static func fromSubscriptions(_ subs: Subscriptions, asOf: Int64, graceDays: Int) throws -> Frame {
        guard graceDays >= 0 && graceDays <= OptionLimits.days else {
            throw SurvivalError.invalid("from_subscriptions: gap_days must be in 0...\(OptionLimits.days), got \(graceDays)")
        }
        let grace = Int64(graceDays) * TimeUnit.microsPerDay
        var users: [Int32] = [], start: [Int64] = [], end: [Int64] = [], dur: [Double] = [], ev: [Int64] = []
        for u in 0..<subs.userCount {
            if u & 0xFFFF == 0 { try ExecutionContext.check() }
            var first: Int? = nil
            for i in subs.offsets[u]..<subs.offsets[u + 1] where subs.starts[i] < asOf {
                if first == nil || subs.starts[i] < subs.starts[first!] { first = i }
            }
            guard let i = first else { continue }
            let cover = subs.coverageEnd(user: u, from: i, grace: grace)
            let churned = cover != Int64.max && cover &+ grace < asOf
            let e = churned ? cover : asOf
            users.append(Int32(u)); start.append(subs.starts[i]); end.append(e); ev.append(churned ? 1 : 0)
            dur.append(Double(e - subs.starts[i]) / Double(TimeUnit.microsPerDay))
        }
        return try frame(subs.users.column(named: subs.userColumn, rows: users), start, end, dur, ev)
    }

    static func frame(_ ids: Column, _ start: [Int64], _ end: [Int64], _ dur: [Double], _ ev: [Int64]) throws -> Frame {
        try Frame([ids, Column(name: "start", data: .timestamp(start)), Column(name: "end", data: .timestamp(end)),
                   .float("duration", dur), .int("event", ev)])
    }
}
