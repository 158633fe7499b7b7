import XCTest
@testable import ChurnCore

/// Issue 11, item 12: `ks` with 1e308 weights returned 0 (the weight sums overflowed to inf,
/// and inf/inf is NaN). Scale-invariant metrics now rescale by a power of two and give the
/// same answer as unit weights; metrics that report weighted counts refuse the overflow.
/// Reference (numpy, hand-checked): with y = [1,1,0,0,1,0], p = [.9,.8,.7,.3,.2,.1] the KS
/// statistic is 2/3 (scipy.stats.ks_2samp(p[y==1], p[y==0]).statistic = 0.6666666666666666),
/// AUC 7/9; with weights [1e308,1,1e308,1,1,1e308] the weighted KS is 1.0 (weights/max, cumsums).
final class WeightOverflowTests: XCTestCase {
    let y: [Double] = [1, 1, 0, 0, 1, 0]
    let p: [Double] = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1]

    func testScaleInvariantMetricsAreRightWithHugeWeights() throws {
        let huge = [Double](repeating: 1e308, count: 6)
        XCTAssertEqual(try Metrics.ksStatistic(y, p, weights: huge).statistic, 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(try Metrics.ksStatistic(y, p, weights: huge).threshold, try Metrics.ksStatistic(y, p).threshold)
        XCTAssertEqual(try Metrics.rocAUC(y, p, weights: huge), 7.0 / 9, accuracy: 1e-15)
        XCTAssertEqual(try Metrics.averagePrecision(y, p, weights: huge), try Metrics.averagePrecision(y, p), accuracy: 1e-15)
        XCTAssertEqual(try Metrics.rocCurve(y, p, weights: huge).tpr, try Metrics.rocCurve(y, p).tpr)
        XCTAssertEqual(try Metrics.prCurve(y, p, weights: huge).precision, try Metrics.prCurve(y, p).precision)
        XCTAssertEqual(try Metrics.gains(y, p, weights: huge).gain, try Metrics.gains(y, p).gain)
        XCTAssertEqual(try Metrics.logLoss(y, p, weights: huge), try Metrics.logLoss(y, p), accuracy: 1e-15)
        XCTAssertEqual(try Metrics.brier(y, p, weights: huge), try Metrics.brier(y, p), accuracy: 1e-15)
        let mixed: [Double] = [1e308, 1, 1e308, 1, 1, 1e308]
        XCTAssertEqual(try Metrics.ksStatistic(y, p, weights: mixed).statistic, 1.0, accuracy: 1e-15)
        // Products of positive and negative weights (AUC) overflow from 1e155 and underflow below 1e-162.
        for s in [1e200, 1e-200] {
            XCTAssertEqual(try Metrics.rocAUC(y, p, weights: [Double](repeating: s, count: 6)), 7.0 / 9, accuracy: 1e-15, "\(s)")
        }
        // Ordinary weights are untouched.
        let w: [Double] = [1, 2, 3, 4, 5, 6]
        XCTAssertEqual(BinaryInput.scaleFree(w), w)
    }

    func testCountReportingMetricsRefuseAnOverflowingTotal() {
        let huge = [Double](repeating: 1e308, count: 6)
        for (name, call) in [("confusion matrix", { _ = try Metrics.confusion(self.y, self.p, weights: huge) }),
                             ("threshold curve", { _ = try Metrics.binaryCurve(self.y, self.p, weights: huge) }),
                             ("calibration curve", { _ = try Metrics.calibration(self.y, self.p, weights: huge) }),
                             ("metrics report", { _ = try MetricsReport(self.y, self.p, weights: huge) })] as [(String, () throws -> Void)] {
            XCTAssertThrowsError(try call(), name) { e in XCTAssertTrue("\(e)".contains("overflow"), "\(name): \(e)") }
        }
    }
}
