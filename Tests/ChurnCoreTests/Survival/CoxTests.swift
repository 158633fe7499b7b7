import XCTest
@testable import ChurnCore

/// Cox PH on mlc_churn (duration account_length, event churn == "yes") against lifelines 0.30.3
/// CoxPHFitter (Efron ties) and statsmodels 0.15.0 PHReg (Breslow ties); values printed by
/// Tests/ChurnCoreTests/References/survival_cox_reference.py.
final class CoxTests: XCTestCase {
    static let names = ["total_day_minutes", "number_customer_service_calls", "number_vmail_messages", "total_intl_calls", "intl"]
    static func design() throws -> ([Double], [Bool], [Double]) {
        let f = try Frame.readCSV(path: IOFixture.path("mlc_churn.csv")).frame
        let t = try f.column("account_length").toDoubles()!
        let e = (0..<f.nrow).map { try! f.column("churn").string(at: $0) == "yes" }
        let cols = try names.dropLast().map { try f.column($0).toDoubles()! }
        let intl = (0..<f.nrow).map { try! f.column("international_plan").string(at: $0) == "yes" ? 1.0 : 0.0 }
        var X: [Double] = []
        for i in 0..<f.nrow { for c in cols { X.append(c[i]) }; X.append(intl[i]) }
        return (t, e, X)
    }

    func testEfronMatchesLifelines() throws {
        let (t, e, X) = try Self.design()
        let m = try CoxPHModel.fit(durations: t, events: e, X: X, features: Self.names, ties: .efron)
        let coef = [0.009220572536335929, 0.28843884139964393, -0.023649887537919734, -0.04764805679178601, 1.2718815279159215]
        let se = [0.0007006771413571114, 0.021650358002131602, 0.003530301713090661, 0.016776377416592166, 0.0841477671004912]
        let p = [1.5004256240928856e-39, 1.710683986362385e-40, 2.0968944513933707e-11, 0.004508702965640969, 1.2924993640034035e-51]
        for j in 0..<5 {
            XCTAssertEqual(m.coef[j], coef[j], accuracy: 1e-6 * max(1, abs(coef[j])), Self.names[j])
            XCTAssertEqual(m.standardErrors[j] / se[j], 1, accuracy: 1e-6, Self.names[j])
            XCTAssertEqual(m.pValues[j] / p[j], 1, accuracy: 1e-3, Self.names[j])   // p ~ 1e-40: d log p / dz ≈ z amplifies the 1e-6 agreement of β
        }
        XCTAssertEqual(m.logPartialLikelihood, -5002.553800992169, accuracy: 1e-7)
        XCTAssertEqual(m.aicPartial, 10015.107601984339, accuracy: 1e-6)
        XCTAssertEqual(m.concordance, 0.7624660351883276, accuracy: 1e-12)
    }

    func testBreslowMatchesStatsmodels() throws {
        let (t, e, X) = try Self.design()
        let m = try CoxPHModel.fit(durations: t, events: e, X: X, features: Self.names, ties: .breslow)
        let coef = [0.009189795745010096, 0.2878281404114007, -0.02359783519396877, -0.047468579206333045, 1.2681358066215505]
        let se = [0.0006998546177653332, 0.021643466584447674, 0.0035304133433793202, 0.016768611528535815, 0.08415135513700878]
        for j in 0..<5 {
            XCTAssertEqual(m.coef[j], coef[j], accuracy: 1e-6 * max(1, abs(coef[j])), Self.names[j])
            XCTAssertEqual(m.standardErrors[j] / se[j], 1, accuracy: 1e-6, Self.names[j])
        }
        XCTAssertEqual(m.logPartialLikelihood, -5004.90802008868, accuracy: 1e-7)
    }

    func testBadInput() {
        XCTAssertThrowsError(try CoxPHModel.fit(durations: [1, 2, 3], events: [true, false, true], X: [1, 1, 1], features: ["const"]))
        XCTAssertThrowsError(try CoxPHModel.fit(durations: [1, 2], events: [false, false], X: [1, 2], features: ["x"]))
        XCTAssertThrowsError(try CoxPHModel.fit(durations: [1, 2], events: [true, false], X: [1, .nan], features: ["x"]))
    }
}
