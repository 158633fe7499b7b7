import XCTest
@testable import ChurnCore

final class UserKNNTests: XCTestCase {
    /// u1: a, b; u2: a, b, c; u3: c, d (weights 1). Hand computation:
    /// cos(u1, u2) = 2 / (√2 · √3) = 0.816497; cos(u1, u3) = 0 (no shared item, dropped).
    func testScoresByHand() throws {
        let m = try InteractionMatrix(users: ["u1", "u1", "u2", "u2", "u2", "u3", "u3"], items: ["a", "b", "a", "b", "c", "c", "d"])
        let r = try UserKNNRecommender(m, neighbours: 5)
        let nb = r.similarUsers(0)
        XCTAssertEqual(nb.count, 1)
        XCTAssertEqual(nb[0].0, 1)
        XCTAssertEqual(nb[0].1, 2 / (2.0.squareRoot() * 3.0.squareRoot()), accuracy: 1e-15)
        let top = r.rank(user: "u1", k: 2, excludeSeen: true)!
        XCTAssertEqual(top.items.map { r.itemIds[$0] }, ["c"])            // d has no vote from a neighbour
        XCTAssertEqual(top.scores[0], 2 / 6.0.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(top.because.map { $0.map { r.itemIds[$0] } }, ["a"])
        XCTAssertNil(r.rank(user: "nobody", k: 2, excludeSeen: true))
    }

    /// Hybrid: min–max scaled parts, weighted sum; a part that cannot score the user drops out.
    func testHybridBlend() throws {
        let m = try InteractionMatrix(users: ["u1", "u1", "u2", "u2", "u2", "u3", "u3"], items: ["a", "b", "a", "b", "c", "c", "d"])
        let pop = PopularityRecommender(m)            // counts a 2, b 2, c 2, d 1
        let knn = try UserKNNRecommender(m, neighbours: 5)
        let h = try HybridRecommender([(pop, 1), (knn, 3)])
        let (s, _) = h.scores(user: "u1")!
        // pop scaled: a, b, c → 1, d → 0; knn for u1: a, b, c → 0.8165 each (all equal: scaled 1), d −∞.
        XCTAssertEqual(s, [4, 4, 4, 0])
        let cold = h.scores(user: "new")!.scores    // knn drops out: popularity alone
        XCTAssertEqual(cold, [1, 1, 1, 0])
        XCTAssertThrowsError(try HybridRecommender([(pop, -1)]))
    }
}
