import Foundation
import XCTest
@testable import ChurnCore

final class TreesGBDTTests: XCTestCase {
    /// One tree, two leaves, hand-computed: base rate 1/2 → init 0, g = p − y = ±0.5,
    /// h = 0.25; the split x <= 2.5 gives leaves −G/H = −(1.0)/0.5 = −2 and +2 (lr 1).
    func testSingleSplitByHand() throws {
        let X = try FeatureMatrix(names: ["x"], features: [.numeric([1, 2, 3, 4])])
        var o = GradientBoostingOptions()
        o.nIterations = 1; o.numLeaves = 2; o.learningRate = 1; o.minDataInLeaf = 1; o.minChildWeight = 0
        let m = try GradientBoosting.fit(X, [0, 0, 1, 1], options: o)
        XCTAssertEqual(m.initScore, 0)
        let t = m.trees[0]
        XCTAssertEqual(t.nodes[0].threshold, 2.5)
        XCTAssertEqual(t.value[Int(t.nodes[0].left)], -2)
        XCTAssertEqual(t.value[Int(t.nodes[0].right)], 2)
        // Gain = GL²/HL + GR²/HR − G²/H = 1/0.5 + 1/0.5 − 0 = 4.
        XCTAssertEqual(t.gain[0], 4)
        XCTAssertEqual(try m.predictRaw(X), [-2, -2, 2, 2])
        XCTAssertEqual(try m.predictProba(X)[0], 1 / (1 + exp(2.0)), accuracy: 1e-15)
        XCTAssertEqual(m.importance(.split), [1])
    }

    /// Missing values all positive: the learned default direction sends NaN to the positive leaf.
    func testMissingValuesLearnDirection() throws {
        var x: [Double] = [], y: [Double] = []
        for i in 0..<60 { x.append(Double(i)); y.append(i < 30 ? 0 : 1) }
        for _ in 0..<20 { x.append(.nan); y.append(1) }
        for i in 0..<20 { x.append(Double(i)); y.append(1) }   // some noise on the low side
        let X = try FeatureMatrix(names: ["x"], features: [.numeric(x)])
        var o = GradientBoostingOptions(); o.nIterations = 1; o.numLeaves = 2; o.minDataInLeaf = 5
        let m = try GradientBoosting.fit(X, y, options: o)
        XCTAssertEqual(m.trees[0].nodes[0].threshold, 29.5)
        XCTAssertFalse(m.trees[0].nodes[0].defaultLeft)
        let p = try m.predictProba(try FeatureMatrix(names: ["x"], features: [.numeric([.nan, 0, 50])]))
        XCTAssertEqual(p[0], p[2]); XCTAssertLessThan(p[1], p[0])
    }

    /// Reference: References/trees_mlc_churn_reference.py → LightGBM test AUC 0.9183297637590861
    /// (100 trees, lr 0.1, 31 leaves, min_data_in_leaf 20, max_bin 255, native categoricals).
    func testMlcChurnAUCMatchesLightGBM() throws {
        let (X, y) = try TreesTestSupport.mlcChurn()
        let (Xtr, ytr, Xte, yte) = TreesTestSupport.split(X, y)
        XCTAssertEqual(Xtr.nrow, 4000); XCTAssertEqual(yte.reduce(0, +), 144)
        let m = try GradientBoosting.fit(Xtr, ytr)
        let auc = TreesTestSupport.auc(try m.predictProba(Xte), yte)
        XCTAssertEqual(auc, 0.9183297637590861, accuracy: 0.01)
        print("mlc_churn GBDT test AUC", auc)
        XCTAssertEqual(TreeMath.auc(try m.predictProba(Xte), yte), auc, accuracy: 1e-12)
        // The most useful features of this table: day minutes/charge and service calls lead.
        let imp = m.importance(.gain)
        let top = imp.indices.sorted { imp[$0] > imp[$1] }.prefix(4).map { Xtr.names[$0] }
        XCTAssertTrue(top.contains("number_customer_service_calls"), "\(top)")
    }

