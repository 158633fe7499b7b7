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

    public init(_ m: InteractionMatrix, neighbours k: Int = 20) throws {
        guard k >= 1 else { throw ClusterError.invalid("neighbours must be at least 1") }
        let nItems = m.items.count
        let norms = m.byItem.map { col in col.reduce(0.0) { $0 + $1.1 * $1.1 }.squareRoot() }
        var out = [[(Int, Double)]](repeating: [], count: nItems)
        let ranges = Parallel.ranges(nItems, chunks: max(1, min(256, nItems / 64)))
        out.withUnsafeMutableBufferPointer { ob in
            let op = ob.baseAddress!
            Parallel.forEach(ranges.count) { r in
                if (try? ExecutionContext.check()) == nil { return }   // cancelled: the check after the loop throws
                var dot = [Double](repeating: 0, count: nItems)
                var touched: [Int] = []
                for i in ranges[r] {
                    for (u, wu) in m.byItem[i] {
                        for (j, wj) in m.byUser[u] {
                            if dot[j] == 0 { touched.append(j) }
                            dot[j] += wu * wj
                        }
                    }
                    var sims: [(Int, Double)] = []
                    for j in touched {
                        let den = norms[i] * norms[j]
                        if j != i && dot[j] != 0 && den > 0 { sims.append((j, dot[j] / den)) }
                        dot[j] = 0
                    }
                    touched.removeAll(keepingCapacity: true)
                    sims.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                    op[i] = Array(sims.prefix(k))
                }
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
