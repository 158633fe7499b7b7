import Foundation
import XCTest
@testable import ChurnCore

/// CART DecisionTree against scikit-learn
/// (reference: References/trees_cart_reference.py, numbers pasted below).
final class TreesCARTTests: XCTestCase {
    // Data printed by trees_cart_reference.py (numpy seed 43).
    static let x0: [Double] = [5.0, 6.5, 4.0, 0.25, 5.75, 0.0, 2.75, 8.25, 4.5, 5.75, 9.5, 2.0, 8.25, 7.5, 3.75, 2.5, 2.5, 4.0, 6.25, 4.5, 1.25, 9.5, 3.75, 8.75, 1.75, 2.75, 7.75, 2.75, 8.75, 4.0, 4.5, 0.0, 4.0, 3.0, 5.25, 9.5, 0.0, 8.25, 3.75, 5.25, 4.5, 4.75, 8.0, 9.25, 9.75, 5.75, 7.0, 9.25, 9.25, 9.75, 0.25, 0.25, 5.75, 1.0, 8.5, 7.5, 1.25, 1.25, 1.0, 3.25]
    static let x1: [Double] = [6.5, -4.0, 4.0, 1.0, 2.0, -9.0, 3.5, -1.0, -7.5, 1.0, 2.0, -8.0, 0.0, -3.5, 5.0, 0.0, -9.5, -4.0, 1.0, -2.0, -5.0, -2.0, -3.5, -8.5, 3.5, 1.5, 0.5, -9.0, 3.0, 1.5, 6.0, -8.5, -4.0, 0.5, -7.5, 7.0, -5.5, -4.5, -2.5, -8.5, -7.0, -4.0, -6.0, -2.0, 2.5, 2.0, 7.0, -7.0, 2.5, -10.0, -10.0, 6.5, -2.5, -1.0, 7.0, 1.0, 3.5, 6.0, 3.0, 5.0]
    static let x2: [Double] = [127.0, 861.0, 413.0, 321.0, 164.0, 193.0, 153.0, 12.0, 278.0, 396.0, 945.0, 606.0, 760.0, 566.0, 800.0, 878.0, 898.0, 827.0, 694.0, 496.0, 170.0, 122.0, 938.0, 500.0, 810.0, 919.0, 76.0, 880.0, 282.0, 674.0, 458.0, 658.0, 489.0, 829.0, 943.0, 687.0, 413.0, 624.0, 165.0, 401.0, 743.0, 399.0, 996.0, 486.0, 881.0, 881.0, 232.0, 641.0, 949.0, 825.0, 487.0, 502.0, 795.0, 536.0, 542.0, 698.0, 987.0, 694.0, 503.0, 219.0]
    static let y: [Double] = [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1]

    struct Expected {
        let feature: [Int]; let threshold: [Double]; let left: [Int]; let right: [Int]
        let p1: [Double]; let cover: [Double]; let importance: [Double]
    }

    func matrix() throws -> FeatureMatrix {
        try FeatureMatrix(names: ["x0", "x1", "x2"], features: [.numeric(Self.x0), .numeric(Self.x1), .numeric(Self.x2)])
    }

    func check(_ m: DecisionTree, _ e: Expected, file: StaticString = #filePath, line: UInt = #line) {
        let t = m.tree
        XCTAssertEqual(t.nodes.map { Int($0.feature) }, e.feature, "features", file: file, line: line)
        XCTAssertEqual(t.nodes.map { $0.isLeaf ? 0 : $0.threshold }, e.threshold, "thresholds", file: file, line: line)
        XCTAssertEqual(t.nodes.map { Int($0.left) }, e.left, "left children", file: file, line: line)
        XCTAssertEqual(t.nodes.map { Int($0.right) }, e.right, "right children", file: file, line: line)
        XCTAssertEqual(t.cover, e.cover, "cover", file: file, line: line)
        XCTAssertEqual(t.value.count, e.p1.count, file: file, line: line)
        for (a, b) in zip(t.value, e.p1) { XCTAssertEqual(a, b, accuracy: 1e-12, "p1", file: file, line: line) }
        for (a, b) in zip(m.importance(.gain), e.importance) { XCTAssertEqual(a, b, accuracy: 1e-12, "importance", file: file, line: line) }
        XCTAssertEqual(m.importance(.split, normalized: false), (0..<3).map { f in Double(e.feature.filter { $0 == f }.count) },
                       file: file, line: line)
    }

