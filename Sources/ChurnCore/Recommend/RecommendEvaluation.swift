import Foundation

/// Offline evaluation of top-k lists against held-out items: the ranking
/// metrics of `RecommendationMetrics` plus catalogue coverage and novelty.
public struct RecommendEvaluation: Sendable {
    public var precision = 0.0, recall = 0.0, map = 0.0, ndcg = 0.0, hitRate = 0.0
    public var coverage = 0.0, novelty = 0.0
    /// Users scored (those with at least one held-out item).
    public var users = 0

    /// `recommended[u]` best first and `relevant[u]` for the same user;
    /// `trainUsersPerItem` counts distinct training users per item and
    /// `trainUsers` is their total. Novelty is the mean self-information
    /// −log2(users(i) / users) over all recommended items that occur in
    /// training (Zhou et al. 2010; Microsoft Recommenders' `novelty`), coverage
    /// the share of the `catalogueSize` items in some top-k list.
    public static func evaluate(recommended: [[String]], relevant: [[String]], k: Int, catalogueSize: Int,
                                trainUsersPerItem: [String: Int], trainUsers: Int) throws -> RecommendEvaluation {
        var e = RecommendEvaluation()
        e.precision = try RecommendationMetrics.score(.precision, recommended: recommended, relevant: relevant, k: k)
        e.recall = try RecommendationMetrics.score(.recall, recommended: recommended, relevant: relevant, k: k)
        e.map = try RecommendationMetrics.score(.map, recommended: recommended, relevant: relevant, k: k)
        e.ndcg = try RecommendationMetrics.score(.ndcg, recommended: recommended, relevant: relevant, k: k)
        e.hitRate = try RecommendationMetrics.score(.hitRate, recommended: recommended, relevant: relevant, k: k)
        e.coverage = try RecommendationMetrics.coverage(recommended: recommended, catalogueSize: catalogueSize, k: k)
        e.users = relevant.filter { !$0.isEmpty }.count
        e.novelty = novelty(recommended: recommended, k: k, trainUsersPerItem: trainUsersPerItem, trainUsers: trainUsers)
        return e
    }

    public static func novelty(recommended: [[String]], k: Int, trainUsersPerItem: [String: Int], trainUsers: Int) -> Double {
        guard trainUsers > 0 else { return 0 }
        var s = 0.0, n = 0
        for rec in recommended {
            for item in rec.prefix(k) {
                guard let c = trainUsersPerItem[item], c > 0 else { continue }
                s += -log2(Double(c) / Double(trainUsers)); n += 1
            }
        }
        return n > 0 ? s / Double(n) : 0
    }
}
