import XCTest
@testable import ChurnCore

/// BG/NBD, Gamma–Gamma, CLV and the RFM summary on the CDNOW 1/10 sample
/// (Fixtures/clv/CDNOW_sample.txt, from lifetimes 0.11.3; see Fixtures/README.md),
/// calibration to 1997-09-30, holdout to 1998-06-30, a week = 7 days. Reference
/// values: lifetimes 0.11.3 via Tests/ChurnCoreTests/References/clv_lifetimes_reference.py,
/// and the paper (Fader, Hardie & Lee 2005: r 0.243, α 4.414, a 0.793, b 2.426, LL −9582.4).
final class BetaGeoTests: XCTestCase {
    static let transactions: Frame = {
        let text = try! String(contentsOfFile: IOFixture.path("clv/CDNOW_sample.txt"), encoding: .utf8)
        var id: [Int64] = [], day: [Int32] = [], dollars: [Double] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let f = line.split(whereSeparator: \.isWhitespace)
            guard f.count == 5 else { continue }
            let d = String(f[2])
            id.append(Int64(f[1])!)
            day.append(Int32(DateText.days(year: Int(d.prefix(4))!, month: Int(d.dropFirst(4).prefix(2))!, day: Int(d.suffix(2))!)))
            dollars.append(Double(f[4])!)
        }
        return try! Frame([.int("id", id), Column(name: "date", data: .date(day)), .float("dollars", dollars)])
    }()
    static let summary: Frame = try! RFMSummary.build(transactions, RFMOptions(
        customer: "id", time: "date", amount: "dollars",
        calibrationEndDay: Int64(DateText.days(year: 1997, month: 9, day: 30)),
        holdoutEndDay: Int64(DateText.days(year: 1998, month: 6, day: 30)), periodDays: 7))
    static func col(_ n: String) -> [Double] { try! summary.column(n).toDoubles()! }

    func testSummaryMatchesLifetimes() throws {
        let s = Self.summary
        XCTAssertEqual(s.nrow, 2357)
        // lifetimes calibration_and_holdout_data(freq="D", freq_multiplier=7) column sums.
        XCTAssertEqual(Self.col("frequency").reduce(0, +), 2457)
        XCTAssertEqual(Self.col("recency").reduce(0, +), 16135.5714285714, accuracy: 1e-8)
        XCTAssertEqual(Self.col("T").reduce(0, +), 77111.2857142857, accuracy: 1e-8)
        XCTAssertEqual(Self.col("frequency_holdout").reduce(0, +), 1882)
        XCTAssertEqual(Self.col("monetary_value").reduce(0, +), 33183.6437668706, accuracy: 1e-8)
        XCTAssertEqual(Self.col("duration_holdout")[0], 39)
        // Customer 1: frequency 2, recency 30.428571428571427, T 38.857142857142854, monetary 22.345, holdout 1 purchase of 26.48.
        XCTAssertEqual(Self.col("recency")[0], 30.428571428571427, accuracy: 1e-12)
        XCTAssertEqual(Self.col("T")[0], 38.857142857142854, accuracy: 1e-12)
        XCTAssertEqual(Self.col("monetary_value")[0], 22.345, accuracy: 1e-12)
        XCTAssertEqual(Self.col("monetary_value_holdout")[0], 26.48, accuracy: 1e-12)
    }

    func testBetaGeoMatchesLifetimesAndThePaper() throws {
        let x = Self.col("frequency"), tx = Self.col("recency"), T = Self.col("T")
        let m = try BetaGeoModel.fit(frequency: x, recency: tx, T: T)
        // lifetimes 0.11.3 BetaGeoFitter: r 0.24259454342106715, alpha 4.413602716077379,
        // a 0.7929218333480146, b 2.4259057287223023; LL −9582.4292066739.
        XCTAssertEqual(m.r / 0.24259454342106715, 1, accuracy: 1e-5)
        XCTAssertEqual(m.alpha / 4.413602716077379, 1, accuracy: 1e-5)
        XCTAssertEqual(m.a / 0.7929218333480146, 1, accuracy: 1e-5)
        XCTAssertEqual(m.b / 2.4259057287223023, 1, accuracy: 1e-5)
        XCTAssertEqual(m.logLikelihood, -9582.4292066739, accuracy: 1e-6)
        // lifetimes standard_errors_: r 0.012557379181029438, alpha 0.3782241012650531, a 0.18573374969729126, b 0.705413849677443.
        XCTAssertEqual(m.standardErrors[0] / 0.012557379181029438, 1, accuracy: 1e-3)
        XCTAssertEqual(m.standardErrors[1] / 0.3782241012650531, 1, accuracy: 1e-3)
        XCTAssertEqual(m.standardErrors[2] / 0.18573374969729126, 1, accuracy: 1e-3)
        XCTAssertEqual(m.standardErrors[3] / 0.705413849677443, 1, accuracy: 1e-3)
        // The textbook customer (x 2, tₓ 30.43, T 38.86): lifetimes E[Y(39)] 1.225906809815, P(alive) 0.726609148765.
        XCTAssertEqual(m.conditionalExpectedPurchases(39, frequency: 2, recency: 30.43, T: 38.86), 1.225906809815, accuracy: 1e-5)
        XCTAssertEqual(m.probabilityAlive(frequency: 2, recency: 30.43, T: 38.86), 0.726609148765, accuracy: 1e-5)
        XCTAssertEqual(m.expectedPurchases(39), 1.195009974479, accuracy: 1e-5)
        // Conditional holdout sum: lifetimes 1653.4087241799 (paper 1653.41), actual 1882.
        var sum = 0.0
        for i in 0..<x.count { sum += m.conditionalExpectedPurchases(39, frequency: x[i], recency: tx[i], T: T[i]) }
        XCTAssertEqual(sum, 1653.4087241799, accuracy: 1e-2)
        // At lifetimes' own parameters the predictions agree to rounding.
        let ref = BetaGeoModel(r: 0.24259454342106715, alpha: 4.413602716077379, a: 0.7929218333480146, b: 2.4259057287223023)
        XCTAssertEqual(ref.conditionalExpectedPurchases(39, frequency: 2, recency: 30.43, T: 38.86), 1.225906809815, accuracy: 1e-11)
        XCTAssertEqual(ref.probabilityAlive(frequency: 2, recency: 30.43, T: 38.86), 0.726609148765, accuracy: 1e-11)
        XCTAssertEqual(ref.expectedPurchases(39), 1.195009974479, accuracy: 1e-11)
        var refSum = 0.0
        for i in 0..<x.count { refSum += ref.conditionalExpectedPurchases(39, frequency: x[i], recency: tx[i], T: T[i]) }
        XCTAssertEqual(refSum, 1653.4087241799, accuracy: 1e-8)
    }

    func testGammaGammaAndCLVMatchLifetimes() throws {
        let x = Self.col("frequency"), tx = Self.col("recency"), T = Self.col("T"), mv = Self.col("monetary_value")
        let gg = try GammaGammaModel.fit(frequency: x, monetaryValue: mv)
        // lifetimes GammaGammaFitter: p 6.249572277635918, q 3.744224674758303, v 15.443521018362135 (946 repeat customers).
        XCTAssertEqual(gg.customers, 946)
        XCTAssertEqual(gg.p / 6.249572277635918, 1, accuracy: 1e-5)
        XCTAssertEqual(gg.q / 3.744224674758303, 1, accuracy: 1e-5)
        XCTAssertEqual(gg.gamma / 15.443521018362135, 1, accuracy: 1e-5)
        // SEs p 1.190055346397943, q 0.29013306759348173, v 4.159422802211312.
        XCTAssertEqual(gg.standardErrors[0] / 1.190055346397943, 1, accuracy: 1e-3)
        XCTAssertEqual(gg.standardErrors[1] / 0.29013306759348173, 1, accuracy: 1e-3)
        XCTAssertEqual(gg.standardErrors[2] / 4.159422802211312, 1, accuracy: 1e-3)
        // At lifetimes' parameters: expected average spend of customers 1–3 and 12-month CLV (discount 0.01/month, freq W).
        let g0 = GammaGammaModel(p: 6.249572277635918, q: 3.744224674758303, gamma: 15.443521018362135)
        let b0 = BetaGeoModel(r: 0.24259454342106715, alpha: 4.413602716077379, a: 0.7929218333480146, b: 2.4259057287223023)
        let spend = [24.653918713235143, 18.910018475338564, 35.17037133045391]
        let clv = [36.27397745115939, 4.640936126483982, 8.344480971583955]
        for i in 0..<3 {
            XCTAssertEqual(g0.expectedAverageSpend(frequency: x[i], monetaryValue: mv[i]), spend[i], accuracy: 1e-10)
            XCTAssertEqual(CustomerValue.clv(b0, g0, frequency: x[i], recency: tx[i], T: T[i], monetaryValue: mv[i],
                                             months: 12, discount: 0.01, periodsPerMonth: 4.345), clv[i], accuracy: 1e-9)
        }
        var total = 0.0
        for i in 0..<x.count {
            total += CustomerValue.clv(b0, g0, frequency: x[i], recency: tx[i], T: T[i], monetaryValue: mv[i], months: 12, discount: 0.01, periodsPerMonth: 4.345)
        }
        XCTAssertEqual(total, 71507.9533161353, accuracy: 1e-6)   // lifetimes sum
    }

    func testBadInputIsAnError() {
        XCTAssertThrowsError(try BetaGeoModel.fit(frequency: [1, 2], recency: [3, 1], T: [2, 4]))
        XCTAssertThrowsError(try BetaGeoModel.fit(frequency: [1.5], recency: [1], T: [2]))
        XCTAssertThrowsError(try GammaGammaModel.fit(frequency: [1, 2, 3], monetaryValue: [1, -2, 3]))
    }
}
