import Foundation
import XCTest
@testable import ChurnCore

/// The layers' products (Float32: ChurnLab's kernel, `ck_sgemm`; Float64: OpenBLAS), at sizes where `MatMul` splits
/// them over workers (and the recurrence runs in several row blocks), against
/// plain loops written from the definitions, in Float64.
final class BLASPathTests: XCTestCase {
    func values(_ n: Int, seed: UInt64, scale: Double = 1) -> [Double] {
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { _ in rng.normal() * scale }
    }

    func assertClose<F: BinaryFloatingPoint>(_ a: [F], _ b: [Double], _ tol: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let worst = zip(a, b).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThan(worst, tol, what, file: file, line: line)
    }

    /// y = x·Wᵀ + b, dW = gᵀ·x, db = Σ g, dx = g·W on 300 rows × 40 → 50.
    func testLinearForwardAndBackward() throws {
        let m = 300, i = 40, o = 50
        let x = values(m * i, seed: 1), g = values(m * o, seed: 2), w = values(o * i, seed: 3, scale: 0.2), b = values(o, seed: 4)
        var y = [Double](repeating: 0, count: m * o), dw = [Double](repeating: 0, count: o * i)
        var dx = [Double](repeating: 0, count: m * i), db = [Double](repeating: 0, count: o)
        for r in 0..<m { for j in 0..<o {
            var s = b[j]; for p in 0..<i { s += x[r * i + p] * w[j * i + p] }; y[r * o + j] = s
            db[j] += g[r * o + j]
            for p in 0..<i { dw[j * i + p] += g[r * o + j] * x[r * i + p]; dx[r * i + p] += g[r * o + j] * w[j * i + p] }
        } }
        for threads in [1, 2, 3] {
            var rng = SeededRandom(seed: 5)
            let lin = Linear<Float>(i, o, rng: &rng)
            lin.weight.value = try Tensor(shape: [o, i], data: w.map(Float.init))
            lin.bias!.value = try Tensor(shape: [o], data: b.map(Float.init))
            lin.setThreads(threads); lin.train(true); lin.zeroGrad()
            let out = try lin.forward(try Tensor(shape: [m, i], data: x.map(Float.init)))
            let din = try lin.backward(try Tensor(shape: [m, o], data: g.map(Float.init)))
            assertClose(out.data, y, 1e-5, "y, \(threads) threads")
            assertClose(lin.weight.grad.data, dw, 1e-4, "dW, \(threads) threads")   // sums of 300 products
            assertClose(lin.bias!.grad.data, db, 1e-4, "db, \(threads) threads")
            assertClose(din.data, dx, 1e-5, "dx, \(threads) threads")
        }
    }

    /// Weight gradients C = beta·C + Aᵀ·B (`MatMul.transposedA`) against plain Float64 sums, in
    /// the three ways the product runs: chunks of the summed rows with partial sums (5,000 rows:
    /// 4 chunks), fixed blocks of C's longer side (300 rows, a 200 × 40 C), and one call (small);
    /// beta 0 and 1 (Linear accumulates). Every shape gives the same bits for 1, 2 and 3 threads.
    func testWeightGradientChunksAndBlocks() throws {
        for (m, p, q) in [(5_000, 20, 7), (300, 200, 40), (64, 6, 5), (2_600, 3, 90)] {
            let a = values(m * p, seed: 11), b = values(m * q, seed: 12), c0 = values(p * q, seed: 13)
            for beta in [0.0, 1.0] {
                var want = [Double](repeating: 0, count: p * q)
                for i in 0..<p { for j in 0..<q {
                    var s = beta * c0[i * q + j]
                    for r in 0..<m { s += a[r * p + i] * b[r * q + j] }
                    want[i * q + j] = s
                } }
                var results: [[Float]] = []
                for threads in [1, 2, 3] {
                    let af = a.map(Float.init), bf = b.map(Float.init)
                    var c = c0.map(Float.init)
                    af.withPtr { ap in bf.withPtr { bp in c.withMutPtr { cp in
                        MatMul.transposedA(m, p, q, ap, p, bp, q, beta: Float(beta), cp, q, threads: threads)
                    } } }
                    assertClose(c, want, 2e-4, "\(m)×\(p)×\(q), beta \(beta), \(threads) threads")   // Float32 sums of up to 5,000 products
                    results.append(c)
                }
                XCTAssertEqual(results[1].map(\.bitPattern), results[0].map(\.bitPattern), "\(m)×\(p)×\(q): 2 vs 1 threads")
                XCTAssertEqual(results[2].map(\.bitPattern), results[0].map(\.bitPattern), "\(m)×\(p)×\(q): 3 vs 1 threads")
            }
        }
    }

