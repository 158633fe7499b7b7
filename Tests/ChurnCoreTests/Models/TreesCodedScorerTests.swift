import Foundation
import XCTest
import CKernels
@testable import ChurnCore

/// `CodedTreeScorer` (inputs coded as threshold ranks, fixed-depth walks in C)
/// against the default traversal and the reference walk `Tree.leaf(row:)`:
/// bit-identical outputs on random trees and inputs full of edge cases, for
/// one- and two-byte codes, odd row counts and thread counts 1–3. Small trees go through
/// the refill walk (`ck_tree_refill_*`), and single rows through its refill across trees
/// (`ck_tree_row_refill_*`), unless a tree has too many nodes for its 15-bit child numbers
/// (then the eight-row and eight-tree walks).
final class TreesCodedScorerTests: XCTestCase {
    /// Random leaf-wise trees (splits on a random leaf, as a booster grows them) over
    /// `numeric` numeric features (thresholds from `grid`) and `categorical` ones
    /// (60 levels: bitsets of one word, some of two).
    func randomTrees(_ count: Int, leaves: Int, numeric: Int, categorical: Int, grid: [Double], seed: UInt64) -> [Tree] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            var t = Tree()
            _ = t.addNode(value: 0, cover: 1)
            var open = [0]
            while open.count < leaves {
                let id = open.remove(at: rng.below(open.count))
                let l = t.addNode(value: rng.normal(), cover: 1), r = t.addNode(value: rng.normal(), cover: 1)
                let f = rng.below(numeric + categorical)
                if f >= numeric {
                    let top = rng.uniform() < 0.2 ? 100 : 60
                    let codes = (0..<top).filter { _ in rng.uniform() < 0.4 }.map(Int32.init)
                    t.setCategoricalSplit(id, feature: f, leftCodes: codes.isEmpty ? [3] : codes, defaultLeft: rng.uniform() < 0.5,
                                          left: l, right: r, gain: 1)
                } else {
                    t.setNumericSplit(id, feature: f, threshold: grid[rng.below(grid.count)], defaultLeft: rng.uniform() < 0.5,
                                      left: l, right: r, gain: 1)
                }
                open.append(l); open.append(r)
            }
            return t
        }
    }

    /// Inputs drawing numeric values from the thresholds themselves (exact ties), values
    /// between and beyond them, ±0, ±∞ and NaN; category codes -1 (missing), inside the
    /// bitsets and past them (unseen levels).
    func randomInputs(rows n: Int, numeric: Int, categorical: Int, grid: [Double], seed: UInt64) -> [FeatureValues] {
        var rng = SeededRandom(seed: seed)
        let special: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1e300, -1e300]
        var cols: [FeatureValues] = (0..<numeric).map { _ in
            .numeric((0..<n).map { _ in
                let u = rng.uniform()
                if u < 0.1 { return special[rng.below(special.count)] }
                if u < 0.5 { return grid[rng.below(grid.count)] }
                return grid[rng.below(grid.count)] + (rng.uniform() - 0.5) * 0.01
            })
        }
        for _ in 0..<categorical {
            cols.append(.categorical(codes: (0..<n).map { _ in
                let u = rng.uniform()
                return u < 0.08 ? -1 : u < 0.12 ? Int32(130 + rng.below(100)) : Int32(rng.below(128))
            }, levels: (0..<200).map { "l\($0)" }))
        }
        return cols
    }

    func check(_ trees: [Tree], _ cols: [FeatureValues], rows: [Int], codeMax: Int, refill: Bool = true,
               file: StaticString = #filePath, line: UInt = #line) throws {
        guard let scorer = try CodedTreeScorer(trees, features: cols) else { return XCTFail("not compiled", file: file, line: line) }
        XCTAssertEqual(scorer.codeMax, codeMax, file: file, line: line)
        XCTAssertEqual(scorer.blockShift, 8, file: file, line: line)
        XCTAssertEqual(scorer.splitRoots.count, refill ? trees.count : 0, "refill walk", file: file, line: line)
        for n in rows {
            let sub = cols.map { c -> FeatureValues in
                switch c {
                case .numeric(let v): return .numeric(Array(v[0..<n]))
                case .categorical(let c, let l): return .categorical(codes: Array(c[0..<n]), levels: l)
                }
            }
            let expected = try TreeEnsemble.predictByRowBlocks(trees, features: sub, nrow: n, base: 0.25, scale: 0.5)
            // The reference walk, summed in tree order like both traversals.
            let walked: [Double] = withRawColumns(sub) { raw in
                (0..<n).map { r in 0.25 + 0.5 * trees.reduce(0.0) { $0 + $1.value[$1.leaf(row: r, columns: raw)] } }
            }
            XCTAssertEqual(expected.map(\.bitPattern), walked.map(\.bitPattern), "rows \(n)", file: file, line: line)
            for threads in [1, 2, 3] {
                let got = try TreesTestSupport.withThreads(threads) { try scorer.predict(columns: sub, nrow: n, base: 0.25, scale: 0.5) }
                XCTAssertEqual(got.map(\.bitPattern), expected.map(\.bitPattern), "rows \(n), threads \(threads)", file: file, line: line)
            }
        }
    }

    func testOneByteCodesMatchReferenceOnEdgeCases() throws {
        // 200 distinct thresholds per feature at most (one-byte codes), with ties to ±0 and ±∞.
        var grid = (0..<197).map { Double($0 - 98) * 0.37 }
        grid += [0, -0.0, .infinity, -.infinity]
        let trees = randomTrees(40, leaves: 63, numeric: 6, categorical: 2, grid: grid, seed: 1)
        let cols = randomInputs(rows: 5000, numeric: 6, categorical: 2, grid: grid, seed: 2)
        // 257-261 and 1029: a last block of 1-5 rows (fewer rows than the refill walk's lanes, and one more).
        try check(trees, cols, rows: [1, 7, 255, 256, 257, 258, 259, 260, 261, 1029, 5000], codeMax: 255)
    }

    /// Depth-1 trees (every row's leaf one step away: a lane refills at each step), mixed with
    /// single leaves and deeper trees, numeric and categorical stumps, NaN and unseen codes.
    func testStumpsAndSingleLeavesInTheRefillWalk() throws {
        var grid = (0..<50).map { Double($0) * 0.5 - 12 }
        grid += [0, .infinity]
        var trees = randomTrees(30, leaves: 2, numeric: 3, categorical: 2, grid: grid, seed: 21)
        var leaf = Tree()
        _ = leaf.addNode(value: -0.0, cover: 1)
        trees.insert(leaf, at: 7)
        trees += randomTrees(5, leaves: 9, numeric: 3, categorical: 2, grid: grid, seed: 22)
        trees.append(leaf)
        XCTAssertEqual(trees.map(\.depth).min(), 0)
        let cols = randomInputs(rows: 1300, numeric: 3, categorical: 2, grid: grid, seed: 23)
        try check(trees, cols, rows: [9, 256, 259, 700, 1300], codeMax: 255)
    }

    /// A small-tree ensemble with one tree of 32,768 leaves (balanced, depth 15): past the refill
    /// walk's 15-bit child numbers, so every block takes the eight-row walk and the m % 8 tail.
    func testTreeTooWideForTheRefillWalkKeepsTheEightRowWalk() throws {
        let grid = (0..<200).map { Double($0) * 0.25 }
        var rng = SeededRandom(seed: 24)
        var wide = Tree()
        _ = wide.addNode(value: 0, cover: 1)
        var level = [0]
        for _ in 0..<15 {
            var nextLevel: [Int] = []
            for id in level {
                let l = wide.addNode(value: rng.normal(), cover: 1), r = wide.addNode(value: rng.normal(), cover: 1)
                wide.setNumericSplit(id, feature: rng.below(2), threshold: grid[rng.below(grid.count)], defaultLeft: rng.uniform() < 0.5,
                                     left: l, right: r, gain: 1)
                nextLevel += [l, r]
            }
            level = nextLevel
        }
        XCTAssertEqual(wide.nodeCount, 65535)
        var leaf = Tree()
        _ = leaf.addNode(value: 0.5, cover: 1)
        // Enough single leaves that the mean tree stays below `DeepTreeScorer.minMeanNodes` (256-row blocks).
        let trees = randomTrees(3, leaves: 31, numeric: 2, categorical: 0, grid: grid, seed: 25) + [wide]
            + [Tree](repeating: leaf, count: 150)
        let cols = randomInputs(rows: 600, numeric: 2, categorical: 0, grid: grid, seed: 26)
        // 1 and 5 rows: single rows through the eight-tree walk (no splits-only form to refill across trees).
        try check(trees, cols, rows: [1, 5, 13, 263, 600], codeMax: 255, refill: false)
    }

    func testTwoByteCodesWhenAFeatureHasManyThresholds() throws {
        let grid = (0..<3000).map { Double($0) * 0.001 - 1.5 }
        let trees = randomTrees(60, leaves: 127, numeric: 2, categorical: 1, grid: grid, seed: 3)
        let cols = randomInputs(rows: 3001, numeric: 2, categorical: 1, grid: grid, seed: 4)
        try check(trees, cols, rows: [3, 300, 3001], codeMax: 65535)
    }

    /// Single-leaf trees (no input read) and a chain tree as deep as the walk allows.
    func testLeafOnlyAndDeepChainTrees() throws {
        var leaf = Tree()
        _ = leaf.addNode(value: 0.75, cover: 1)
        var chain = Tree()
        let depth = CodedTreeScorer.maxDepth
        for _ in 0...(2 * depth) { _ = chain.addNode(value: Double(chain.nodeCount) * 0.01, cover: 1) }
        for d in 0..<depth {
            chain.setNumericSplit(2 * d, feature: 0, threshold: Double(d), defaultLeft: d % 2 == 0, left: 2 * d + 2, right: 2 * d + 1, gain: 0)
        }
        let grid = (0..<depth).map(Double.init)
        let cols = randomInputs(rows: 600, numeric: 1, categorical: 0, grid: grid, seed: 5)
        try check([leaf, leaf], cols, rows: [600], codeMax: 255)
        try check([leaf, chain, leaf], cols, rows: [1, 600], codeMax: 255)
        // One level deeper: the default traversal keeps it.
        var deeper = chain
        let a = deeper.addNode(value: 1, cover: 1), b = deeper.addNode(value: 2, cover: 1)
        deeper.setNumericSplit(2 * depth, feature: 0, threshold: 0.5, defaultLeft: false, left: a, right: b, gain: 0)
        XCTAssertEqual(deeper.depth, depth + 1)
        XCTAssertNil(try CodedTreeScorer([deeper], features: cols))
    }

    /// A fitted booster's trees compile (one-byte codes) and score exactly as the default traversal.
    func testFittedBoosterScoresBitIdentically() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 3000, numeric: 4, categorical: 2, seed: 79)
        var o = GradientBoostingOptions(); o.nIterations = 30; o.numLeaves = 31
        let m = try GradientBoosting.fit(X, y, options: o)
        let cols = try m.schema.align(X)
        let scorer = try XCTUnwrap(try CodedTreeScorer(m.trees, features: cols))
        XCTAssertEqual(scorer.codeMax, 255)
        XCTAssertEqual(scorer.blockShift, 8)
        let expected = try m.predictRaw(X)
        for threads in [1, 2, 3] {
            let got = try TreesTestSupport.withThreads(threads) { try scorer.predict(columns: cols, nrow: X.nrow, base: m.initScore, scale: 1) }
            XCTAssertEqual(got.map(\.bitPattern), expected.map(\.bitPattern), "threads \(threads)")
        }
    }

    /// A depth-limited forest (large trees: 4,096-row blocks, categorical splits counted per
    /// tree) scores as the default traversal, through the model's entry point too; past
    /// `maxLargeTreeDepth` the forest keeps `DeepTreeScorer`.
    func testDepthLimitedForestUsesLargeBlocksBitIdentically() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 9000, numeric: 4, categorical: 2, seed: 80)
        var o = RandomForestOptions(); o.nTrees = 4; o.maxDepth = 14; o.seed = 6; o.maxFeatures = .all
        let forest = try RandomForest.fit(X, y, options: o)
        var cols = X.features
        // Exact thresholds and ±∞ in the numeric columns, unseen codes in the categorical ones.
        for (f, col) in cols.enumerated() {
            switch col {
            case .numeric(var v):
                let th = forest.trees.flatMap { t in t.nodes.filter { $0.feature == Int32(f) && $0.categoryStart < 0 }.map(\.threshold) }
                for i in stride(from: 0, to: v.count, by: 7) { v[i] = th.isEmpty ? 0 : th[i % th.count] }
                v[1] = .infinity; v[2] = -.infinity; v[3] = .nan
                cols[f] = .numeric(v)
            case .categorical(var c, let levels):
                for i in stride(from: 5, to: c.count, by: 53) { c[i] = 130 }
                cols[f] = .categorical(codes: c, levels: levels)
            }
        }
        let scorer = try XCTUnwrap(try CodedTreeScorer(forest.trees, features: cols))
        XCTAssertEqual(scorer.blockShift, 12)
        XCTAssertTrue(scorer.splitRoots.isEmpty)   // large trees keep the full-depth eight-row walk
        XCTAssertGreaterThan(scorer.categorical.count, 0)
        for n in [1025, 4096, 4097, 9000] {
            let sub = cols.map { c -> FeatureValues in
                switch c {
                case .numeric(let v): return .numeric(Array(v[0..<n]))
                case .categorical(let c, let l): return .categorical(codes: Array(c[0..<n]), levels: l)
                }
            }
            let expected = try TreeEnsemble.predictByRowBlocks(forest.trees, features: sub, nrow: n, base: 0, scale: 1 / 4)
            for threads in [1, 2, 3] {
                let got = try TreesTestSupport.withThreads(threads) { try scorer.predict(columns: sub, nrow: n, base: 0, scale: 1 / 4) }
                XCTAssertEqual(got.map(\.bitPattern), expected.map(\.bitPattern), "rows \(n), threads \(threads)")
            }
        }
        let viaModel = try forest.predictProba(X)
        let direct = try TreeEnsemble.predictByRowBlocks(forest.trees, features: try forest.schema.align(X), nrow: X.nrow, base: 0, scale: 1 / 4)
        XCTAssertEqual(viaModel.map(\.bitPattern), direct.map(\.bitPattern))
        // Deeper than the large-tree limit: not compiled.
        o.maxDepth = 30
        let deep = try RandomForest.fit(X, y, options: o)
        XCTAssertGreaterThan(deep.trees.map(\.depth).max()!, CodedTreeScorer.maxLargeTreeDepth)
        XCTAssertNil(try CodedTreeScorer(deep.trees, features: cols))
    }

    /// Row-major inputs (a server's request rows) score as the columns do, bit for bit:
    /// blocks of eight rows, the last m % 8 rows, and single rows coded compactly.
    /// Row-major rows (a server's request) against the default traversal. Rows of fewer than eight
    /// are coded one at a time by `RowCoding` (every slot in one C call), for one- and two-byte codes
    /// and for trees of single leaves (one slot without a feature).
    func testRowMajorRowsMatchColumns() throws {
        var grid = (0..<197).map { Double($0 - 98) * 0.37 }
        grid += [0, -0.0, .infinity, -.infinity]
        let wide = (0..<3000).map { Double($0) * 0.001 - 1.5 }
        var leaf = Tree()
        _ = leaf.addNode(value: -0.25, cover: 1)
        for (trees, grid, codeMax) in [(randomTrees(37, leaves: 63, numeric: 5, categorical: 0, grid: grid, seed: 11), grid, 255),
                                       (randomTrees(20, leaves: 127, numeric: 5, categorical: 0, grid: wide, seed: 13), wide, 65535),
                                       ([Tree](repeating: leaf, count: 3), grid, 255)] {
            let cols = randomInputs(rows: 700, numeric: 5, categorical: 0, grid: grid, seed: 12)
            let scorer = try XCTUnwrap(try CodedTreeScorer(trees, categorical: [Bool](repeating: false, count: 5)))
            XCTAssertTrue(scorer.readsOnlyNumeric)
            XCTAssertNotNil(scorer.rowCoding)
            XCTAssertEqual(scorer.codeMax, codeMax)
            for n in [1, 3, 8, 13, 256, 700] {
                let sub = cols.map { c -> FeatureValues in
                    guard case .numeric(let v) = c else { fatalError() }
                    return .numeric(Array(v[0..<n]))
                }
                let expected = try TreeEnsemble.predictByRowBlocks(trees, features: sub, nrow: n, base: -0.5, scale: 2)
                var rows = [Double](repeating: 0, count: n * 5)
                for (f, c) in sub.enumerated() { if case .numeric(let v) = c { for r in 0..<n { rows[r * 5 + f] = v[r] } } }
                var got = [Double](repeating: 0, count: n)
                try rows.withUnsafeBufferPointer { rp in
                    try got.withUnsafeMutableBufferPointer { try scorer.predict(rows: rp.baseAddress!, stride: 5, nrow: n, base: -0.5, scale: 2, into: $0.baseAddress!) }
                }
                XCTAssertEqual(got.map(\.bitPattern), expected.map(\.bitPattern), "code max \(codeMax), \(trees.count) trees, rows \(n)")
            }
        }
        // The row coding itself against the slot-by-slot coding of the same values.
        let scorer = try XCTUnwrap(try CodedTreeScorer(randomTrees(20, leaves: 127, numeric: 5, categorical: 0, grid: wide, seed: 13),
                                                       categorical: [Bool](repeating: false, count: 5)))
        let row: [Double] = [.nan, -1.5, 1.4985, 7, -.infinity]
        var fused = [UInt16](repeating: 9, count: scorer.slots.count)
        row.withUnsafeBufferPointer { scorer.rowCoding!.code(row: $0.baseAddress!, into: &fused) }
        let bySlot = scorer.slots.map { slot -> UInt16 in
            let v = row[slot.feature]
            return v.isNaN ? 65535 : UInt16(slot.thresholds.filter { $0 < v }.count)
        }
        XCTAssertEqual(fused, bySlot)
        XCTAssertEqual(fused[scorer.slots.firstIndex { $0.feature == 0 }!], 65535)
    }

    /// A booster's cached compiled trees: `predictRaw` and the row-major entry point equal the
    /// default traversal bit for bit; a model with a categorical feature has no row-major path.
    func testBoosterCachedScorerAndRowMajorProbabilities() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 2000, numeric: 6, categorical: 0, seed: 81)
        var o = GradientBoostingOptions(); o.nIterations = 40; o.numLeaves = 63; o.minDataInLeaf = 5
        let m = try GradientBoosting.fit(X, y, options: o)
        let cols = try m.schema.align(X)
        let reference = try TreeEnsemble.predictByRowBlocks(m.trees, features: cols, nrow: X.nrow, base: m.initScore, scale: 1)
        for threads in [1, 2, 3] {
            let raw = try TreesTestSupport.withThreads(threads) { try m.predictRaw(X) }
            XCTAssertEqual(raw.map(\.bitPattern), reference.map(\.bitPattern), "threads \(threads)")
        }
        let p = try m.predictProba(X)
        XCTAssertEqual(p.map(\.bitPattern), reference.map { TreeMath.sigmoid($0).bitPattern })
        var rows = [Double](repeating: 0, count: X.nrow * 6)
        for (f, c) in cols.enumerated() { if case .numeric(let v) = c { for r in 0..<X.nrow { rows[r * 6 + f] = v[r] } } }
        for n in [1, 7, 9, 2000] {
            let got = try XCTUnwrap(try rows.withUnsafeBufferPointer { try m.predictProba(rowMajor: UnsafeBufferPointer(rebasing: $0[0..<(n * 6)]), nrow: n) })
            XCTAssertEqual(got.map(\.bitPattern), p[0..<n].map(\.bitPattern), "rows \(n)")
        }
        // Wrong length: refused, not read past.
        XCTAssertNil(try rows.withUnsafeBufferPointer { try m.predictProba(rowMajor: UnsafeBufferPointer(rebasing: $0[0..<5]), nrow: 1) })
        let (Xc, yc) = try TreesTestSupport.randomData(rows: 500, numeric: 2, categorical: 1, seed: 82)
        let mc = try GradientBoosting.fit(Xc, yc, options: o)
        XCTAssertNil(try [Double](repeating: 0, count: 3).withUnsafeBufferPointer { try mc.predictProba(rowMajor: $0, nrow: 1) })
    }

    // MARK: single rows: the refill walk across trees (`ck_tree_row_refill_*`)

    /// Trees of every shape a row meets, shuffled: stumps (numeric and categorical), single leaves
    /// (one of value -0.0), three-leaf trees, leaf-wise trees of 31 leaves and a chain of depth 20.
    func mixedTrees(grid: [Double], seed: UInt64) -> [Tree] {
        var leaf = Tree(), negativeZero = Tree(), chain = Tree()
        _ = leaf.addNode(value: 0.75, cover: 1)
        _ = negativeZero.addNode(value: -0.0, cover: 1)
        for _ in 0...40 { _ = chain.addNode(value: Double(chain.nodeCount) * 0.01 - 0.2, cover: 1) }
        for d in 0..<20 {
            chain.setNumericSplit(2 * d, feature: d % 3, threshold: grid[(d * 7) % grid.count], defaultLeft: d % 2 == 0,
                                  left: 2 * d + 2, right: 2 * d + 1, gain: 0)
        }
        var trees = randomTrees(6, leaves: 2, numeric: 3, categorical: 2, grid: grid, seed: seed)
            + randomTrees(3, leaves: 3, numeric: 3, categorical: 2, grid: grid, seed: seed + 1)
            + randomTrees(4, leaves: 31, numeric: 3, categorical: 2, grid: grid, seed: seed + 2)
            + [leaf, negativeZero, leaf, chain]
        var rng = SeededRandom(seed: seed + 3)
        rng.shuffle(&trees)
        return trees
    }

    /// Row r of every column, as a one-row input.
    func oneRow(_ cols: [FeatureValues], _ r: Int) -> [FeatureValues] {
        cols.map { c -> FeatureValues in
            switch c {
            case .numeric(let v): return .numeric([v[r]])
            case .categorical(let c, let l): return .categorical(codes: [c[r]], levels: l)
            }
        }
    }

    /// Single rows score as the per-tree reference walk (leaf values summed in tree order), bit for bit,
    /// for 1-9 trees (fewer trees than lanes, and not a multiple of them), single leaves alone, and
    /// ensembles past the kernel's 256-tree chunks; one-leaf trees have their split node.
    func testSingleRowsRefillAcrossTreesMatchPerTreeReference() throws {
        var grid = (0..<120).map { Double($0) * 0.25 - 15 }
        grid += [0, -0.0, .infinity]
        let pool = mixedTrees(grid: grid, seed: 31)
        let cols = randomInputs(rows: 48, numeric: 3, categorical: 2, grid: grid, seed: 32)
        var ensembles: [[Tree]] = []
        for count in 1...9 {
            for offset in [0, 5, 11] { ensembles.append((0..<count).map { pool[($0 + offset) % pool.count] }) }
        }
        let single = pool.filter { $0.nodeCount == 1 }
        XCTAssertTrue(single.contains { $0.value[0].sign == .minus })
        ensembles += [[single[0]], single.filter { $0.value[0].sign == .minus }, single]
        ensembles += [256, 257, 515].map { n in (0..<n).map { pool[($0 * 7) % pool.count] } }
        for trees in ensembles {
            let scorer = try XCTUnwrap(try CodedTreeScorer(trees, features: cols))
            XCTAssertEqual(scorer.splitRoots.count, trees.count, "\(trees.count) trees: splits-only form")
            for (t, tree) in trees.enumerated() where tree.nodeCount == 1 {
                XCTAssertEqual(scorer.splitCounts[t], 0)
                XCTAssertEqual(scorer.splitNodes[Int(scorer.splitRoots[t])] >> 32, 0x8000_8000, "both children leaf 0")
            }
            let reference: [Double] = withRawColumns(cols) { raw in
                (0..<48).map { r in 0.25 + 0.5 * trees.reduce(0.0) { $0 + $1.value[$1.leaf(row: r, columns: raw)] } }
            }
            for r in 0..<48 {
                let got = try scorer.predict(columns: oneRow(cols, r), nrow: 1, base: 0.25, scale: 0.5)
                XCTAssertEqual(got[0].bitPattern, reference[r].bitPattern, "\(trees.count) trees, row \(r)")
            }
            // Seven rows: each walked alone too.
            let seven = cols.map { c -> FeatureValues in
                switch c {
                case .numeric(let v): return .numeric(Array(v[0..<7]))
                case .categorical(let c, let l): return .categorical(codes: Array(c[0..<7]), levels: l)
                }
            }
            let got = try scorer.predict(columns: seven, nrow: 7, base: 0.25, scale: 0.5)
            XCTAssertEqual(got.map(\.bitPattern), reference[0..<7].map(\.bitPattern), "\(trees.count) trees, 7 rows")
        }
    }

    /// The kernel against the eight-tree walk it replaces, on the same compiled trees (one- and two-byte
    /// codes, categorical splits) and arbitrary codes (any code is an input: the missing code, codes past
    /// a slot's thresholds or a bitset), for every tree count 1 ... 300 (the kernel's chunks are 256 trees)
    /// and a nonzero starting sum.
    func testRowRefillKernelMatchesEightTreeWalk() throws {
        for (grid, codeMax) in [((0..<200).map { Double($0) * 0.1 }, 255), ((0..<3000).map { Double($0) * 0.01 }, 65535)] {
            // Two-byte codes: leaf-wise trees on feature 0 alone give it over 254 distinct thresholds.
            let pool = mixedTrees(grid: grid, seed: UInt64(codeMax))
                + (codeMax == 255 ? [] : randomTrees(12, leaves: 31, numeric: 1, categorical: 0, grid: grid, seed: 34))
            let trees = (0..<300).map { pool[($0 * 5) % pool.count] }
            let scorer = try XCTUnwrap(try CodedTreeScorer(trees, categorical: [false, false, false, true, true]))
            XCTAssertEqual(scorer.codeMax, codeMax)
            XCTAssertEqual(scorer.splitRoots.count, trees.count)
            XCTAssertGreaterThan(scorer.categorical.count, 0)
            var rng = SeededRandom(seed: 33)
            for _ in 0..<40 {
                let codes: [UInt16] = (0..<scorer.slots.count).map { _ in
                    let u = rng.uniform()
                    return UInt16(u < 0.1 ? codeMax : u < 0.2 ? 0 : u < 0.3 ? rng.below(codeMax) : rng.below(grid.count + 2))
                }
                let bytes = codes.map { UInt8(truncatingIfNeeded: $0) }
                for n in 1...300 {
                    var eight = -1.5, refill = -1.5
                    if codeMax == 255 {
                        ck_tree_row_u8(scorer.nodes, scorer.values, scorer.roots, scorer.depths, scorer.minDepths, scorer.categoricalRoots,
                                       Int64(n), bytes, 0, scorer.categorical, scorer.categoryBits, &eight)
                        ck_tree_row_refill_u8(scorer.splitNodes, scorer.splitRoots, scorer.leafValues, scorer.leafRoots, scorer.categoricalRoots,
                                              Int64(n), bytes, scorer.categorical, scorer.categoryBits, &refill)
                    } else {
                        ck_tree_row_u16(scorer.nodes, scorer.values, scorer.roots, scorer.depths, scorer.minDepths, scorer.categoricalRoots,
                                        Int64(n), codes, 0, scorer.categorical, scorer.categoryBits, &eight)
                        ck_tree_row_refill_u16(scorer.splitNodes, scorer.splitRoots, scorer.leafValues, scorer.leafRoots, scorer.categoricalRoots,
                                               Int64(n), codes, scorer.categorical, scorer.categoryBits, &refill)
                    }
                    XCTAssertEqual(refill.bitPattern, eight.bitPattern, "codes \(codeMax), \(n) trees")
                }
            }
        }
    }
}
