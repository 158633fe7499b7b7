import CKernels
import Foundation
import XCTest
@testable import ChurnCore

/// The C gate kernels of the fused recurrent cells (`recurrent_cells.c`)
/// against the cell equations written out here in Double with libm
/// (PyTorch's `nn.GRU` / `nn.LSTM` documentation, gate order and layout of
/// `FusedCell`): Float32 (the clone this CPU picks) and Float64 kernels, one
/// step forward and backward, on random pre-activations that include ±100
/// (saturated gates), unit counts that leave a tail after every vector width
/// (1, 7, 13, 67) and row strides wider than the rows.
final class FusedCellKernelTests: XCTestCase {
    struct Case {
        let rows = 3, h: Int
        let stride: Int       // row stride of h_{t−1}, out, hNext, dOut, dh (> h)
        var pre: [Float], bias: [Float], hPrev: [Float], cell: [Float], cellPrev: [Float]
        var dOut: [Float], dh: [Float], dCell: [Float]

        init(h: Int, seed: UInt64) {
            self.h = h; stride = h + 5
            var rng = SeededRandom(seed: seed)
            func values(_ n: Int, _ scale: Double, saturate: Bool = true) -> [Float] {
                (0..<n).map { k in
                    // every 11th value saturates a gate: ±100
                    saturate && k % 11 == 5 ? (k % 2 == 0 ? 100 : -100) : Float(rng.normal() * scale)
                }
            }
            pre = values(3 * 4 * h, 3); bias = values(4 * h, 0.5)
            hPrev = values(3 * stride, 0.8).map { max(-1, min(1, $0)) }
            cell = values(3 * h, 2); cellPrev = values(3 * h, 2)
            // Gradients of ordinary size (the saturation is the gates'; c_t and c_{t−1} include ±100).
            dOut = values(3 * stride, 1, saturate: false); dh = values(3 * stride, 1, saturate: false)
            dCell = values(3 * h, 1, saturate: false)
        }
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// Reference forward (Double): gates as forward leaves them, h_t, c_t; and per value the
    /// sum of the magnitudes that enter it (Float32 rounds those, so the tolerance scales with it).
    func referenceForward(_ kind: RecurrentCell, _ c: Case) -> (gates: [Double], h: [Double], cell: [Double], scale: [Double]) {
        let h = c.h
        var gates = [Double](repeating: 0, count: c.rows * 4 * h), out = [Double](repeating: 0, count: c.rows * h)
        var cell = [Double](repeating: 0, count: c.rows * h), scale = out
        for r in 0..<c.rows {
            for j in 0..<h {
                func a(_ g: Int) -> Double { Double(c.pre[r * 4 * h + g * h + j]) + Double(c.bias[g * h + j]) }
                let G = r * 4 * h + j
                switch kind {
                case .gru:
                    let rg = Self.sigmoid(a(0)), z = Self.sigmoid(a(1)), hn = a(3)
                    let n = tanh(a(2) + rg * hn), hp = Double(c.hPrev[r * c.stride + j])
                    gates[G] = rg; gates[G + h] = z; gates[G + 2 * h] = n; gates[G + 3 * h] = hn
                    out[r * h + j] = (1 - z) * n + z * hp
                    scale[r * h + j] = abs(a(2)) + abs(rg * hn) + abs(a(3))
                case .lstm:
                    let i = Self.sigmoid(a(0)), f = Self.sigmoid(a(1)), g = tanh(a(2)), o = Self.sigmoid(a(3))
                    let cNew = f * Double(c.cell[r * h + j]) + i * g
                    gates[G] = i; gates[G + h] = f; gates[G + 2 * h] = g; gates[G + 3 * h] = o
                    cell[r * h + j] = cNew; out[r * h + j] = o * tanh(cNew)
                    scale[r * h + j] = abs(f * Double(c.cell[r * h + j])) + abs(i * g)
                }
            }
        }
        return (gates, out, cell, scale)
    }

