import XCTest
import Foundation
@testable import ChurnCore

/// Kaplan–Meier, Nelson–Aalen and log-rank against lifelines 0.30.3 (scipy 1.17.1) on
/// mlc_churn (duration account_length, event churn == "yes"). The reference curves
/// are in Fixtures/survival/lifelines_km.json, written by
/// Tests/ChurnCoreTests/References/survival_lifelines_reference.py.
final class KaplanMeierTests: XCTestCase {
    struct Churn { var t: [Double]; var e: [Bool]; var intl: [Bool]; var cs: [Double]; var area: [String] }
    static let churn: Churn = {
        let f = try! Frame.readCSV(path: IOFixture.path("mlc_churn.csv")).frame
        let t = try! f.column("account_length").toDoubles()!
        let e = (0..<f.nrow).map { try! f.column("churn").string(at: $0) == "yes" }
        let intl = (0..<f.nrow).map { try! f.column("international_plan").string(at: $0) == "yes" }
        let cs = try! f.column("number_customer_service_calls").toDoubles()!
        let area = (0..<f.nrow).map { try! f.column("area_code").string(at: $0)! }
        return Churn(t: t, e: e, intl: intl, cs: cs, area: area)
    }()
    static let ref: [String: Any] = {
        let d = try! Data(contentsOf: URL(fileURLWithPath: IOFixture.path("survival/lifelines_km.json")))
        return try! JSONSerialization.jsonObject(with: d) as! [String: Any]
    }()