    func testGiniDepth4MatchesSklearn() throws {
        var o = DecisionTreeOptions(); o.maxDepth = 4; o.minSamplesLeaf = 2
        let m = try DecisionTree.fit(try matrix(), Self.y, options: o)
        check(m, Expected(
            feature: [0, 2, 1, 2, -1, -1, 1, -1, -1, 1, -1, -1, 1, -1, 1, 2, -1, -1, 1, -1, -1],
            threshold: [5.5, 853.5, -8.25, 444.0, 0.0, 0.0, -2.25, 0.0, 0.0, 0.75, 0.0, 0.0, -0.5, 0.0, 1.5, 696.0, 0.0, 0.0, 5.0, 0.0, 0.0],
            left: [1, 2, 3, 4, -1, -1, 7, -1, -1, 10, -1, -1, 13, -1, 15, 16, -1, -1, 19, -1, -1],
            right: [12, 9, 6, 5, -1, -1, 8, -1, -1, 11, -1, -1, 14, -1, 18, 17, -1, -1, 20, -1, -1],
            p1: [0.5, 0.2857142857142857, 0.17857142857142858, 0.5, 0.0, 1.0, 0.125, 0.0, 0.2, 0.7142857142857143, 1.0, 0.0, 0.8, 1.0, 0.6428571428571429, 0.2, 0.0, 0.5, 0.8888888888888888, 1.0, 0.6666666666666666],
            cover: [60.0, 35.0, 28.0, 4.0, 2.0, 2.0, 24.0, 9.0, 15.0, 7.0, 5.0, 2.0, 25.0, 11.0, 14.0, 5.0, 3.0, 2.0, 9.0, 6.0, 3.0],
            importance: [0.3373594335693461, 0.40837151187005427, 0.25426905456059967]))
        // Predictions are the leaf rates: row 0 (x0 5, x1 6.5, x2 127) goes 0 → 1 → 2 → 6 → 8 (p = 0.2).
        XCTAssertEqual(try m.predictProba(try matrix())[0], 0.2)
    }

    func testEntropyDepth4MatchesSklearn() throws {
        var o = DecisionTreeOptions(); o.criterion = .entropy; o.maxDepth = 4; o.minSamplesLeaf = 2
        let m = try DecisionTree.fit(try matrix(), Self.y, options: o)
        check(m, Expected(
            feature: [0, 2, 2, 2, -1, -1, -1, 1, -1, -1, 1, -1, 1, 2, -1, -1, 1, -1, -1],
            threshold: [5.5, 853.5, 666.0, 472.5, 0.0, 0.0, 0.0, 0.75, 0.0, 0.0, -0.5, 0.0, 1.5, 696.0, 0.0, 0.0, 5.0, 0.0, 0.0],
            left: [1, 2, 3, 4, -1, -1, -1, 8, -1, -1, 11, -1, 13, 14, -1, -1, 17, -1, -1],
            right: [10, 7, 6, 5, -1, -1, -1, 9, -1, -1, 12, -1, 16, 15, -1, -1, 18, -1, -1],
            p1: [0.5, 0.2857142857142857, 0.17857142857142858, 0.23809523809523808, 0.07692307692307693, 0.5, 0.0, 0.7142857142857143, 1.0, 0.0, 0.8, 1.0, 0.6428571428571429, 0.2, 0.0, 0.5, 0.8888888888888888, 1.0, 0.6666666666666666],
            cover: [60.0, 35.0, 28.0, 21.0, 13.0, 8.0, 7.0, 7.0, 5.0, 2.0, 25.0, 11.0, 14.0, 5.0, 3.0, 2.0, 9.0, 6.0, 3.0],
            importance: [0.2785311018081618, 0.4204450059970343, 0.30102389219480397]))
    }

    func testWeightedMinLeafMatchesSklearn() throws {
        var o = DecisionTreeOptions(); o.maxDepth = 5; o.minSamplesLeaf = 3
        let w = (0..<60).map { Double(1 + $0 % 3) }
        let m = try DecisionTree.fit(try matrix(), Self.y, weights: w, options: o)
        check(m, Expected(
            feature: [0, 1, -1, 1, -1, 1, -1, 2, -1, -1, 0, 1, 1, -1, -1, 0, 1, -1, -1, -1, -1],
            threshold: [5.125, -8.25, 0.0, -3.75, 0.0, 0.25, 0.0, 270.0, 0.0, 0.0, 8.625, -0.5, -5.25, 0.0, 0.0, 7.625, 1.5, 0.0, 0.0, 0.0, 0.0],
            left: [1, 2, -1, 4, -1, 6, -1, 8, -1, -1, 11, 12, 13, -1, -1, 16, 17, -1, -1, -1, -1],
            right: [10, 3, -1, 5, -1, 7, -1, 9, -1, -1, 20, 15, 14, -1, -1, 19, 18, -1, -1, -1, -1],
            p1: [0.5083333333333333, 0.2714285714285714, 0.7272727272727273, 0.1864406779661017, 0.0, 0.2894736842105263, 0.7272727272727273, 0.1111111111111111, 0.6, 0.0, 0.84, 0.7142857142857143, 0.9285714285714286, 0.75, 1.0, 0.5, 0.7777777777777778, 0.5, 1.0, 0.0, 1.0],
            cover: [120.0, 70.0, 11.0, 59.0, 21.0, 38.0, 11.0, 27.0, 5.0, 22.0, 50.0, 28.0, 14.0, 4.0, 10.0, 14.0, 9.0, 4.0, 5.0, 5.0, 22.0],
            importance: [0.5458572939782228, 0.38946924686026074, 0.06467345916151662]))
    }

