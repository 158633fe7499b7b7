import ExecutionControl

/// Popularity baseline: items ranked by the number of distinct users who
/// interacted with them (ties by first appearance).
public struct PopularityRecommender: Sendable {
    public let matrix: InteractionMatrix
    public let counts: [Double]

    public init(_ m: InteractionMatrix) {
        matrix = m
        counts = m.byItem.map { Double($0.count) }
    }

    public func recommend(user: String, k: Int, excludeSeen: Bool) -> Recommendation {
        let seen = excludeSeen ? Set(matrix.userIndex[user].map { matrix.byUser[$0].map(\.0) } ?? []) : []
        let top = TopN.select(counts, k: k, skip: seen)
        return Recommendation(items: top, scores: top.map { counts[$0] }, because: top.map { _ in nil })
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
    /// reset through the list of touched items; the top `k` are kept by a
    /// bounded min-heap rather than a sort of every touched item. The rows are
    /// first copied into flat arrays (no per-row array headers in the inner loop).
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
        var out = [[(Int, Double)]](repeating: [], count: nItems)
        let ranges = Parallel.ranges(nItems, chunks: max(1, min(256, nItems / 64)))
        out.withUnsafeMutableBufferPointer { ob in
            let op = ob.baseAddress!
            Parallel.forEach(ranges.count) { r in
                if (try? ExecutionContext.check()) == nil { return }   // cancelled: the check after the loop throws
                var dot = [Double](repeating: 0, count: nItems)
                var seen = [Bool](repeating: false, count: nItems)
                var touched: [Int32] = []
                var heap: [(Int, Double)] = []
                heap.reserveCapacity(k + 1)
                // Min-heap on "worse": the root is the worst kept neighbour.
                @inline(__always) func worse(_ a: (Int, Double), _ b: (Int, Double)) -> Bool { a.1 != b.1 ? a.1 < b.1 : a.0 > b.0 }
                uItem.withUnsafeBufferPointer { ui in uW.withUnsafeBufferPointer { uw in
                iUser.withUnsafeBufferPointer { iu in iW.withUnsafeBufferPointer { iw in
                dot.withUnsafeMutableBufferPointer { db in seen.withUnsafeMutableBufferPointer { sb in
                    let dp = db.baseAddress!, sp = sb.baseAddress!
                    for i in ranges[r] {
                        for e in iStart[i]..<iStart[i + 1] {
                            let u = Int(iu[e]), wu = iw[e]
                            for f in uStart[u]..<uStart[u + 1] {
                                let j = Int(ui[f])
                                if !sp[j] { sp[j] = true; touched.append(Int32(j)) }
                                dp[j] += wu * uw[f]
                            }
                        }
                        heap.removeAll(keepingCapacity: true)
                        for jj in touched {
                            let j = Int(jj)
                            let den = norms[i] * norms[j]
                            if j != i && dp[j] != 0 && den > 0 {
                                let c = (j, dp[j] / den)
                                if heap.count < k {
                                    heap.append(c)
                                    var x = heap.count - 1
                                    while x > 0 { let p = (x - 1) / 2; if worse(heap[x], heap[p]) { heap.swapAt(x, p); x = p } else { break } }
                                } else if worse(heap[0], c) {
                                    heap[0] = c
                                    var x = 0
                                    while true {
                                        let l = 2 * x + 1, rr = l + 1
                                        var w = x
                                        if l < heap.count && worse(heap[l], heap[w]) { w = l }
                                        if rr < heap.count && worse(heap[rr], heap[w]) { w = rr }
                                        if w == x { break }
                                        heap.swapAt(x, w); x = w
                                    }
                                }
                            }
                            dp[j] = 0; sp[j] = false
                        }
                        touched.removeAll(keepingCapacity: true)
                        op[i] = heap.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                    }
                } }
                } }
                } }
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
