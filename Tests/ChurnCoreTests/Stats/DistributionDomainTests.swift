import XCTest
@testable import ChurnCore

/// Issue 11, item 12: qnorm(2) and qchisq(1.5, 3) gave NaN, pt(1, 0) gave 1. Outside the
/// domain every checked distribution function throws (SciPy 1.17.1 answers nan for all three:
/// norm.ppf(2), chi2.ppf(1.5, 3), t.cdf(1, 0)); inside it the values match SciPy.
final class DistributionDomainTests: XCTestCase {
    typealias D = DistributionFunctions

    func assertDomainError(_ body: @autoclosure () throws -> Double, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { e in XCTAssertTrue("\(e)".contains(text), "\(e)", file: file, line: line) }
    }

    func testOutOfDomainInputsAreErrors() {
        assertDomainError(try D.qnorm(2), "qnorm: probability p must be in [0, 1], got 2.0")
        assertDomainError(try D.qnorm(-0.1), "qnorm: probability p must be in [0, 1]")
        assertDomainError(try D.qnorm(.nan), "qnorm: probability p must be in [0, 1], got nan")
        assertDomainError(try D.qchisq(1.5, df: 3), "qchisq: probability p must be in [0, 1], got 1.5")
        assertDomainError(try D.qt(1.5, df: 3), "qt: probability p")
        for (fn, f) in [("pt", { try D.pt(1, df: $0) }), ("qt", { try D.qt(0.5, df: $0) }),
                        ("pchisq", { try D.pchisq(1, df: $0) }), ("qchisq", { try D.qchisq(0.5, df: $0) })] as [(String, (Double) throws -> Double)] {
            for df in [0, -1, Double.nan] { assertDomainError(try f(df), "\(fn): degrees of freedom df must be") }
        }
        assertDomainError(try D.pchisq(1, df: .infinity), "pchisq: degrees of freedom df must be > 0 and finite")
        assertDomainError(try D.pnorm(.nan), "pnorm: x is NaN")
        assertDomainError(try D.pt(.nan, df: 3), "pt: t is NaN")
        assertDomainError(try D.pchisq(.nan, df: 3), "pchisq: x is NaN")
    }

    /// scipy.stats: norm.ppf(0.975) = 1.959963984540054, t.cdf(1, inf) = 0.8413447460685429,
    /// t.ppf(0.975, 10) = 2.228138851986274, chi2.ppf(0.95, 3) = 7.814727903251179, chi2.cdf(-1, 3) = 0.
    func testValuesAndLimitsInsideTheDomain() throws {
        XCTAssertEqual(try D.qnorm(0.975), 1.959963984540054, accuracy: 1e-13)
        XCTAssertEqual(try D.qnorm(0), -.infinity)
        XCTAssertEqual(try D.qnorm(1), .infinity)
        XCTAssertEqual(try D.pnorm(.infinity), 1)
        XCTAssertEqual(try D.pt(1, df: .infinity), 0.8413447460685429, accuracy: 1e-14)
        XCTAssertEqual(try D.qt(0.975, df: 10), 2.228138851986274, accuracy: 1e-10)
        XCTAssertEqual(try D.qt(0.975, df: .infinity), 1.959963984540054, accuracy: 1e-13)
        XCTAssertEqual(try D.qchisq(0.95, df: 3), 7.814727903251179, accuracy: 1e-9)
        XCTAssertEqual(try D.pchisq(-1, df: 3), 0)
        XCTAssertEqual(try D.pchisq(.infinity, df: 3), 1)
    }
}