    /// Hand-built case: levels a..d have positive rates 0.9, 0.1, 0.8, 0.2 (10 rows each),
    /// so the best categorical split is {b, d} | {a, c}; 6 missing rows are all
    /// positive, so missing goes with {a, c}.
    func testCategoricalSplitAndMissingDirection() throws {
        var codes: [Int32] = [], y: [Double] = []
        for (k, pos) in [9, 1, 8, 2].enumerated() {
            for i in 0..<10 { codes.append(Int32(k)); y.append(i < pos ? 1 : 0) }
        }
        for _ in 0..<6 { codes.append(-1); y.append(1) }
        let X = try FeatureMatrix(names: ["plan"], features: [.categorical(codes: codes, levels: ["a", "b", "c", "d"])])
        var o = DecisionTreeOptions(); o.maxDepth = 1
        let m = try DecisionTree.fit(X, y, options: o)
        let root = m.tree.nodes[0]
        XCTAssertEqual(root.feature, 0)
        XCTAssertEqual(m.tree.leftCategories(0), [1, 3])          // b, d: the low-rate levels
        XCTAssertFalse(root.defaultLeft)                          // missing joins a, c
        XCTAssertEqual(m.tree.value[Int(root.left)], 3.0 / 20.0, accuracy: 1e-15)
        XCTAssertEqual(m.tree.value[Int(root.right)], 23.0 / 26.0, accuracy: 1e-15)
        // Gini decrease (weight units): 46·gini(26/46) − 20·gini(3/20) − 26·gini(23/26), gini(p) = 2p(1−p).
        let g = { (w: Double, p: Double) in w * 2 * p * (1 - p) }
        XCTAssertEqual(m.tree.gain[0], g(46, 26.0 / 46) - g(20, 3.0 / 20) - g(26, 23.0 / 26), accuracy: 1e-12)
        // Predicting with a matrix whose levels are in another order re-codes by name; unseen → missing.
        let X2 = try FeatureMatrix(names: ["plan"], features: [.categorical(codes: [0, 1, 2], levels: ["d", "a", "zz"])])
        XCTAssertEqual(try m.predictProba(X2), [3.0 / 20.0, 23.0 / 26.0, 23.0 / 26.0])
    }

    func testBalancedClassWeightEqualizesRootRate() throws {
        var o = DecisionTreeOptions(); o.classWeight = .balanced; o.maxDepth = 2
        var y = Self.y; for i in 0..<10 where y[i] == 1 { y[i] = 0 }     // make it imbalanced
        let m = try DecisionTree.fit(try matrix(), y, options: o)
        XCTAssertEqual(m.tree.value[0], 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.tree.cover[0], 60, accuracy: 1e-9)
    }

    func testRejectsBadInput() throws {
        let X = try matrix()
        XCTAssertThrowsError(try DecisionTree.fit(X, Array(Self.y.dropLast()))) {
            XCTAssertEqual("\($0)", "target has 59 rows, expected 60")
        }
        var y = Self.y; y[3] = 2
        XCTAssertThrowsError(try DecisionTree.fit(X, y)) { XCTAssertEqual("\($0)", "target must be 0 or 1; row 4 is 2.0") }
        XCTAssertThrowsError(try DecisionTree.fit(X, Self.y, weights: [Double](repeating: -1, count: 60)))
        var o = DecisionTreeOptions(); o.minSamplesLeaf = 0
        XCTAssertThrowsError(try DecisionTree.fit(X, Self.y, options: o))
        let m = try DecisionTree.fit(X, Self.y)
        let wrong = try FeatureMatrix(names: ["x0", "x1"], features: [.numeric(Self.x0), .numeric(Self.x1)])
        XCTAssertThrowsError(try m.predictProba(wrong)) { XCTAssertTrue("\($0)".contains("needs feature 'x2'")) }
        let kind = try FeatureMatrix(names: ["x0", "x1", "x2"], features: [.numeric(Self.x0), .numeric(Self.x1),
                                                                        .categorical(codes: [Int32](repeating: 0, count: 60), levels: ["a"])])
        XCTAssertThrowsError(try m.predictProba(kind)) { XCTAssertTrue("\($0)".contains("'x2' was numeric")) }
    }

    func testCodableRoundTripIsBitIdentical() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 400, numeric: 3, categorical: 2, seed: 5)
        var o = DecisionTreeOptions(); o.maxDepth = 6
        let m = try DecisionTree.fit(X, y, options: o)
        let back = try TreesTestSupport.roundTrip(m)
        XCTAssertEqual(back.tree, m.tree)
        XCTAssertEqual(try back.predictProba(X).map(\.bitPattern), try m.predictProba(X).map(\.bitPattern))
        // Unlimited depth with min leaf 1 fits the training data (no duplicate rows, all features continuous).
        let full = try DecisionTree.fit(X, y)
        let p = try full.predictProba(X)
        XCTAssertEqual(zip(p, y).filter { $0 == $1 }.count, 400)
    }
}
