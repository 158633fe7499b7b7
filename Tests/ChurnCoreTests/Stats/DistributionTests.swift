import XCTest
@testable import ChurnCore

/// Expected values: References/stats_reference.py (SciPy 1.17.1).
final class DistributionTests: XCTestCase {
    func rel(_ a: Double, _ b: Double, _ tol: Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a, b, accuracy: abs(b) * tol, file: file, line: line)
    }

    func testNormal() {
        rel(Normal.cdf(-8.5), 9.47953482220325e-18, 1e-12)
        rel(Normal.cdf(-1.96), 0.024997895148220435, 1e-14)
        rel(Normal.cdf(0.3), 0.6179114221889526, 1e-14)
        rel(Normal.sf(2.5), 0.006209665325776132, 1e-13)
        rel(Normal.sf(7.0), 1.279812543885835e-12, 1e-12)
        rel(Normal.quantile(1e-10), -6.361340902404056, 1e-13)
        rel(Normal.quantile(0.001), -3.090232306167813, 1e-14)
        rel(Normal.quantile(0.025), -1.9599639845400545, 1e-14)
        rel(Normal.quantile(0.3), -0.5244005127080409, 1e-14)
        XCTAssertEqual(Normal.quantile(0.5), 0)
        rel(Normal.quantile(0.975), 1.959963984540054, 1e-14)
        rel(Normal.quantile(0.999999), 4.753424308817087, 1e-12)
    }

    func testStudentT() {
        rel(StudentT.cdf(-2.1, df: 3), 0.0632826012748423, 1e-12)
        rel(StudentT.cdf(0.7, df: 1), 0.6944001122142147, 1e-13)
        rel(StudentT.cdf(1.5, df: 12.7), 0.9209707146711441, 1e-13)
        rel(StudentT.cdf(3.2, df: 200), 0.9992008231292849, 1e-13)
        rel(StudentT.cdf(-0.2, df: 0.5), 0.44710038226724397, 1e-12)
        rel(StudentT.quantile(0.975, df: 1), 12.706204736174694, 1e-10)
        rel(StudentT.quantile(0.975, df: 4.5), 2.6589123472044034, 1e-10)
        rel(StudentT.quantile(0.05, df: 30), -1.6972608865939574, 1e-10)
        rel(StudentT.quantile(0.999, df: 2), 22.327124770119866, 1e-10)
        rel(StudentT.quantile(0.6, df: 1000), 0.25341451583949876, 1e-9)
    }

    func testLargeDegreesOfFreedom() {
        // Welch df on big samples and chi-square tables with many cells (References/stats_reference.py).
        rel(StudentT.cdf(2.0, df: 1e5), 0.9772485182712467, 1e-12)
        rel(StudentT.cdf(2.0, df: 1e7), 0.9772498545540785, 1e-10)   // continued fraction loses digits for df ≳ 1e6
        rel(StudentT.quantile(0.975, df: 1e5), 1.9599877075346095, 1e-9)
        rel(StudentT.quantile(0.975, df: 1e7), 1.959964221767205, 1e-8)
        rel(StudentT.sf(12, df: 1e5), 1.8722529059782093e-33, 1e-9)
        rel(StudentT.sf(12, df: 1e7), 1.777416025467323e-33, 1e-8)
        rel(ChiSquare.sf(2000, df: 1500), 5.809910989761926e-17, 1e-9)
        rel(ChiSquare.quantile(0.975, df: 5000), 5197.883771923797, 1e-11)
    }

    func testChiSquare() {
        rel(ChiSquare.cdf(0.5, df: 1), 0.5204998778130466, 1e-13)
        rel(ChiSquare.sf(3.84, df: 1), 0.05004352124870519, 1e-12)
        rel(ChiSquare.sf(10, df: 4), 0.04042768199451279, 1e-12)
        rel(ChiSquare.sf(25, df: 9), 0.002971180485917624, 1e-12)
        rel(ChiSquare.sf(100, df: 60), 0.0009168288614560842, 1e-11)
        rel(ChiSquare.cdf(0.01, df: 3), 0.0002651650586556101, 1e-12)
        rel(ChiSquare.quantile(0.95, df: 1), 3.841458820694124, 1e-11)
        rel(ChiSquare.quantile(0.95, df: 4), 9.487729036781154, 1e-11)
        rel(ChiSquare.quantile(0.5, df: 9), 8.342832692252955, 1e-11)
        rel(ChiSquare.quantile(0.999, df: 60), 99.60723306984946, 1e-11)
    }

    func testNoncentralChiSquare() {
        rel(NoncentralChiSquare.cdf(5.0, df: 1, lambda: 2.0), 0.7942891436565291, 1e-12)
        rel(NoncentralChiSquare.cdf(30.0, df: 4, lambda: 12.5), 0.9453257507334947, 1e-12)
        rel(NoncentralChiSquare.cdf(333.0, df: 1, lambda: 300.0), 0.8232390239643279, 1e-11)
        rel(NoncentralChiSquare.cdf(0.5, df: 3, lambda: 0.7), 0.059123018595862116, 1e-12)
        // Huge λ switches to the normal limit (mean df + λ): the median sits at the mean.
        XCTAssertEqual(NoncentralChiSquare.cdf(1e9 + 3, df: 3, lambda: 1e9), 0.5, accuracy: 1e-12)
    }
}
