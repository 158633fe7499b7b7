import XCTest
@testable import ChurnCore

/// Expected values: brute force over all thresholds in References/metrics_reference.py.
final class ThresholdTests: XCTestCase {
    let y = MF.y, p = MF.p, w = MF.w

    func testBestThresholds() throws {
        let f1 = try Metrics.bestThreshold(y, p)
        XCTAssertEqual(f1.threshold, 0.3); XCTAssertEqual(f1.f1, 0.6086956521739131, accuracy: 1e-15)
        let f1w = try Metrics.bestThreshold(y, p, objective: .maxF1, weights: w)
        XCTAssertEqual(f1w.threshold, 0.3); XCTAssertEqual(f1w.f1, 0.5454545454545454, accuracy: 1e-15)
        let cost = try Metrics.bestThreshold(y, p, objective: .minCost(costFP: 1, costFN: 5))
        XCTAssertEqual(cost.threshold, 0.1); XCTAssertEqual(cost.objective, 11)
        let pr = try Metrics.bestThreshold(y, p, objective: .precisionAtLeast(0.6))
        XCTAssertEqual(pr.threshold, 0.7); XCTAssertEqual(pr.recall, 0.375)
        let rc = try Metrics.bestThreshold(y, p, objective: .recallAtLeast(0.8))
        XCTAssertEqual(rc.threshold, 0.3); XCTAssertEqual(rc.precision, 0.4666666666666667, accuracy: 1e-15)
        // Very expensive false positives: contact nobody.
        XCTAssertEqual(try Metrics.bestThreshold([0, 1], [0.9, 0.1], objective: .minCost(costFP: 100, costFN: 1)).threshold, .infinity)
        XCTAssertThrowsError(try Metrics.bestThreshold([0, 1, 0], [0.9, 0.5, 0.1], objective: .precisionAtLeast(0.9)))
    }

    func testTopKWithFractionalTies() throws {
        // Top 25% = 5 rows: scores 0.9, 0.8, 0.8, 0.7, 0.7 with 3 positives.
        let t = try Metrics.topK(y, p, fraction: 0.25)
        XCTAssertEqual(t.precision, 0.6, accuracy: 1e-15); XCTAssertEqual(t.recall, 0.375, accuracy: 1e-15)
        XCTAssertEqual(t.lift, 1.5, accuracy: 1e-14)
        // Top 30% = 6 rows: the 6th comes from the 0.6 group (1 positive of 3) → 3 + 1/3 expected positives.
        let t2 = try Metrics.topK(y, p, fraction: 0.3)
        XCTAssertEqual(t2.positivesCaptured, 3 + 1.0 / 3, accuracy: 1e-14)
        XCTAssertEqual(t2.lift, (10.0 / 3 / 6) / 0.4, accuracy: 1e-14)
        let table = try Metrics.liftTable(y, p, buckets: 4)
        XCTAssertEqual(table.count, 4); XCTAssertEqual(table[3].recall, 1, accuracy: 1e-15)
        let g = try Metrics.gains(y, p)
        XCTAssertEqual(g.share.first, 0); XCTAssertEqual(g.share.last!, 1, accuracy: 1e-15); XCTAssertEqual(g.gain.last!, 1, accuracy: 1e-15)
        XCTAssertEqual(g.gain[3], 0.375)  // after 0.9, 0.8, 0.8, 0.7, 0.7: 3 of 8 positives
    }

    func testProfitCurve() throws {
        let opts = CampaignOptions(valueRetained: 100, offerCost: 10, contactCost: 1, acceptanceRate: 0.4)
        let c = try Metrics.profitCurve(y, p, options: opts)
        XCTAssertEqual(c.profit.map { ($0 * 1e10).rounded() / 1e10 }, [0, 35, 59, 83, 96, 120, 144, 157, 135, 159, 148])
        XCTAssertEqual(c.bestProfit, 159, accuracy: 1e-12); XCTAssertEqual(c.bestShare, 0.95); XCTAssertEqual(c.bestThreshold, 0.1)
        XCTAssertThrowsError(try Metrics.profitCurve(y, p, options: CampaignOptions(acceptanceRate: 2)))
    }

    func testReportCollectsEverythingAndDegradesToNaN() throws {
        let r = try MetricsReport(y, p)
        XCTAssertEqual(r.rocAUC, 0.6614583333333333, accuracy: 1e-15)
        XCTAssertEqual(r.averagePrecision, 0.5817982456140351, accuracy: 1e-15)
        XCTAssertEqual(r.logLoss, 0.6713481467714416, accuracy: 1e-15)
        XCTAssertEqual(r.f1, 0.5555555555555556, accuracy: 1e-15)
        XCTAssertEqual(r.ks, 0.25, accuracy: 1e-15)
        XCTAssertEqual(r.bestF1Threshold, 0.3)
        XCTAssert(r.warnings.isEmpty)
        XCTAssert(r.description.contains("roc_auc"))
        XCTAssert(r.description.contains("0.661458"))
        let one = try MetricsReport([1, 1, 1], [0.2, 0.5, 0.9])
        XCTAssert(one.rocAUC.isNaN); XCTAssertEqual(one.warnings.count, 1)
        XCTAssertEqual(one.recall, 2.0 / 3, accuracy: 1e-15)
    }

    func testBootstrapIsSeededAndThreadIndependent() throws {
        let g = MF.generated()
        let opts = BootstrapOptions(resamples: 200, seed: 7)
        let a = try Metrics.bootstrap(g.y, g.s1, options: opts) { try Metrics.rocAUC($0, $1, weights: $2) }
        var serial = opts; serial.parallel = false
        let b = try Metrics.bootstrap(g.y, g.s1, options: serial) { try Metrics.rocAUC($0, $1, weights: $2) }
        XCTAssertEqual(a.samples, b.samples)
        XCTAssertEqual(a.estimate, 0.8743144270348479, accuracy: 1e-14)
        XCTAssert(a.lower < a.estimate && a.estimate < a.upper)
        // The bootstrap SE agrees with DeLong's analytic SE (0.01333) within sampling noise.
        XCTAssertEqual(a.standardError, 0.013330902898857074, accuracy: 0.003)
        let c = try Metrics.bootstrap(g.y, g.s1, options: BootstrapOptions(resamples: 200, seed: 8)) { try Metrics.rocAUC($0, $1, weights: $2) }
        XCTAssertNotEqual(a.samples, c.samples)
        // Resamples of a tiny set often hold one class: they are skipped and counted.
        let d = try Metrics.bootstrap([1, 0, 0], [0.9, 0.2, 0.1], options: BootstrapOptions(resamples: 50, seed: 1)) { try Metrics.rocAUC($0, $1, weights: $2) }
        XCTAssert(d.skipped > 0 && d.skipped < 50)
    }
}
