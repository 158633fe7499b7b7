import ExecutionControl

/// Harrell's concordance index as lifelines' `concordance_index(durations, scores, events)`:
/// over pairs where the shorter duration is an observed event, the share whose
/// score (predicted survival) is also smaller; score ties count ½. A censoring at
/// the same time as an event counts as the longer survival; two events at the
/// same time are not comparable.
public enum Concordance {
    public static func index(durations: [Double], scores: [Double], events: [Bool]) throws -> Double {
        let r = try counts(durations: durations, scores: scores, events: events)
        guard r.pairs > 0 else { throw SurvivalError.invalid("concordance: no comparable pairs") }
        return r.concordant / r.pairs
    }

    /// Concordant pairs (ties ½) and comparable pairs.
    public static func counts(durations: [Double], scores: [Double], events: [Bool]) throws -> (concordant: Double, pairs: Double) {
        let n = durations.count
        guard scores.count == n, events.count == n else { throw SurvivalError.invalid("concordance: lengths differ") }
        return try counts(times: try TimeRanks(durations), scores: scores, events: events)
    }

    /// The same with the durations already ranked (a Cox fit has them).
    ///
    /// Comparable pairs need no sort: an event's partners are the rows with a
    /// longer time plus the censored rows at its time, counted per distinct time.
    /// Concordant pairs: rows in descending score order (one radix sort carrying
    /// each row's time rank and event flag), with a Fenwick tree over the *time*
    /// ranks of the rows already passed (higher scores) — durations have few
    /// distinct values next to scores (day counts: a tree of a few KB that stays
    /// in L1, where a tree over a million score ranks missed the cache on every
    /// step). With few distinct times the score-sorted rows are cut into chunks
    /// counted in parallel: a chunk's partners in the chunks above it come from
    /// their time histograms. Counts are integers (twice the concordant count, so
    /// ties are exact): the result never depends on the chunks or threads.
    static func counts(times: TimeRanks, scores: [Double], events: [Bool]) throws -> (concordant: Double, pairs: Double) {
        let n = scores.count, m = times.count
        guard times.rank.count == n, events.count == n else { throw SurvivalError.invalid("concordance: lengths differ") }
        if let i = scores.firstIndex(where: { $0.isNaN }) { throw SurvivalError.invalid("concordance: score \(i + 1) is NaN") }
        guard n > 0 else { return (0, 0) }
        var atTime = [Int](repeating: 0, count: m), censoredAt = atTime
        var pairs = 0
        var payload = [Int32](repeating: 0, count: n)
        times.rank.withUnsafeBufferPointer { rank in
            for i in 0..<n {
                let k = Int(rank[i])
                atTime[k] += 1
                if !events[i] { censoredAt[k] += 1 }
                payload[i] = rank[i] << 1 | (events[i] ? 1 : 0)
            }
            var longer = [Int](repeating: 0, count: m), acc = 0
            for k in stride(from: m - 1, through: 0, by: -1) { longer[k] = acc; acc += atTime[k] }
            for i in 0..<n where events[i] { let k = Int(rank[i]); pairs += longer[k] + censoredAt[k] }
        }
        try ExecutionContext.check()
        let sorted = try TimeRanks.radixSort(scores, payload: payload)
        payload = []
        // Chunks of the score order, cut between distinct scores (per-chunk histograms cost chunks × m).
        let want = min(8, max(1, n / (16 * m)))
        var cuts = [0]
        for c in 1..<max(want, 1) {
            var at = n * c / want
            while at < n && at > cuts.last! && sorted.keys[at] == sorted.keys[at - 1] { at += 1 }
            if at > cuts.last! && at < n { cuts.append(at) }
        }
        cuts.append(n)
        let chunks = cuts.count - 1
        try ExecutionContext.checkMemory(chunks * m * 16, for: "concordance histograms")
        // Per chunk: rows and censored rows by time rank.
        var hist = [Int](repeating: 0, count: chunks * m * 2)
        hist.withUnsafeMutableBufferPointer { h in
            sorted.rows.withUnsafeBufferPointer { pay in
                let hb = h.baseAddress!
                Parallel.forEach(chunks) { c in
                    let all = hb + c * 2 * m, cens = all + m
                    for j in cuts[c]..<cuts[c + 1] { let v = Int(pay[j]); all[v >> 1] += 1; cens[v >> 1] += 1 - (v & 1) }
                }
            }
        }
        // For each chunk, partners above it: rows with a longer time, censored rows by time.
        var above = [Int](repeating: 0, count: chunks * m * 2)
        var running = [Int](repeating: 0, count: 2 * m)
        for c in stride(from: chunks - 1, through: 0, by: -1) {
            var longer = 0
            for k in stride(from: m - 1, through: 0, by: -1) {
                above[c * 2 * m + k] = longer
                above[c * 2 * m + m + k] = running[m + k]
                longer += running[k]
            }
            for k in 0..<(2 * m) { running[k] += hist[c * 2 * m + k] }
        }
        let twice = try sorted.keys.withUnsafeBufferPointer { keys in
            try sorted.rows.withUnsafeBufferPointer { pay in
                try Parallel.mapChunksThrowing(chunks, chunks: chunks) { cs -> Int in
                    var total = 0
                    for c in cs { total += try chunkPairs(keys, pay, cuts[c]..<cuts[c + 1], m: m, above: above, at: c * 2 * m) }
                    return total
                }
            }
        }.reduce(0, +)
        return (Double(twice) / 2, Double(pairs))
    }

