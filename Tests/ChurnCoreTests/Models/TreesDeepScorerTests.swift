import Foundation
import XCTest
@testable import ChurnCore

/// `DeepTreeScorer` (compiled preorder nodes, row-major blocks) against the
/// default traversal: bit-identical outputs on deep trees with every kind of
/// split and missing value, for any thread count.
final class TreesDeepScorerTests: XCTestCase {
    /// A deep forest (4 numeric features, NaNs in the first; 2 categorical, 10 % missing).
    func deepForest() throws -> (RandomForest, FeatureMatrix) {
        let (X, y) = try TreesTestSupport.randomData(rows: 3000, numeric: 4, categorical: 2, seed: 77)
        var o = RandomForestOptions(); o.nTrees = 7; o.maxDepth = 30; o.seed = 5; o.maxFeatures = .all
        return (try RandomForest.fit(X, y, options: o), X)
    }

    /// Prediction columns with the edge cases the fitted data lacks: codes past
    /// every bitset (unseen levels go right), exact threshold values, ±infinity.
    func edgeColumns(_ forest: RandomForest, _ X: FeatureMatrix) -> [FeatureValues] {
        var cols = X.features
        for (f, col) in cols.enumerated() {
            switch col {
            case .numeric(var v):
                let thresholds = forest.trees.flatMap { t in t.nodes.filter { $0.feature == Int32(f) && $0.categoryStart < 0 }.map(\.threshold) }
                for i in stride(from: 0, to: v.count, by: 97) { v[i] = thresholds.isEmpty ? 0 : thresholds[i % thresholds.count] }
                v[1] = .infinity; v[2] = -.infinity
                cols[f] = .numeric(v)
            case .categorical(var c, let levels):
                for i in stride(from: 5, to: c.count, by: 53) { c[i] = 130 }
                cols[f] = .categorical(codes: c, levels: levels)
            }
        }
        return cols
    }

    func testDeepForestScoresBitIdenticalToDefaultTraversal() throws {
        let (forest, X) = try deepForest()
        let meanNodes = forest.trees.reduce(0) { $0 + $1.nodes.count } / forest.trees.count
        XCTAssertGreaterThanOrEqual(meanNodes, DeepTreeScorer.minMeanNodes, "the fixture must take the deep path")
        XCTAssertTrue(DeepTreeScorer.suits(forest.trees, nrow: X.nrow))
        let cols = edgeColumns(forest, X)
        let expected = try TreeEnsemble.predictByRowBlocks(forest.trees, features: cols, nrow: X.nrow, base: 0.25, scale: 1 / 7)
        let scorer = try DeepTreeScorer(forest.trees)
        XCTAssertEqual(scorer.nodes.count, forest.trees.reduce(0) { $0 + $1.nodes.count })
        for threads in [1, 2, 3] {
            let got = try TreesTestSupport.withThreads(threads) {
                try scorer.predict(columns: cols, nrow: X.nrow, base: 0.25, scale: 1 / 7)
            }
            XCTAssertEqual(got.map(\.bitPattern), expected.map(\.bitPattern), "threads \(threads)")
        }
        // And through the model's own entry point (which picks the deep path).
        let viaModel = try forest.predictProba(X)
        let direct = try TreeEnsemble.predictByRowBlocks(forest.trees, features: try forest.schema.align(X), nrow: X.nrow,
                                                        base: 0, scale: 1 / Double(forest.trees.count))
        XCTAssertEqual(viaModel.map(\.bitPattern), direct.map(\.bitPattern))
    }

    /// Each row reaches the same leaf as `Tree.leaf(row:)` (the reference walk),
    /// and block edges (row counts not a multiple of 4 or of the block) are covered.
    func testLeafValuesMatchReferenceWalkOnOddRowCounts() throws {
        let (forest, X) = try deepForest()
        let tree = forest.trees[0]
        let cols = edgeColumns(forest, X)
        for n in [1025, 1027, 2999] {
            let sub = cols.map { c -> FeatureValues in
                switch c {
                case .numeric(let v): return .numeric(Array(v[0..<n]))
                case .categorical(let c, let l): return .categorical(codes: Array(c[0..<n]), levels: l)
                }
            }
            let got = try DeepTreeScorer([tree]).predict(columns: sub, nrow: n, base: 0, scale: 1)
            let want: [Double] = withRawColumns(sub) { raw in (0..<n).map { tree.value[tree.leaf(row: $0, columns: raw)] } }
            XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "rows \(n)")
        }
    }

    /// Small (boosting-sized) trees and small batches keep the default traversal.
    func testSmallTreesAndSmallBatchesKeepDefaultPath() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 2000, numeric: 3, categorical: 1, seed: 78)
        var o = GradientBoostingOptions(); o.nIterations = 5; o.numLeaves = 31
        let m = try GradientBoosting.fit(X, y, options: o)
        XCTAssertFalse(DeepTreeScorer.suits(m.trees, nrow: 100_000))
        let (forest, _) = try deepForest()
        XCTAssertFalse(DeepTreeScorer.suits(forest.trees, nrow: DeepTreeScorer.minRows - 1))
    }
}