    /// Reference backward (Double) from the given gates: dPre (rows × 4H), the new dh, the new dCell.
    func referenceBackward(_ kind: RecurrentCell, _ c: Case, gates: [Float]) -> (dPre: [Double], dh: [Double], dCell: [Double]) {
        let h = c.h
        var dPre = [Double](repeating: 0, count: c.rows * 4 * h), dh = [Double](repeating: 0, count: c.rows * h), dCell = dh
        for r in 0..<c.rows {
            for j in 0..<h {
                let G = r * 4 * h + j
                func g(_ k: Int) -> Double { Double(gates[G + k * h]) }
                let dht = Double(c.dOut[r * c.stride + j]) + Double(c.dh[r * c.stride + j])
                switch kind {
                case .gru:
                    let rg = g(0), z = g(1), n = g(2), hn = g(3), hp = Double(c.hPrev[r * c.stride + j])
                    let dn = dht * (1 - z) * (1 - n * n)           // d tanh = 1 − n²
                    dPre[G] = dn * hn * rg * (1 - rg)              // through r ⊙ h_n; dσ = σ(1 − σ)
                    dPre[G + h] = dht * (hp - n) * z * (1 - z)     // h′ = n + z (h − n)
                    dPre[G + 2 * h] = dn
                    dPre[G + 3 * h] = dn * rg
                    dh[r * h + j] = dht * z
                case .lstm:
                    let i = g(0), f = g(1), gg = g(2), o = g(3)
                    let tc = tanh(Double(c.cell[r * h + j]))
                    let dct = Double(c.dCell[r * h + j]) + dht * o * (1 - tc * tc)
                    dPre[G] = dct * gg * i * (1 - i)
                    dPre[G + h] = dct * Double(c.cellPrev[r * h + j]) * f * (1 - f)
                    dPre[G + 2 * h] = dct * i * (1 - gg * gg)
                    dPre[G + 3 * h] = dht * tc * o * (1 - o)
                    dCell[r * h + j] = dct * f
                    dh[r * h + j] = 0
                }
            }
        }
        return (dPre, dh, dCell)
    }

    func assertClose<F: BinaryFloatingPoint>(_ got: [F], _ want: [Double], tolerance: (Int) -> Double, _ what: String,
                                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, what, file: file, line: line)
        var worst = (0.0, -1)
        for k in want.indices {
            XCTAssertTrue(Double(got[k]).isFinite, "\(what)[\(k)] = \(got[k])", file: file, line: line)
            let e = abs(Double(got[k]) - want[k]) / tolerance(k)
            if e > worst.0 { worst = (e, k) }
        }
        XCTAssertLessThanOrEqual(worst.0, 1, "\(what): worst at \(worst.1): got \(worst.1 >= 0 ? Double(got[worst.1]) : 0), want \(worst.1 >= 0 ? want[worst.1] : 0)",
                                 file: file, line: line)
    }

