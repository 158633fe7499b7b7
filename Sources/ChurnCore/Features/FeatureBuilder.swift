/// Features of every user with at least one event strictly before `spec.asOf`,
/// one row per user in ascending user-id order (users first seen at or after
/// `asOf` are absent). The first column is the user id, named like the log's
/// user column. See `FeatureFamily` for the features and their nulls.
///
/// Trend (`trend_<W>d` = events in the last W days ÷ events in the W days
/// before): when the earlier window is empty, 0/0 is 1 (no change) and x/0 is x
/// (the empty window counts as one event), so the value is always finite.
///
/// One pass per user over the events before `asOf` (found by binary search in
/// the user's slice), parallel over users; values never depend on thread count.
public func buildFeatures(_ log: EventLog, _ spec: FeatureSpec, subscriptions: Subscriptions? = nil) throws -> Frame {
    try FeatureBuilder(log: log, spec: spec, subscriptions: subscriptions).build().frame
}

/// Builds features; `build()` also returns the dense user index of each row (for joins).
struct FeatureBuilder {
    let log: EventLog
    let plan: FeaturePlan
    let subs: Subscriptions?
    /// Per log user: its index in `subs` or -1.
    let subIndex: [Int32]

    init(log: EventLog, spec: FeatureSpec, subscriptions: Subscriptions?) throws {
        self.log = log
        plan = try FeaturePlan(spec, log: log, subscriptions: subscriptions)
        subs = subscriptions
        subIndex = try subscriptions.map { try log.users.indices(in: $0.users) } ?? []
    }

    func build() throws -> (frame: Frame, users: [Int32]) {
        let U = log.userCount, asOf = plan.asOf
        // Pass 1: end of each user's pre-asOf slice; rows for users with events.
        var ends = [Int](repeating: 0, count: U)
        log.times.withUnsafeBufferPointer { t in
            ends.withUnsafeMutableBufferPointer { e in
                let eb = e.baseAddress!
                let rs = Parallel.ranges(U, chunks: Parallel.threads * 4)
                Parallel.forEach(U == 0 ? 0 : rs.count) { c in
                    for u in rs[c] { eb[u] = EventLog.lowerBound(t, log.offsets[u], log.offsets[u + 1], asOf) }
                }
            }
        }
        var users: [Int32] = []
        users.reserveCapacity(U)
        for u in 0..<U where ends[u] > log.offsets[u] { users.append(Int32(u)) }
        let n = users.count, K = plan.outputs.count
        var values = [Double](repeating: 0, count: n * K)
        var planCodes = [Int32](repeating: -1, count: plan.subscription ? n : 0)
        values.withUnsafeMutableBufferPointer { vb in
            planCodes.withUnsafeMutableBufferPointer { pb in
                let v = vb.baseAddress!, p = pb.baseAddress
                let rs = Parallel.ranges(n, chunks: Parallel.threads * 8)
                Parallel.forEach(n == 0 ? 0 : rs.count) { c in
                    var scratch = Scratch(plan)
                    for r in rs[c] {
                        let u = Int(users[r])
                        userFeatures(u: u, hi: ends[u], row: r, n: n, out: v, planOut: p, s: &scratch)
                    }
                }
            }
        }
        var cols = [log.users.column(named: log.userColumn, rows: users)]
        for (k, o) in plan.outputs.enumerated() {
            let slice = Array(values[(k * n)..<(k * n + n)])
            switch o.kind {
            case .int:
                cols.append(Column(name: o.name, data: .int64(slice.map { $0.isNaN ? 0 : Int64($0) }),
                                   validity: FeatureBuilder.validity(slice)))
            case .double:
                cols.append(Column(name: o.name, data: .float64(slice.map { $0.isNaN ? 0 : $0 }),
                                   validity: FeatureBuilder.validity(slice)))
            case .plan:
                let valid = Validity(planCodes.map { $0 >= 0 })
                cols.append(Column(name: o.name, data: .string(codes: planCodes.map { max($0, 0) }, dictionary: subs!.planNames),
                                   validity: valid))
            }
        }
        return (try Frame(cols), users)
    }

    private static func validity(_ v: [Double]) -> Validity? {
        guard v.contains(where: { $0.isNaN }) else { return nil }
        return Validity(v.map { !$0.isNaN })
    }

