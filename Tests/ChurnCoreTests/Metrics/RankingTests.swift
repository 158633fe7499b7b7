import XCTest
@testable import ChurnCore

/// Expected values: References/metrics_reference.py and metrics_delong.py (scikit-learn 1.9.1, SciPy 1.17.1).
final class RankingTests: XCTestCase {
    let y = MF.y, p = MF.p, w = MF.w

    func testROCAUCTiesAndWeights() throws {
        XCTAssertEqual(try Metrics.rocAUC(y, p), 0.6614583333333333, accuracy: 1e-15)
        XCTAssertEqual(try Metrics.rocAUC(y, p, weights: w), 0.5370018975332068, accuracy: 1e-15)
        let g = MF.generated()
        XCTAssertEqual(try Metrics.rocAUC(g.y, g.s1), 0.8743144270348479, accuracy: 1e-14)
        XCTAssertEqual(try Metrics.rocAUC(g.y, g.s1, weights: g.w), 0.8727592677345537, accuracy: 1e-14)
    }

    func testAUCLargeInputUsesRadixPathAndMatchesBruteForce() throws {
        // 3,000 rows (radix path), scores with negative values, -0.0/+0.0 and ties; brute-force pair count.
        var rng = SeededRandom(seed: 5)
        var y = [Double](), p = [Double]()
        for i in 0..<3000 {
            y.append(rng.uniform() < 0.3 ? 1 : 0)
            p.append(i % 50 == 0 ? (i % 100 == 0 ? -0.0 : 0.0) : ((rng.normal() + y[i]) * 20).rounded() / 20)
        }
        var wins = 0.0, pairs = 0.0
        for i in 0..<3000 where y[i] == 1 { for j in 0..<3000 where y[j] == 0 {
            pairs += 1; wins += p[i] > p[j] ? 1 : (p[i] == p[j] ? 0.5 : 0)
        } }
        XCTAssertEqual(try Metrics.rocAUC(y, p), wins / pairs, accuracy: 1e-14)
    }

    func testROCCurveDropIntermediateLikeSklearn() throws {
        let c = try Metrics.rocCurve(y, p)
        XCTAssertEqual(c.fpr.count, 9)
        XCTAssertEqual(c.thresholds, [.infinity, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1, 0.0])
        XCTAssertEqual(c.tpr, [0.0, 0.125, 0.375, 0.5, 0.75, 0.875, 0.875, 1.0, 1.0])
        let all = try Metrics.rocCurve(y, p, dropIntermediate: false)
        XCTAssertEqual(all.fpr.count, 11)
        XCTAssertEqual(all.fpr[4], 0.3333333333333333, accuracy: 1e-15)
        let cw = try Metrics.rocCurve(y, p, weights: w)
        XCTAssertEqual(cw.fpr[4], 0.45161290322580644, accuracy: 1e-15)
        XCTAssertEqual(cw.tpr[7], 0.8823529411764706, accuracy: 1e-15)
        let g = MF.generated()
        XCTAssertEqual(try Metrics.rocCurve(g.y, g.s1).fpr.count, 64)
        XCTAssertEqual(try Metrics.rocCurve(g.y, g.s1, dropIntermediate: false).fpr.count, 77)
    }

