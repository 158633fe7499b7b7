import ExecutionControl

/// What every recommender offers the shared top-k, hybrid and evaluation
/// code: dense scores for one user over the model's own item universe
/// (`itemIds`; −∞ marks an item the model cannot score for this user) and,
/// per item, the seen item that contributed most (its index in `itemIds`).
/// `nil` means the model knows nothing about the user (cold start).
public protocol UserScorer: Sendable {
    var itemIds: [String] { get }
    func scores(user: String) -> (scores: [Double], because: [Int?])?
    /// Indices (in `itemIds`) of the items the user interacted with in training.
    func seen(user: String) -> [Int]
    /// The user's top k in indices of `itemIds` (default: from `scores`); a
    /// model whose reasons are costly computes them for the k chosen items only.
    func rank(user: String, k: Int, excludeSeen: Bool) -> Recommendation?
    /// `rank` for each of many users (nil for unknown ones); a model with a
    /// batched kernel (ALS) scores them together.
    func rank(users: ArraySlice<String>, k: Int, excludeSeen: Bool) -> [Recommendation?]
}

extension UserScorer {
    /// The user's top k (seen items removed when `excludeSeen`), or nil for an unknown user.
    public func rank(user: String, k: Int, excludeSeen: Bool) -> Recommendation? {
        guard let (s, b) = scores(user: user) else { return nil }
        let top = TopN.select(s, k: k, skip: excludeSeen ? Set(seen(user: user)) : [])
        return Recommendation(items: top, scores: top.map { s[$0] }, because: top.map { b[$0] })
    }

    public func rank(users: ArraySlice<String>, k: Int, excludeSeen: Bool) -> [Recommendation?] {
        users.map { rank(user: $0, k: k, excludeSeen: excludeSeen) }
    }
}

extension InteractionMatrix {
    func seenItems(_ user: String) -> [Int] { userIndex[user].map { byUser[$0].map(\.0) } ?? [] }
}

extension PopularityRecommender: UserScorer {
    public var itemIds: [String] { matrix.items }
    /// Popularity scores every user, known or not.
    public func scores(user: String) -> (scores: [Double], because: [Int?])? { (counts, [Int?](repeating: nil, count: counts.count)) }
    public func seen(user: String) -> [Int] { matrix.seenItems(user) }
    /// Walks the items in popularity order (`order`), skipping seen ones: the
    /// same list as a top-k over `counts`, without a pass over every item per user.
    public func rank(user: String, k: Int, excludeSeen: Bool) -> Recommendation? { recommend(user: user, k: k, excludeSeen: excludeSeen) }
}

extension ItemKNNRecommender: UserScorer {
    public var itemIds: [String] { matrix.items }
    public func seen(user: String) -> [Int] { matrix.seenItems(user) }
    public func scores(user: String) -> (scores: [Double], because: [Int?])? {
        guard let u = matrix.userIndex[user] else { return nil }
        var scores = [Double](repeating: -.infinity, count: matrix.items.count)
        var best = [Double](repeating: 0, count: matrix.items.count)
        var because = [Int?](repeating: nil, count: matrix.items.count)
        for (i, w) in matrix.byUser[u] {
            for (j, s) in neighbours[i] {
                let c = w * s
                scores[j] = scores[j] == -.infinity ? c : scores[j] + c
                if c > best[j] { best[j] = c; because[j] = i }
            }
        }
        return (scores, because)
    }
}

extension ALSModel: UserScorer {
    public var itemIds: [String] { matrix.items }
    public func seen(user: String) -> [Int] { matrix.seenItems(user) }
    public func scores(user: String) -> (scores: [Double], because: [Int?])? {
        guard let u = matrix.userIndex[user] else { return nil }
        let row = matrix.byUser[u]
        return (itemScores(u), (0..<matrix.items.count).map { because($0, seen: row) })
    }
    public func rank(user: String, k: Int, excludeSeen: Bool) -> Recommendation? {
        rank(users: [user], k: k, excludeSeen: excludeSeen)[0]
    }
    /// Known users through the batched kernel, in their order.
    public func rank(users: ArraySlice<String>, k: Int, excludeSeen: Bool) -> [Recommendation?] {
        let idx = users.map { matrix.userIndex[$0] }
        let recs = recommend(users: idx.compactMap { $0 }, k: k, excludeSeen: excludeSeen)
        var next = 0
        return idx.map { u in
            guard u != nil else { return nil }
            next += 1
            return recs[next - 1]
        }
    }
}
