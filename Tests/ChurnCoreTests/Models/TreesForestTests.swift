import Foundation
import XCTest
@testable import ChurnCore

final class TreesForestTests: XCTestCase {
    func testSameForestForAnyThreadCount() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 2000, numeric: 5, categorical: 2, seed: 31)
        var o = RandomForestOptions(); o.nTrees = 6; o.maxDepth = 8; o.seed = 9
        let a = try TreesTestSupport.withThreads(1) { try RandomForest.fit(X, y, options: o) }
        let b = try TreesTestSupport.withThreads(3) { try RandomForest.fit(X, y, options: o) }
        XCTAssertEqual(a.trees, b.trees)
        XCTAssertEqual(a.oobAUC, b.oobAUC)
        XCTAssertNotEqual(a.trees[0], a.trees[1])              // trees differ (own bootstrap and feature draws)
        o.seed = 10
        XCTAssertNotEqual(try RandomForest.fit(X, y, options: o).trees, a.trees)
        let back = try TreesTestSupport.roundTrip(a)
        XCTAssertEqual(try back.predictProba(X).map(\.bitPattern), try a.predictProba(X).map(\.bitPattern))
    }

    /// Prediction is the mean of the trees' leaf rates; without bootstrap and with
    /// all features every tree is the plain CART tree.
    func testMeanOfTreesAndNoBootstrap() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 500, numeric: 3, categorical: 1, seed: 32)
        var o = RandomForestOptions(); o.nTrees = 3; o.bootstrap = false; o.maxFeatures = .all; o.maxDepth = 5
        let f = try RandomForest.fit(X, y, options: o)
        var t = DecisionTreeOptions(); t.maxDepth = 5
        let single = try DecisionTree.fit(X, y, options: t)
        XCTAssertEqual(f.trees, [single.tree, single.tree, single.tree])
        XCTAssertNil(f.oobAUC)
        let p = try f.predictProba(X), q = try single.predictProba(X)
        for i in 0..<X.nrow { XCTAssertEqual(p[i], q[i], accuracy: 1e-15) }
        XCTAssertEqual(MaxFeatures.sqrt.resolve(45), 6)
        XCTAssertEqual(MaxFeatures.log2.resolve(45), 5)
        XCTAssertEqual(MaxFeatures.fraction(0.5).resolve(45), 22)
    }

    /// Reference: References/trees_mlc_churn_reference.py → scikit-learn forest (100 trees,
    /// depth 12, ordinal categoricals) test AUC 0.9136730919003114, OOB accuracy 0.956.
    func testMlcChurnForestCloseToSklearn() throws {
        let (X, y) = try TreesTestSupport.mlcChurn()
        let (Xtr, ytr, Xte, yte) = TreesTestSupport.split(X, y)
        var o = RandomForestOptions(); o.nTrees = 40; o.maxDepth = 12; o.seed = 1
        let m = try RandomForest.fit(Xtr, ytr, options: o)
        let auc = TreesTestSupport.auc(try m.predictProba(Xte), yte)
        XCTAssertEqual(auc, 0.9136730919003114, accuracy: 0.02)
        XCTAssertEqual(m.oobAccuracy!, 0.956, accuracy: 0.01)
        XCTAssertGreaterThan(m.oobAUC!, 0.85)
        let imp = m.importance(.gain)
        XCTAssertEqual(imp.reduce(0, +), 1, accuracy: 1e-12)
        print("mlc_churn forest test AUC", auc, "OOB AUC", m.oobAUC!, "OOB accuracy", m.oobAccuracy!)
    }
}
