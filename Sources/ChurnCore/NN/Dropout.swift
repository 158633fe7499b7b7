/// `nn.Dropout(p)`: in training, zeroes each value with probability p and
/// scales the rest by 1/(1−p) (inverted dropout, as PyTorch); identity in
/// evaluation. The mask stream is seeded, so a training run repeats exactly.
public final class Dropout<T: NNFloat>: Module<T> {
    public let p: Double
    private var rng: SeededRandom
    private let seed: UInt64
    private var mask: [T]?

    public init(_ p: Double, seed: UInt64) throws {
        guard p.isFinite, p >= 0, p < 1 else { throw NNError("dropout: p must be in [0, 1), got \(p)") }
        self.p = p; self.seed = seed; rng = SeededRandom(seed: seed)
    }

    public override var kind: String { "dropout" }
    public override var summary: String { "Dropout(\(p))" }
    public override var spec: LayerSpec { LayerSpec(kind, ints: ["seed": Int(truncatingIfNeeded: seed)], reals: ["p": p]) }
    public override func outputShape(_ s: [Int]) throws -> [Int] { s }

    /// Restarts the mask stream (the trainer reseeds per run).
    public func reseed(_ s: UInt64) { rng = SeededRandom(seed: s) }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> {
        guard isTraining, p > 0 else { return x }
        let scale = T(1 / (1 - p))
        var m = [T](repeating: 0, count: x.count)
        for i in 0..<m.count { m[i] = rng.uniform() < p ? 0 : scale }
        var y = x
        y.data.withUnsafeMutableBufferPointer { d in for i in d.indices { d[i] *= m[i] } }
        mask = m
        return y
    }

    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> {
        guard p > 0 else { return g }
        let m = try ShapeCheck.cached(summary, mask)
        guard m.count == g.count else { throw NNError("dropout: gradient size \(g.count) does not match input \(m.count)") }
        var dx = g
        dx.data.withUnsafeMutableBufferPointer { d in for i in d.indices { d[i] *= m[i] } }
        return dx
    }

    public override func clearCache() { mask = nil }
}
