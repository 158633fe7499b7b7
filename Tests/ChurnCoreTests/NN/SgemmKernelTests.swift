import XCTest
import CKernels
@testable import ChurnCore

/// ChurnLab's Float32 matrix-product kernel (`ck_sgemm`, Sources/CKernels/gemm_kernels.c)
/// against a plain triple loop in Float64 written from the definition
/// C = op(A)·op(B) + beta·C, on odd sizes (edge tiles in every direction), row strides
/// wider than the rows, beta 0, 1 and 0.5, and k beyond one k block (256); and its
/// determinism: the same bits whatever the row split or thread count, and under
/// concurrent callers.
final class SgemmKernelTests: XCTestCase {
    static let sizes = [1, 2, 3, 7, 15, 17, 63, 64, 65, 129]

    func values(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { _ in Float(rng.normal()) }
    }

    /// Runs ck_sgemm on one case and checks every element (and that C's padding columns are
    /// untouched) against the Float64 sum. Tolerance: Float32 summation error bound
    /// (k + 2) · 2⁻²³ · (Σ_p |a_ip b_pj| + |beta c_ij|).
    func check(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, beta: Float, seed: UInt64,
               file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let lda = (transA ? m : k) + 1, ldb = (transB ? k : n) + 2, ldc = n + 3
        let a = values(lda * (transA ? k : m), seed: seed), b = values(ldb * (transB ? n : k), seed: seed + 1)
        let c0 = values(ldc * m, seed: seed + 2)
        var c = c0
        let rc = a.withPtr { ap in b.withPtr { bp in c.withMutPtr { cp in
            ck_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, ap, lda, bp, ldb, beta, cp, ldc)
        } } }
        XCTAssertEqual(rc, 0, file: file, line: line)
        var ok = true
        a.withPtr { ap in b.withPtr { bp in c.withPtr { cp in c0.withPtr { c0p in
            for i in 0..<m {
                for j in 0..<n {
                    var s = Double(beta) * Double(c0p[i * ldc + j]), mag = abs(Double(beta) * Double(c0p[i * ldc + j]))
                    for p in 0..<k {
                        let av = Double(transA ? ap[p * lda + i] : ap[i * lda + p])
                        let bv = Double(transB ? bp[j * ldb + p] : bp[p * ldb + j])
                        s += av * bv; mag += abs(av * bv)
                    }
                    let tol = Double(k + 2) * 0x1p-23 * mag + 1e-30
                    if abs(Double(cp[i * ldc + j]) - s) > tol {
                        XCTFail("\(transA ? "T" : "N")\(transB ? "T" : "N") m \(m) n \(n) k \(k) beta \(beta): C[\(i),\(j)] = \(cp[i * ldc + j]), want \(s) ± \(tol)",
                                file: file, line: line)
                        ok = false
                    }
                }
                for j in n..<ldc where cp[i * ldc + j].bitPattern != c0p[i * ldc + j].bitPattern {
                    XCTFail("padding column \(j) of row \(i) written", file: file, line: line); ok = false
                }
            }
        } } } }
        return ok
    }

    /// A · Bᵀ (the recurrent step and Linear forward: B is the weight matrix), every size triple.
    func testTransposedBAllSizes() {
        var seed: UInt64 = 1
        for m in Self.sizes { for n in Self.sizes { for k in Self.sizes {
            let beta: Float = [0, 1, 0.5][Int(seed % 3)]
            if !check(false, true, m, n, k, beta: beta, seed: seed) { return }
            seed += 3
        } } }
    }

    /// A · B (input gradients: B is the weight matrix) and Aᵀ · B (weight gradients).
    func testPlainAndTransposedA() {
        let sizes = [1, 3, 17, 64, 65, 129]
        var seed: UInt64 = 5_000
        for (ta, tb) in [(false, false), (true, false), (true, true)] {
            for m in sizes { for n in sizes { for k in sizes {
                let beta: Float = [0, 1, 0.5][Int(seed % 3)]
                if !check(ta, tb, m, n, k, beta: beta, seed: seed) { return }
                seed += 3
            } } }
        }
    }

    /// k across several k blocks (each continues the sum from C), n across two n blocks (512).
    func testLongSumsAndWideC() {
        XCTAssertTrue(check(true, false, 70, 33, 1_100, beta: 1, seed: 9_001))
        XCTAssertTrue(check(false, true, 13, 1_030, 300, beta: 0.5, seed: 9_011))
        XCTAssertTrue(check(false, false, 7, 600, 257, beta: 0, seed: 9_021))
    }

    /// k = 0: C = beta · C (BLAS rejects it; the layers' empty inputs reach it).
    func testEmptySum() {
        var c: [Float] = [1, 2, 3, 4]
        let a: [Float] = [0], b: [Float] = [0]
        a.withPtr { ap in b.withPtr { bp in c.withMutPtr { cp in _ = ck_sgemm(0, 0, 2, 2, 0, ap, 1, bp, 2, 0.5, cp, 2) } } }
        XCTAssertEqual(c, [0.5, 1, 1.5, 2])
    }

    /// Rows of C split over 1, 2 and 3 workers (`MatMul.rows`) give the same bits as one call,
    /// and so does any one row computed alone: an element's sum does not depend on the split.
    func testRowSplitAndThreadCountBitIdentical() {
        let m = 517, n = 129, k = 300
        let a = values(m * k, seed: 31), b = values(n * k, seed: 32)
        var results: [[UInt32]] = []
        for threads in [1, 2, 3] {
            var c = [Float](repeating: 0, count: m * n)
            a.withPtr { ap in b.withPtr { bp in c.withMutPtr { cp in
                MatMul.rows(transB: true, m, n, k, ap, k, bp, k, beta: 0, cp, n, threads: threads)
            } } }
            results.append(c.map(\.bitPattern))
        }
        XCTAssertEqual(results[1], results[0], "2 vs 1 threads")
        XCTAssertEqual(results[2], results[0], "3 vs 1 threads")
        for row in [0, 5, 6, 258, 516] {
            var c = [Float](repeating: 0, count: n)
            a.withPtr { ap in b.withPtr { bp in c.withMutPtr { cp in
                _ = ck_sgemm(0, 1, 1, n, k, ap + row * k, k, bp, k, 0, cp, n)
            } } }
            XCTAssertEqual(c.map(\.bitPattern), Array(results[0][(row * n)..<((row + 1) * n)]), "row \(row) alone")
        }
    }

    // ---- op(B) packed once (ck_sgemm_pack_b / ck_sgemm_packed, PackedRightSide) ----

    /// ck_sgemm_packed with op(B) packed once gives the same bits as ck_sgemm on the same
    /// operands (and so passes `check`'s Float64 bound too): odd sizes (edge tiles), op(B) = B
    /// and Bᵀ, A plain and transposed, k across k blocks (256), n across n blocks (512), beta 0,
    /// 1 and 0.5, strides wider than the rows.
    func testPackedBSameBitsAsPlain() {
        var cases: [(Bool, Bool, Int, Int, Int)] = []
        for m in [1, 5, 7, 13, 128] { for n in [1, 15, 17, 33, 256] { for k in [1, 8, 9, 64, 72] {
            cases.append((false, true, m, n, k))
        } } }
        cases += [(false, false, 7, 65, 129), (true, false, 70, 33, 1_100), (true, true, 9, 17, 300),
                  (false, true, 13, 1_030, 300), (false, false, 7, 600, 257), (false, true, 6, 16, 256)]
        var seed: UInt64 = 20_000
        for (ta, tb, m, n, k) in cases {
            let beta: Float = [0, 1, 0.5][Int(seed % 3)]
            let lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3
            let a = values(lda * (ta ? k : m), seed: seed), b = values(ldb * (tb ? n : k), seed: seed + 1)
            let c0 = values(ldc * m, seed: seed + 2)
            var plain = c0, packedC = c0
            let floats = ck_sgemm_packed_floats(k, n)
            let bp = UnsafeMutableRawPointer.allocate(byteCount: floats * 4, alignment: 64).assumingMemoryBound(to: Float.self)
            defer { bp.deallocate() }
            a.withPtr { ap in b.withPtr { bptr in
                plain.withMutPtr { cp in XCTAssertEqual(ck_sgemm(ta ? 1 : 0, tb ? 1 : 0, m, n, k, ap, lda, bptr, ldb, beta, cp, ldc), 0) }
                XCTAssertEqual(ck_sgemm_pack_b(tb ? 1 : 0, k, n, bptr, ldb, bp), 0)
                packedC.withMutPtr { cp in XCTAssertEqual(ck_sgemm_packed(ta ? 1 : 0, m, n, k, ap, lda, bp, beta, cp, ldc), 0) }
            } }
            if packedC.map(\.bitPattern) != plain.map(\.bitPattern) {
                XCTFail("\(ta ? "T" : "N")\(tb ? "T" : "N") m \(m) n \(n) k \(k) beta \(beta): packed B differs from ck_sgemm"); return
            }
            seed += 3
        }
        // And one of them against the Float64 definition through `check`'s path.
        XCTAssertTrue(check(false, true, 13, 33, 72, beta: 0.5, seed: 20_500))
    }

    /// The packed buffer must be 32-byte aligned for the kernel's aligned loads: refused otherwise.
    func testPackedBRejectsMisalignedBuffer() {
        let b = values(8 * 16, seed: 3)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: (ck_sgemm_packed_floats(8, 16) + 1) * 4, alignment: 64)
        defer { raw.deallocate() }
        let rc = b.withPtr { ck_sgemm_pack_b(0, 8, 16, $0, 16, (raw + 4).assumingMemoryBound(to: Float.self)) }
        XCTAssertEqual(rc, -1)
    }

    /// `PackedRightSide` shared by 1, 2 and 3 workers, each multiplying its rows (the recurrent
    /// layer's use): the same bits as one plain `MatMul.gemm`; and its Float64 path (a row-major
    /// copy of op(B)) against the Float64 product.
    func testPackedRightSideAcrossThreads() {
        let m = 517, n = 256, k = 72
        let a = values(m * k, seed: 41), w = values(n * k, seed: 42)
        var want = [Float](repeating: 0, count: m * n)
        a.withPtr { ap in w.withPtr { wp in want.withMutPtr { cp in MatMul.gemm(transB: true, m, n, k, ap, k, wp, k, beta: 0, cp, n) } } }
        let packed = w.withPtr { PackedRightSide<Float>(transB: true, k, n, $0, k) }
        for threads in [1, 2, 3] {
            var c = [Float](repeating: 0, count: m * n)
            let rs = Parallel.ranges(m, chunks: 5)
            a.withPtr { ap in c.withMutPtr { cp in
                WorkerPool.shared.run(rs.count, threads: threads) { i in
                    let r = rs[i]
                    packed.product(r.count, ap + r.lowerBound * k, k, beta: 0, cp + r.lowerBound * n, n)
                }
            } }
            XCTAssertEqual(c.map(\.bitPattern), want.map(\.bitPattern), "\(threads) threads")
        }
        let ad = a.map(Double.init), wd = w.map(Double.init)
        var cd = [Double](repeating: 1, count: 3 * n), wantD = cd
        let packedD = wd.withPtr { PackedRightSide<Double>(transB: true, k, n, $0, k) }
        ad.withPtr { ap in cd.withMutPtr { packedD.product(3, ap, k, beta: 0.5, $0, n) } }
        for i in 0..<3 { for j in 0..<n {
            var s = 0.5 * wantD[i * n + j]
            for p in 0..<k { s += ad[i * k + p] * wd[j * k + p] }
            wantD[i * n + j] = s
        } }
        for (x, y) in zip(cd, wantD) { XCTAssertEqual(x, y, accuracy: 1e-12) }
    }
}

/// Bias-gradient column sums (`ck_column_sums_f32` behind `MatMul.addColumnSums`): the same
/// bits as the plain row-order loop, on widths below, at and past the 64-column register block,
/// strides wider than the rows, and 1, 2 and 3 threads (column blocks).
final class ColumnSumsKernelTests: XCTestCase {
    func testSameBitsAsRowOrderLoop() {
        var rng = SeededRandom(seed: 77)
        for (m, n) in [(1, 1), (3, 63), (5, 64), (7, 65), (300, 256), (1_000, 129), (0, 17)] {
            let lda = n + 3
            let a = (0..<(max(m, 1) * lda)).map { _ in Float(rng.normal()) }
            let start = (0..<n).map { _ in Float(rng.normal()) }
            var want = start
            for r in 0..<m { for j in 0..<n { want[j] += a[r * lda + j] } }
            for threads in [1, 2, 3] {
                var got = start
                a.withPtr { ap in got.withMutPtr { MatMul.addColumnSums(m, n, ap, lda, $0, threads: threads) } }
                XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "m \(m) n \(n) threads \(threads)")
            }
        }
    }
}
