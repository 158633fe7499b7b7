import XCTest
@testable import ChurnCore

/// Cox case weights (lifelines' `weights_col`) and robust (sandwich) standard errors
/// (lifelines' `robust=True`) on mlc_churn against lifelines 0.30.3. Values printed by
/// Tests/ChurnCoreTests/References/survival_cox_reference.py (the "Case weights" block):
/// row i (0-based) has integer weight 1 + i % 3 or fractional weight 0.5 + 0.25 (i % 4).
final class CoxWeightsTests: XCTestCase {
    func check(_ m: CoxPHModel, coef: [Double], se: [Double], ll: Double, concordance: Double,
               file: StaticString = #filePath, line: UInt = #line) {
        for j in coef.indices {
            XCTAssertEqual(m.coef[j], coef[j], accuracy: 1e-6 * max(1, abs(coef[j])), "coef \(j)", file: file, line: line)
            XCTAssertEqual(m.standardErrors[j] / se[j], 1, accuracy: 1e-6, "se \(j)", file: file, line: line)
        }
        XCTAssertEqual(m.logPartialLikelihood, ll, accuracy: 1e-7 * abs(ll), file: file, line: line)
        XCTAssertEqual(m.concordance, concordance, accuracy: 1e-12, file: file, line: line)
    }

    static func weights(_ n: Int, fractional: Bool) -> [Double] {
        (0..<n).map { (i: Int) -> Double in
            let k = Double(i % (fractional ? 4 : 3))
            return fractional ? 0.5 + 0.25 * k : 1 + k
        }
    }

    func testIntegerWeightsMatchLifelines() throws {
        let (t, e, X) = try CoxTests.design()
        var o = CoxPHModel.Options(ties: .efron)
        o.maxIterations = 500
        let m = try CoxPHModel.fit(durations: t, events: e, X: X, features: CoxTests.names, strata: nil, options: o,
                                   weights: Self.weights(t.count, fractional: false))
        check(m, coef: [0.008965819727526499, 0.2756706816541238, -0.02111205472085886, -0.03352139395180561, 1.3055734750345052],
              se: [0.0004969037829633196, 0.014649897582129822, 0.0024525840949281012, 0.011844951014059465, 0.059563349198272],
              ll: -10982.164381563518, concordance: 0.7638857889546752)
        XCTAssertEqual(m.weighted, true)
    }

    func testFractionalWeightsRobustMatchLifelines() throws {
        let (t, e, X) = try CoxTests.design()
        var o = CoxPHModel.Options(ties: .efron); o.robust = true
        let m = try CoxPHModel.fit(durations: t, events: e, X: X, features: CoxTests.names, strata: nil, options: o,
                                   weights: Self.weights(t.count, fractional: true))
        check(m, coef: [0.009051456759245098, 0.2797780727740315, -0.02389735320094956, -0.04511673684135718, 1.279132961798274],
              se: [0.0008828033565694584, 0.034408742817767915, 0.0040193111488473175, 0.0195496605266965, 0.09583193202300057],
              ll: -4257.493097672305, concordance: 0.7624793689313353)
    }

    func testRobustWithoutWeightsMatchesLifelines() throws {
        let (t, e, X) = try CoxTests.design()
        var o = CoxPHModel.Options(ties: .efron); o.robust = true
        let m = try CoxPHModel.fit(durations: t, events: e, X: X, features: CoxTests.names, strata: nil, options: o)
        // Same coefficients as the unweighted fit; lifelines' robust SEs.
        check(m, coef: [0.009220572536335929, 0.28843884139964393, -0.023649887537919734, -0.04764805679178601, 1.2718815279159215],
              se: [0.0008516749461691574, 0.03275097363493324, 0.003807397817160325, 0.01856842863498707, 0.09239090685279845],
              ll: -5002.553800992169, concordance: 0.7624660351883276)
        XCTAssertTrue(m.printSummary().contains("robust variance = True"))
    }

    func testStrataWeightsRobustOnAFrameMatchLifelines() throws {
        let f = try Frame.readCSV(path: IOFixture.path("mlc_churn.csv")).frame
        let n = f.nrow
        let g = try f.withColumns([.int("E", (0..<n).map { try! f.column("churn").string(at: $0) == "yes" ? 1 : 0 }),
                                   .float("W", Self.weights(n, fractional: true))])
        var o = CoxPHModel.Options(ties: .efron); o.robust = true; o.strata = ["area_code"]
        let names = ["total_day_minutes", "number_customer_service_calls", "number_vmail_messages", "total_intl_calls", "area_code"]
        let X = try FeatureMatrix(frame: g, columns: names)
        let y = try SurvivalTarget(g, duration: "account_length", event: "E")
        let m = try CoxPHModel.fit(X, survival: y, weights: try g.column("W").toDoubles()!, options: o)
        check(m, coef: [0.009227562690397728, 0.29802881817445226, -0.02192578220930798, -0.05123378021589554],
              se: [0.0009283532779665432, 0.03265067783027869, 0.0038826748494852304, 0.02031192451854437],
              ll: -3690.3062738023546, concordance: 0.7119164561844447)
    }

    func testBadWeightsAreErrors() throws {
        let (t, e, X) = try CoxTests.design()
        var w = Self.weights(t.count, fractional: true)
        w[7] = 0
        XCTAssertThrowsError(try CoxPHModel.fit(durations: t, events: e, X: X, features: CoxTests.names, strata: nil,
                                                options: CoxPHModel.Options(), weights: w)) { XCTAssertTrue("\($0)".contains("row 8"), "\($0)") }
        w[7] = .nan
        XCTAssertThrowsError(try CoxPHModel.fit(durations: t, events: e, X: X, features: CoxTests.names, strata: nil,
                                                options: CoxPHModel.Options(), weights: w)) { XCTAssertTrue("\($0)".contains("row 8"), "\($0)") }
    }
}
