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
        // Whole numbers hash as themselves (the direct-address path); other values by
        // their bit pattern (−0 and +0 are one time).
        var whole = true
        for d in durations where d != d.rounded() || abs(d) > 9.0e15 { whole = false; break }
        let fz: Factorized
        if whole {
            let v = durations.map { Int64($0) }
            fz = v.withUnsafeBufferPointer { Factorizer.factorize($0, validity: nil) }
        } else {
            fz = Factorizer.factorize(durations.map { $0 == 0 ? 0 : $0.bitPattern })
        }
        try ExecutionContext.check()
        let distinct = fz.firstRow.map { durations[$0] }
        let byTime = (0..<fz.count).sorted { distinct[$0] < distinct[$1] }
        var rankOfId = [Int32](repeating: 0, count: fz.count)
        for (r, id) in byTime.enumerated() { rankOfId[id] = Int32(r) }
        times = byTime.map { distinct[$0] }
        rank = fz.ids.map { rankOfId[Int($0)] }
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
