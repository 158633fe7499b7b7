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
    /// value (−0 and +0 one key; no NaN — callers reject it): O(n) for a million
    /// distinct scores, where hashing them and comparison-sorting the distinct ones was the cost.
    static func radix(_ values: [Double]) throws -> TimeRanks {
        let n = values.count
        let sorted = try radixSort(values)
        var times: [Double] = [], rank = [Int32](repeating: 0, count: n)
        var previous: UInt64? = nil
        for i in 0..<n {
            let r = Int(sorted.rows[i])
            if sorted.keys[i] != previous { times.append(values[r] == 0 ? 0 : values[r]); previous = sorted.keys[i] }
            rank[r] = Int32(times.count - 1)
        }
        return TimeRanks(times: times, rank: rank)
    }

    /// The order-preserving bit image of a double (−0 and +0 one key).
    @inline(__always) static func sortKey(_ x: Double) -> UInt64 {
        let b = (x == 0 ? 0.0 : x).bitPattern
        return b & (1 << 63) != 0 ? ~b : b | (1 << 63)
    }

    /// The values' keys in ascending order and each one's payload (default: its
    /// row; ties in row order): a stable LSD radix sort, 11 bits a pass, every
    /// pass's histogram counted in one read of the keys, passes where every key
    /// shares the digit skipped. Carrying the payload (not only the row) spares
    /// callers a random read per row afterwards.
    static func radixSort(_ values: [Double], payload: [Int32]? = nil) throws -> (keys: [UInt64], rows: [Int32]) {
        let n = values.count
        try ExecutionContext.checkMemory(n * 24, for: "survival time ranks")
        let bits = 11, buckets = 1 << bits, passes = (64 + bits - 1) / bits
        var count = [Int](repeating: 0, count: buckets * passes)
        var keys = [UInt64](repeating: 0, count: n)
        keys.withUnsafeMutableBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                count.withUnsafeMutableBufferPointer { c in
                    for i in 0..<n {
                        let key = sortKey(v[i])
                        k[i] = key
                        for d in 0..<passes { c[d * buckets + Int((key >> UInt64(d * bits)) & UInt64(buckets - 1))] += 1 }
                    }
                }
            }
        }
        var idx = payload ?? (0..<n).map { Int32($0) }
        var keys2 = keys, idx2 = idx
        for d in 0..<passes {
            try ExecutionContext.check()
            let base = d * buckets
            if count[base..<(base + buckets)].contains(n) { continue }   // one digit for all: nothing to move
            var sum = 0
            for j in base..<(base + buckets) { let c = count[j]; count[j] = sum; sum += c }
            let shift = UInt64(d * bits)
            keys.withUnsafeBufferPointer { k in idx.withUnsafeBufferPointer { ix in
            keys2.withUnsafeMutableBufferPointer { k2 in idx2.withUnsafeMutableBufferPointer { ix2 in
            count.withUnsafeMutableBufferPointer { c in
                for i in 0..<n {
                    let key = k[i], b = base + Int((key >> shift) & UInt64(buckets - 1))
                    let at = c[b]; c[b] = at + 1
                    k2[at] = key; ix2[at] = ix[i]
                }
            } } } } }
            swap(&keys, &keys2); swap(&idx, &idx2)
        }
        return (keys, idx)
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
