import ExecutionControl

/// Popularity baseline: items ranked by the number of distinct users who
/// interacted with them (ties by first appearance).
public struct PopularityRecommender: Sendable {
    public let matrix: InteractionMatrix
    public let counts: [Double]
    /// Item indices by count, highest first (ties by lower index): every user's
    /// list is a prefix of this order minus their seen items.
    let order: [Int]

    public init(_ m: InteractionMatrix) {
        matrix = m
        let c = m.byItem.map { Double($0.count) }
        counts = c
        order = c.indices.sorted { c[$0] != c[$1] ? c[$0] > c[$1] : $0 < $1 }
    }

    /// The k most popular items the user has not seen (when `excludeSeen`), for
    /// known and unknown users alike: the same list as a top-k over `counts`
    /// skipping seen items, in O(k + seen) rather than a pass over every item.
    public func recommend(user: String, k: Int, excludeSeen: Bool) -> Recommendation {
        let seen = excludeSeen ? matrix.userIndex[user].map { matrix.byUser[$0] } ?? [] : []
        var top: [Int] = []
        top.reserveCapacity(min(k, order.count))
        for i in order {
            if top.count == k { break }
            if !seen.isEmpty && Self.contains(seen, i) { continue }
            top.append(i)
        }
        return Recommendation(items: top, scores: top.map { counts[$0] }, because: [Int?](repeating: nil, count: top.count))
    }

    /// Whether a row (sorted by item) holds item i (binary search).
    @inline(__always)
    static func contains(_ row: [(Int, Double)], _ i: Int) -> Bool {
        var lo = 0, hi = row.count
        while lo < hi { let mid = (lo + hi) >> 1; if row[mid].0 < i { lo = mid + 1 } else { hi = mid } }
        return lo < row.count && row[lo].0 == i
    }
}

/// Item-to-item collaborative filtering: cosine similarity between item
/// columns of the user × item matrix, Σ_u w_ui w_uj / (‖w_i‖ ‖w_j‖), keeping
/// each item's `neighbours` most similar items (as `implicit`'s
/// CosineRecommender, K = 20 by default); a user's score for item j is
/// Σ over seen items i of w_ui · sim(i, j).
public struct ItemKNNRecommender: Sendable {
    public let matrix: InteractionMatrix
    /// For each item, (neighbour, similarity) best first.
    public let neighbours: [[(Int, Double)]]

