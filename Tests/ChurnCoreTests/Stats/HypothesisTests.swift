import XCTest
@testable import ChurnCore

/// Expected values: References/stats_reference.py (SciPy 1.17.1, statsmodels).
final class HypothesisTests: XCTestCase {
    func testTwoProportion() throws {
        let r = try Stats.twoProportionZTest(successes1: 120, trials1: 1000, successes2: 90, trials2: 1000)
        XCTAssertEqual(r.z, 2.1882658846227234, accuracy: 1e-13)
        XCTAssertEqual(r.pValue, 0.028650240398448473, accuracy: 1e-14)
        XCTAssertEqual(r.lower, 0.003162087844242635, accuracy: 1e-13)
        XCTAssertEqual(r.upper, 0.05683791215575736, accuracy: 1e-13)
        XCTAssertEqual(r.cohensH, 0.09809790374854799, accuracy: 1e-14)
        XCTAssertEqual(r.relativeDifference, 1.0 / 3, accuracy: 1e-14)
        let g = try Stats.twoProportionZTest(successes1: 120, trials1: 1000, successes2: 90, trials2: 1000, alternative: .greater)
        XCTAssertEqual(g.pValue, 0.014325120199224236, accuracy: 1e-14)
        XCTAssertThrowsError(try Stats.twoProportionZTest(successes1: 5, trials1: 3, successes2: 1, trials2: 2))
    }

    func testChiSquare() throws {
        let t22: [[Double]] = [[120, 880], [90, 910]]
        let y = try Stats.chiSquareIndependence(t22)
        XCTAssertEqual(y.statistic, 4.474594306996542, accuracy: 1e-11)
        XCTAssertEqual(y.pValue, 0.03440236884517096, accuracy: 1e-13)
        XCTAssertEqual(y.df, 1); XCTAssert(y.yatesCorrected)
        XCTAssertEqual(y.cramersV, 0.04893111270860122, accuracy: 1e-14)
        let raw = try Stats.chiSquareIndependence(t22, yates: false)
        XCTAssertEqual(raw.statistic, 4.788507581803671, accuracy: 1e-11)
        // Uncorrected 2×2 chi-square equals the squared pooled z of the same table.
        XCTAssertEqual(raw.pValue, 0.028650240398448427, accuracy: 1e-13)
        let t33: [[Double]] = [[30, 14, 6], [22, 25, 13], [5, 9, 21]]
        let c = try Stats.chiSquareIndependence(t33)
        XCTAssertEqual(c.statistic, 31.92215277777778, accuracy: 1e-11)
        XCTAssertEqual(c.pValue, 1.9844767229641097e-06, accuracy: 1e-16)
        XCTAssertEqual(c.df, 4)
        XCTAssertEqual(c.cramersV, 0.3317776196323207, accuracy: 1e-14)
        // Noncentral-chi-square interval of V (reference inverts scipy's ncx2 with brentq).
        XCTAssertEqual(c.lower, 0.19651790630946675, accuracy: 1e-9)
        XCTAssertEqual(c.upper, 0.43320784796230083, accuracy: 1e-9)
        XCTAssertEqual(y.lower, 0); XCTAssertEqual(y.upper, 0.09275723969246612, accuracy: 1e-9)
        let weak = try Stats.chiSquareIndependence([[20, 22], [19, 21]])
        XCTAssertEqual(weak.lower, 0); XCTAssertEqual(weak.upper, 0)
        XCTAssertThrowsError(try Stats.chiSquareIndependence([[1, 0], [2, 0]])) { XCTAssert("\($0)".contains("column 2")) }
    }

    let x = [12.1, 14.3, 9.8, 11.0, 15.2, 13.3, 10.9, 12.8, 14.0]
    let y = [10.2, 9.1, 11.5, 8.8, 10.0, 12.2, 9.5, 9.9, 7.4, 10.8, 9.0, 11.1]

    func testWelch() throws {
        let r = try Stats.welchTTest(x, y)
        XCTAssertEqual(r.t, 3.7271613746093917, accuracy: 1e-12)
        XCTAssertEqual(r.df, 14.152502898433628, accuracy: 1e-11)
        XCTAssertEqual(r.pValue, 0.0022148346303894188, accuracy: 1e-12)
        XCTAssertEqual(r.lower, 1.1230608125929817, accuracy: 1e-9)
        XCTAssertEqual(r.upper, 4.160272520740357, accuracy: 1e-9)
        XCTAssertEqual(r.cohensD, 1.7182538214094716, accuracy: 1e-12)
        XCTAssertEqual(try Stats.welchTTest(x, y, alternative: .greater).pValue, 0.0011074173151947094, accuracy: 1e-12)
        XCTAssertThrowsError(try Stats.welchTTest([1], y))
        XCTAssertThrowsError(try Stats.welchTTest([1, .nan], y)) { XCTAssertEqual($0 as? StatsError, .nonFinite(what: "first sample", index: 1)) }
    }

