import Foundation
import XCTest
@testable import ChurnCore

/// Real data: Fixtures/mlc_churn.csv (5,000 customers). Raw columns serve as scores.
/// Expected values: References/metrics_mlc_churn.py (scikit-learn 1.9.1, SciPy 1.17.1, pandas).
final class MlcChurnReferenceTests: XCTestCase {
    struct Table { var y: [Double] = [], calls: [Double] = [], day: [Double] = [], w: [Double] = [], state: [String] = [], intl: [String] = [] }

    static let table: Table = {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/mlc_churn.csv")
        let text = try! String(contentsOf: url, encoding: .utf8)
        var t = Table()
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: "\"", with: "") }
            t.state.append(f[0]); t.w.append(Double(f[1])!); t.intl.append(f[3]); t.day.append(Double(f[6])!)
            t.calls.append(Double(f[18])!); t.y.append(f[19] == "yes" ? 1 : 0)
        }
        return t
    }()

    func testRankingMetricsOnRealData() throws {
        let t = Self.table
        XCTAssertEqual(t.y.count, 5000); XCTAssertEqual(t.y.reduce(0, +), 707)
        XCTAssertEqual(try Metrics.rocAUC(t.y, t.calls), 0.6151855377211876, accuracy: 1e-14)
        XCTAssertEqual(try Metrics.rocAUC(t.y, t.day), 0.6401347082896369, accuracy: 1e-14)
        XCTAssertEqual(try Metrics.rocAUC(t.y, t.day, weights: t.w), 0.6449081055456867, accuracy: 1e-13)
        XCTAssertEqual(try Metrics.averagePrecision(t.y, t.calls), 0.2801322777585167, accuracy: 1e-14)
        XCTAssertEqual(try Metrics.averagePrecision(t.y, t.day, weights: t.w), 0.38776786205403857, accuracy: 1e-13)
        XCTAssertEqual(try Metrics.ksStatistic(t.y, t.day).statistic, 0.3045380608740718, accuracy: 1e-14)
        XCTAssertEqual(try Metrics.ksStatistic(t.y, t.calls).statistic, 0.23817826526587968, accuracy: 1e-14)
        XCTAssertEqual(try Metrics.rocCurve(t.y, t.calls).fpr.count, 11)
        XCTAssertEqual(try Metrics.rocCurve(t.y, t.day).fpr.count, 1563)
    }

    func testTestsOnRealData() throws {
        let t = Self.table
        let churn = zip(t.day, t.y).filter { $0.1 == 1 }.map { $0.0 }, stay = zip(t.day, t.y).filter { $0.1 == 0 }.map { $0.0 }
        let mw = try Stats.mannWhitneyU(churn, stay)
        XCTAssertEqual(mw.u, 1942905.5)
        XCTAssertEqual(mw.pValue, 5.820479341744138e-33, accuracy: 5.820479341744138e-33 * 1e-8)
        let callsC = zip(t.calls, t.y).filter { $0.1 == 1 }.map { $0.0 }, callsS = zip(t.calls, t.y).filter { $0.1 == 0 }.map { $0.0 }
        let mc = try Stats.mannWhitneyU(callsC, callsS)
        XCTAssertEqual(mc.u, 1867181.0)
        XCTAssertEqual(mc.pValue, 2.3704158290138186e-24, accuracy: 2.3704158290138186e-24 * 1e-8)
        let w = try Stats.welchTTest(churn, stay)
        XCTAssertEqual(w.t, 11.950740339179127, accuracy: 1e-10)
        XCTAssertEqual(w.df, 832.0541317844481, accuracy: 1e-8)
        XCTAssertEqual(w.pValue, 1.715517881487783e-30, accuracy: 1.715517881487783e-30 * 1e-6)
        let chi = try Stats.chiSquareIndependence([[4019, 508], [274, 199]])
        XCTAssertEqual(chi.statistic, 333.1864490694056, accuracy: 1e-9)
        XCTAssertEqual(chi.pValue, 1.9443947474998577e-74, accuracy: 1.9443947474998577e-74 * 1e-8)
        // 51 states × {no, yes}, rows in sorted state order as pandas.crosstab.
        let states = Array(Set(t.state)).sorted()
        var tab = [[Double]](repeating: [0, 0], count: states.count)
        let pos = Dictionary(uniqueKeysWithValues: states.enumerated().map { ($1, $0) })
        for i in 0..<t.y.count { tab[pos[t.state[i]]!][Int(t.y[i])] += 1 }
        let cs = try Stats.chiSquareIndependence(tab)
        XCTAssertEqual(cs.df, 50)
        XCTAssertEqual(cs.statistic, 96.89904116867889, accuracy: 1e-9)
        XCTAssertEqual(cs.pValue, 7.850836224371879e-05, accuracy: 1e-15)
    }
}
