import XCTest
@testable import ChurnCore

/// Expected values: References/metrics_reference.py and metrics_delong.py (scikit-learn 1.9.1).
final class ProbabilisticTests: XCTestCase {
    let y = MF.y, p = MF.p, w = MF.w

    func testLogLossClipsZeroLikeSklearn() throws {
        // p contains 0.0 for a negative and the clip keeps it finite.
        XCTAssertEqual(try Metrics.logLoss(y, p), 0.6713481467714416, accuracy: 1e-15)
        XCTAssertEqual(try Metrics.logLoss(y, p, weights: w), 0.7698413770362773, accuracy: 1e-15)
        XCTAssertEqual(try Metrics.logLoss([1, 1, 1, 1, 1], [0.1, 0.4, 0.4, 0.8, 0.9]), 0.8927341247428782, accuracy: 1e-15)
        XCTAssertEqual(try Metrics.logLoss([1], [0]), -log(Double.ulpOfOne), accuracy: 1e-12)
        let g = MF.generated()
        XCTAssertEqual(try Metrics.logLoss(g.y, g.s2.map { min(max($0, 0), 1) }, weights: g.w), 0.5533807791090569, accuracy: 1e-14)
        XCTAssertThrowsError(try Metrics.logLoss([1], [1.5])) { XCTAssertEqual($0 as? MetricsError, .notProbability(row: 0, value: 1.5)) }
    }

    func testBrier() throws {
        XCTAssertEqual(try Metrics.brier(y, p), 0.23700000000000002, accuracy: 1e-15)
        XCTAssertEqual(try Metrics.brier(y, p, weights: w), 0.28229166666666666, accuracy: 1e-15)
        XCTAssertEqual(try Metrics.brier([1, 1, 1, 1, 1], [0.1, 0.4, 0.4, 0.8, 0.9]), 0.31599999999999995, accuracy: 1e-15)
        let g = MF.generated()
        XCTAssertEqual(try Metrics.brier(g.y, g.s2.map { min(max($0, 0), 1) }, weights: g.w), 0.19046924333333334, accuracy: 1e-14)
    }

    func testCalibrationUniformAndQuantile() throws {
        let u = try Metrics.calibration(y, p, bins: 4)
        let expT = [0.2, 0.42857142857142855, 0.4, 0.6666666666666666], expP = [0.12, 0.3857142857142856, 0.64, 0.8333333333333334]
        for i in 0..<4 { XCTAssertEqual(u.fractionPositive[i], expT[i], accuracy: 1e-14); XCTAssertEqual(u.meanPredicted[i], expP[i], accuracy: 1e-14) }
        XCTAssertEqual(u.counts, [5, 7, 5, 3])
        // ECE by hand from the same bins: Σ n_b/N |frac − mean|.
        var ece = 0.0
        for i in 0..<4 { ece += u.counts[i] / 20 * abs(expT[i] - expP[i]) }
        XCTAssertEqual(u.ece, ece, accuracy: 1e-14)
        let q = try Metrics.calibration(y, p, bins: 4, binning: .quantile)
        let qT = [0.2, 0.4, 0.4, 0.6], qP = [0.12, 0.34, 0.5599999999999999, 0.78]
        for i in 0..<4 { XCTAssertEqual(q.fractionPositive[i], qT[i], accuracy: 1e-14); XCTAssertEqual(q.meanPredicted[i], qP[i], accuracy: 1e-14) }
    }
}
