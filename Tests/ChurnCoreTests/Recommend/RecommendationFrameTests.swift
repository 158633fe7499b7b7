import XCTest
@testable import ChurnCore

final class RecommendationFrameTests: XCTestCase {
    /// The integer-coded frame equals the one built row by row from strings
    /// (Column.string: first-appearance dictionaries), across model, popular and
    /// persona lists, a user asked for twice, an item the model lacks, a user with
    /// an empty list and two items with the same title (one reason string).
    func testSameAsStringColumns() throws {
        let model = ["a", "b", "c"], popular = ["c", "d", "a"]
        let titles = ["a": "Python", "b": "Python", "c": "SQL"]
        let t = RecommendationFrame(modelItems: model, popularItems: popular, titles: titles, personas: ["P2", "P1"])
        let users = ["u9", "u1", "u9", "u2", "u3", "u4"]
        var rows = RecommendationFrame.Rows(capacity: 4)
        t.append(user: 0, Recommendation(items: [2, 1], scores: [0.9, 0.5], because: [1, nil]), .model, to: &rows)
        t.append(user: 1, Recommendation(items: [1, 0], scores: [3, 2], because: [nil, nil]), .popular(cold: true), to: &rows)
        var rows2 = RecommendationFrame.Rows(capacity: 4)
        t.append(user: 2, Recommendation(items: [0], scores: [0.7], because: [0]), .model, to: &rows2)
        t.append(user: 3, Recommendation(items: [], scores: [], because: []), .model, to: &rows2)
        t.append(user: 4, Recommendation(items: [1, 2], scores: [5, 4], because: [nil, nil]), .persona("P1", fromPersona: 1, cold: false), to: &rows2)
        t.append(user: 5, Recommendation(items: [0], scores: [1], because: [nil]), .popular(cold: false), to: &rows2)
        let f = try t.frame(users: users, parts: [rows, rows2])
        // By hand: the rows as strings.
        let expect: [(String, Int64, String, Double, String)] = [
            ("u9", 1, "c", 0.9, "because you engaged with Python"), ("u9", 2, "b", 0.5, "popular"),
            ("u1", 1, "d", 3, "popular (new user)"), ("u1", 2, "c", 2, "popular (new user)"),
            ("u9", 1, "a", 0.7, "because you engaged with Python"),
            ("u3", 1, "d", 5, "popular in your persona (P1)"), ("u3", 2, "a", 4, "popular"),
            ("u4", 1, "c", 1, "popular"),
        ]
        let cols = [Column.string("user_id", expect.map(\.0)), Column(name: "rank", data: .int64(expect.map(\.1))),
                    Column.string("item", expect.map(\.2)), Column(name: "score", data: .float64(expect.map(\.3))),
                    Column.string("reason", expect.map(\.4))]
        XCTAssertEqual(f.columns.map(\.name), cols.map(\.name))
        for (got, want) in zip(f.columns, cols) {
            switch (got.data, want.data) {
            case let (.string(c1, d1), .string(c2, d2)): XCTAssertEqual(c1, c2, got.name); XCTAssertEqual(d1, d2, got.name)
            case let (.int64(a), .int64(b)): XCTAssertEqual(a, b)
            case let (.float64(a), .float64(b)): XCTAssertEqual(a, b)
            default: XCTFail("column \(got.name) is \(got.dtype)")
            }
            XCTAssertNil(got.validity)
        }
        // No rows: empty text columns, as Column.string([]) gives.
        let empty = try t.frame(users: ["x"], parts: [])
        XCTAssertEqual(empty.nrow, 0)
    }

    /// Popularity lists walk the popularity order: the same items as a top-k over all counts.
    func testPopularityWalkMatchesTopK() throws {
        let m = try InteractionMatrix(users: ["u1", "u1", "u2", "u2", "u3", "u3", "u3", "u4"],
                                      items: ["a", "b", "b", "c", "c", "d", "b", "a"])
        let pop = PopularityRecommender(m)   // a 2, b 3, c 2, d 1
        for user in ["u1", "u2", "u3", "u4", "new"] {
            for k in 1...5 {
                for ex in [true, false] {
                    let r = pop.recommend(user: user, k: k, excludeSeen: ex)
                    let top = TopN.select(pop.counts, k: k, skip: ex ? Set(m.seenItems(user)) : [])
                    XCTAssertEqual(r.items, top, "\(user) k \(k)")
                    XCTAssertEqual(r.scores, top.map { pop.counts[$0] })
                }
            }
        }
        XCTAssertEqual(pop.recommend(user: "u3", k: 2, excludeSeen: true).items.map { m.items[$0] }, ["a"])
    }
}
