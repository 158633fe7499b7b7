import Foundation
import XCTest
@testable import ChurnCore

/// TreeSHAP against brute-force Shapley values and the additivity property.
final class TreesSHAPTests: XCTestCase {
    /// Whether row `r` goes left at split `node` (an independent re-implementation of the routing rule).
    func goesLeft(_ t: Tree, _ node: Int, _ X: FeatureMatrix, _ r: Int) -> Bool {
        let n = t.nodes[node]
        switch X.features[Int(n.feature)] {
        case .numeric(let v): return v[r].isNaN ? n.defaultLeft : v[r] <= n.threshold
        case .categorical(let c, _): return c[r] < 0 ? n.defaultLeft : t.leftCategories(node).contains(Int(c[r]))
        }
    }

    /// E[f(x) | x_S]: follow x on features in S, average children by cover elsewhere.
    func conditional(_ t: Tree, _ node: Int, _ X: FeatureMatrix, _ r: Int, _ S: Int) -> Double {
        let n = t.nodes[node]
        if n.isLeaf { return t.value[node] }
        let l = Int(n.left), rr = Int(n.right)
        if S & (1 << Int(n.feature)) != 0 { return conditional(t, goesLeft(t, node, X, r) ? l : rr, X, r, S) }
        return (t.cover[l] * conditional(t, l, X, r, S) + t.cover[rr] * conditional(t, rr, X, r, S)) / t.cover[node]
    }

    /// Shapley values by enumerating all subsets.
    func bruteForce(_ trees: [Tree], scale: Double, _ X: FeatureMatrix, _ r: Int) -> [Double] {
        let m = X.features.count
        func v(_ S: Int) -> Double { trees.reduce(0) { $0 + conditional($1, 0, X, r, S) } * scale }
        func fact(_ k: Int) -> Double { k <= 1 ? 1 : Double(k) * fact(k - 1) }
        return (0..<m).map { i in
            var phi = 0.0
            for S in 0..<(1 << m) where S & (1 << i) == 0 {
                let s = S.nonzeroBitCount
                phi += fact(s) * fact(m - s - 1) / fact(m) * (v(S | (1 << i)) - v(S))
            }
            return phi
        }
    }

