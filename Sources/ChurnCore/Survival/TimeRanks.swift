import ExecutionControl

/// The distinct durations in ascending order and each row's rank among them.
/// Every estimator here walks the rows in time order; ranking once by hashing
/// (`Factorizer`: a direct-address table when the durations are whole numbers
/// in a modest range, as day counts are; an open-addressing hash otherwise) and
/// then a counting sort on the ranks costs O(n + m log m) for m distinct times,
/// instead of a comparison sort of every row.
struct TimeRanks {
    /// Distinct durations, ascending.
    let times: [Double]
    /// Each row's index into `times`.
    let rank: [Int32]

    init(_ durations: [Double]) throws {
        let n = durations.count
        try ExecutionContext.checkMemory(n * 16, for: "survival time ranks")
        // Whole numbers in a modest range hash as themselves (the direct-address path);
        // other values (scores, fractional times) are radix-sorted on their bits.
        var whole = true
        for d in durations where d != d.rounded() || abs(d) > 9.0e15 { whole = false; break }
        guard whole else { self = try Self.radix(durations); return }
        let v = durations.map { Int64($0) }
        let fz = v.withUnsafeBufferPointer { Factorizer.factorize($0, validity: nil) }
        try ExecutionContext.check()
        let distinct = fz.firstRow.map { durations[$0] }
        let byTime = (0..<fz.count).sorted { distinct[$0] < distinct[$1] }
        var rankOfId = [Int32](repeating: 0, count: fz.count)
        for (r, id) in byTime.enumerated() { rankOfId[id] = Int32(r) }
        times = byTime.map { distinct[$0] }
        rank = fz.ids.map { rankOfId[Int($0)] }
    }

    private init(times: [Double], rank: [Int32]) { self.times = times; self.rank = rank }

    /// Ranks by a stable LSD radix sort on the order-preserving bit image of each
    /// value (−0 and +0 one key; no NaN — callers reject it), 11 bits a pass, passes
    /// where every key shares the digit skipped: O(n) for a million distinct scores,
    /// where hashing them and comparison-sorting the distinct ones was the cost.
    static func radix(_ values: [Double]) throws -> TimeRanks {
        let n = values.count
        try ExecutionContext.checkMemory(n * 24, for: "survival time ranks")
        var keys = values.map { x -> UInt64 in
            let b = (x == 0 ? 0.0 : x).bitPattern
            return b & (1 << 63) != 0 ? ~b : b | (1 << 63)
        }
        var idx = [Int32](repeating: 0, count: n)
        for i in 0..<n { idx[i] = Int32(i) }
        var keys2 = keys, idx2 = idx
        let bits = 11, buckets = 1 << bits
        var count = [Int](repeating: 0, count: buckets)
        var shift: UInt64 = 0
        while shift < 64 {
            try ExecutionContext.check()
            for j in 0..<buckets { count[j] = 0 }
            keys.withUnsafeBufferPointer { k in
                for key in k { count[Int((key >> shift) & UInt64(buckets - 1))] += 1 }
            }
            if count.contains(n) { shift += UInt64(bits); continue }   // one digit for all: nothing to move
            var sum = 0
            for j in 0..<buckets { let c = count[j]; count[j] = sum; sum += c }
            keys.withUnsafeBufferPointer { k in idx.withUnsafeBufferPointer { ix in
            keys2.withUnsafeMutableBufferPointer { k2 in idx2.withUnsafeMutableBufferPointer { ix2 in
                for i in 0..<n {
                    let key = k[i], b = Int((key >> shift) & UInt64(buckets - 1))
                    let at = count[b]; count[b] = at + 1
                    k2[at] = key; ix2[at] = ix[i]
                }
            } } } }
            swap(&keys, &keys2); swap(&idx, &idx2)
            shift += UInt64(bits)
        }
        var times: [Double] = [], rank = [Int32](repeating: 0, count: n)
        var previous: UInt64? = nil
        for i in 0..<n {
            if keys[i] != previous { times.append(values[Int(idx[i])] == 0 ? 0 : values[Int(idx[i])]); previous = keys[i] }
            rank[Int(idx[i])] = Int32(times.count - 1)
        }
        return TimeRanks(times: times, rank: rank)
    }

    var count: Int { times.count }

    /// Row indices by ascending duration (ties in row order): a counting sort on the ranks.
    func ascendingRows() -> [Int] {
        let m = times.count
        var start = [Int](repeating: 0, count: m + 1)
        for r in rank { start[Int(r) + 1] += 1 }
        for k in 0..<m { start[k + 1] += start[k] }
        var out = [Int](repeating: 0, count: rank.count)
        out.withUnsafeMutableBufferPointer { o in
            for (i, r) in rank.enumerated() { o[start[Int(r)]] = i; start[Int(r)] += 1 }
        }
        return out
    }
}