    func testMannWhitneyWithTies() throws {
        let a: [Double] = [3, 5, 5, 7, 8, 8, 8, 10, 12, 13, 15], b: [Double] = [1, 2, 3, 3, 5, 6, 7, 7, 8, 9]
        let r = try Stats.mannWhitneyU(a, b)
        XCTAssertEqual(r.u, 84.5); XCTAssertEqual(r.pValue, 0.039699384679769745, accuracy: 1e-13)
        XCTAssertEqual(r.probabilityOfSuperiority, 84.5 / 110, accuracy: 1e-15)
        XCTAssertEqual(r.rankBiserial, 2 * 84.5 / 110 - 1, accuracy: 1e-15)
        // The effect size is the AUC of a vs b; its interval is DeLong's.
        let ci = try Metrics.aucInterval([Double](repeating: 1, count: 11) + [Double](repeating: 0, count: 10), a + b)
        XCTAssertEqual(r.lower, ci.lower); XCTAssertEqual(r.upper, ci.upper)
        XCTAssert(r.lower < r.probabilityOfSuperiority && r.probabilityOfSuperiority < r.upper)
        XCTAssertEqual(try Stats.mannWhitneyU(a, b, alternative: .greater).pValue, 0.019849692339884872, accuracy: 1e-13)
        XCTAssertEqual(try Stats.mannWhitneyU(a, b, alternative: .less).pValue, 0.9833227314503769, accuracy: 1e-13)
    }

    func testMannWhitneyExactSmallSamples() throws {
        let a = [1.1, 2.4, 3.9, 5.0, 6.2, 7.7], b = [0.3, 0.9, 1.5, 2.0, 3.1]
        let r = try Stats.mannWhitneyU(a, b)
        XCTAssertEqual(r.method, .exact)
        XCTAssertEqual(r.pValue, 0.05194805194805195, accuracy: 1e-15)
        XCTAssertEqual(try Stats.mannWhitneyU(a, b, alternative: .greater).pValue, 0.025974025974025976, accuracy: 1e-15)
        XCTAssertEqual(try Stats.mannWhitneyU(a, b, alternative: .less).pValue, 0.9848484848484849, accuracy: 1e-15)
        let c = try Stats.mannWhitneyU([1, 3, 5, 7, 9, 11, 13, 15], [2, 4, 6, 8, 10, 12, 14, 16.5])
        XCTAssertEqual(c.pValue, 0.7209013209013208, accuracy: 1e-15)
        XCTAssertEqual(try Stats.mannWhitneyU(a, b, method: .asymptotic).method, .asymptotic)
        XCTAssertThrowsError(try Stats.mannWhitneyU([1, 2, 2], [2, 3], method: .exact))
    }

    func testSampleSizeAndPower() throws {
        // Fleiss formula (reference script): 2628.63 → 2629 per group; statsmodels' arcsine version gives 2625.9.
        let s = try Stats.sampleSizeTwoProportions(baseline: 0.2, mde: -0.03)
        XCTAssertEqual(s.perGroup, 2629); XCTAssertEqual(s.total, 5258)
        XCTAssertEqual(try Stats.sampleSizeTwoProportions(baseline: 0.2, mde: -0.03, ratio: 2).perGroup, 1955)
        XCTAssertEqual(try Stats.sampleSizeTwoProportions(baseline: 0.2, mde: -0.03, power: 0.9).perGroup, 3519)
        XCTAssertEqual(try Stats.powerTwoProportions(baseline: 0.2, mde: -0.03, perGroup: 2000), 0.6856591794443344, accuracy: 1e-12)
        // Round trip: the computed n gives at least the asked power.
        XCTAssertGreaterThanOrEqual(try Stats.powerTwoProportions(baseline: 0.2, mde: -0.03, perGroup: 2629), 0.8)
        XCTAssertThrowsError(try Stats.sampleSizeTwoProportions(baseline: 0.02, mde: -0.03))
        XCTAssertThrowsError(try Stats.sampleSizeTwoProportions(baseline: 0.2, mde: 1e-12)) { XCTAssert("\($0)".contains("too small")) }
    }
}
