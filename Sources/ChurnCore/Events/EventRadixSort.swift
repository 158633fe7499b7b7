/// Grouping of a large event log by (user, time) with a two-pass LSD radix sort
/// on the dense user key that carries time, type and amount along. Every pass
/// reads sequentially and writes into a few thousand sequential streams, which
/// is far kinder to caches than scattering rows and gathering three columns
/// through a permutation (what `GroupSort` does for small inputs).
///
/// Stable: per-chunk histograms place chunk c's rows after chunk c−1's, so
/// equal keys keep input order; within a user, equal times keep input order too.
enum EventRadixSort {
    struct Result { var offsets: [Int]; var times: [Int64]; var types: [Int32]; var amounts: [Double]? }

    /// Checks the memory budget for its two sets of buffers (24 bytes an
    /// event each) before allocating them, and cancellation between passes.
    static func sort(keys: [Int32], groups: Int, times: [Int64], types: [Int32], amounts: [Double]?) throws -> Result {
        let n = keys.count
        let bytes = WorkingMemory.bytes(n, 48)
        try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("grouping \(n) events", bytes))
        var bits = 1
        while (1 << bits) < groups { bits += 1 }
        let lowBits = (bits + 1) / 2, highBits = bits - lowBits
        let chunks = Parallel.ranges(n, chunks: Parallel.threads)

        // Pass 1 (low bits of the key) into temporaries, pass 2 (high bits) into the results.
        let hasAmounts = amounts != nil
        let amountsIn = amounts ?? []
        var k1 = [Int32](unsafeUninitializedCapacity: n) { _, c in c = n }
        var t1 = [Int64](unsafeUninitializedCapacity: n) { _, c in c = n }
        var y1 = [Int32](unsafeUninitializedCapacity: n) { _, c in c = n }
        var a1 = [Double](unsafeUninitializedCapacity: hasAmounts ? n : 0) { _, c in c = hasAmounts ? n : 0 }
        pass(chunks, shift: 0, width: lowBits, keysIn: keys, timesIn: times, typesIn: types, amountsIn: amountsIn,
             keysOut: &k1, timesOut: &t1, typesOut: &y1, amountsOut: &a1)
        try ExecutionContext.check()
        var k2 = [Int32](unsafeUninitializedCapacity: n) { _, c in c = n }
        var t2 = [Int64](unsafeUninitializedCapacity: n) { _, c in c = n }
        var y2 = [Int32](unsafeUninitializedCapacity: n) { _, c in c = n }
        var a2 = [Double](unsafeUninitializedCapacity: hasAmounts ? n : 0) { _, c in c = hasAmounts ? n : 0 }
        pass(chunks, shift: lowBits, width: highBits, keysIn: k1, timesIn: t1, typesIn: y1, amountsIn: a1,
             keysOut: &k2, timesOut: &t2, typesOut: &y2, amountsOut: &a2)
        k1 = []; t1 = []; y1 = []; a1 = []
        try ExecutionContext.check()