    /// Sparse co-occurrence: item i's dot products with every item are summed
    /// over its users' rows only (Σ over users of i of the row, O(Σ_u deg(u)²)
    /// in all, as `implicit`'s sparse product), into a dense accumulator
    /// reset through the list of touched items; the top `k` are kept in a sorted
    /// buffer behind a running threshold rather than sorting every touched item.
    /// The rows are first copied into flat arrays (no per-row array headers in
    /// the inner loop). The pass is bound by fetching users' rows from memory, so
    /// when every weight is 1 (plain implicit feedback) the weights are not read
    /// at all and each product adds exactly 1, as 1 × 1 would.
    public init(_ m: InteractionMatrix, neighbours k: Int = 20) throws {
        guard k >= 1 else { throw ClusterError.invalid("neighbours must be at least 1") }
        let nItems = m.items.count, nUsers = m.users.count
        let norms = m.byItem.map { col in col.reduce(0.0) { $0 + $1.1 * $1.1 }.squareRoot() }
        // Flat CSR by user and CSC by item.
        var uStart = [Int](repeating: 0, count: nUsers + 1), iStart = [Int](repeating: 0, count: nItems + 1)
        for u in 0..<nUsers { uStart[u + 1] = uStart[u] + m.byUser[u].count }
        for i in 0..<nItems { iStart[i + 1] = iStart[i] + m.byItem[i].count }
        try ExecutionContext.checkMemory(uStart[nUsers] * 24, for: "item-kNN co-occurrence")
        let uItem = m.byUser.flatMap { $0.map { Int32($0.0) } }, uW = m.byUser.flatMap { $0.map(\.1) }
        let iUser = m.byItem.flatMap { $0.map { Int32($0.0) } }, iW = m.byItem.flatMap { $0.map(\.1) }
        let unit = uW.allSatisfy { $0 == 1 }
        var out = [[(Int, Double)]](repeating: [], count: nItems)
        let ranges = Parallel.ranges(nItems, chunks: max(1, min(256, nItems / 64)))
        out.withUnsafeMutableBufferPointer { ob in
            let op = ob.baseAddress!
            Parallel.forEach(ranges.count) { r in
                if ExecutionContext.isCancelled { return }   // the check after the loop throws
                let dp = UnsafeMutablePointer<Double>.allocate(capacity: nItems)
                let sp = UnsafeMutablePointer<Bool>.allocate(capacity: nItems)
                let touched = UnsafeMutablePointer<Int32>.allocate(capacity: nItems)
                let ts = UnsafeMutablePointer<Double>.allocate(capacity: k), ti = UnsafeMutablePointer<Int>.allocate(capacity: k)
                dp.initialize(repeating: 0, count: nItems); sp.initialize(repeating: false, count: nItems)
                defer { dp.deallocate(); sp.deallocate(); touched.deallocate(); ts.deallocate(); ti.deallocate() }
                uItem.withUnsafeBufferPointer { uib in uW.withUnsafeBufferPointer { uwb in
                iUser.withUnsafeBufferPointer { iub in iW.withUnsafeBufferPointer { iwb in
                uStart.withUnsafeBufferPointer { usb in iStart.withUnsafeBufferPointer { isb in norms.withUnsafeBufferPointer { nb in
                    let ui = uib.baseAddress!, uw = uwb.baseAddress!, iu = iub.baseAddress!, iw = iwb.baseAddress!
                    let us = usb.baseAddress!, istart = isb.baseAddress!, norm = nb.baseAddress!
                    for i in ranges[r] {
                        var nt = 0
                        for e in istart[i]..<istart[i + 1] {
                            let u = Int(iu[e]), lo = us[u], hi = us[u + 1]
                            if unit {
                                for f in lo..<hi {
                                    let j = Int(ui[f])
                                    if !sp[j] { sp[j] = true; touched[nt] = Int32(j); nt += 1 }
                                    dp[j] += 1
                                }
                            } else {
                                let wu = iw[e]
                                for f in lo..<hi {
                                    let j = Int(ui[f])
                                    if !sp[j] { sp[j] = true; touched[nt] = Int32(j); nt += 1 }
                                    dp[j] += wu * uw[f]
                                }
                            }
                        }
                        // Top k best first (ties: lower index), over the touched items:
                        // a sorted buffer for small k (O(k) per insertion), else one sort.
                        var c = 0
                        let ni = norm[i]
                        if k > 64 {
                            var all: [(Int, Double)] = []
                            for t in 0..<nt {
                                let j = Int(touched[t]), d = dp[j]
                                dp[j] = 0; sp[j] = false
                                let den = ni * norm[j]
                                if j != i && d != 0 && den > 0 { all.append((j, d / den)) }
                            }
                            all.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                            op[i] = Array(all.prefix(k))
                            continue
                        }
                        for t in 0..<nt {
                            let j = Int(touched[t]), d = dp[j]
                            dp[j] = 0; sp[j] = false
                            let den = ni * norm[j]
                            guard j != i && d != 0 && den > 0 else { continue }
                            let s = d / den
                            if c == k && !(s > ts[k - 1] || (s == ts[k - 1] && j < ti[k - 1])) { continue }
                            var pos = min(c, k - 1)
                            while pos > 0 && (ts[pos - 1] < s || (ts[pos - 1] == s && ti[pos - 1] > j)) {
                                ts[pos] = ts[pos - 1]; ti[pos] = ti[pos - 1]; pos -= 1
                            }
                            ts[pos] = s; ti[pos] = j
                            if c < k { c += 1 }
                        }
                        op[i] = (0..<c).map { (ti[$0], ts[$0]) }
                    }
                } } } } } } }
            }
        }
        try ExecutionContext.check()   // cancellation is sticky: a block that stopped early is never used
        matrix = m; neighbours = out
    }

    /// Cosine similarity of two items (0 when not among the kept neighbours).
    public func similarity(_ a: Int, _ b: Int) -> Double { neighbours[a].first { $0.0 == b }?.1 ?? 0 }

    public func recommend(user: String, k: Int, excludeSeen: Bool) -> Recommendation? {
        guard let u = matrix.userIndex[user] else { return nil }
        let row = matrix.byUser[u]
        var scores = [Double](repeating: -.infinity, count: matrix.items.count)
        var best = [Double](repeating: 0, count: matrix.items.count)
        var because = [Int?](repeating: nil, count: matrix.items.count)
        for (i, w) in row {
            for (j, s) in neighbours[i] {
                let c = w * s
                scores[j] = scores[j] == -.infinity ? c : scores[j] + c
                if c > best[j] { best[j] = c; because[j] = i }
            }
        }
        let top = TopN.select(scores, k: k, skip: excludeSeen ? Set(row.map(\.0)) : [])
        return Recommendation(items: top, scores: top.map { scores[$0] }, because: top.map { because[$0] })
    }
}
