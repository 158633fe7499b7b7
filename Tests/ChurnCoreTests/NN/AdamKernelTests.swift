import CKernels
import XCTest
@testable import ChurnCore

/// The Float32 Adam / AdamW step in C (`ck_adam_f32`, vectorised) against the Swift loop it
/// replaced (Optimizer.swift's Double formula, written out here; it is PyTorch's `torch.optim.Adam`
/// / `AdamW` update), bit for bit over several steps, on a count that is not a multiple of any
/// vector width; and the first step against its closed form w − lr·g / (|g| + eps) (bias
/// corrections cancel at t = 1: m̂ = g, √v̂ = |g|).
final class AdamKernelTests: XCTestCase {
    func reference(_ w: inout [Float], _ g: [Float], _ m: inout [Double], _ v: inout [Double], b1: Double, b2: Double,
                   stepSize: Double, c2root: Double, eps: Double, decoupled: Bool, lr: Double, wd: Double) {
        for i in 0..<w.count {
            var gi = Double(g[i]), wi = Double(w[i])
            if decoupled { wi *= 1 - lr * wd } else if wd > 0 { gi += wd * wi }
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            wi -= stepSize * m[i] / (v[i].squareRoot() / c2root + eps)
            w[i] = Float(wi)
        }
    }

    func testSameBitsAsSwiftLoop() {
        let n = 1_037
        for (decoupled, wd) in [(false, 0.0), (false, 0.01), (true, 0.05)] {
            var rng = SeededRandom(seed: 3)
            var w = (0..<n).map { _ in Float(rng.normal()) }, wr = w
            var m = [Double](repeating: 0, count: n), v = m, mr = m, vr = m
            let lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8
            for t in 1...5 {
                let g = (0..<n).map { _ in Float(rng.normal() * 0.1) }
                let c1 = 1 - pow(b1, Double(t)), c2 = 1 - pow(b2, Double(t))
                ck_adam_f32(n, &w, g, &m, &v, b1, b2, lr / c1, c2.squareRoot(), eps, decoupled ? 1 : 0, lr, wd)
                reference(&wr, g, &mr, &vr, b1: b1, b2: b2, stepSize: lr / c1, c2root: c2.squareRoot(), eps: eps,
                          decoupled: decoupled, lr: lr, wd: wd)
                XCTAssertEqual(w.map(\.bitPattern), wr.map(\.bitPattern), "decoupled \(decoupled) wd \(wd) step \(t)")
                XCTAssertEqual(m.map(\.bitPattern), mr.map(\.bitPattern))
                XCTAssertEqual(v.map(\.bitPattern), vr.map(\.bitPattern))
            }
        }
    }

    func testFirstStepClosedForm() {
        var w: [Float] = [0.5, -1, 2, 0.25, 3, -0.75, 1.5, 0, 0.125]
        let w0 = w, g: [Float] = [0.2, -0.3, 1e-3, 5, -2, 0.01, -1e-4, 0.7, 0]
        var m = [Double](repeating: 0, count: w.count), v = m
        let lr = 1e-2, b1 = 0.9, b2 = 0.999, eps = 1e-8
        ck_adam_f32(w.count, &w, g, &m, &v, b1, b2, lr / (1 - b1), (1 - b2).squareRoot(), eps, 0, lr, 0)
        for i in 0..<w.count {
            let want = Double(w0[i]) - lr * Double(g[i]) / (abs(Double(g[i])) + eps)
            XCTAssertEqual(Double(w[i]), want, accuracy: 1e-6, "i \(i)")
        }
    }
}