    /// Float32 kernel, one step forward then backward from its own gates, against the reference.
    func checkFloat(_ kind: RecurrentCell, h: Int, seed: UInt64) {
        let c = Case(h: h, seed: seed), s = c.stride, what = "\(kind) h=\(h)"
        let ref = referenceForward(kind, c)
        var pre = c.pre, cell = c.cell, out = [Float](repeating: .nan, count: 3 * s)
        var hNext = [Float](repeating: .nan, count: 3 * s), cellOut = [Float](repeating: .nan, count: 3 * h)
        switch kind {
        case .gru: ck_gru_forward_f32(3, h, &pre, c.bias, c.hPrev, s, &out, s, &hNext, s)
        case .lstm: ck_lstm_forward_f32(3, h, &pre, c.bias, &cell, &out, s, &hNext, s, &cellOut)
        }
        // Gates: sigmoid within 1e-6 relative, tanh within 3e-7 absolute, of a Float32-rounded argument.
        assertClose(pre, ref.gates, tolerance: { k in
            let j = k % (4 * h)
            return kind == .gru && j >= 3 * h ? 1e-6 * (1 + abs(ref.gates[k]))     // h_n: a sum, no activation
                : 1e-6 + 2e-7 * ref.scale[(k / (4 * h)) * h + j % h] }, what + " gates")
        func rows(_ a: [Float]) -> [Float] { (0..<3).flatMap { r in a[(r * s)..<(r * s + h)] } }
        assertClose(rows(out), ref.h, tolerance: { 1e-6 + 2e-7 * ref.scale[$0] }, what + " h_t")
        XCTAssertEqual(rows(hNext), rows(out), what + " hNext")
        XCTAssertEqual(out[h..<s].filter { !$0.isNaN }.count, 0, what + " wrote past the row")
        if kind == .lstm {
            assertClose(cell, ref.cell, tolerance: { 1e-6 + 2e-7 * ref.scale[$0] }, what + " c_t")
            XCTAssertEqual(cellOut, cell, what + " cellOut")
        }
        let gates = pre, refB = referenceBackward(kind, c, gates: gates)
        var dPre = [Float](repeating: .nan, count: 3 * 4 * h), dh = c.dh, dCell = c.dCell
        switch kind {
        case .gru: ck_gru_backward_f32(3, h, gates, c.dOut, s, &dh, s, c.hPrev, s, &dPre)
        case .lstm: ck_lstm_backward_f32(3, h, gates, c.dOut, s, &dh, s, c.cell, c.cellPrev, &dCell, &dPre)
        }
        // A few Float32 products of factors the size of dOut, dh, dCell and c; LSTM: 1 − tanh²(c) with
        // tanh within 3e-7 absolute, times dL/dh (≲ 4).
        assertClose(dPre, refB.dPre, tolerance: { 5e-6 * (1 + abs(refB.dPre[$0])) }, what + " dPre")
        assertClose(rows(dh), refB.dh, tolerance: { 5e-6 * (1 + abs(refB.dh[$0])) }, what + " dh")
        if kind == .lstm { assertClose(dCell, refB.dCell, tolerance: { 5e-6 * (1 + abs(refB.dCell[$0])) }, what + " dCell") }
    }

    func testFloat32KernelsMatchEquations() {
        for h in [1, 7, 13, 64, 67] {
            checkFloat(.gru, h: h, seed: UInt64(h))
            checkFloat(.lstm, h: h, seed: UInt64(100 + h))
        }
    }

    /// The Float64 kernels (libm) agree with the reference to rounding.
    func testFloat64KernelsMatchEquations() {
        for kind in [RecurrentCell.gru, .lstm] {
            for h in [1, 13] {
                let c = Case(h: h, seed: 7), s = c.stride, ref = referenceForward(kind, c)
                var pre = c.pre.map(Double.init), cell = c.cell.map(Double.init), out = [Double](repeating: 0, count: 3 * s)
                let bias = c.bias.map(Double.init), hPrev = c.hPrev.map(Double.init)
                switch kind {
                case .gru: ck_gru_forward_f64(3, h, &pre, bias, hPrev, s, &out, s, nil, 0)
                case .lstm: ck_lstm_forward_f64(3, h, &pre, bias, &cell, &out, s, nil, 0, nil)
                }
                assertClose(pre, ref.gates, tolerance: { _ in 1e-13 }, "\(kind) f64 gates")
                assertClose((0..<3).flatMap { r in out[(r * s)..<(r * s + h)] }, ref.h, tolerance: { _ in 1e-13 }, "\(kind) f64 h")
                // Backward from Float32-exact gates, so both sides see the same inputs.
                let g32 = pre.map { Float($0) }, refB = referenceBackward(kind, c, gates: g32)
                var dPre = [Double](repeating: 0, count: 3 * 4 * h), dh = c.dh.map(Double.init), dCell = c.dCell.map(Double.init)
                switch kind {
                case .gru: ck_gru_backward_f64(3, h, g32.map(Double.init), c.dOut.map(Double.init), s, &dh, s, hPrev, s, &dPre)
                case .lstm: ck_lstm_backward_f64(3, h, g32.map(Double.init), c.dOut.map(Double.init), s, &dh, s,
                                                 c.cell.map(Double.init), c.cellPrev.map(Double.init), &dCell, &dPre)
                }
                assertClose(dPre, refB.dPre, tolerance: { _ in 1e-12 }, "\(kind) f64 dPre")
                if kind == .lstm { assertClose(dCell, refB.dCell, tolerance: { _ in 1e-12 }, "\(kind) f64 dCell") }
            }
        }
    }

