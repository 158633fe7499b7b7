/// The base of every layer, in the manner of torch7's `nn.Module`: `forward`
/// computes the output and (in training mode) keeps what `backward` needs;
/// `backward` takes the gradient of the loss with respect to the output,
/// accumulates the parameters' gradients and returns the gradient with
/// respect to the input.
///
/// Thread-safety rule: in evaluation mode (`train(false)`) `forward` writes no
/// instance state, so one trained network can predict from many threads at
/// once. Work inside a layer is split over `threads` workers with fixed
/// chunk boundaries (matrix products: one kernel call per worker block, see
/// `MatMul`), so results are bit-identical for a seed and thread count, and
/// agree to rounding across thread counts.
public class Module<T: NNFloat> {
    public private(set) var isTraining = true
    /// Worker threads the layer's kernels may use.
    public private(set) var threads = 1

    init() {}

    /// The layer's name as `cl.nn` spells it ("linear", "gru", …).
    public var kind: String { fatalError("Module.kind is abstract") }

    public func forward(_ x: Tensor<T>) throws -> Tensor<T> { fatalError("Module.forward is abstract") }
    public func backward(_ gradOutput: Tensor<T>) throws -> Tensor<T> { fatalError("Module.backward is abstract") }
    /// `backward` for a caller that discards the input gradient (training
    /// reaches the first layer, whose input is data): the parameters'
    /// gradients only. A layer whose input gradient is a product of its own
    /// (`Linear`) skips it; the default runs `backward`.
    public func accumulateGradients(_ gradOutput: Tensor<T>) throws { _ = try backward(gradOutput) }

    /// Parameters owned by this layer (not its children).
    public var ownParameters: [Parameter<T>] { [] }
    /// Sub-layers (containers).
    public var children: [Module<T>] { [] }
    /// The layer's configuration, for persistence (parameters are saved apart).
    public var spec: LayerSpec { fatalError("Module.spec is abstract") }

    /// Every parameter of this layer and its descendants, in a fixed order.
    public var parameters: [Parameter<T>] { ownParameters + children.flatMap { $0.parameters } }

    public func train(_ on: Bool) { isTraining = on; children.forEach { $0.train(on) } }
    public func setThreads(_ n: Int) { threads = max(1, n); children.forEach { $0.setThreads(n) } }
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }

    /// Output shape for an input shape (used to validate a network before
    /// training and to size buffers); throws on a mismatch.
    public func outputShape(_ input: [Int]) throws -> [Int] { fatalError("Module.outputShape is abstract") }

    /// Cached state from the last training `forward` is dropped.
    public func clearCache() { children.forEach { $0.clearCache() } }

    /// A one-line description ("Linear(10 → 64)").
    public var summary: String { kind }
}

/// The configuration of one layer: its kind, integer and real settings, flags
/// and sub-layers. Plain data so that a network file can be decoded and
/// validated without trusting it.
public struct LayerSpec: Codable, Equatable, Sendable {
    public var kind: String
    public var ints: [String: Int] = [:]
    public var reals: [String: Double] = [:]
    public var flags: [String: Bool] = [:]
    public var children: [LayerSpec] = []

    public init(_ kind: String, ints: [String: Int] = [:], reals: [String: Double] = [:],
                flags: [String: Bool] = [:], children: [LayerSpec] = []) {
        self.kind = kind; self.ints = ints; self.reals = reals; self.flags = flags; self.children = children
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int {
        guard let v = ints[key] else { throw NNError("\(kind): missing '\(key)'") }
        guard range.contains(v) else { throw NNError("\(kind): '\(key)' = \(v) is outside \(range)") }
        return v
    }
    func real(_ key: String, in range: ClosedRange<Double>) throws -> Double {
        guard let v = reals[key] else { throw NNError("\(kind): missing '\(key)'") }
        guard v.isFinite, range.contains(v) else { throw NNError("\(kind): '\(key)' = \(v) is outside \(range)") }
        return v
    }
    func flag(_ key: String) -> Bool { flags[key] ?? false }
}

/// Shape checks shared by the layers.
enum ShapeCheck {
    static func lastDim(_ layer: String, _ shape: [Int], _ expected: Int) throws {
        guard let last = shape.last, shape.count >= 2, last == expected else {
            throw NNError("\(layer) expects input (…, \(expected)), got (\(shape.map(String.init).joined(separator: ", ")))")
        }
    }
    static func rank(_ layer: String, _ shape: [Int], _ r: Int, _ what: String) throws {
        guard shape.count == r else {
            throw NNError("\(layer) expects a \(r)-d input \(what), got (\(shape.map(String.init).joined(separator: ", ")))")
        }
    }
    static func same(_ layer: String, _ a: [Int], _ b: [Int]) throws {
        guard a == b else { throw NNError("\(layer): gradient shape \(b) does not match output shape \(a)") }
    }
    static func cached<V>(_ layer: String, _ v: V?) throws -> V {
        guard let v else { throw NNError("\(layer): backward called without a training-mode forward") }
        return v
    }
}
