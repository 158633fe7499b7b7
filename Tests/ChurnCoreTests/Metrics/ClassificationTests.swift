import XCTest
@testable import ChurnCore

/// Expected values: References/metrics_reference.py (scikit-learn 1.9.1).
final class ClassificationTests: XCTestCase {
    let y = MF.y, p = MF.p, w = MF.w

    func testBinaryAtThreshold() throws {
        let c = try Metrics.confusion(y, p, threshold: 0.5)
        XCTAssertEqual(c, ConfusionMatrix(tp: 5, fp: 5, tn: 7, fn: 3))   // sklearn ravel: tn fp fn tp = 7 5 3 5
        XCTAssertEqual(c.accuracy, 0.6, accuracy: 1e-15)
        XCTAssertEqual(c.precision, 0.5, accuracy: 1e-15)
        XCTAssertEqual(c.recall, 0.625, accuracy: 1e-15)
        XCTAssertEqual(c.f1, 0.5555555555555556, accuracy: 1e-15)
        XCTAssertEqual(c.mcc, 0.2041241452319315, accuracy: 1e-15)
        let cw = try Metrics.confusion(y, p, threshold: 0.5, weights: w)
        XCTAssertEqual(cw, ConfusionMatrix(tp: 4.5, fp: 9, tn: 6.5, fn: 4))
        XCTAssertEqual(cw.accuracy, 0.4583333333333333, accuracy: 1e-15)
        XCTAssertEqual(cw.precision, 0.3333333333333333, accuracy: 1e-15)
        XCTAssertEqual(cw.recall, 0.5294117647058824, accuracy: 1e-15)
        XCTAssertEqual(cw.f1, 0.4090909090909091, accuracy: 1e-15)
        XCTAssertEqual(cw.mcc, -0.04939317312787275, accuracy: 1e-15)
    }

    func testZeroDivisionGivesZeroLikeSklearn() throws {
        let c = try Metrics.confusion([1, 0, 1], [0, 0, 0], threshold: 0.5)
        XCTAssertEqual(c.precision, 0); XCTAssertEqual(c.mcc, 0); XCTAssertEqual(c.f1, 0)
    }

    func testMulticlassAverages() throws {
        let yt = [0,1,2,2,1,0,1,2,0,0,1,2,2], yp = [0,2,2,1,1,0,0,2,0,1,1,2,0]
        let wm: [Double] = [1,2,1,1,0.5,1,1,2,1,1,3,1,1]
        let r = try Metrics.classification(truth: yt, predicted: yp)
        let macro = r.averaged(.macro), weighted = r.averaged(.weighted), micro = r.averaged(.micro)
        XCTAssertEqual(macro.precision, 0.6166666666666667, accuracy: 1e-15)
        XCTAssertEqual(macro.recall, 0.6166666666666667, accuracy: 1e-15)
        XCTAssertEqual(macro.f1, 0.611111111111111, accuracy: 1e-15)
        XCTAssertEqual(weighted.precision, 0.6269230769230769, accuracy: 1e-15)
        XCTAssertEqual(weighted.recall, 0.6153846153846154, accuracy: 1e-15)
        XCTAssertEqual(weighted.f1, 0.6153846153846153, accuracy: 1e-15)
        XCTAssertEqual(micro.f1, 0.6153846153846154, accuracy: 1e-15)
        XCTAssertEqual(r.averaged(.binary(positive: 2)).f1, 0.6666666666666666, accuracy: 1e-15)
        XCTAssertEqual(r.mcc, 0.42857142857142855, accuracy: 1e-15)
        XCTAssertEqual(r.accuracy, 0.6153846153846154, accuracy: 1e-15)
        let rw = try Metrics.classification(truth: yt, predicted: yp, weights: wm)
        XCTAssertEqual(rw.averaged(.weighted).f1, 0.6338383838383839, accuracy: 1e-15)
        XCTAssertEqual(rw.averaged(.macro).f1, 0.6388888888888888, accuracy: 1e-15)
        XCTAssertEqual(rw.mcc, 0.45405485123876094, accuracy: 1e-15)
        XCTAssertThrowsError(try Metrics.classification(truth: [0, -1], predicted: [0, 1]))
    }
}
