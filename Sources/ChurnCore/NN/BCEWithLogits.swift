/// `nn.BCEWithLogitsLoss(pos_weight=w)`, mean reduction: for logit z and
/// label y, ℓ = −[w·y·log σ(z) + (1 − y)·log(1 − σ(z))], computed with
/// log σ(z) = −softplus(−z) so large |z| neither overflows nor loses the tail.
/// Optional per-row weights (the trainer's sample weights) scale each term; the
/// mean divides by the row count, as PyTorch's `weight=` does.
public struct BCEWithLogits<T: NNFloat> {
    public var posWeight: Double

    public init(posWeight: Double = 1) throws {
        guard posWeight.isFinite, posWeight > 0 else { throw NNError("pos_weight must be a positive number, got \(posWeight)") }
        self.posWeight = posWeight
    }

    @inline(__always) static func softplus(_ x: T) -> T { x > 0 ? x + T.nnLog1p(T.nnExp(-x)) : T.nnLog1p(T.nnExp(x)) }

    /// Loss and its gradient with respect to the logits (shape (n) or (n, 1)).
    public func callAsFunction(_ logits: Tensor<T>, _ y: [T]) throws -> (loss: Double, grad: Tensor<T>) {
        guard logits.count == y.count, logits.rowSize == 1 else {
            throw NNError("loss: \(logits.count) logits (shape \(logits.shape)) for \(y.count) labels")
        }
        let n = T(max(1, y.count)), w = T(posWeight)
        var loss: T = 0
        var g = logits
        for i in 0..<y.count {
            let z = logits.data[i], yi = y[i]
            // −log σ(z) = softplus(−z); −log(1 − σ(z)) = softplus(z)
            loss += w * yi * BCEWithLogits.softplus(-z) + (1 - yi) * BCEWithLogits.softplus(z)
            let s = T.sigmoid(z)
            g.data[i] = ((1 - yi) * s - w * yi * (1 - s)) / n
        }
        return (Double(loss / n), g)
    }
}