    func testDecisionTreeMatchesBruteForce() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 300, numeric: 3, categorical: 2, seed: 11)
        var o = DecisionTreeOptions(); o.maxDepth = 6; o.minSamplesLeaf = 5
        let m = try DecisionTree.fit(X, y, options: o)
        XCTAssertGreaterThan(m.tree.depth, 4)
        let e = try m.explain(X)
        XCTAssertEqual(e.scale, .probability)
        let p = try m.predictProba(X)
        for r in 0..<40 {
            let bf = bruteForce([m.tree], scale: 1, X, r)
            for f in 0..<5 { XCTAssertEqual(e.contributions[f][r], bf[f], accuracy: 1e-12, "row \(r) feature \(f)") }
            XCTAssertEqual(e.expectedValue + e.row(r).reduce(0, +), p[r], accuracy: 1e-9)
        }
        // The expected value is the weighted training positive rate.
        XCTAssertEqual(e.expectedValue, y.reduce(0, +) / 300, accuracy: 1e-12)
    }

    func testGradientBoostingMatchesBruteForce() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 400, numeric: 3, categorical: 2, seed: 12)
        var o = GradientBoostingOptions(); o.nIterations = 4; o.numLeaves = 12; o.minDataInLeaf = 5; o.minDataPerGroup = 5
        let m = try GradientBoosting.fit(X, y, options: o)
        let e = try m.explain(X)
        XCTAssertEqual(e.scale, .logOdds)
        let raw = try m.predictRaw(X)
        for r in 0..<30 {
            let bf = bruteForce(m.trees, scale: 1, X, r)
            for f in 0..<5 { XCTAssertEqual(e.contributions[f][r], bf[f], accuracy: 1e-12, "row \(r) feature \(f)") }
            XCTAssertEqual(e.expectedValue + e.row(r).reduce(0, +), raw[r], accuracy: 1e-9)
        }
    }

    func testForestContributionsSumToPrediction() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 500, numeric: 4, categorical: 2, seed: 13)
        var o = RandomForestOptions(); o.nTrees = 8; o.maxDepth = 8
        let m = try RandomForest.fit(X, y, options: o)
        let e = try m.explain(X)
        let p = try m.predictProba(X)
        for r in 0..<X.nrow { XCTAssertEqual(e.expectedValue + e.row(r).reduce(0, +), p[r], accuracy: 1e-9) }
        let bf = bruteForce(m.trees, scale: 1.0 / 8, X, 7)
        for f in 0..<6 { XCTAssertEqual(e.contributions[f][7], bf[f], accuracy: 1e-12) }
    }

    /// Random leaf-wise trees with random covers (children split their parent's cover at a
    /// random fraction), numeric and categorical splits, features repeating along paths.
    func randomCoverTrees(_ count: Int, leaves: Int, numeric: Int, categorical: Int, seed: UInt64) -> [Tree] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            var t = Tree()
            _ = t.addNode(value: rng.normal(), cover: 100)
            var open = [0]
            while open.count < leaves {
                let id = open.remove(at: rng.below(open.count))
                let share = 0.05 + 0.9 * rng.uniform()
                let l = t.addNode(value: rng.normal(), cover: t.cover[id] * share)
                let r = t.addNode(value: rng.normal(), cover: t.cover[id] * (1 - share))
                let f = rng.below(numeric + categorical)
                if f >= numeric {
                    let codes = (0..<8).filter { _ in rng.uniform() < 0.5 }.map(Int32.init)
                    t.setCategoricalSplit(id, feature: f, leftCodes: codes.isEmpty ? [1] : codes, defaultLeft: rng.uniform() < 0.5,
                                          left: l, right: r, gain: 1)
                } else {
                    t.setNumericSplit(id, feature: f, threshold: rng.normal(), defaultLeft: rng.uniform() < 0.5, left: l, right: r, gain: 1)
                }
                open.append(l); open.append(r)
            }
            return t
        }
    }

    /// The per-leaf tables (`LeafSHAPTables`) give the exact recursion's values to 1e-9 on
    /// random trees, with missing numeric values and categories (both routed by the learned
    /// direction) and unseen category codes, for tabled leaves and for leaves past
    /// `maxPathFeatures` (computed per row); a tree with a zero cover fraction keeps the recursion.
    func testLeafTablesMatchExactRecursion() throws {
        let numeric = 16, categorical = 2, n = 200
        var rng = SeededRandom(seed: 31)
        var cols: [FeatureValues] = (0..<numeric).map { _ in
            .numeric((0..<n).map { _ in rng.uniform() < 0.1 ? .nan : rng.normal() })
        }
        for _ in 0..<categorical {
            cols.append(.categorical(codes: (0..<n).map { _ in rng.uniform() < 0.1 ? -1 : Int32(rng.below(10)) }, levels: (0..<10).map { "l\($0)" }))
        }
        // 31 leaves over 7 features (every path tabled) and 200 leaves over 18 (deep lopsided paths).
        let shallow = randomCoverTrees(15, leaves: 31, numeric: 5, categorical: 2, seed: 32).map { t -> Tree in
            var t = t   // categorical features are the last two columns
            for i in t.nodes.indices where t.nodes[i].feature >= 5 { t.nodes[i].feature += Int32(numeric - 5) }
            return t
        }
        let deep = randomCoverTrees(10, leaves: 200, numeric: numeric, categorical: categorical, seed: 34)
        let trees = shallow + deep
        let tables = try LeafSHAPTables(trees)
        XCTAssertEqual(tables.tabled, [Bool](repeating: true, count: trees.count))
        XCTAssertEqual(tables.pathFeatureBound, LeafSHAPTables.maxPathFeatures)
        // Leaves past a lowered bound are computed per row.
        let lowTables = try LeafSHAPTables(trees, maxPathFeatures: 6)
        XCTAssertEqual(lowTables.pathFeatureBound, 6)
        XCTAssertGreaterThan(lowTables.perRowLeafCount, 100)
        XCTAssertGreaterThan(tables.leaves.count - lowTables.perRowLeafCount, 100)
        // The shallow trees (7 features) are fully tabled: their leaves come first.
        let shallowLeaves = shallow.reduce(0) { $0 + $1.leafCount }
        XCTAssertTrue(tables.leaves[0..<shallowLeaves].allSatisfy { $0.table_start >= 0 })
        XCTAssertEqual(tables.leaves.count, trees.reduce(0) { $0 + $1.leafCount })
        let exact = try TreeSHAP.contributions(trees, features: cols, nrow: n, scale: 0.7)
        for (threads, t) in [(1, tables), (2, tables), (1, lowTables), (2, lowTables)] {
            let fast = try TreesTestSupport.withThreads(threads) {
                try TreeSHAP.contributions(trees, features: cols, nrow: n, scale: 0.7, tables: t)
            }
            for f in 0..<(numeric + categorical) {
                for r in 0..<n { XCTAssertEqual(fast[f][r], exact[f][r], accuracy: 1e-9, "feature \(f) row \(r)") }
            }
        }
        // A zero-cover child: no table (the formula divides by the cover fraction).
        var zero = randomCoverTrees(1, leaves: 4, numeric: 2, categorical: 0, seed: 33)[0]
        XCTAssertNotNil(LeafSHAPTables.paths(zero))
        zero.cover[Int(zero.nodes[0].left)] = 0
        XCTAssertNil(LeafSHAPTables.paths(zero))
        // A path over more than 64 distinct features keeps the recursion (the row's mask is
        // 64 bits) while the model's other trees are tabled: a chain splitting on features
        // 0...64 in turn (each split sends 30 % of the cover to a leaf on the left).
        var chain = Tree()
        _ = chain.addNode(value: 0, cover: 100)
        var at = 0
        for f in 0..<65 {
            let l = chain.addNode(value: rng.normal(), cover: chain.cover[at] * 0.3)
            let r = chain.addNode(value: rng.normal(), cover: chain.cover[at] * 0.7)
            chain.setNumericSplit(at, feature: f, threshold: rng.normal(), defaultLeft: f % 2 == 0, left: l, right: r, gain: 1)
            at = r
        }
        let wide: [FeatureValues] = (0..<66).map { _ in .numeric((0..<n).map { _ in rng.uniform() < 0.05 ? .nan : rng.normal() + 1.5 }) }
        let mixed = [chain] + randomCoverTrees(5, leaves: 31, numeric: 66, categorical: 0, seed: 35)
        let mixedTables = try LeafSHAPTables(mixed)
        XCTAssertEqual(mixedTables.tabled, [false] + [Bool](repeating: true, count: 5))
        let mixedExact = try TreeSHAP.contributions(mixed, features: wide, nrow: n, scale: 1.3)
        let mixedFast = try TreeSHAP.contributions(mixed, features: wide, nrow: n, scale: 1.3, tables: mixedTables)
        for f in 0..<66 {
            for r in 0..<n { XCTAssertEqual(mixedFast[f][r], mixedExact[f][r], accuracy: 1e-9, "mixed: feature \(f) row \(r)") }
        }
    }
}