    /// Two workers making products at once, every call checked against the serial product (the
    /// recurrent step's size, 128 × 256 × 72), on both backends: ChurnLab's kernel (no shared
    /// state, so no lock) and OpenBLAS behind `BLAS`'s lock. Debian's sequential OpenBLAS is not
    /// safe for concurrent callers (no USE_LOCKING); before `BLAS` serialised its calls, a C program
    /// against the same library saw 0–23 wrong products in 4,000 such calls per thread (0 in 3 of
    /// 5 runs: this test can miss the race, never report a correct library wrong).
    func testConcurrentProductsAreExact() {
        let m = 128, n = 256, k = 72, calls = 1_500
        let a = [values(m * k, seed: 17), values(m * k, seed: 18)].map { $0.map(Float.init) }
        let b = values(n * k, seed: 19).map(Float.init)
        for backend in [MatMul.Backend.kernel, .openblas] {
            var reference = [[Float]](repeating: [Float](repeating: 0, count: m * n), count: 2)
            for t in 0..<2 {
                a[t].withPtr { ap in b.withPtr { bp in reference[t].withMutPtr { cp in
                    MatMul.gemm(transB: true, m, n, k, ap, k, bp, k, beta: 0, cp, n, backend: backend)
                } } }
            }
            var wrong = [0, 0]
            wrong.withMutPtr { w in
                WorkerPool.shared.run(2, threads: 2) { t in
                    var c = [Float](repeating: 0, count: m * n)
                    for _ in 0..<calls {
                        a[t].withPtr { ap in b.withPtr { bp in c.withMutPtr { cp in
                            MatMul.gemm(transB: true, m, n, k, ap, k, bp, k, beta: 0, cp, n, backend: backend)
                        } } }
                        if c != reference[t] { w[t] += 1 }
                    }
                }
            }
            XCTAssertEqual(wrong, [0, 0], "\(backend): products that differ from the serial result, per worker")
        }
    }

    /// The trainer's backward (`accumulateGradients`: the first Linear skips its input gradient)
    /// leaves the same parameter gradients as the full `backward`.
    func testAccumulateGradientsMatchesBackward() throws {
        var rng = SeededRandom(seed: 14)
        let net = Sequential<Float>([Linear<Float>(9, 16, rng: &rng), ReLU<Float>(), Linear<Float>(16, 1, rng: &rng)])
        let x = try Tensor<Float>(shape: [50, 9], data: values(50 * 9, seed: 15).map(Float.init))
        let g = try Tensor<Float>(shape: [50, 1], data: values(50, seed: 16).map(Float.init))
        net.train(true)
        _ = try net.forward(x); net.zeroGrad(); _ = try net.backward(g)
        let full = net.parameters.map(\.grad.data)
        _ = try net.forward(x); net.zeroGrad(); try net.accumulateGradients(g)
        XCTAssertEqual(net.parameters.map(\.grad.data), full)
        XCTAssertGreaterThan(full[0].map(abs).max() ?? 0, 0)
    }

