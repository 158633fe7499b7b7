@testable import ChurnCore
import Dispatch
import XCTest

/// The OpenBLAS wrappers against hand-computed products (row-major conventions,
/// transposes, strides, and syrk leaving the lower triangle alone).
final class BLASTests: XCTestCase {
    /// Package.swift links the sequential build by path; a threaded one would start a
    /// pool at load and the Landlock sandbox would refuse to start.
    func testLinkedLibraryIsSequential() {
        XCTAssertTrue(BLAS.isSequential, BLAS.configuration)
        XCTAssertTrue(BLAS.configuration.contains("OpenBLAS"), BLAS.configuration)
    }

    /// Two workers multiplying at once (the serial build's buffer pool is lock-guarded):
    /// each gets the product a single caller gets, bit for bit.
    func testConcurrentCallersAgree() {
        let n = 96
        let a = (0..<(n * n)).map { Float(($0 * 7919) % 113) / 17 - 3 }
        let b = (0..<(n * n)).map { Float(($0 * 104729) % 97) / 13 - 4 }
        var reference = [Float](repeating: 0, count: n * n)
        BLAS.sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: &reference, ldc: n)
        let results = UnsafeMutableBufferPointer<[Float]>.allocate(capacity: 8)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            var c = [Float](repeating: 0, count: n * n)
            for _ in 0..<20 { BLAS.sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: &c, ldc: n) }
            results[i] = c
        }
        for i in 0..<8 { XCTAssertEqual(results[i], reference, "worker \(i)") }
    }
    // A = [[1, 2, 3], [4, 5, 6]] (2 × 3), B = [[7, 8], [9, 10], [11, 12]] (3 × 2):
    // A·B = [[58, 64], [139, 154]].
    func testSgemmPlainAndTransposed() {
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c = [Float](repeating: 1, count: 4)
        BLAS.sgemm(m: 2, n: 2, k: 3, a: a, lda: 3, b: b, ldb: 2, beta: 1, c: &c, ldc: 2)
        XCTAssertEqual(c, [59, 65, 140, 155])
        // Aᵀ·Aᵀᵀ with A stored as 3 × 2 rows: op(A) = Aᵀ is 2 × 3.
        let at: [Float] = [1, 4, 2, 5, 3, 6]   // Aᵀ stored row-major (3 × 2)
        let bt: [Float] = [7, 9, 11, 8, 10, 12] // Bᵀ stored row-major (2 × 3)
        var d = [Float](repeating: 0, count: 4)
        BLAS.sgemm(transA: true, transB: true, m: 2, n: 2, k: 3, a: at, lda: 2, b: bt, ldb: 3, c: &d, ldc: 2)
        XCTAssertEqual(d, [58, 64, 139, 154])
    }

    func testDgemmWithStrideAndAlpha() {
        // A occupies the first 2 columns of a 2 × 3 buffer (lda 3): [[1, 2], [4, 5]].
        let a: [Double] = [1, 2, 99, 4, 5, 99]
        let b: [Double] = [1, 0, 0, 1]
        var c = [Double](repeating: 0, count: 4)
        BLAS.dgemm(m: 2, n: 2, k: 2, alpha: 2, a: a, lda: 3, b: b, ldb: 2, c: &c, ldc: 2)
        XCTAssertEqual(c, [2, 4, 8, 10])
    }

    // X = [[1, 2], [3, 4], [5, 6]] (3 observations × 2): XᵀX = [[35, 44], [44, 56]].
    func testSyrkUpperTriangleOnly() {
        let x: [Double] = [1, 2, 3, 4, 5, 6]
        var g: [Double] = [1, 1, -7, 1]
        BLAS.dsyrkUpper(transposed: true, n: 2, k: 3, a: x, lda: 2, beta: 1, c: &g, ldc: 2)
        XCTAssertEqual(g, [36, 45, -7, 57])
        let xf: [Float] = [1, 2, 3, 4, 5, 6]
        var gf: [Float] = [0, 0, -7, 0]
        BLAS.ssyrkUpper(transposed: true, n: 2, k: 3, a: xf, lda: 2, beta: 0, c: &gf, ldc: 2)
        XCTAssertEqual(gf, [35, 44, -7, 56])
        // X·Xᵀ (3 × 3) from the same rows: [[5, 11, 17], [·, 25, 39], [·, ·, 61]].
        var h = [Double](repeating: 0, count: 9)
        BLAS.dsyrkUpper(transposed: false, n: 3, k: 2, a: x, lda: 2, beta: 0, c: &h, ldc: 3)
        XCTAssertEqual(h, [5, 11, 17, 0, 25, 39, 0, 0, 61])
    }

    func testSgemv() {
        let a: [Float] = [1, 2, 3, 4, 5, 6]   // 2 × 3
        var y: [Float] = [0, 0]
        BLAS.sgemv(m: 2, n: 3, a: a, lda: 3, x: [1, 1, 1], y: &y)
        XCTAssertEqual(y, [6, 15])
        var z: [Float] = [1, 1, 1]
        BLAS.sgemv(transposed: true, m: 2, n: 3, a: a, lda: 3, x: [1, -1], beta: 1, y: &z)
        XCTAssertEqual(z, [-2, -2, -2])
    }
}