        // Group boundaries from the sorted keys.
        var offsets = [Int](repeating: n, count: groups + 1)
        var g = 0
        for i in 0..<n {
            let k = Int(k2[i])
            while g <= k { offsets[g] = i; g += 1 }
        }
        fixTimes(offsets: offsets, groups: groups, times: &t2, types: &y2, amounts: &a2, hasAmounts: hasAmounts)
        return Result(offsets: offsets, times: t2, types: y2, amounts: hasAmounts ? a2 : nil)
    }

    /// One stable counting pass on bits [shift, shift + width) of the key.
    private static func pass(_ chunks: [Range<Int>], shift: Int, width: Int,
                             keysIn: [Int32], timesIn: [Int64], typesIn: [Int32], amountsIn: [Double],
                             keysOut: inout [Int32], timesOut: inout [Int64], typesOut: inout [Int32], amountsOut: inout [Double]) {
        let B = 1 << width, mask = Int32(B - 1), C = chunks.count
        var cursor = [Int](repeating: 0, count: C * B)
        keysIn.withUnsafeBufferPointer { k in
            cursor.withUnsafeMutableBufferPointer { h in
                let hb = h.baseAddress!
                Parallel.forEach(C) { c in
                    let hc = hb + c * B
                    for i in chunks[c] { hc[Int((k[i] >> Int32(shift)) & mask)] += 1 }
                }
            }
        }
        var run = 0
        for b in 0..<B { for c in 0..<C { let x = cursor[c * B + b]; cursor[c * B + b] = run; run += x } }
        let withAmounts = !amountsIn.isEmpty
        keysIn.withUnsafeBufferPointer { k in timesIn.withUnsafeBufferPointer { t in
        typesIn.withUnsafeBufferPointer { y in amountsIn.withUnsafeBufferPointer { a in
        keysOut.withUnsafeMutableBufferPointer { ko in timesOut.withUnsafeMutableBufferPointer { to in
        typesOut.withUnsafeMutableBufferPointer { yo in amountsOut.withUnsafeMutableBufferPointer { ao in
        cursor.withUnsafeMutableBufferPointer { h in
            let hb = h.baseAddress!
            let kp = ko.baseAddress!, tp = to.baseAddress!, yp = yo.baseAddress!, ap = ao.baseAddress
            Parallel.forEach(C) { c in
                let cur = hb + c * B
                for i in chunks[c] {
                    let b = Int((k[i] >> Int32(shift)) & mask)
                    let pos = cur[b]
                    cur[b] = pos + 1
                    kp[pos] = k[i]; tp[pos] = t[i]; yp[pos] = y[i]
                    if withAmounts { ap![pos] = a[i] }
                }
            }
        }}}}}}}}}
    }

    /// Sorts each group by time (stable): insertion sort for small groups, a
    /// sort on (time, position) for large ones; types and amounts move along.
    private static func fixTimes(offsets: [Int], groups: Int, times: inout [Int64], types: inout [Int32],
                                 amounts: inout [Double], hasAmounts: Bool) {
        times.withUnsafeMutableBufferPointer { tb in types.withUnsafeMutableBufferPointer { yb in
        amounts.withUnsafeMutableBufferPointer { ab in
            let t = tb.baseAddress!, y = yb.baseAddress!, a = ab.baseAddress
            let r = Parallel.ranges(groups, chunks: Parallel.threads * 8)
            Parallel.forEach(groups == 0 ? 0 : r.count) { chunk in
                var order: [(Int64, Int)] = []
                var ys: [Int32] = [], as_: [Double] = []
                for g in r[chunk] {
                    let lo = offsets[g], hi = offsets[g + 1]
                    var i = lo + 1
                    while i < hi && t[i - 1] <= t[i] { i += 1 }
                    if i >= hi { continue }
                    if hi - lo <= 48 {
                        while i < hi {
                            let ti = t[i], yi = y[i], ai = hasAmounts ? a![i] : 0
                            var j = i
                            while j > lo && t[j - 1] > ti {
                                t[j] = t[j - 1]; y[j] = y[j - 1]; if hasAmounts { a![j] = a![j - 1] }
                                j -= 1
                            }
                            t[j] = ti; y[j] = yi; if hasAmounts { a![j] = ai }
                            i += 1
                        }
                    } else {
                        order.removeAll(keepingCapacity: true)
                        for j in lo..<hi { order.append((t[j], j)) }
                        order.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                        ys.removeAll(keepingCapacity: true); as_.removeAll(keepingCapacity: true)
                        for (_, j) in order { ys.append(y[j]); if hasAmounts { as_.append(a![j]) } }
                        for (k, e) in order.enumerated() {
                            t[lo + k] = e.0; y[lo + k] = ys[k]; if hasAmounts { a![lo + k] = as_[k] }
                        }
                    }
                }
            }
        }}}
    }
}