    /// Evaluation passes the same buffer as h_{t−1} and hNext (GRU): each unit is read before it is written.
    func testGRUInPlaceState() {
        let h = 67, c = Case(h: h, seed: 3), s = c.stride
        var pre1 = c.pre, out1 = [Float](repeating: 0, count: 3 * s), hNext1 = [Float](repeating: 0, count: 3 * s)
        ck_gru_forward_f32(3, h, &pre1, c.bias, c.hPrev, s, &out1, s, &hNext1, s)
        var pre2 = c.pre, out2 = [Float](repeating: 0, count: 3 * s), state = c.hPrev
        state.withUnsafeMutableBufferPointer { st in
            ck_gru_forward_f32(3, h, &pre2, c.bias, st.baseAddress!, s, &out2, s, st.baseAddress!, s)
        }
        XCTAssertEqual(out2, out1)
        for r in 0..<3 { XCTAssertEqual(Array(state[(r * s)..<(r * s + h)]), Array(hNext1[(r * s)..<(r * s + h)])) }
    }

    /// Float32 layers through the C kernels, 300 rows × 8 steps (three 128-row blocks of the
    /// recurrence, the last short; 2,400 (row, step) pairs, so the weight gradients are summed in
    /// two fixed chunks, `MatMul.transposedA`): outputs and every gradient are the same bits for
    /// 1, 2 and 3 threads and when a run is repeated (the kernels and the forward products work
    /// per block, the weight-gradient chunks depend on the sizes only). Before the chunks, the
    /// Float32 weight gradients of 1 and 2 threads differed in the last bits (sgemm sums a split
    /// of C's rows differently from the whole).
    func testFloat32LayersDeterministic() throws {
        var rng = SeededRandom(seed: 31)
        let x = try Tensor<Float>(shape: [300, 8, 5], data: (0..<(300 * 8 * 5)).map { _ in Float(rng.normal()) })
        XCTAssertGreaterThanOrEqual(300 * 8 / MatMul.gradientChunkRows, 2, "the test should reach the chunked weight gradient")
        for make in [{ (r: inout SeededRandom) in try GRU<Float>(5, 13, rng: &r) as Recurrent<Float> },
                     { (r: inout SeededRandom) in try LSTM<Float>(5, 13, bidirectional: true, rng: &r) as Recurrent<Float> }] {
            var r = SeededRandom(seed: 32)
            let m = try make(&r)
            m.train(true)
            var runs: [([Float], [[Float]])] = []
            for threads in [1, 2, 2, 3] {
                m.setThreads(threads)
                let y = try m.forward(x)
                m.zeroGrad()
                _ = try m.backward(y)
                runs.append((y.data, m.parameters.map(\.grad.data)))
            }
            XCTAssertTrue(runs[0].0.allSatisfy(\.isFinite))
            XCTAssertGreaterThan(runs[0].1[0].map(abs).max() ?? 0, 0)
            for k in 1..<runs.count {
                XCTAssertEqual(runs[k].0.map(\.bitPattern), runs[0].0.map(\.bitPattern), "\(m.kind) output, run \(k)")
                XCTAssertEqual(runs[k].1.map { $0.map(\.bitPattern) }, runs[0].1.map { $0.map(\.bitPattern) }, "\(m.kind) gradients, run \(k)")
            }
        }
    }