    func assertCurve(_ got: [Double], _ want: [Double], _ what: String, tol: Double = 1e-12, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, "\(what) length", file: file, line: line)
        var worst = 0.0
        for (g, w) in zip(got, want) { worst = max(worst, abs(g - w)) }
        XCTAssertLessThanOrEqual(worst, tol, "\(what): max |diff| \(worst)", file: file, line: line)
    }

    func checkKM(_ r: KaplanMeierResult, _ key: String) {
        let w = Self.ref[key] as! [String: Any]
        assertCurve(r.table.times, w["times"] as! [Double], "\(key) times", tol: 0)
        assertCurve(r.table.atRisk, w["at_risk"] as! [Double], "\(key) at_risk", tol: 0)
        assertCurve(r.table.observed, w["observed"] as! [Double], "\(key) observed", tol: 0)
        assertCurve(r.table.censored, w["censored"] as! [Double], "\(key) censored", tol: 0)
        assertCurve(r.survival, w["survival"] as! [Double], "\(key) S(t)")
        assertCurve(r.lower, w["lower"] as! [Double], "\(key) lower")
        assertCurve(r.upper, w["upper"] as! [Double], "\(key) upper")
        XCTAssertEqual(r.median, w["median"] as! Double)
        XCTAssertEqual(r.survival(at: 100), w["at_100"] as! Double, accuracy: 1e-12)
        XCTAssertEqual(r.survival(at: 150.5), w["at_150_5"] as! Double, accuracy: 1e-12)
    }

    func testKaplanMeierMatchesLifelines() throws {
        let c = Self.churn
        let r = try KaplanMeier.fit(try SurvivalData(durations: c.t, events: c.e))
        checkKM(r, "plain")
        // Spelled out: lifelines 0.30.3 survival_function_at_times(100) = 0.9087660475147243, median 200.
        XCTAssertEqual(r.survival(at: 100), 0.9087660475147243, accuracy: 1e-12)
        XCTAssertEqual(r.median, 200)
    }

    func testWeightedAndLeftTruncated() throws {
        let c = Self.churn
        let n = c.t.count
        let w = (0..<n).map { 1.0 + Double($0 % 3) }
        checkKM(try KaplanMeier.fit(try SurvivalData(durations: c.t, events: c.e, weights: w)), "weighted")
        let entry = (0..<n).map { min(10.0 * Double($0 % 4), c.t[$0]) }
        checkKM(try KaplanMeier.fit(try SurvivalData(durations: c.t, events: c.e, entry: entry)), "entry")
    }

    func testNelsonAalenMatchesLifelines() throws {
        let c = Self.churn
        let r = try NelsonAalen.fit(try SurvivalData(durations: c.t, events: c.e))
        let w = Self.ref["nelson_aalen"] as! [String: Any]
        assertCurve(r.table.times, w["times"] as! [Double], "NA times", tol: 0)
        assertCurve(r.cumulativeHazard, w["H"] as! [Double], "NA H")
        assertCurve(r.lower, w["lower"] as! [Double], "NA lower")
        assertCurve(r.upper, w["upper"] as! [Double], "NA upper")
    }

    func testLogRankTwoGroups() throws {
        let c = Self.churn
        let d = try SurvivalData(durations: c.t, events: c.e)
        let r = try LogRank.test(d, group: c.intl.map { $0 ? 0 : 1 }, groupCount: 2)
        // lifelines logrank_test(international_plan yes vs no): 277.09981194789555, p 3.2181695592390594e-62.
        XCTAssertEqual(r.statistic, 277.09981194789555, accuracy: 1e-9)
        XCTAssertEqual(r.pValue / 3.2181695592390594e-62, 1, accuracy: 1e-8)
        let r4 = try LogRank.test(d, group: c.cs.map { $0 >= 4 ? 0 : 1 }, groupCount: 2)
        // lifelines: 411.5530393061947, p 1.6829501081638555e-91 (log10 -90.77392875869458).
        XCTAssertEqual(r4.statistic, 411.5530393061947, accuracy: 1e-9)
        XCTAssertEqual(r4.log10P, -90.77392875869458, accuracy: 1e-8)
    }

    func testLogRankKGroupsAndPairwise() throws {
        let c = Self.churn
        let codes = ["area_code_408": 0, "area_code_415": 1, "area_code_510": 2]
        let g = c.area.map { codes[$0]! }
        let r = try LogRank.test(try SurvivalData(durations: c.t, events: c.e), group: g, groupCount: 3)
        // lifelines multivariate_logrank_test(area_code): 1.0299819999936533, p 0.597505972149684, df 2.
        XCTAssertEqual(r.statistic, 1.0299819999936533, accuracy: 1e-10)
        XCTAssertEqual(r.pValue, 0.597505972149684, accuracy: 1e-10)
        XCTAssertEqual(r.df, 2)
        // pairwise_logrank_test: 408/415 0.14830604590796356, 408/510 1.0301220872026398, 415/510 0.5412589046950486.
        let pairs: [(Int, Int, Double, Double)] = [(0, 1, 0.14830604590796356, 0.7001594458730925),
                                                   (0, 2, 1.0301220872026398, 0.3101299946255626),
                                                   (1, 2, 0.5412589046950486, 0.4619114633514686)]
        for (a, b, stat, p) in pairs {
            let rows = g.indices.filter { g[$0] == a || g[$0] == b }
            let sub = try SurvivalData(durations: rows.map { c.t[$0] }, events: rows.map { c.e[$0] })
            let pr = try LogRank.test(sub, group: rows.map { g[$0] == a ? 0 : 1 }, groupCount: 2)
            XCTAssertEqual(pr.statistic, stat, accuracy: 1e-10)
            XCTAssertEqual(pr.pValue, p, accuracy: 1e-10)
        }
    }

    func testLogRankPValueDoesNotUnderflow() throws {
        // Group A dies at 1..1500, group B at 1501..3000: lifelines statistic 3727.8438599411693,
        // p = 0.0 in double; log10 p = (ln 2 + scipy log_ndtr(−√stat)) / ln 10 = −811.3749141022136.
        let t = (1...3000).map(Double.init)
        let r = try LogRank.test(try SurvivalData(durations: t, events: t.map { _ in true }),
                                 group: t.map { $0 <= 1500 ? 0 : 1 }, groupCount: 2)
        XCTAssertEqual(r.statistic, 3727.8438599411693, accuracy: 1e-8)
        XCTAssertEqual(r.pValue, 0)
        XCTAssertEqual(r.log10P, -811.3749141022136, accuracy: 1e-9)
    }

    func testBadInputIsAnErrorNotATrap() {
        XCTAssertThrowsError(try SurvivalData(durations: [1, -2], events: [true, false]))
        XCTAssertThrowsError(try SurvivalData(durations: [1, .nan], events: [true, false]))
        XCTAssertThrowsError(try SurvivalData(durations: [1, 2], events: [true]))
        XCTAssertThrowsError(try SurvivalData(durations: [1, 2], events: [true, true], entry: [0, 3]))
        XCTAssertThrowsError(try SurvivalData(durations: [1, 2], events: [true, true], weights: [1, 0]))
        XCTAssertThrowsError(try LogRank.test(try SurvivalData(durations: [1, 2], events: [true, true]), group: [0, 0], groupCount: 2))
    }
}
