import Foundation

/// Top-k metrics of recommendation lists. Input is one recommended list
/// (best first) and one set of relevant (held-out) items per user, aligned by
/// position. Users with no relevant items are skipped (they cannot be
/// scored), as in Microsoft Recommenders and `implicit`'s evaluation;
/// duplicate recommendations count once. All metrics are the mean over the
/// scored users:
///
/// - precision@k = hits in the top k / k
/// - recall@k = hits in the top k / |relevant|
/// - AP@k = Σ over hit positions i ≤ k of precision@i / min(k, |relevant|)
///   (the Kaggle `ml_metrics.apk` definition); MAP@k is its mean
/// - NDCG@k with binary gains: Σ 1/log2(i + 1) over hit positions i ≤ k,
///   divided by the same sum over the first min(k, |relevant|) positions
///   (equal to scikit-learn's `ndcg_score(..., k=k)` for untied scores)
/// - hit rate@k = share of users with at least one hit in the top k
public enum RecommendationMetric: String, CaseIterable, Sendable {
    case precision, recall, map, ndcg, hitRate = "hit_rate"
}

public enum RecommendationMetrics {
    public static func score(_ metric: RecommendationMetric, recommended: [[String]], relevant: [[String]],
                             k: Int) throws -> Double {
        guard k >= 1 else { throw MetricsError.invalidOption("k must be at least 1, got \(k)") }
        guard recommended.count == relevant.count else {
            throw MetricsError.invalidOption("\(recommended.count) recommendation lists for \(relevant.count) relevant sets (one of each per user)")
        }
        var total = 0.0, users = 0
        for (rec, relList) in zip(recommended, relevant) {
            let rel = Set(relList)
            if rel.isEmpty { continue }
            users += 1
            total += perUser(metric, rec, rel, k)
        }
        guard users > 0 else { throw MetricsError.invalidOption("no user has relevant items: nothing to score") }
        return total / Double(users)
    }

    static func perUser(_ metric: RecommendationMetric, _ rec: [String], _ rel: Set<String>, _ k: Int) -> Double {
        var seen = Set<String>()
        var hits = 0, dcg = 0.0, ap = 0.0
        for (i, item) in rec.prefix(k).enumerated() where seen.insert(item).inserted && rel.contains(item) {
            hits += 1
            dcg += 1 / log2(Double(i + 2))
            ap += Double(hits) / Double(i + 1)
        }
        let ideal = min(k, rel.count)
        switch metric {
        case .precision: return Double(hits) / Double(k)
        case .recall: return Double(hits) / Double(rel.count)
        case .map: return ap / Double(ideal)
        case .hitRate: return hits > 0 ? 1 : 0
        case .ndcg:
            var idcg = 0.0
            for i in 0..<ideal { idcg += 1 / log2(Double(i + 2)) }
            return dcg / idcg
        }
    }

    /// Catalogue coverage: the share of the catalogue appearing in some top-k list.
    public static func coverage(recommended: [[String]], catalogueSize: Int, k: Int) throws -> Double {
        guard k >= 1 else { throw MetricsError.invalidOption("k must be at least 1, got \(k)") }
        guard catalogueSize >= 1 else { throw MetricsError.invalidOption("catalogue size must be at least 1") }
        var items = Set<String>()
        for rec in recommended { items.formUnion(rec.prefix(k)) }
        guard items.count <= catalogueSize else {
            throw MetricsError.invalidOption("\(items.count) distinct recommended items exceed the catalogue size \(catalogueSize)")
        }
        return Double(items.count) / Double(catalogueSize)
    }
}