    /// Twice the concordant pairs of the events in `range` of the score order
    /// (payload: time rank << 1 | event) with the rows above them: within the range
    /// by a Fenwick tree over time ranks, above it from `above` (longer-time rows,
    /// then censored rows by time, m each, from `at`).
    static func chunkPairs(_ keys: UnsafeBufferPointer<UInt64>, _ pay: UnsafeBufferPointer<Int32>, _ range: Range<Int>,
                           m: Int, above: [Int], at: Int) throws -> Int {
        var tree = [Int](repeating: 0, count: m + 1), seen = [Int](repeating: 0, count: m)
        var inserted = 0, twice = 0
        try tree.withUnsafeMutableBufferPointer { tree in
        try seen.withUnsafeMutableBufferPointer { seen in
        try above.withUnsafeBufferPointer { above in
            let longerAbove = above.baseAddress! + at, censoredAbove = longerAbove + m
            /// Rows passed so far (higher scores) comparable with an event at time rank k:
            /// a longer time, or censored at the same time.
            @inline(__always) func partners(_ k: Int) -> Int {
                var i = k + 1, atOrBefore = 0
                while i > 0 { atOrBefore &+= tree[i]; i &= i &- 1 }
                return inserted - atOrBefore + seen[k] + longerAbove[k] + censoredAbove[k]
            }
            @inline(__always) func insert(_ v: Int) {
                let k = v >> 1
                var i = k + 1
                while i <= m { tree[i] &+= 1; i &+= i & -i }
                seen[k] &+= 1 - (v & 1)
                inserted &+= 1
            }
            var hi = range.upperBound
            while hi > range.lowerBound {
                if hi & 0xFFFF == 0 { try ExecutionContext.check() }
                let key = keys[hi - 1]
                var lo = hi - 1
                while lo > range.lowerBound && keys[lo - 1] == key { lo -= 1 }
                if lo + 1 == hi {
                    let v = Int(pay[lo])
                    if v & 1 == 1 { twice &+= 2 &* partners(v >> 1) }
                    insert(v)
                } else {
                    // Equal scores: higher ones count 1, equal ones ½ (twice: 2 and 1).
                    for j in lo..<hi where pay[j] & 1 == 1 { twice &+= partners(Int(pay[j]) >> 1) }
                    for j in lo..<hi { insert(Int(pay[j])) }
                    for j in lo..<hi where pay[j] & 1 == 1 { twice &+= partners(Int(pay[j]) >> 1) }
                }
                hi = lo
            }
        } } }
        return twice
    }
}
