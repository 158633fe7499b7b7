import Foundation
import XCTest
@testable import ChurnCore

/// The vectorised sigmoid/tanh of the recurrent cells against libm (Double),
/// over the range gates see and beyond (saturation), including a tail shorter
/// than one 8-lane vector (the partial loads and stores of `GateLanes`).
final class GateActivationsTests: XCTestCase {
    /// `f` over every value, eight lanes at a time as the fused cells apply it.
    func lanes(_ xs: [Float], _ f: (SIMD8<Float>) -> SIMD8<Float>) -> [Float] {
        var out = xs
        xs.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
            for i in stride(from: 0, to: xs.count, by: 8) {
                let n = min(8, xs.count - i)
                f(SIMD8<Float>(load: src.baseAddress! + i, count: n)).store(dst.baseAddress! + i, count: n)
            }
        } }
        return out
    }

    func testSigmoidAndTanhMatchLibm() {
        let xs: [Float] = stride(from: -100.0, through: 100.0, by: 0.0137).map { Float($0) } + [0, -0, 1e-8, -1e-8, 88.7, -88.7, 200, -200]
        let s = lanes(xs) { $0.sigmoid }, t = lanes(xs) { $0.tanh }
        XCTAssertNotEqual(xs.count % 8, 0)   // the scalar tail is exercised
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
    }

    func testDoubleLanesUseLibm() {
        XCTAssertEqual(Double(0.5).sigmoid, 1 / (1 + exp(-0.5)), accuracy: 1e-15)
        XCTAssertEqual(Double(-3).sigmoid, 1 / (1 + exp(3.0)), accuracy: 1e-15)
        XCTAssertEqual(Double(0.25).tanh, tanh(0.25), accuracy: 1e-15)
        var d: [Double] = [0, 0]
        Double(0.75).store(&d[1], count: 1)
        XCTAssertEqual(d, [0, 0.75])
    }
}
