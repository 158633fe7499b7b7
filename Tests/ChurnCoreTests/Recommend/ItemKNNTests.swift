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

    /// Neighbours and cosine similarities equal to implicit 0.7.3's CosineRecommender(K = 4: the item
    /// itself and 3 others) on a 30 × 12 random matrix; values from scripts/reference/implicit_reference.py
    /// (implicit computes in float32, hence 1e-6).
    func testNeighboursEqualImplicit() throws {
        let u: [Int] = [1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 8, 8, 8, 8, 9, 9, 10, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 18, 18, 18, 18, 19, 19, 19, 19, 19, 20, 20, 20, 20, 21, 21, 21, 21, 21, 22, 22, 22, 22, 23, 23, 23, 23, 24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 26, 26, 26, 26, 26, 26, 26, 27, 27, 27, 27, 28, 28, 28, 28, 28, 28, 29, 29, 29]
        let i: [Int] = [2, 3, 4, 0, 2, 6, 10, 7, 10, 11, 0, 5, 6, 7, 9, 11, 0, 1, 3, 4, 7, 9, 3, 4, 5, 6, 7, 8, 10, 1, 3, 6, 8, 10, 11, 1, 3, 5, 8, 0, 5, 6, 7, 9, 0, 1, 2, 6, 8, 10, 3, 10, 1, 3, 4, 5, 7, 8, 11, 0, 3, 9, 11, 0, 4, 5, 6, 8, 11, 0, 1, 7, 9, 10, 0, 6, 8, 11, 2, 3, 5, 6, 10, 1, 3, 7, 8, 3, 7, 8, 9, 10, 2, 4, 8, 10, 4, 7, 8, 9, 3, 5, 7, 8, 2, 3, 5, 6, 7, 9, 11, 0, 1, 3, 8, 9, 10, 11, 0, 4, 6, 8, 0, 3, 5, 7, 9, 11, 3, 8, 9]
        let w: [Double] = [5, 3, 1, 2, 3, 5, 2, 1, 1, 1, 2, 5, 4, 4, 5, 4, 3, 5, 4, 2, 2, 4, 2, 5, 3, 3, 4, 1, 3, 3, 4, 3, 5, 1, 4, 5, 2, 2, 2, 2, 4, 1, 5, 1, 2, 3, 5, 3, 5, 2, 2, 2, 2, 1, 3, 5, 1, 3, 3, 4, 3, 4, 4, 2, 3, 5, 4, 5, 2, 5, 2, 3, 4, 3, 2, 4, 5, 2, 2, 5, 1, 3, 1, 3, 1, 4, 5, 5, 5, 4, 4, 1, 5, 1, 2, 2, 1, 4, 3, 3, 4, 1, 2, 5, 4, 5, 3, 3, 4, 5, 2, 1, 5, 4, 1, 1, 4, 5, 2, 2, 1, 2, 4, 2, 1, 5, 3, 3, 5, 3, 2]
        let expected: [String: [(String, Double)]] = [
            "i0": [("i9", 0.620093248567), ("i11", 0.492966727409), ("i7", 0.38111816892)],
            "i1": [("i3", 0.45171390785), ("i11", 0.402027205704), ("i10", 0.376274489678)],
            "i2": [("i6", 0.429668924424), ("i10", 0.373632358879), ("i3", 0.312018860377)],
            "i3": [("i9", 0.559794216849), ("i11", 0.464561414339), ("i8", 0.45707006408)],
            "i4": [("i5", 0.568573532684), ("i6", 0.360255396375), ("i8", 0.359419424098)],
            "i5": [("i4", 0.568573532684), ("i6", 0.517023421511), ("i11", 0.491641002492)],
            "i6": [("i5", 0.517023421511), ("i8", 0.475866867267), ("i11", 0.447571796275)],
            "i7": [("i9", 0.722776219818), ("i3", 0.450287264632), ("i5", 0.394170763206)],
            "i8": [("i6", 0.475866867267), ("i3", 0.45707006408), ("i11", 0.368037369049)],
            "i9": [("i7", 0.722776219818), ("i0", 0.620093248567), ("i3", 0.559794216849)],
            "i10": [("i6", 0.385100596125), ("i3", 0.38490017946), ("i1", 0.376274489678)],
            "i11": [("i9", 0.500835422471), ("i0", 0.492966727409), ("i5", 0.491641002492)],
        ]
        let m = try InteractionMatrix(users: u.map { "u\($0)" }, items: i.map { "i\($0)" }, weights: w)
        let knn = try ItemKNNRecommender(m, neighbours: 3)
        for (item, want) in expected {
            let got = knn.neighbours[try XCTUnwrap(m.itemIndex[item])]
            XCTAssertEqual(got.map { m.items[$0.0] }, want.map(\.0), item)
            for (g, e) in zip(got, want) { XCTAssertEqual(g.1, e.1, accuracy: 1e-6, item) }
        }
    }

    /// The neighbour lists agree between the paths of the kernel: the sorted buffer (k ≤ 64) and
    /// one sort (larger k) give the same order, ties by lower index; unit weights (not read) and
    /// the same weights read give identical similarities, equal to the dense reference.
    func testKernelPathsAgree() throws {
        var us: [String] = [], its: [String] = []
        for u in 0..<60 { for t in 0..<(2 + u % 7) { us.append("u\(u)"); its.append("i\((u * 13 + t * 29) % 90)") } }
        let unit = try InteractionMatrix(users: us, items: its)
        let weighted = try InteractionMatrix(users: us, items: its, weights: [Double](repeating: 1, count: us.count))
        let small = try ItemKNNRecommender(unit, neighbours: 64), large = try ItemKNNRecommender(weighted, neighbours: 1000)
        for i in 0..<unit.items.count {
            XCTAssertEqual(small.neighbours[i].map(\.0), large.neighbours[i].prefix(64).map(\.0), "item \(i)")
            XCTAssertEqual(small.neighbours[i].map(\.1), large.neighbours[i].prefix(64).map(\.1), "item \(i)")
            let s = large.neighbours[i].map(\.1)
            XCTAssertEqual(s, s.sorted(by: >))
            for (j, sim) in large.neighbours[i] {
                let a = Set(unit.byItem[i].map(\.0)), b = Set(unit.byItem[j].map(\.0))
                XCTAssertEqual(sim, Double(a.intersection(b).count) / (Double(a.count) * Double(b.count)).squareRoot(), accuracy: 1e-15)
            }
        }
    }

    /// Many items (so the fit runs several item blocks, unit and weighted): every
    /// kept neighbour and similarity against pairwise sums over users' rows
    /// (Σ_u w_ua w_ub / (‖w_a‖ ‖w_b‖)), each list the reference's top k (ties
    /// by lower index).
    func testBlockedFitEqualsPairwiseReference() throws {
        for weighted in [false, true] {
            var us: [String] = [], its: [String] = [], ws: [Double] = []
            var h: UInt64 = 12345
            for u in 0..<1500 {
                for _ in 0..<8 {
                    h = h &* 6364136223846793005 &+ 1442695040888963407
                    let i = Int(h >> 33) % 900
                    us.append("u\(u)"); its.append("i\(i % 3 == 0 ? i / 30 : i)"); ws.append(weighted ? Double(1 + (h >> 20) % 4) : 1)
                }
            }
            let m = try InteractionMatrix(users: us, items: its, weights: ws)
            let nI = m.items.count
            var dot = [Double](repeating: 0, count: nI * nI)
            for row in m.byUser { for (a, wa) in row { for (b, wb) in row { dot[a * nI + b] += wa * wb } } }
            let knn = try ItemKNNRecommender(m, neighbours: 7)
            for a in 0..<nI {
                let na = dot[a * nI + a].squareRoot()
                var ref: [(Int, Double)] = []
                for b in 0..<nI where b != a && dot[a * nI + b] != 0 { ref.append((b, dot[a * nI + b] / (na * dot[b * nI + b].squareRoot()))) }
                // Sums in the same (user) order as the fit, so the same doubles: exact comparison.
                ref.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                let got = knn.neighbours[a]
                XCTAssertEqual(got.map(\.0), ref.prefix(7).map(\.0), "weighted \(weighted) item \(a)")
                XCTAssertEqual(got.map(\.1), ref.prefix(7).map(\.1))
            }
        }
    }
}