    func testEarlyStoppingKeepsBestIteration() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 1200, numeric: 4, categorical: 1, seed: 21)
        let tr = Array(0..<800), te = Array(800..<1200)
        let eval = EvalSet(X: X.take(te), y: te.map { y[$0] })
        var o = GradientBoostingOptions(); o.nIterations = 200; o.learningRate = 0.5; o.earlyStoppingRounds = 5
        var calls: [BoostingProgress] = []
        let m = try GradientBoosting.fit(X.take(tr), tr.map { y[$0] }, evalSet: eval, options: o) { calls.append($0) }
        let hist = m.evalLossHistory
        let best = hist.indices.min { hist[$0] < hist[$1] }!
        XCTAssertEqual(m.bestIteration, best)
        XCTAssertEqual(m.trees.count, best + 1)
        XCTAssertEqual(hist.count, best + 6)                      // stopped 5 rounds after the best
        XCTAssertLessThan(hist.count, 200)
        XCTAssertEqual(calls.count, hist.count)
        XCTAssertEqual(calls.map { $0.evalLoss! }, hist)
        XCTAssertLessThan(calls.last!.trainLoss, calls.first!.trainLoss)
        // Same model as training exactly best + 1 rounds.
        o.nIterations = best + 1; o.earlyStoppingRounds = nil
        let direct = try GradientBoosting.fit(X.take(tr), tr.map { y[$0] }, options: o)
        XCTAssertEqual(direct.trees, m.trees)
    }

    func testDeterministicAcrossThreadsAndSeeds() throws {
        let (X, y) = try TreesTestSupport.randomData(rows: 8_000, numeric: 6, categorical: 2, seed: 22)
        var o = GradientBoostingOptions(); o.nIterations = 5; o.baggingFraction = 0.7; o.featureFraction = 0.6; o.seed = 3
        // Small row chunks so histograms are built in several chunks and reduced.
        let oldChunk = HistogramBuilder.rowChunk
        HistogramBuilder.rowChunk = 1024
        defer { HistogramBuilder.rowChunk = oldChunk }
        var last: BoostingProgress? = nil
        let a = try TreesTestSupport.withThreads(1) { try GradientBoosting.fit(X, y, options: o) { last = $0 } }
        let b = try TreesTestSupport.withThreads(4) { try GradientBoosting.fit(X, y, options: o) }
        XCTAssertEqual(a.trees, b.trees)
        o.seed = 4
        let c = try GradientBoosting.fit(X, y, options: o)
        XCTAssertNotEqual(a.trees, c.trees)
        let back = try TreesTestSupport.roundTrip(a)
        XCTAssertEqual(try back.predictProba(X).map(\.bitPattern), try a.predictProba(X).map(\.bitPattern))
        // Bagged rows: training scores of in-bag rows come from leaf ranges, out-of-bag
        // ones from traversal; both must agree with the model's own predictions.
        let raw = try a.predictRaw(X)
        let loss = zip(raw, y).map { f, t in log(1 + exp(f)) - t * f }.reduce(0, +) / Double(X.nrow)
        XCTAssertEqual(last!.trainLoss, loss, accuracy: 1e-12)
    }

    /// The row-wise histogram, cut into row chunks × feature blocks (one chunk in
    /// two feature blocks; two chunks; four chunks with two histograms each; one
    /// task), equals each
    /// feature's sums computed directly from its column. The gradients are
    /// multiples of 1/8 and the hessians of 1/4, so every sum is exact in any
    /// order and the comparison can be exact.
    func testRowWiseBlocksEqualColumnSums() throws {
        // The C kernel reads HistBin as (g, h, n) and GradPair as (g, h) Doubles.
        XCTAssertEqual([MemoryLayout<HistBin>.stride, MemoryLayout<HistBin>.offset(of: \.n)!], [24, 16])
        XCTAssertEqual([MemoryLayout<GradPair>.stride, MemoryLayout<GradPair>.offset(of: \.h)!], [16, 8])
        let (X, _) = try TreesTestSupport.randomData(rows: 6_000, numeric: 7, categorical: 2, seed: 41)
        let data = try BinnedData(X, maxBins: 63, seed: 1)
        try data.makeRowMajor()
        var rng = SeededRandom(seed: 9)
        let gh = (0..<X.nrow).map { _ in GradPair(g: Double(rng.below(17)) / 8 - 1, h: Double(1 + rng.below(4)) / 4) }
        let rows = (0..<X.nrow).filter { $0 % 5 != 2 }.map { UInt32($0) }   // 4,800 rows, not contiguous
        var expected = [HistBin](repeating: HistBin(), count: data.totalBins)
        for f in 0..<data.nfeat {
            let col = data.column(f)
            for r in rows { let b = data.histOffset[f] + Int(col[Int(r)]); expected[b] += HistBin(g: gh[Int(r)].g, h: gh[Int(r)].h, n: 1) }
        }
        let oldChunk = HistogramBuilder.rowChunk, oldMin = HistogramBuilder.minParallelRows
        let oldDual = HistogramBuilder.dualRows
        defer { HistogramBuilder.rowChunk = oldChunk; HistogramBuilder.minParallelRows = oldMin; HistogramBuilder.dualRows = oldDual }
        for (chunk, minRows, dual) in [(32_768, 2_048, 16_384), (2_400, 2_048, 16_384), (1_200, 2_048, 1_000),
                                       (32_768, 100_000, 16_384)] {
            HistogramBuilder.rowChunk = chunk; HistogramBuilder.minParallelRows = minRows; HistogramBuilder.dualRows = dual
            for threads in [1, 2, 3] {
                var hist = [HistBin](repeating: HistBin(g: 7, h: 7, n: 7), count: data.totalBins)
                let scratch = ScratchBuffer((2 * 8 - 1) * data.totalBins, HistBin())
                TreesTestSupport.withThreads(threads) {
                    rows.withUnsafeBufferPointer { rp in
                        gh.withUnsafeBufferPointer { gp in
                            hist.withUnsafeMutableBufferPointer { hp in
                                HistogramBuilder.buildRowWise(into: hp.baseAddress!, data: data, rows: rp.baseAddress!,
                                                              count: rows.count, gh: gp.baseAddress!,
                                                              chunkHists: scratch.p, maxChunks: 8)
                            }
                        }
                    }
                }
                for b in 0..<data.totalBins {
                    XCTAssertEqual([hist[b].g, hist[b].h, hist[b].n], [expected[b].g, expected[b].h, expected[b].n],
                                   "bin \(b), row chunk \(chunk), \(threads) threads")
                }
            }
        }
    }

    /// The chunked parallel partition gives exactly the serial (stable) partition.
    func testParallelPartitionEqualsSerial() {
        let n = 100_000
        var rng = SeededRandom(seed: 5)
        let column = (0..<n).map { _ in UInt8(rng.below(11)) }           // bin 10 = missing
        var rows = (0..<n).filter { $0 % 3 != 0 }.map { UInt32($0) }
        var serial = rows
        var split = SplitCandidate(); split.feature = 0; split.thresholdBin = 4; split.defaultLeft = true
        var scratch = [UInt32](repeating: 0, count: n)
        let m = rows.count
        let a = column.withUnsafeBufferPointer { col in
            scratch.withUnsafeMutableBufferPointer { sc in
                rows.withUnsafeMutableBufferPointer { r in
                    partitionRows(r.baseAddress!, 0, m, scratch: sc.baseAddress!, column: col.baseAddress!, split: split,
                                  missingBin: 10, parallel: true)
                }
            }
        }
        let b = column.withUnsafeBufferPointer { col in
            scratch.withUnsafeMutableBufferPointer { sc in
                serial.withUnsafeMutableBufferPointer { r in
                    partitionRows(r.baseAddress!, 0, m, scratch: sc.baseAddress!, column: col.baseAddress!, split: split,
                                  missingBin: 10, parallel: false)
                }
            }
        }
        XCTAssertEqual(a, b)
        XCTAssertEqual(rows, serial)
        XCTAssertEqual(a, (0..<n).filter { $0 % 3 != 0 && (column[$0] <= 4 || column[$0] == 10) }.count)
        XCTAssertTrue(rows[0..<a].allSatisfy { column[Int($0)] <= 4 || column[Int($0)] == 10 })
        XCTAssertEqual(Array(rows[0..<a]), rows[0..<a].sorted())          // stable: still ascending
    }

    func testRejectsBadOptions() throws {
        let X = try FeatureMatrix(names: ["x"], features: [.numeric([1, 2, 3, 4])])
        var o = GradientBoostingOptions(); o.numLeaves = 1
        XCTAssertThrowsError(try GradientBoosting.fit(X, [0, 1, 0, 1], options: o)) {
            XCTAssertEqual("\($0)", "leaves must be in 2...131072, got 1")
        }
        o = GradientBoostingOptions(); o.earlyStoppingRounds = 3
        XCTAssertThrowsError(try GradientBoosting.fit(X, [0, 1, 0, 1], options: o)) {
            XCTAssertEqual("\($0)", "earlyStoppingRounds needs an eval set")
        }
    }
}
