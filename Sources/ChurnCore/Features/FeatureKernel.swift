/// The per-user pass of the feature builder on raw pointers (no reference
/// counting or bounds checks in the hot loop). Writes one row of the
/// column-major output (`out[k * rows + row]`); NaN marks null.
struct FeatureKernel {
    let times: UnsafePointer<Int64>, types: UnsafePointer<Int32>
    let amounts: UnsafePointer<Double>?, offsets: UnsafePointer<Int>
    let out: UnsafeMutablePointer<Double>
    let rows: Int
    let asOf: Int64, behaviourCut: Int64, sessionGap: Int64
    let nw: Int, ntr: Int, countedTypes: Int, recencyTypes: Int
    /// Window cuts, then trend cuts, then trend previous-window cuts.
    let cuts: UnsafePointer<Int64>, trendCuts: UnsafePointer<Int64>, trendPrevCuts: UnsafePointer<Int64>
    /// Per type code: counted slot, and (after the log's type count) recency slot; -1 = none.
    let typeSlot: UnsafePointer<Int32>, recencySlot: UnsafePointer<Int32>
    /// First output column of each family, -1 when absent.
    let activity: Int, typesBase: Int, monetary: Int, recency: Int, tenure: Int
    let trend: Int, gaps: Int, sessions: Int, weekend: Int

    init(plan p: FeaturePlan, times: UnsafePointer<Int64>, types: UnsafePointer<Int32>, amounts: UnsafePointer<Double>?,
         offsets: UnsafePointer<Int>, params: UnsafePointer<Int64>, slots: UnsafePointer<Int32>,
         out: UnsafeMutablePointer<Double>, rows: Int) {
        self.times = times; self.types = types; self.amounts = amounts; self.offsets = offsets
        self.out = out; self.rows = rows
        asOf = p.asOf; behaviourCut = p.behaviourCut; sessionGap = p.sessionGap
        nw = p.windows.count; ntr = p.trendWindows.count
        countedTypes = p.countedTypes; recencyTypes = p.recencyTypes
        cuts = params; trendCuts = params + nw; trendPrevCuts = params + nw + ntr
        typeSlot = slots; recencySlot = slots + p.typeSlot.count
        activity = p.base[.activity] ?? -1; typesBase = p.base[.types] ?? -1
        monetary = p.monetary ? (p.base[.monetary] ?? -1) : -1
        recency = p.base[.recency] ?? -1; tenure = p.base[.tenure] ?? -1; trend = p.base[.trend] ?? -1
        gaps = p.base[.gaps] ?? -1; sessions = p.base[.sessions] ?? -1; weekend = p.base[.weekend] ?? -1
    }

    /// Per-thread accumulators.
    struct Scratch {
        let ints: UnsafeMutablePointer<Int>, intCount: Int
        let amountSum: UnsafeMutablePointer<Double>
        let lastOfType: UnsafeMutablePointer<Int64>
        // Offsets into `ints`.
        let cnt: Int, activeDays: Int, amountN: Int, typeCnt: Int, trendCur: Int, trendPrev: Int

        init(_ k: FeatureKernel) {
            cnt = 0; activeDays = k.nw; amountN = 2 * k.nw; typeCnt = 3 * k.nw
            trendCur = typeCnt + k.countedTypes * k.nw; trendPrev = trendCur + k.ntr
            intCount = trendPrev + k.ntr
            ints = .allocate(capacity: max(1, intCount))
            amountSum = .allocate(capacity: max(1, k.nw))
            lastOfType = .allocate(capacity: max(1, k.recencyTypes))
        }
        func free() { ints.deallocate(); amountSum.deallocate(); lastOfType.deallocate() }
    }