    func testPRCurveAndAveragePrecision() throws {
        let c = try Metrics.prCurve(y, p)
        let exp: [Double] = [0.4, 0.42105263157894735, 0.4117647058823529, 0.4666666666666667, 0.5, 0.5, 0.5, 0.6,
                             0.6666666666666666, 1.0, 1.0]
        for (a, b) in zip(c.precision, exp) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        XCTAssertEqual(c.recall, [1.0, 1.0, 0.875, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0.0])
        XCTAssertEqual(c.thresholds, [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        XCTAssertEqual(try Metrics.averagePrecision(y, p), 0.5817982456140351, accuracy: 1e-15)
        XCTAssertEqual(try Metrics.averagePrecision(y, p, weights: w), 0.4528676996208336, accuracy: 1e-15)
        let g = MF.generated()
        XCTAssertEqual(try Metrics.averagePrecision(g.y, g.s1), 0.8676455741422878, accuracy: 1e-14)
        XCTAssertEqual(try Metrics.averagePrecision(g.y, g.s2, weights: g.w), 0.7757509947230332, accuracy: 1e-14)
        XCTAssertEqual(try Metrics.prCurve(g.y, g.s1).precision.count, 77)
        let d = try Metrics.prCurve(g.y, g.s1, dropIntermediate: true)
        XCTAssertEqual(d.precision.count, 53)
        XCTAssertEqual(d.precision[5], 0.6370558375634517, accuracy: 1e-15)
        XCTAssertEqual(d.recall[5], 0.9261992619926199, accuracy: 1e-15)
        XCTAssertEqual(d.thresholds[5], 0.29)
    }

    func testKSEqualsScipyTwoSample() throws {
        XCTAssertEqual(try Metrics.ksStatistic(y, p).statistic, 0.25, accuracy: 1e-15)
    }

    func testSingleClassAndBadInputThrowTypedErrors() {
        let y1: [Double] = [1, 1, 1, 1, 1], p1 = [0.1, 0.4, 0.4, 0.8, 0.9]
        XCTAssertThrowsError(try Metrics.rocAUC(y1, p1)) { e in
            XCTAssertEqual(e as? MetricsError, .singleClass(metric: "ROC AUC", present: 1))
            XCTAssert("\(e)".contains("only one class"))
        }
        XCTAssertThrowsError(try Metrics.averagePrecision([0, 0], [0.1, 0.2]))
        XCTAssertThrowsError(try Metrics.rocAUC([0, 2], [0.1, 0.2])) { XCTAssertEqual($0 as? MetricsError, .notBinary(row: 1, value: 2)) }
        XCTAssertThrowsError(try Metrics.rocAUC([0, 1], [0.1, .nan])) { XCTAssertEqual($0 as? MetricsError, .nonFinite(what: "scores", row: 1)) }
        XCTAssertThrowsError(try Metrics.rocAUC([0, 1], [0.1])) { XCTAssertEqual($0 as? MetricsError, .lengthMismatch(what: "scores", expected: 2, got: 1)) }
        XCTAssertThrowsError(try Metrics.rocAUC([0, 1], [0.1, 0.2], weights: [1, -1])) { XCTAssertEqual($0 as? MetricsError, .badWeight(row: 1, value: -1)) }
        // Zero weight on every positive is also a single-class case.
        XCTAssertThrowsError(try Metrics.rocAUC([0, 1], [0.1, 0.2], weights: [1, 0]))
    }

    func testDeLongAgainstBruteForceReference() throws {
        let g = MF.generated()
        let r = try Metrics.delong(g.y, g.s1, g.s2)
        XCTAssertEqual(r.auc1, 0.8743144270348479, accuracy: 1e-14)
        XCTAssertEqual(r.auc2, 0.7753956414944089, accuracy: 1e-14)
        XCTAssertEqual(r.standardError, 0.02290753286906015, accuracy: 1e-13)
        XCTAssertEqual(r.z, 4.318177173677342, accuracy: 1e-10)
        XCTAssertEqual(r.pValue, 1.5732312102567912e-05, accuracy: 1e-14)
        let same = try Metrics.delong(g.y, g.s1, g.s1)
        XCTAssertEqual(same.pValue, 1); XCTAssertEqual(same.difference, 0)
        let ci = try Metrics.aucInterval(g.y, g.s1)
        XCTAssertEqual(ci.standardError, 0.013330902898857074, accuracy: 1e-13)
        XCTAssertEqual(ci.lower, 0.8481863374716874, accuracy: 1e-10)
        XCTAssertEqual(ci.upper, 0.9004425165980083, accuracy: 1e-10)
    }
}
