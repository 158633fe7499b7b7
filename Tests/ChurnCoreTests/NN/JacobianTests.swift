import XCTest
@testable import ChurnCore

/// Backward passes against central finite differences, in Float64, in the
/// manner of torch7's `nn.Jacobian` tests: for a random projection w of the
/// output, d(w·y)/dx and d(w·y)/dθ from `backward` must match
/// (f(θ + ε) − f(θ − ε)) / 2ε for every checked input value and parameter.
final class JacobianTests: XCTestCase {
    typealias D = Double

    func randomTensor(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor<D> {
        var rng = SeededRandom(seed: seed)
        return try! Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.normal() * scale })
    }

    /// Checks input and parameter gradients; `prepare` runs before every
    /// forward (dropout reseeds its mask there).
    func check(_ m: Module<D>, _ x: Tensor<D>, side: Tensor<D>? = nil, checkInput: Bool = true,
               tolerance: Double = 1e-6, prepare: () -> Void = {}, file: StaticString = #filePath, line: UInt = #line) throws {
        m.train(true)
        func run(_ input: Tensor<D>) throws -> Tensor<D> {
            prepare()
            if let s = m as? Sequential<D> { return try s.forward(input, side: side) }
            return try m.forward(input)
        }
        let y0 = try run(x)
        var rng = SeededRandom(seed: 99)
        let w = (0..<y0.count).map { _ in rng.normal() }
        func objective(_ input: Tensor<D>) throws -> Double {
            let y = try run(input); return zip(y.data, w).reduce(0) { $0 + $1.0 * $1.1 }
        }
        m.zeroGrad()
        _ = try run(x)
        let dx = try m.backward(try Tensor(shape: y0.shape, data: w))
        let eps = 1e-6
        func compare(_ analytic: Double, _ numeric: Double, _ what: String) {
            let err = abs(analytic - numeric) / max(1, abs(numeric))
            XCTAssertLessThan(err, tolerance, "\(m.summary) \(what): analytic \(analytic) vs numeric \(numeric)", file: file, line: line)
        }
        if checkInput {
            XCTAssertEqual(dx.shape, x.shape, file: file, line: line)
            let idx = Array(stride(from: 0, to: x.count, by: max(1, x.count / 40)))
            for i in idx {
                var xp = x, xm = x
                xp.data[i] += eps; xm.data[i] -= eps
                compare(dx.data[i], (try objective(xp) - objective(xm)) / (2 * eps), "d/dx[\(i)]")
            }
        }
        let analytic = m.parameters.map { $0.grad.data }
        for (k, p) in m.parameters.enumerated() {
            for i in stride(from: 0, to: p.value.count, by: max(1, p.value.count / 25)) {
                let v = p.value.data[i]
                p.value.data[i] = v + eps; let fp = try objective(x)
                p.value.data[i] = v - eps; let fm = try objective(x)
                p.value.data[i] = v
                compare(analytic[k][i], (fp - fm) / (2 * eps), "d/d\(p.name)[\(i)]")
            }
        }
    }

    func testLinear() throws {
        var rng = SeededRandom(seed: 1)
        try check(Linear<D>(5, 3, rng: &rng), randomTensor([4, 5], seed: 2))
        try check(Linear<D>(5, 3, bias: false, rng: &rng), randomTensor([2, 3, 5], seed: 3))
    }

    func testActivations() throws {
        let x = randomTensor([6, 4], seed: 4)
        for m: Module<D> in [ReLU(), GELU(), Tanh(), Sigmoid()] { try check(m, x) }
    }

    func testDropout() throws {
        let d = try Dropout<D>(0.4, seed: 7)
        try check(d, randomTensor([5, 6], seed: 5), prepare: { d.reseed(7) })
    }

    func testLayerNormAndBatchNorm() throws {
        let ln = LayerNorm<D>(6)
        var rng = SeededRandom(seed: 8)
        for p in ln.parameters { for i in 0..<p.value.count { p.value.data[i] = rng.normal() } }
        try check(ln, randomTensor([4, 6], seed: 9))
        let bn = BatchNorm1d<D>(3)
        for p in bn.parameters { for i in 0..<p.value.count { p.value.data[i] = rng.normal() } }
        try check(bn, randomTensor([7, 3], seed: 10))
        try check(bn, randomTensor([3, 4, 3], seed: 11))
    }

    func testEmbedding() throws {
        var rng = SeededRandom(seed: 12)
        let e = Embedding<D>(5, 3, rng: &rng)
        try check(e, try Tensor(shape: [4, 2], data: [0, 4, 2, 2, 1, 3, 4, 0]), checkInput: false)
    }

    func testConvAndPooling() throws {
        var rng = SeededRandom(seed: 13)
        try check(try Conv1d<D>(3, 4, kernel: 3, rng: &rng), randomTensor([2, 7, 3], seed: 14))
        try check(try Conv1d<D>(2, 3, kernel: 3, stride: 2, padding: 1, rng: &rng), randomTensor([2, 8, 2], seed: 15))
        try check(try MaxPool1d<D>(2), randomTensor([2, 7, 3], seed: 16))
        try check(GlobalAvgPool<D>(), randomTensor([2, 5, 3], seed: 17))
        try check(LastStep<D>(), randomTensor([2, 5, 3], seed: 18))
    }

    func testGRUAndLSTM() throws {
        var rng = SeededRandom(seed: 19)
        let x = randomTensor([3, 5, 4], seed: 20)
        try check(try GRU<D>(4, 3, rng: &rng), x)
        try check(try LSTM<D>(4, 3, rng: &rng), x)
        try check(try GRU<D>(4, 3, layers: 2, bidirectional: true, rng: &rng), x)
        try check(try LSTM<D>(4, 3, layers: 2, bidirectional: true, rng: &rng), x)
    }

    func testRecurrentThreadedMatchesSerial() throws {
        var rng = SeededRandom(seed: 21)
        let g = try GRU<D>(4, 5, rng: &rng)
        let x = randomTensor([9, 6, 4], seed: 22)
        g.setThreads(1); let a = try g.forward(x); g.zeroGrad(); _ = try g.backward(a)
        let grads1 = g.parameters.map(\.grad.data)
        g.setThreads(3); let b = try g.forward(x); g.zeroGrad(); _ = try g.backward(b)
        XCTAssertEqual(a.data, b.data)
        XCTAssertEqual(grads1, g.parameters.map(\.grad.data))
    }

    func testSequentialWithConcat() throws {
        var rng = SeededRandom(seed: 23)
        let seqBranch = Sequential<D>([try GRU<D>(2, 3, rng: &rng), LastStep<D>()])
        let staticBranch = Sequential<D>([Linear<D>(3, 2, rng: &rng), Tanh<D>()])
        let net = Sequential<D>([Concat(sequence: seqBranch, staticBranch: staticBranch), Linear<D>(5, 1, rng: &rng)])
        try check(net, randomTensor([4, 3, 2], seed: 24), side: randomTensor([4, 3], seed: 25))
    }

    func testLossGradient() throws {
        let loss = try BCEWithLogits<D>(posWeight: 2.5)
        let z = randomTensor([6, 1], seed: 26, scale: 3)
        let y: [D] = [1, 0, 1, 1, 0, 0]
        let (_, g) = try loss(z, y)
        for i in 0..<6 {
            var zp = z, zm = z; zp.data[i] += 1e-6; zm.data[i] -= 1e-6
            let num = (try loss(zp, y).loss - (try loss(zm, y).loss)) / 2e-6
            XCTAssertEqual(g.data[i], num, accuracy: 1e-7)
        }
        // Extreme logits stay finite (softplus form).
        let (l, _) = try loss(try Tensor(shape: [2, 1], data: [800, -800]), [0, 1])
        XCTAssertEqual(l, 800 * (1 + 2.5) / 2, accuracy: 1e-9)
    }
}
