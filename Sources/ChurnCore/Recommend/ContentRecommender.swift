import ExecutionControl

/// Content-based recommendations: items are TF-IDF rows of their text
/// (`TfIdfModel`: words for spaced scripts, character bigrams for CJK); a
/// user's profile is the interaction-weighted sum of the rows of the items
/// they engaged with, and an item's score is its cosine with that profile.
/// The item universe is the catalogue, so items nobody has touched yet (new
/// items) are recommended from their text alone; the reason for an item is
/// the user's seen item with the most similar text.
public struct ContentRecommender: Sendable, UserScorer {
    public let matrix: InteractionMatrix
    public let itemIds: [String]
    public let tfidf: TfIdfModel
    /// One L2-normalised sparse row per catalogue item.
    public let rows: [[(Int, Double)]]
    let catalogueIndex: [String: Int]

    public init(_ m: InteractionMatrix, itemIds: [String], texts: [String], sublinearTF: Bool = true,
                stopWords: Set<String> = []) throws {
        guard itemIds.count == texts.count else { throw ClusterError.invalid("content: \(itemIds.count) item ids for \(texts.count) texts") }
        var index: [String: Int] = [:]
        for (i, id) in itemIds.enumerated() {
            if index[id] != nil { throw ClusterError.invalid("content: item '\(id)' appears twice in the catalogue") }
            index[id] = i
        }
        tfidf = try TfIdfModel.fit(texts, sublinearTF: sublinearTF, stopWords: stopWords)
        rows = try tfidf.transform(texts)
        matrix = m; self.itemIds = itemIds; catalogueIndex = index
    }

    /// Seen items that are in the catalogue, as catalogue indices.
    public func seen(user: String) -> [Int] { matrix.seenItems(user).compactMap { catalogueIndex[matrix.items[$0]] } }

    public func scores(user: String) -> (scores: [Double], because: [Int?])? {
        guard let u = matrix.userIndex[user] else { return nil }
        let mine = matrix.byUser[u].compactMap { (i, w) in catalogueIndex[matrix.items[i]].map { ($0, w) } }
        guard !mine.isEmpty else { return nil }
        var profile: [Int: Double] = [:]
        for (c, w) in mine { for (t, v) in rows[c] { profile[t, default: 0] += w * v } }
        let norm = profile.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return nil }
        var scores = [Double](repeating: 0, count: itemIds.count), because = [Int?](repeating: nil, count: itemIds.count)
        for j in 0..<itemIds.count {
            var s = 0.0
            for (t, v) in rows[j] { s += v * (profile[t] ?? 0) }
            scores[j] = s / norm
            var bs = 0.0
            for (c, _) in mine where c != j {
                let sim = TfIdfModel.cosine(rows[c], rows[j])
                if sim > bs { bs = sim; because[j] = c }
            }
        }
        return (scores, because)
    }

    /// The k catalogue items with the most similar text to `item` (itself excluded).
    public func similar(item: String, k: Int) -> [(String, Double)]? {
        guard let i = catalogueIndex[item] else { return nil }
        let sims = (0..<itemIds.count).map { $0 == i ? -Double.infinity : TfIdfModel.cosine(rows[i], rows[$0]) }
        return TopN.select(sims, k: k, skip: []).map { (itemIds[$0], sims[$0]) }
    }
}

/// A weighted blend of recommenders: each part's scores for the user are
/// scaled to [0, 1] by min–max over the items it can score (so scales as
/// different as popularity counts and cosines mix), multiplied by the part's
/// weight and summed over the union of the parts' items. Parts that cannot
/// score the user (cold start) are left out; the reason is the one of the
/// part that contributed most to the item.
public struct HybridRecommender: Sendable, UserScorer {
    public let parts: [(scorer: any UserScorer, weight: Double)]
    public let itemIds: [String]
    let index: [String: Int]
    /// Per part, its item index → hybrid index.
    let maps: [[Int]]

    public init(_ parts: [(scorer: any UserScorer, weight: Double)]) throws {
        guard !parts.isEmpty else { throw ClusterError.invalid("hybrid needs at least one {model, weight}") }
        for p in parts where !(p.weight.isFinite && p.weight >= 0) {
            throw ClusterError.invalid("hybrid weights must be finite numbers >= 0, got \(p.weight)")
        }
        guard parts.contains(where: { $0.weight > 0 }) else { throw ClusterError.invalid("hybrid needs a weight above 0") }
        var ids: [String] = [], idx: [String: Int] = [:]
        var maps: [[Int]] = []
        for p in parts {
            maps.append(p.scorer.itemIds.map { id in idx[id] ?? { ids.append(id); idx[id] = ids.count - 1; return ids.count - 1 }() })
        }
        self.parts = parts; itemIds = ids; index = idx; self.maps = maps
    }

    public func seen(user: String) -> [Int] {
        var s = Set<Int>()
        for (p, m) in zip(parts, maps) { for i in p.scorer.seen(user: user) { s.insert(m[i]) } }
        return s.sorted()
    }

    public func scores(user: String) -> (scores: [Double], because: [Int?])? {
        var total = [Double](repeating: -.infinity, count: itemIds.count)
        var best = [Double](repeating: -.infinity, count: itemIds.count)
        var because = [Int?](repeating: nil, count: itemIds.count)
        var any = false
        for (p, m) in zip(parts, maps) where p.weight > 0 {
            guard let (s, b) = p.scorer.scores(user: user) else { continue }
            let finite = s.filter { $0.isFinite }
            guard let lo = finite.min(), let hi = finite.max() else { continue }
            any = true
            for (i, v) in s.enumerated() where v.isFinite {
                let c = p.weight * (hi > lo ? (v - lo) / (hi - lo) : 1)
                let j = m[i]
                total[j] = total[j] == -.infinity ? c : total[j] + c
                if c > best[j] { best[j] = c; because[j] = b[i].map { m[$0] } }
            }
        }
        return any ? (total, because) : nil
    }
}