    /// GRU and LSTM forward on 300 rows (three blocks of the recurrence) against
    /// PyTorch's equations stepped in plain Float64 loops; gradients of the
    /// Float32 (sgemm) path against the Float64 (dgemm) path, which the
    /// Jacobian checks verify; and the forward pass bit-identical at 1 and 2 threads.
    func testRecurrentAgainstPlainSteps() throws {
        let n = 300, l = 6, inSize = 5, h = 12
        let x = values(n * l * inSize, seed: 6)
        for kind in [RecurrentCell.gru, .lstm] {
            var rngF = SeededRandom(seed: 7), rngD = SeededRandom(seed: 8)
            let f: Recurrent<Float> = kind == .gru ? try GRU<Float>(inSize, h, rng: &rngF) : try LSTM<Float>(inSize, h, rng: &rngF)
            let d: Recurrent<Double> = kind == .gru ? try GRU<Double>(inSize, h, rng: &rngD) : try LSTM<Double>(inSize, h, rng: &rngD)
            // The same (Float32-representable) weights on both sides.
            for (a, b) in zip(f.parameters, d.parameters) { b.value = a.value.converted(to: Double.self) }
            let p = d.parameters.map { $0.value.data }
            let (wih, whh, bih, bhh) = (p[0], p[1], p[2], p[3])
            // Plain steps: gate pre-activations W_ih·x + b_ih and W_hh·h + b_hh, row by row.
            var want = [Double](repeating: 0, count: n * l * h)
            let gates = kind == .gru ? 3 : 4
            for row in 0..<n {
                var hs = [Double](repeating: 0, count: h), cs = [Double](repeating: 0, count: h)
                for t in 0..<l {
                    var gx = [Double](repeating: 0, count: gates * h), gh = gx
                    for q in 0..<(gates * h) {
                        gx[q] = bih[q]; gh[q] = bhh[q]
                        for j in 0..<inSize { gx[q] += wih[q * inSize + j] * x[(row * l + t) * inSize + j] }
                        for j in 0..<h { gh[q] += whh[q * h + j] * hs[j] }
                    }
                    let sig = { (v: Double) in 1 / (1 + exp(-v)) }
                    for u in 0..<h {
                        if kind == .gru {
                            let r = sig(gx[u] + gh[u]), z = sig(gx[h + u] + gh[h + u])
                            let nn = tanh(gx[2 * h + u] + r * gh[2 * h + u])
                            hs[u] = (1 - z) * nn + z * hs[u]
                        } else {
                            let i = sig(gx[u] + gh[u]), fg = sig(gx[h + u] + gh[h + u])
                            let g = tanh(gx[2 * h + u] + gh[2 * h + u]), o = sig(gx[3 * h + u] + gh[3 * h + u])
                            cs[u] = fg * cs[u] + i * g
                            hs[u] = o * tanh(cs[u])
                        }
                    }
                    for u in 0..<h { want[(row * l + t) * h + u] = hs[u] }
                }
            }
            let gOut = values(n * l * h, seed: 8)
            d.train(true); d.zeroGrad()
            let yd = try d.forward(try Tensor(shape: [n, l, inSize], data: x))
            let dxd = try d.backward(try Tensor(shape: [n, l, h], data: gOut))
            assertClose(yd.data, want, 1e-9, "\(kind) Float64 forward")
            var outputs: [[Float]] = []
            for threads in [1, 2] {
                f.setThreads(threads); f.train(true); f.zeroGrad()
                let y = try f.forward(try Tensor(shape: [n, l, inSize], data: x.map(Float.init)))
                let dx = try f.backward(try Tensor(shape: [n, l, h], data: gOut.map(Float.init)))
                assertClose(y.data, want, 1e-5, "\(kind) y, \(threads) threads")
                assertClose(dx.data, dxd.data, 1e-5, "\(kind) dx, \(threads) threads")
                for (a, b) in zip(f.parameters, d.parameters) {
                    assertClose(a.grad.data, b.grad.data, 1e-4, "\(kind) d\(a.name), \(threads) threads")   // sums over 1,800 (row, step)
                }
                outputs.append(y.data)
            }
            XCTAssertEqual(outputs[0], outputs[1], "\(kind): the row blocks do not depend on the thread count")
        }
    }
}