    /// One user's pass over events `offsets[u]..<hi` (all strictly before asOf).
    @inline(__always)
    func run(user u: Int, hi: Int, row r: Int, _ s: Scratch) {
        let lo = offsets[u]
        let I = s.ints
        I.update(repeating: 0, count: s.intCount)
        s.amountSum.update(repeating: 0, count: nw)
        s.lastOfType.update(repeating: Int64.min, count: recencyTypes)
        let cnt = I + s.cnt, ad = I + s.activeDays, amtN = I + s.amountN, tcnt = I + s.typeCnt
        let tCur = I + s.trendCur, tPrev = I + s.trendPrev
        var prevT = Int64.min, prevDay = Int64.min
        var maxGap: Int64 = 0
        var nB = 0, weekendN = 0, nSessions = 0, sessStart: Int64 = 0, sessTotal: Int64 = 0
        let wantTypes = countedTypes > 0, wantRec = recencyTypes > 0
        let widest = cuts[nw - 1]                      // windows ascending: the last cut is the earliest
        for i in lo..<hi {
            let t = times[i]
            let typ = Int(types[i])
            if t >= widest {
                let d = TimeUnit.day(t)
                let newDay = d != prevDay
                let slot = wantTypes ? Int(typeSlot[typ]) : -1
                var w = nw - 1
                while w >= 0 && t >= cuts[w] {
                    if cnt[w] == 0 || newDay { ad[w] += 1 }
                    cnt[w] += 1
                    if slot >= 0 { tcnt[slot * nw + w] += 1 }
                    w -= 1
                }
                if let amounts {
                    let a = amounts[i]
                    if !a.isNaN {
                        var w = nw - 1
                        while w >= 0 && t >= cuts[w] { s.amountSum[w] += a; amtN[w] += 1; w -= 1 }
                    }
                }
                prevDay = d
            }
            if wantRec { let rs = Int(recencySlot[typ]); if rs >= 0 { s.lastOfType[rs] = t } }
            for j in 0..<ntr where t >= trendPrevCuts[j] {
                if t >= trendCuts[j] { tCur[j] += 1 } else { tPrev[j] += 1 }
            }
            if i > lo { maxGap = max(maxGap, t - prevT) }
            if t >= behaviourCut {
                nB += 1
                if TimeUnit.weekday(day: TimeUnit.day(t)) >= 5 { weekendN += 1 }
                if nB == 1 || t - prevT > sessionGap {
                    if nB > 1 { sessTotal += prevT - sessStart }
                    nSessions += 1; sessStart = t
                }
            }
            prevT = t
        }
        if nSessions > 0 { sessTotal += prevT - sessStart }
        let first = times[lo], last = prevT, count = hi - lo
        let dayD = Double(TimeUnit.microsPerDay)
        @inline(__always) func put(_ k: Int, _ x: Double) { out[k * rows + r] = x }

        if activity >= 0 {
            for w in 0..<nw { put(activity + w, Double(cnt[w])); put(activity + nw + w, Double(ad[w])) }
        }
        if typesBase >= 0 {
            for k in 0..<(countedTypes * nw) { put(typesBase + k, Double(tcnt[k])) }
        }
        if monetary >= 0 {
            for w in 0..<nw {
                put(monetary + w, s.amountSum[w])
                put(monetary + nw + w, amtN[w] > 0 ? s.amountSum[w] / Double(amtN[w]) : .nan)
            }
        }
        if recency >= 0 {
            put(recency, Double(asOf - last) / dayD)
            for k in 0..<recencyTypes {
                let lt = s.lastOfType[k]
                put(recency + 1 + k, lt == Int64.min ? .nan : Double(asOf - lt) / dayD)
            }
        }
        if tenure >= 0 { put(tenure, Double(asOf - first) / dayD) }
        if trend >= 0 {
            for j in 0..<ntr {
                let c = Double(tCur[j]), q = Double(tPrev[j])
                put(trend + j, q > 0 ? c / q : (c == 0 ? 1 : c))
            }
        }
        if gaps >= 0 {
            put(gaps, count > 1 ? Double(last - first) / Double(count - 1) / dayD : .nan)
            put(gaps + 1, count > 1 ? Double(maxGap) / dayD : .nan)
        }
        if sessions >= 0 {
            put(sessions, Double(nSessions))
            put(sessions + 1, nSessions > 0 ? Double(sessTotal) / Double(nSessions) / Double(TimeUnit.microsPerMinute) : .nan)
        }
        if weekend >= 0 { put(weekend, nB > 0 ? Double(weekendN) / Double(nB) : .nan) }
    }
}
