import XCTest
@testable import ChurnCore

/// Item-kNN cosine similarities against a dense reference (every pair computed
/// directly from the dense user × item matrix), popularity by hand.
final class ItemKNNTests: XCTestCase {
    // users u1..u4, items a..d; weights (u1: a 1, b 2), (u2: a 1, c 1), (u3: b 1, c 3, d 1), (u4: a 2, b 1), duplicate u4 a.
    let users = ["u1", "u1", "u2", "u2", "u3", "u3", "u3", "u4", "u4", "u4"]
    let items = ["a", "b", "a", "c", "b", "c", "d", "a", "b", "a"]
    let weights: [Double] = [1, 2, 1, 1, 1, 3, 1, 1, 1, 1]

    func testCosineEqualsDenseReference() throws {
        let m = try InteractionMatrix(users: users, items: items, weights: weights)
        XCTAssertEqual(m.items, ["a", "b", "c", "d"])
        let dense: [[Double]] = [[1, 2, 0, 0], [1, 0, 1, 0], [0, 1, 3, 1], [2, 1, 0, 0]]   // u4 a = 1 + 1
        let knn = try ItemKNNRecommender(m, neighbours: 10)
        for a in 0..<4 {
            for b in 0..<4 where a != b {
                var dot = 0.0, na = 0.0, nb = 0.0
                for u in 0..<4 { dot += dense[u][a] * dense[u][b]; na += dense[u][a] * dense[u][a]; nb += dense[u][b] * dense[u][b] }
                XCTAssertEqual(knn.similarity(a, b), dot / (na * nb).squareRoot(), accuracy: 1e-15, "\(a),\(b)")
            }
        }
        // sim(a, b) = (1·2 + 2·1) / (√6 · √6) = 2/3 by hand.
        XCTAssertEqual(knn.similarity(0, 1), 2.0 / 3, accuracy: 1e-15)
        // u2 (a 1, c 1) → b: sim(a,b) + sim(c,b) = 2/3 + 3/(√6·√10); d: sim(c, d) = 3/√10.
        let r = try XCTUnwrap(knn.recommend(user: "u2", k: 5, excludeSeen: true))
        XCTAssertEqual(r.items, [1, 3])
        XCTAssertEqual(r.scores[0], 2.0 / 3 + 3 / (6.0.squareRoot() * 10.0.squareRoot()), accuracy: 1e-15)
        XCTAssertEqual(r.scores[1], 3 / 10.0.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(r.because[0], 0)   // a contributes 2/3 > 0.369 from c
        XCTAssertNil(knn.recommend(user: "nobody", k: 3, excludeSeen: true))
        // Keep only 1 neighbour per item.
        XCTAssertEqual(try ItemKNNRecommender(m, neighbours: 1).neighbours.map(\.count), [1, 1, 1, 1])
    }

    func testPopularity() throws {
        let p = PopularityRecommender(try InteractionMatrix(users: users, items: items, weights: weights))
        XCTAssertEqual(p.counts, [3, 3, 2, 1])   // distinct users per item
        XCTAssertEqual(p.recommend(user: "u1", k: 3, excludeSeen: true).items, [2, 3])
        XCTAssertEqual(p.recommend(user: "new", k: 2, excludeSeen: true).items, [0, 1])
        XCTAssertThrowsError(try InteractionMatrix(users: ["u"], items: ["a"], weights: [-1]))
    }
}