    /// Per-thread accumulators, reset per user.
    struct Scratch {
        var cnt, activeDays, amountN, typeCnt, trendCur, trendPrev: [Int]
        var amountSum: [Double]
        var lastOfType: [Int64]
        init(_ p: FeaturePlan) {
            let nw = p.windows.count
            cnt = .init(repeating: 0, count: nw); activeDays = cnt; amountN = cnt
            typeCnt = .init(repeating: 0, count: max(1, p.countedTypes * nw))
            trendCur = .init(repeating: 0, count: p.trendWindows.count); trendPrev = trendCur
            amountSum = .init(repeating: 0, count: nw)
            lastOfType = .init(repeating: Int64.min, count: max(1, p.recencyTypes))
        }
        mutating func reset() {
            for i in cnt.indices { cnt[i] = 0; activeDays[i] = 0; amountN[i] = 0; amountSum[i] = 0 }
            for i in typeCnt.indices { typeCnt[i] = 0 }
            for i in trendCur.indices { trendCur[i] = 0; trendPrev[i] = 0 }
            for i in lastOfType.indices { lastOfType[i] = Int64.min }
        }
    }

    /// One user's pass over events `offsets[u]..<hi` (all strictly before asOf).
    @inline(__always)
    private func userFeatures(u: Int, hi: Int, row r: Int, n: Int, out: UnsafeMutablePointer<Double>,
                              planOut: UnsafeMutablePointer<Int32>?, s: inout Scratch) {
        let p = plan
        let lo = log.offsets[u]
        let day = TimeUnit.microsPerDay, dayD = Double(day)
        let nw = p.windows.count
        s.reset()
        var prevT = Int64.min, prevDay = Int64.min
        var maxGap: Int64 = 0
        var nB = 0, weekend = 0, sessions = 0, sessStart: Int64 = 0, sessTotal: Int64 = 0
        let wantTypes = p.countedTypes > 0, wantRec = p.recencyTypes > 0
        let wantTrend = !p.trendWindows.isEmpty
        let amounts = p.monetary ? log.amounts : nil
        log.times.withUnsafeBufferPointer { T in
        log.types.withUnsafeBufferPointer { Ty in
            for i in lo..<hi {
                let t = T[i]
                let d = TimeUnit.day(t)
                let newDay = d != prevDay
                let typ = Int(Ty[i])
                let slot = wantTypes ? Int(p.typeSlot[typ]) : -1
                for w in 0..<nw where t >= p.cuts[w] {
                    if s.cnt[w] == 0 || newDay { s.activeDays[w] += 1 }
                    s.cnt[w] += 1
                    if slot >= 0 { s.typeCnt[slot * nw + w] += 1 }
                }
                if let amounts {
                    let a = amounts[i]
                    if !a.isNaN { for w in 0..<nw where t >= p.cuts[w] { s.amountSum[w] += a; s.amountN[w] += 1 } }
                }
                if wantRec { let rs = Int(p.recencySlot[typ]); if rs >= 0 { s.lastOfType[rs] = t } }
                if wantTrend {
                    for j in 0..<p.trendWindows.count where t >= p.trendPrevCuts[j] {
                        if t >= p.trendCuts[j] { s.trendCur[j] += 1 } else { s.trendPrev[j] += 1 }
                    }
                }
                if i > lo { maxGap = max(maxGap, t - prevT) }
                if t >= p.behaviourCut {
                    nB += 1
                    if TimeUnit.weekday(day: d) >= 5 { weekend += 1 }
                    if nB == 1 || t - prevT > p.sessionGap {
                        if nB > 1 { sessTotal += prevT - sessStart }
                        sessions += 1; sessStart = t
                    }
                }
                prevT = t; prevDay = d
            }
        }
        }
        if sessions > 0 { sessTotal += prevT - sessStart }
        let first = log.times[lo], last = prevT, count = hi - lo
        @inline(__always) func put(_ k: Int, _ x: Double) { out[k * n + r] = x }

        if let b = p.base[.activity] {
            for w in 0..<nw { put(b + w, Double(s.cnt[w])); put(b + nw + w, Double(s.activeDays[w])) }
        }
        if let b = p.base[.types] {
            for k in 0..<(p.countedTypes * nw) { put(b + k, Double(s.typeCnt[k])) }
        }
        if p.monetary, let b = p.base[.monetary] {
            for w in 0..<nw {
                put(b + w, s.amountSum[w])
                put(b + nw + w, s.amountN[w] > 0 ? s.amountSum[w] / Double(s.amountN[w]) : .nan)
            }
        }
        if let b = p.base[.recency] {
            put(b, Double(p.asOf - last) / dayD)
            for k in 0..<p.recencyTypes {
                let lt = s.lastOfType[k]
                put(b + 1 + k, lt == Int64.min ? .nan : Double(p.asOf - lt) / dayD)
            }
        }
        var currentTerm: Int? = nil, subUser = -1
        if p.subscription, let subs, subIndex[u] >= 0 {
            subUser = Int(subIndex[u])
            currentTerm = subs.term(user: subUser, before: p.asOf)
        }
        if let b = p.base[.tenure] {
            var start = first
            if let subs, subUser >= 0, subs.offsets[subUser] < subs.offsets[subUser + 1] {
                let s0 = subs.starts[subs.offsets[subUser]]
                if s0 < p.asOf { start = min(start, s0) }
            }
            put(b, Double(p.asOf - start) / dayD)
        }
        if let b = p.base[.trend] {
            for j in 0..<p.trendWindows.count {
                let c = Double(s.trendCur[j]), q = Double(s.trendPrev[j])
                put(b + j, q > 0 ? c / q : (c == 0 ? 1 : c))
            }
        }
        if let b = p.base[.gaps] {
            put(b, count > 1 ? Double(last - first) / Double(count - 1) / dayD : .nan)
            put(b + 1, count > 1 ? Double(maxGap) / dayD : .nan)
        }
        if let b = p.base[.sessions] {
            put(b, Double(sessions))
            put(b + 1, sessions > 0 ? Double(sessTotal) / Double(sessions) / Double(TimeUnit.microsPerMinute) : .nan)
        }
        if let b = p.base[.weekend] { put(b, nB > 0 ? Double(weekend) / Double(nB) : .nan) }
        if p.subscription, let b = p.base[.subscription], let subs {
            subscriptionFeatures(subs, user: subUser, current: currentTerm, base: b, put: put, row: r, planOut: planOut!)
        }
    }

