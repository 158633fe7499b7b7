import XCTest
@testable import ChurnCore

/// The BLAS conjugate-gradient half-step (`ALSGatheredCG`) on a hand-computed
/// two-factor case, in the padded row layout of the model (16 floats a row).
final class ALSGatheredCGTests: XCTestCase {
    let f = 2, ld = 16

    /// Fixed rows y0 = (1, 0), y1 = (0, 1), y2 = (1, 1) in rows of ld floats.
    func fixedRows() -> [Float] {
        var y = [Float](repeating: 0, count: 3 * ld)
        y[0] = 1; y[ld + 1] = 1; y[2 * ld] = 1; y[2 * ld + 1] = 1
        return y
    }

    /// G = YᵀY + λI = [[1+0+1, 0+0+1], [1, 0+1+1]] + λI.
    func testGramIsYTransposeYPlusLambda() {
        let g = fixedRows().withUnsafeBufferPointer { ALSGatheredCG.gram($0.baseAddress!, rows: 3, f: f, ld: ld, regularization: 0.5) }
        XCTAssertEqual(g, [2.5, 1, 1, 2.5])
        // Many rows over several chunks (summed in chunk order): G = n · [[1, 2], [2, 4]] exactly.
        let n = 20_000
        var y = [Float](repeating: 0, count: n * ld)
        for r in 0..<n { y[r * ld] = 1; y[r * ld + 1] = 2 }
        let big = y.withUnsafeBufferPointer { ALSGatheredCG.gram($0.baseAddress!, rows: n, f: f, ld: ld, regularization: 0) }
        XCTAssertEqual(big, [Float(n), Float(2 * n), Float(2 * n), Float(4 * n)])
    }

    /// Row 0 touches y0 with confidence − 1 = 2 and y2 with 1, λ = 1:
    /// A = G + 2 y0y0ᵀ + y2y2ᵀ = [[3, 1], [1, 3]] + [[2, 0], [0, 0]] + [[1, 1], [1, 1]] = [[6, 2], [2, 4]],
    /// b = Σ (1 + e) y = 3 (1, 0) + 2 (1, 1) = (5, 2), so x = A⁻¹b = (16, 2) / 20 = (0.8, 0.1).
    /// Row 1 touches nothing: G x = 0, x = 0. Two CG steps solve a 2 × 2 system exactly
    /// (up to single-precision rounding), from any start, whatever the segment length.
    func testSolvesTheNormalEquationsByHand() throws {
        let rows = ALSRows([[(0, 2), (2, 1)], []], alpha: 1)
        let y = fixedRows()
        let g = y.withUnsafeBufferPointer { ALSGatheredCG.gram($0.baseAddress!, rows: 3, f: f, ld: ld, regularization: 1) }
        XCTAssertEqual(g, [3, 1, 1, 3])
        func run(segment: Int, threads: Int) throws -> [Float] {
            var x = [Float](repeating: 0, count: 2 * ld)
            x[0] = 0.3; x[1] = -0.7; x[ld] = 1; x[ld + 1] = -1
            try Parallel.withThreads(threads) {
                try y.withUnsafeBufferPointer { yb in
                    try x.withUnsafeMutableBufferPointer { xb in
                        try ALSGatheredCG.solve(rows, fixed: yb.baseAddress!, solved: xb.baseAddress!, gram: g, f: f, ld: ld,
                                                steps: 2, segment: segment)
                    }
                }
            }
            return x
        }
        let x = try run(segment: ALSGatheredCG.gatherRows, threads: 2)
        XCTAssertEqual(x[0], 0.8, accuracy: 1e-6)
        XCTAssertEqual(x[1], 0.1, accuracy: 1e-6)
        XCTAssertEqual(x[ld], 0, accuracy: 1e-6)
        XCTAssertEqual(x[ld + 1], 0, accuracy: 1e-6)
        XCTAssertEqual(x.enumerated().filter { $0.offset % ld >= f }.map(\.element), [Float](repeating: 0, count: 2 * (ld - f)),
                       "padding lanes stay zero")
        // Gathered one entry at a time (the long-row path): the same solution.
        let segmented = try run(segment: 1, threads: 1)
        for j in [0, 1, ld, ld + 1] { XCTAssertEqual(segmented[j], x[j], accuracy: 1e-6) }
        // Bit-identical across runs and thread counts.
        XCTAssertEqual(try run(segment: ALSGatheredCG.gatherRows, threads: 1), x)
        XCTAssertEqual(try run(segment: ALSGatheredCG.gatherRows, threads: 3), x)
    }
}
