/// Joins a sequence branch and a static-feature branch: the sequence input
/// goes through `sequence` (e.g. gru → last_step), the static input through
/// `staticBranch` (or as is), and the two (batch, ·) outputs are placed side
/// by side — the usual "recurrent summary + customer attributes" model.
public final class Concat<T: NNFloat>: Module<T> {
    public let sequence: Sequential<T>
    public let staticBranch: Sequential<T>?
    private var widths: (Int, Int)?
    /// Gradient with respect to the static input from the last `backward`
    /// (for attributions of static features); nil before one.
    public private(set) var sideGradient: Tensor<T>?

    public init(sequence: Sequential<T>, staticBranch: Sequential<T>? = nil) {
        self.sequence = sequence; self.staticBranch = staticBranch
    }

    public override var kind: String { "concat" }
    public override var summary: String {
        "Concat(\(sequence.summary), \(staticBranch?.summary ?? "static"))"
    }
    public override var children: [Module<T>] { [sequence] + (staticBranch.map { [$0] } ?? []) }
    public override var spec: LayerSpec { LayerSpec(kind, children: children.map(\.spec)) }

    public override func outputShape(_ s: [Int]) throws -> [Int] {
        throw NNError("concat needs the static input: call with x and static")
    }
    public func outputShape(_ s: [Int], side: [Int]?) throws -> [Int] {
        guard let side else { throw NNError("concat: the network takes a static input, none was given") }
        let a = try sequence.outputShape(s)
        let b = try staticBranch?.outputShape(side) ?? side
        guard a.count == 2, b.count == 2 else {
            throw NNError("concat: both branches must give (batch, features), got \(a) and \(b)")
        }
        guard a[0] == b[0] else { throw NNError("concat: \(a[0]) sequence rows but \(b[0]) static rows") }
        return [a[0], a[1] + b[1]]
    }

    @_specialize(exported: false, where T == Float)
    public override func forward(_ x: Tensor<T>) throws -> Tensor<T> { try forward(x, side: nil) }

    @_specialize(exported: false, where T == Float)
    public func forward(_ x: Tensor<T>, side: Tensor<T>?) throws -> Tensor<T> {
        _ = try outputShape(x.shape, side: side?.shape)
        let a = try sequence.forward(x)
        let b = try staticBranch?.forward(side!) ?? side!
        let n = a.shape[0], wa = a.shape[1], wb = b.shape[1]
        var y = [T](repeating: 0, count: n * (wa + wb))
        for r in 0..<n {
            for j in 0..<wa { y[r * (wa + wb) + j] = a.data[r * wa + j] }
            for j in 0..<wb { y[r * (wa + wb) + wa + j] = b.data[r * wb + j] }
        }
        if isTraining { widths = (wa, wb) }
        return Tensor(uncheckedShape: [n, wa + wb], data: y)
    }

    /// Returns the gradient for the sequence input; the static input's is kept
    /// in `sideGradient` (it is data: training never needs it, attributions do).
    @_specialize(exported: false, where T == Float)
    public override func backward(_ g: Tensor<T>) throws -> Tensor<T> {
        let (wa, wb) = try ShapeCheck.cached(summary, widths)
        guard g.rank == 2, g.shape[1] == wa + wb else { throw NNError("\(summary): gradient shape \(g.shape) mismatch") }
        let n = g.shape[0]
        var ga = [T](repeating: 0, count: n * wa), gb = [T](repeating: 0, count: n * wb)
        for r in 0..<n {
            for j in 0..<wa { ga[r * wa + j] = g.data[r * (wa + wb) + j] }
            for j in 0..<wb { gb[r * wb + j] = g.data[r * (wa + wb) + wa + j] }
        }
        let gSide = Tensor<T>(uncheckedShape: [n, wb], data: gb)
        sideGradient = try staticBranch?.backward(gSide) ?? gSide
        return try sequence.backward(Tensor(uncheckedShape: [n, wa], data: ga))
    }

    public override func clearCache() { widths = nil; sideGradient = nil; super.clearCache() }
}
