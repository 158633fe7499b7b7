import XCTest
@testable import ChurnCore

/// Pareto/NBD on the CDNOW 1/10 sample (weeks, calibration to 1997-09-30, holdout 39 weeks)
/// against lifetimes 0.11.3 ParetoNBDFitter; values printed by
/// scripts/reference/pareto_nbd_lifetimes_reference.py. lifetimes' default fit stops Nelder–Mead
/// at tol 1e-4 ("default"); refitted with tol 1e-12 ("tight") it reaches the optimum we find.
final class ParetoNBDTests: XCTestCase {
    func fitted() throws -> ParetoNBDModel {
        let c = BetaGeoTests.col
        return try ParetoNBDModel.fit(frequency: c("frequency"), recency: c("recency"), T: c("T"))
    }

    func testMatchesLifetimes() throws {
        let m = try fitted()
        // lifetimes tight: r 0.5532770417350594, α 10.577683678387663, s 0.6062399982438416, β 11.668736094230072, LL −9594.9761789395.
        let tight = [0.5532770417350594, 10.577683678387663, 0.6062399982438416, 11.668736094230072]
        let fit = [m.r, m.alpha, m.s, m.beta]
        for j in 0..<4 { XCTAssertEqual(fit[j] / tight[j], 1, accuracy: 1e-6, "param \(j)") }
        // lifetimes default (tol 1e-4): r 0.5532741672246988, α 10.57751571860832, s 0.6061952625646915, β 11.667138689849597.
        let loose = [0.5532741672246988, 10.57751571860832, 0.6061952625646915, 11.667138689849597]
        for j in 0..<4 { XCTAssertEqual(fit[j] / loose[j], 1, accuracy: 1e-3, "param \(j) vs lifetimes default") }
        XCTAssertEqual(m.logLikelihood, -9594.9761789395, accuracy: 1e-6)
        XCTAssertGreaterThanOrEqual(m.logLikelihood, -9594.9761790154)       // at least lifetimes' own optimum
        XCTAssertEqual(m.standardErrors.count, 4)
        XCTAssertTrue(m.standardErrors.allSatisfy { $0.isFinite && $0 > 0 })

        // The textbook customer (x = 2, tₓ = 30.43, T = 38.86): tight E[Y(39)] 1.455098747289, P(alive) 0.869115661565.
        XCTAssertEqual(m.conditionalExpectedPurchases(39, frequency: 2, recency: 30.43, T: 38.86), 1.455098747289, accuracy: 1e-8)
        XCTAssertEqual(m.probabilityAlive(frequency: 2, recency: 30.43, T: 38.86), 0.869115661565, accuracy: 1e-8)
        XCTAssertEqual(m.expectedPurchases(39), 1.213403999227, accuracy: 1e-4)
        // Conditional holdout sum: tight 1665.5131070399, default 1665.5366073899 (actual 1882).
        let c = BetaGeoTests.col
        let x = c("frequency"), tx = c("recency"), T = c("T")
        let total = (0..<x.count).reduce(0.0) { $0 + m.conditionalExpectedPurchases(39, frequency: x[$1], recency: tx[$1], T: T[$1]) }
        XCTAssertEqual(total, 1665.5131070399, accuracy: 1e-4)
        // p_alive of the first three customers (tight).
        let p = [0.86913426412059, 0.16799606542591422, 0.29511258121532813]
        for i in 0..<3 { XCTAssertEqual(m.probabilityAlive(frequency: x[i], recency: tx[i], T: T[i]), p[i], accuracy: 1e-6) }
    }

    func testBadInput() {
        XCTAssertThrowsError(try ParetoNBDModel.fit(frequency: [1], recency: [2], T: [1]))
        XCTAssertThrowsError(try ParetoNBDModel.fit(frequency: [-1], recency: [0], T: [1]))
    }
}