    /// Evaluation of recurrent → last_step through `Sequential` takes the last-step-only pass
    /// (`Recurrent.forwardLastStep`): the same bits as the full output sequence then `LastStep`,
    /// for GRU and LSTM, one layer and two bidirectional layers (whose reverse direction stops
    /// after its first step), 300 rows (three row blocks) at 1 and 2 threads.
    func testLastStepEvaluationPathMatchesFullSequence() throws {
        var rng = SeededRandom(seed: 41)
        let x = try Tensor<Float>(shape: [300, 7, 5], data: (0..<(300 * 7 * 5)).map { _ in Float(rng.normal()) })
        var r = SeededRandom(seed: 42)
        let layers: [Recurrent<Float>] = [try GRU<Float>(5, 13, rng: &r), try LSTM<Float>(5, 13, rng: &r),
                                          try GRU<Float>(5, 13, layers: 2, bidirectional: true, rng: &r),
                                          try LSTM<Float>(5, 13, layers: 2, bidirectional: true, rng: &r)]
        for rec in layers {
            let width = rec.hidden * (rec.bidirectional ? 2 : 1)
            let net = Sequential<Float>([rec, LastStep<Float>(), Linear<Float>(width, 3, rng: &r)])
            net.train(false)
            for threads in [1, 2] {
                net.setThreads(threads)
                let fast = try net.forward(x)
                let full = try rec.forward(x)
                XCTAssertEqual(full.shape, [300, 7, width])
                let want = try net.layers[2].forward(try net.layers[1].forward(full))
                XCTAssertEqual(fast.shape, [300, 3])
                XCTAssertEqual(fast.data.map(\.bitPattern), want.data.map(\.bitPattern), "\(rec.summary), \(threads) threads")
                let last = try rec.forwardLastStep(x)
                XCTAssertEqual(last.data.map(\.bitPattern), try LastStep<Float>().forward(full).data.map(\.bitPattern), rec.summary)
            }
            XCTAssertThrowsError(try rec.forwardLastStep(try Tensor<Float>(shape: [2, 0, 5], data: [])))
        }
    }

    /// Training through `Sequential` with recurrent → last_step fused (`forwardLastStep`,
    /// `backwardLastStep`): the output, the input gradient and every parameter gradient are the
    /// same bits as the layers run one by one (full output sequence, `LastStep`, its zero-filled
    /// sequence gradient); the trainer's `accumulateGradients` leaves the same parameter gradients.
    func testLastStepTrainingPathMatchesFullSequence() throws {
        var rng = SeededRandom(seed: 43)
        let x = try Tensor<Float>(shape: [300, 6, 5], data: (0..<(300 * 6 * 5)).map { _ in Float(rng.normal()) })
        let g = try Tensor<Float>(shape: [300, 2], data: (0..<600).map { _ in Float(rng.normal()) })
        let makers: [(inout SeededRandom) throws -> Recurrent<Float>] = [
            { try GRU<Float>(5, 11, rng: &$0) }, { try LSTM<Float>(5, 11, rng: &$0) },
            { try GRU<Float>(5, 11, layers: 2, bidirectional: true, rng: &$0) },
            { try LSTM<Float>(5, 11, layers: 2, bidirectional: true, rng: &$0) }]
        for make in makers {
            var r1 = SeededRandom(seed: 44), r2 = SeededRandom(seed: 44)
            let recA = try make(&r1), recB = try make(&r2)
            let width = recA.hidden * (recA.bidirectional ? 2 : 1)
            let linA = Linear<Float>(width, 2, rng: &r1), linB = Linear<Float>(width, 2, rng: &r2), last = LastStep<Float>()
            let net = Sequential<Float>([recA, LastStep<Float>(), linA])
            net.train(true); net.setThreads(2); net.zeroGrad()
            let y = try net.forward(x), dx = try net.backward(g)
            let grads = net.parameters.map(\.grad.data)
            for m in [recB, last, linB] as [Module<Float>] { m.train(true); m.setThreads(2); m.zeroGrad() }
            let yB = try linB.forward(try last.forward(try recB.forward(x)))
            let dxB = try recB.backward(try last.backward(try linB.backward(g)))
            XCTAssertEqual(y.data.map(\.bitPattern), yB.data.map(\.bitPattern), recA.summary)
            XCTAssertEqual(dx.shape, x.shape)
            XCTAssertEqual(dx.data.map(\.bitPattern), dxB.data.map(\.bitPattern), recA.summary)
            XCTAssertEqual(grads.map { $0.map(\.bitPattern) }, (recB.parameters + linB.parameters).map { $0.grad.data.map(\.bitPattern) }, recA.summary)
            XCTAssertGreaterThan(grads[0].map(abs).max() ?? 0, 0)
            net.zeroGrad(); _ = try net.forward(x); try net.accumulateGradients(g)
            XCTAssertEqual(net.parameters.map { $0.grad.data.map(\.bitPattern) }, grads.map { $0.map(\.bitPattern) }, recA.summary)
        }
    }
}
