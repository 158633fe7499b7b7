import ExecutionControl

/// User-to-user collaborative filtering: cosine similarity between user rows
/// of the user × item matrix, Σ_i w_ui w_vi / (‖w_u‖ ‖w_v‖), over the
/// `neighbours` most similar users (ties by user index); the score of item j
/// is Σ over those neighbours v of sim(u, v) · w_vj. Neighbours are found
/// per request through the item columns (cost: the user's items × their
/// users), so fitting stores only norms. The reason for an item is the
/// user's own seen item most co-consumed with it by the neighbours.
public struct UserKNNRecommender: Sendable, UserScorer {
    public let matrix: InteractionMatrix
    public let neighbours: Int
    let norms: [Double]

    public init(_ m: InteractionMatrix, neighbours k: Int = 50) throws {
        guard k >= 1 else { throw ClusterError.invalid("neighbours must be at least 1") }
        matrix = m; neighbours = k
        norms = m.byUser.map { row in row.reduce(0.0) { $0 + $1.1 * $1.1 }.squareRoot() }
    }

    public var itemIds: [String] { matrix.items }
    public func seen(user: String) -> [Int] { matrix.seenItems(user) }

    /// (neighbour, cosine) best first.
    public func similarUsers(_ u: Int) -> [(Int, Double)] {
        var dot: [Int: Double] = [:]
        for (i, wu) in matrix.byUser[u] { for (v, wv) in matrix.byItem[i] where v != u { dot[v, default: 0] += wu * wv } }
        var sims = dot.compactMap { (v, d) -> (Int, Double)? in
            let den = norms[u] * norms[v]
            return den > 0 && d != 0 ? (v, d / den) : nil
        }
        sims.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return Array(sims.prefix(neighbours))
    }

    public func scores(user: String) -> (scores: [Double], because: [Int?])? {
        guard let u = matrix.userIndex[user] else { return nil }
        let nI = matrix.items.count
        var scores = [Double](repeating: -.infinity, count: nI)
        let nb = similarUsers(u)
        var neighbourSet = Set<Int>()
        for (v, s) in nb {
            neighbourSet.insert(v)
            for (j, w) in matrix.byUser[v] { scores[j] = scores[j] == -.infinity ? s * w : scores[j] + s * w }
        }
        // Reason: among the user's items, the one most often held together with j by the neighbours.
        let mine = matrix.byUser[u].map(\.0)
        let because: [Int?] = (0..<nI).map { j in
            guard scores[j] > -.infinity, !mine.isEmpty else { return nil }
            var best: Int?, bc = 0
            let holders = Set(matrix.byItem[j].map(\.0)).intersection(neighbourSet)
            for i in mine {
                let c = matrix.byItem[i].reduce(0) { $0 + (holders.contains($1.0) ? 1 : 0) }
                if c > bc { bc = c; best = i }
            }
            return best
        }
        return (scores, because)
    }
}