    /// Subscription features as of `asOf`: the current term is the latest one
    /// with start < asOf < end. Without one, `subscribed` = 0, price and MRR 0,
    /// `plan` the last plan held (null if never subscribed), renewal fields null.
    private func subscriptionFeatures(_ subs: Subscriptions, user su: Int, current: Int?, base b: Int,
                                      put: (Int, Double) -> Void, row r: Int, planOut: UnsafeMutablePointer<Int32>) {
        let asOf = plan.asOf
        var started = 0, lastStarted = -1
        if su >= 0 {
            for i in subs.offsets[su]..<subs.offsets[su + 1] where subs.starts[i] < asOf { started += 1; lastStarted = i }
        }
        put(b, current != nil ? 1 : 0)
        planOut[r] = lastStarted >= 0 ? subs.plans[lastStarted] : -1
        put(b + 2, current.map { subs.prices[$0] } ?? 0)
        put(b + 3, current.map { subs.mrr($0) } ?? 0)
        let end = current.map { subs.ends[$0] }
        put(b + 4, end.map { $0 == Int64.max ? .nan : Double($0 - asOf) / Double(TimeUnit.microsPerDay) } ?? .nan)
        put(b + 5, Double(max(0, started - 1)))
        var k = b + 6
        if plan.autoRenew { put(k, current.map { subs.autoRenew![$0] ? 0 : 1 } ?? .nan); k += 1 }
        if plan.discount { put(k, current.map { subs.discounts![$0] } ?? .nan) }
    }
}

extension Subscriptions {
    /// The latest-starting term of user `u` with start < t < end (known strictly before t and still running).
    func term(user u: Int, before t: Int64) -> Int? {
        var i = offsets[u + 1] - 1
        while i >= offsets[u] {
            if starts[i] < t && t < ends[i] { return i }
            i -= 1
        }
        return nil
    }
}
