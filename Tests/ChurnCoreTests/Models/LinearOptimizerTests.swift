import XCTest
@testable import ChurnCore

/// The optimisers on problems with known minimisers.
final class LinearOptimizerTests: XCTestCase {
    /// Rosenbrock: minimum 0 at (1, 1), a curved valley that needs a good line search.
    func testLBFGSRosenbrock() throws {
        var opt = LBFGS()
        opt.gtol = 1e-10
        let r = try opt.minimize([-1.2, 1]) { x, g in
            let a = 1 - x[0], b = x[1] - x[0] * x[0]
            g[0] = -2 * a - 400 * x[0] * b
            g[1] = 200 * b
            return a * a + 100 * b * b
        }
        XCTAssertTrue(r.converged, r.message)
        XCTAssertEqual(r.x[0], 1, accuracy: 1e-8)
        XCTAssertEqual(r.x[1], 1, accuracy: 1e-8)
        XCTAssertLessThan(r.iterations, 100)
    }

    /// ½Σ cᵢ(xᵢ − aᵢ)² + λΣ|xᵢ| has the closed form xᵢ = sign(aᵢ)·max(|aᵢ| − λ/cᵢ, 0).
    func testOWLQNSoftThreshold() throws {
        let a = [3.0, -0.2, 0.5, -2.0, 0.0, 1.0]
        let c = [1.0, 2.0, 0.5, 4.0, 1.0, 10.0]
        let lambda = 0.6
        var l1 = [Double](repeating: lambda, count: a.count)
        l1[5] = 0   // one unpenalised coordinate
        var opt = LBFGS()
        opt.gtol = 1e-12
        let r = try opt.minimizeOWLQN([Double](repeating: 0, count: a.count), l1: l1) { x, g in
            var f = 0.0
            for i in 0..<a.count { let d = x[i] - a[i]; f += 0.5 * c[i] * d * d; g[i] = c[i] * d }
            return f
        }
        let expected = a.indices.map { i -> Double in
            let t = max(abs(a[i]) - l1[i] / c[i], 0)
            return a[i] < 0 ? -t : t
        }   // [2.4, 0, 0, -1.85, 0, 1]
        for i in a.indices { XCTAssertEqual(r.x[i], expected[i], accuracy: 1e-9, "coordinate \(i)") }
        XCTAssertEqual(r.x[1], 0)   // exact zeros, not tiny numbers
        XCTAssertEqual(r.x[2], 0)
    }

    func testDenseCholeskySolveAndInverse() {
        // A = [[4, 2], [2, 3]]: det 8, inverse [[3, -2], [-2, 4]] / 8.
        let l = DenseSPD.cholesky([4, 2, 2, 3], 2)!
        XCTAssertEqual(DenseSPD.solve(cholesky: l, 2, [2, 1]), [0.5, 0], "A·[0.5, 0] = [2, 1]")
        let inv = DenseSPD.inverse(cholesky: l, 2)
        for (a, e) in zip(inv, [3.0 / 8, -2.0 / 8, -2.0 / 8, 4.0 / 8]) { XCTAssertEqual(a, e, accuracy: 1e-15) }
        XCTAssertNil(DenseSPD.cholesky([1, 1, 1, 1], 2))   // singular
    }
}
