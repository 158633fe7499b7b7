import Foundation
import XCTest
@testable import ChurnCore

/// Gradient-based one-side sampling (`GOSSOptions`).
final class GBDTGOSSTests: XCTestCase {
    /// Ten rows with |g·h| = 0.1·(i+1)·h: top_rate 0.2 keeps rows 8 and 9 (the two
    /// largest), other_rate 0.3 draws exactly 3 of rows 0...7, and the drawn rows'
    /// pairs are multiplied by 8 / 3 (8 rows below the top, 3 drawn); the rest stay.
    func testSampleKeepsTopRowsAndWeightsTheDrawnOnes() {
        let n = 10
        let original = (0..<n).map { GradPair(g: (($0 % 2 == 0) ? 0.1 : -0.1) * Double($0 + 1), h: 0.25) }
        let gh = ScratchBuffer(n, GradPair(g: 0, h: 0))
        for i in 0..<n { gh.p[i] = original[i] }
        let rows = ScratchBuffer<UInt32>(n, 0), inBag = ScratchBuffer(n, false), keys = ScratchBuffer(n, 0.0)
        let m = GOSSOptions(topRate: 0.2, otherRate: 0.3).sample(n: n, gh: gh.p, seed: 5, iteration: 12, rows: rows.p,
                                                                 inBag: inBag.p, keys: keys.p)
        XCTAssertEqual(m, 5)
        let kept = (0..<m).map { Int(rows.p[$0]) }
        XCTAssertEqual(kept, kept.sorted())
        XCTAssertTrue(kept.contains(8) && kept.contains(9))
        XCTAssertEqual((0..<n).filter { inBag.p[$0] }, kept)
        for i in 0..<n {
            let drawn = i < 8 && kept.contains(i)
            XCTAssertEqual(gh.p[i].g, drawn ? original[i].g * (8.0 / 3.0) : original[i].g, "row \(i)")
            XCTAssertEqual(gh.p[i].h, drawn ? 0.25 * (8.0 / 3.0) : 0.25, "row \(i)")
        }
    }

    /// Quickselect agrees with sorting, ties included.
    func testKthLargestMatchesSort() {
        var rng = SeededRandom(seed: 3)
        for n in [1, 2, 7, 100, 1_000] {
            let v = (0..<n).map { _ in Double(rng.below(max(1, n / 3))) }
            let sorted = v.sorted(by: >)
            for k in [0, n / 2, n - 1] {
                var w = v
                let got = w.withUnsafeMutableBufferPointer { GOSSOptions.kthLargest($0.baseAddress!, n, k) }
                XCTAssertEqual(got, sorted[k], "n \(n) k \(k)")
            }
        }
    }

    /// top_rate + other_rate = 1 keeps every row at weight 1 (the rows below the
    /// top are all drawn), so the trees are exactly those of plain boosting.
    func testWholeSampleEqualsPlainBoosting() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 3_000, numeric: 5, categorical: 1, seed: 8)
        var o = GradientBoostingOptions(); o.nIterations = 15; o.learningRate = 0.2; o.seed = 2
        let plain = try GradientBoosting.fit(X, y, options: o)
        o.goss = GOSSOptions(topRate: 0.5, otherRate: 0.5)
        let goss = try GradientBoosting.fit(X, y, options: o)
        XCTAssertEqual(goss.trees, plain.trees)
    }

    /// With the defaults (0.2 + 0.1) trees see about 30 % of the rows after the first
    /// 10 rounds; the fit is deterministic across thread counts, depends on the seed,
    /// and its test AUC stays within 0.01 of plain boosting's (0.8690 vs 0.8720 here).
    func testDefaultGOSSIsDeterministicAndKeepsAUC() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 12_000, numeric: 6, categorical: 2, seed: 31)
        let (Xtr, ytr, Xte, yte) = TreesTestSupport.split(X, y)
        var o = GradientBoostingOptions(); o.nIterations = 60; o.seed = 4
        let plain = try GradientBoosting.fit(Xtr, ytr, options: o)
        o.goss = GOSSOptions()
        let a = try TreesTestSupport.withThreads(1) { try GradientBoosting.fit(Xtr, ytr, options: o) }
        let b = try TreesTestSupport.withThreads(3) { try GradientBoosting.fit(Xtr, ytr, options: o) }
        XCTAssertEqual(a.trees, b.trees)
        XCTAssertEqual(a.trees.prefix(10), plain.trees.prefix(10))     // no sampling in the first 1/lr rounds
        XCTAssertNotEqual(a.trees, plain.trees)
        o.seed = 5
        XCTAssertNotEqual(try GradientBoosting.fit(Xtr, ytr, options: o).trees, a.trees)
        let aucPlain = TreesTestSupport.auc(try plain.predictProba(Xte), yte)
        let aucGOSS = TreesTestSupport.auc(try a.predictProba(Xte), yte)
        XCTAssertEqual(aucGOSS, aucPlain, accuracy: 0.01)
    }

    func testRejectsBadOptions() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 200, numeric: 2, categorical: 0, seed: 1)
        func fails(_ change: (inout GradientBoostingOptions) -> Void, _ text: String) {
            var o = GradientBoostingOptions(); o.nIterations = 2
            change(&o)
            XCTAssertThrowsError(try GradientBoosting.fit(X, y, options: o)) { XCTAssertTrue("\($0)".contains(text), "\($0)") }
        }
        fails({ $0.goss = GOSSOptions(topRate: 0.7, otherRate: 0.4) }, "top_rate + other_rate <= 1")
        fails({ $0.goss = GOSSOptions(topRate: 0, otherRate: 0.1) }, "top_rate")
        fails({ $0.goss = GOSSOptions(topRate: 0.2, otherRate: .nan) }, "other_rate")
        fails({ $0.goss = GOSSOptions(); $0.baggingFraction = 0.5 }, "bagging_fraction")
        fails({ $0.goss = GOSSOptions(); $0.objective = .multiclass }, "binary and regression")
    }
}
