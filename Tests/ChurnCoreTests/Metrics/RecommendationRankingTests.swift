import XCTest
@testable import ChurnCore

/// Top-k recommendation metrics on a 3-user case computed by hand (below) and,
/// for NDCG, with scikit-learn 1.9.1 `ndcg_score` (scripts/reference/cluster_reference.py).
final class RecommendationRankingTests: XCTestCase {
    let recs = [["c1", "c2", "c3", "c4", "c5"], ["c9", "c8", "c7", "c6", "c5"], ["c0", "c3", "c6", "c1", "c2"]]
    let rels = [["c2", "c5", "c7"], ["c1"], ["c0", "c6"]]

    func s(_ m: RecommendationMetric, _ k: Int) throws -> Double {
        try RecommendationMetrics.score(m, recommended: recs, relevant: rels, k: k)
    }

    func testHandComputedAtThree() throws {
        // user 1 hits at 2; user 2 none; user 3 hits at 1 and 3.
        XCTAssertEqual(try s(.precision, 3), (1.0 / 3 + 0 + 2.0 / 3) / 3, accuracy: 1e-15)
        XCTAssertEqual(try s(.recall, 3), (1.0 / 3 + 0 + 1) / 3, accuracy: 1e-15)
        // AP: user 1 (1/2)/3; user 3 (1 + 2/3)/2.
        XCTAssertEqual(try s(.map, 3), (1.0 / 6 + 0 + 5.0 / 6) / 3, accuracy: 1e-15)
        XCTAssertEqual(try s(.hitRate, 3), 2.0 / 3, accuracy: 1e-15)
        // scikit-learn ndcg_score per user 0.2960819109658652, 0, 0.9197207891481877.
        XCTAssertEqual(try s(.ndcg, 3), 0.40526756670468433, accuracy: 1e-15)
        XCTAssertEqual(try RecommendationMetrics.coverage(recommended: recs, catalogueSize: 10, k: 3), 0.8)
    }

    func testHandComputedAtFive() throws {
        XCTAssertEqual(try s(.precision, 5), (0.4 + 0 + 0.4) / 3, accuracy: 1e-15)
        XCTAssertEqual(try s(.recall, 5), (2.0 / 3 + 0 + 1) / 3, accuracy: 1e-15)
        XCTAssertEqual(try s(.map, 5), ((0.5 + 0.4) / 3 + 0 + 5.0 / 6) / 3, accuracy: 1e-15)
        XCTAssertEqual(try s(.ndcg, 5), 0.46578149755046855, accuracy: 1e-15)
    }

    func testEdgeCases() throws {
        // Users without relevant items are skipped; duplicates count once.
        XCTAssertEqual(try RecommendationMetrics.score(.precision, recommended: [["a", "a"], ["b"]], relevant: [["a"], []], k: 2), 0.5)
        XCTAssertThrowsError(try RecommendationMetrics.score(.ndcg, recommended: [["a"]], relevant: [[]], k: 1))
        XCTAssertThrowsError(try RecommendationMetrics.score(.ndcg, recommended: [["a"]], relevant: [["a"], ["b"]], k: 1))
        XCTAssertThrowsError(try RecommendationMetrics.score(.ndcg, recommended: [["a"]], relevant: [["a"]], k: 0))
    }
}
