import CKernels
import Foundation
import XCTest
@testable import ChurnCore

/// The Float32 recurrent cells' sigmoid and tanh (C, `recurrent_cells.c`, the
/// clone this CPU picks) against libm in Double, over the range gates see and
/// beyond (saturation), on a count that is not a multiple of any vector width
/// (the vectorised loop's tail).
final class GateActivationsTests: XCTestCase {
    func testSigmoidAndTanhMatchLibm() {
        let xs: [Float] = stride(from: -100.0, through: 100.0, by: 0.0137).map { Float($0) } + [0, -0, 1e-8, -1e-8, 88.7, -88.7, 200, -200]
        var s = [Float](repeating: .nan, count: xs.count), t = s
        ck_gate_sigmoid_f32(xs.count, xs, &s)
        ck_gate_tanh_f32(xs.count, xs, &t)
        XCTAssertNotEqual(xs.count % 16, 0)   // the loop's tail is exercised
        XCTAssertNotEqual(xs.count % 8, 0)
        var worstS = 0.0, worstT = 0.0
        for (i, x) in xs.enumerated() {
            let es = 1 / (1 + Foundation.exp(-Double(x))), et = Foundation.tanh(Double(x))
            worstS = max(worstS, abs(Double(s[i]) - es) / max(es, 1e-30))   // relative: σ spans 1e-38 … 1
            worstT = max(worstT, abs(Double(t[i]) - et))
            XCTAssertTrue(s[i].isFinite && s[i] >= 0 && s[i] <= 1, "sigmoid(\(x)) = \(s[i])")
            XCTAssertTrue(t[i] >= -1 && t[i] <= 1, "tanh(\(x)) = \(t[i])")
        }
        // float32 carries ~6e-8 relative; PyTorch agreement in the tests is 1e-5.
        XCTAssertLessThan(worstS, 1e-6)
        XCTAssertLessThan(worstT, 3e-7)
        XCTAssertEqual(s[xs.count - 1], 0, accuracy: 1e-37)   // σ(−200) saturates to ~0
        XCTAssertEqual(t[xs.count - 2], 1)                     // tanh(200) = 1 exactly
        XCTAssertEqual(t[xs.count - 1], -1)
        XCTAssertEqual(s[xs.count - 2], 1)
    }

    /// Each value depends on its own input only: the same bits whatever the
    /// offset and length of the call (vector body or tail).
    func testActivationsIndependentOfPosition() {
        var rng = SeededRandom(seed: 5)
        let xs = (0..<203).map { _ in Float(rng.normal() * 10) }
        var all = [Float](repeating: 0, count: xs.count)
        ck_gate_tanh_f32(xs.count, xs, &all)
        for start in [1, 3, 17, 150] {
            let part = Array(xs[start...])
            var y = [Float](repeating: 0, count: part.count)
            ck_gate_tanh_f32(part.count, part, &y)
            XCTAssertEqual(y.map(\.bitPattern), all[start...].map(\.bitPattern))
        }
    }

    /// The Float32 Tanh and Sigmoid layers run these kernels: their forward equals
    /// ck_gate_*_f32 bit for bit, and forward and backward agree with libm in Double
    /// (y within the bounds above; dx = g·(1 − y²), g·y(1 − y) on those y, to Float32 rounding).
    func testTanhAndSigmoidLayersUseTheKernels() throws {
        var rng = SeededRandom(seed: 11)
        let xs = (0..<37).map { _ in Float(rng.normal() * 4) }, gs = (0..<37).map { _ in Float(rng.normal()) }
        let x = Tensor<Float>(uncheckedShape: [37], data: xs), g = Tensor<Float>(uncheckedShape: [37], data: gs)
        var kt = [Float](repeating: 0, count: 37), ks = kt
        ck_gate_tanh_f32(37, xs, &kt)
        ck_gate_sigmoid_f32(37, xs, &ks)
        for (layer, kernel, isTanh) in [(Tanh<Float>() as Elementwise<Float>, kt, true), (Sigmoid<Float>(), ks, false)] {
            layer.train(true)
            let y = try layer.forward(x)
            XCTAssertEqual(y.data.map(\.bitPattern), kernel.map(\.bitPattern))
            let dx = try layer.backward(g)
            for i in 0..<37 {
                let xd = Double(xs[i])
                let e = isTanh ? Foundation.tanh(xd) : 1 / (1 + Foundation.exp(-xd))
                XCTAssertEqual(Double(y.data[i]), e, accuracy: isTanh ? 3e-7 : 1e-6 * e)
                let de = Double(gs[i]) * (isTanh ? 1 - e * e : e * (1 - e))
                XCTAssertEqual(Double(dx.data[i]), de, accuracy: 2e-6 * abs(Double(gs[i])) + 1e-12)
            }
        }
    }
}
