import ExecutionControl
import Foundation

/// A trainable binary classifier: a `Sequential` of Float32 layers whose
/// output is one logit per row, with the shape of one input row (and of the
/// static side input, when the network has a `Concat`). It predicts without
/// touching Lua and, in evaluation mode, from any thread.
public final class Network {
    public let body: Sequential<Float>
    /// Shape of one input row: [features] or [time, channels].
    public let rowShape: [Int]
    /// Width of a static row (nil when the network takes no static input).
    public let sideWidth: Int?
    public internal(set) var history: [EpochRecord] = []

    public init(_ body: Sequential<Float>, rowShape: [Int], sideWidth: Int?) throws {
        self.body = body; self.rowShape = rowShape; self.sideWidth = sideWidth
        let out = try body.outputShape([2] + rowShape, side: sideWidth.map { [2, $0] })
        guard out == [2, 1] || out == [2] else {
            throw NNError("the network must end in one logit per row (e.g. linear(…, 1)), its output is (batch, \(out.dropFirst().map(String.init).joined(separator: ", ")))")
        }
        if body.takesSideInput != (sideWidth != nil) {
            throw NNError(body.takesSideInput ? "the network has a concat layer: give static features" : "static features given but the network has no concat layer")
        }
    }

    /// Checks a batch's shapes against the network's.
    func checkInput(_ x: Tensor<Float>, side: Tensor<Float>?) throws {
        guard Array(x.shape.dropFirst()) == rowShape else {
            throw NNError("x has rows of shape \(x.shape.dropFirst().map(String.init).joined(separator: " × ")), the network expects \(rowShape.map(String.init).joined(separator: " × "))")
        }
        if let w = sideWidth {
            guard let side else { throw NNError("the network needs static features") }
            guard side.rank == 2, side.shape[1] == w, side.shape[0] == x.shape[0] else {
                throw NNError("static features must be (\(x.shape[0]) × \(w)), got \(side.shape.map(String.init).joined(separator: " × "))")
            }
        } else if side != nil { throw NNError("the network takes no static features") }
    }

    /// Rows per chunk of a prediction: each chunk goes through the whole
    /// network on one worker (its activations stay in cache, one dispatch per
    /// chunk instead of one per layer). A multiple of the recurrent layers'
    /// block of 128 rows.
    static let predictChunkRows = 512

    /// Logits for every row (evaluation mode; writes no state), in rounds of
    /// about `batchSize` rows (cancellation is checked between rounds).
    ///
    /// In evaluation every layer maps each row on its own (products sum each
    /// element in a fixed order, the cells and norms are per row), so the
    /// rows are cut into chunks of `predictChunkRows` and the workers take
    /// whole chunks through every layer, the layers' own splits running inline
    /// on that worker — the same bits as one pass over all rows, for any
    /// thread count. Per-layer splits of 2,048-row batches dispatched the
    /// workers 5 times a batch for an MLP whose products take ~0.1 ms.
    public func logits(_ x: Tensor<Float>, side: Tensor<Float>?, batchSize: Int = 8192) throws -> [Float] {
        try checkInput(x, side: side)
        if body.isTraining { body.train(false) }
        let n = x.rows, chunk = Self.predictChunkRows
        let chunkCount = (n + chunk - 1) / chunk, perRound = max(1, batchSize / chunk)
        var out = [Float](repeating: 0, count: n)
        var failures = [Error?](repeating: nil, count: perRound)
        var first = 0
        while first < chunkCount {
            try ExecutionContext.check()
            let round = first..<min(chunkCount, first + perRound)
            out.withMutPtr { op in failures.withUnsafeMutableBufferPointer { fails in
                WorkerPool.shared.run(round.count, threads: body.threads) { i in
                    let c = round.lowerBound + i, r = (c * chunk)..<min(n, (c + 1) * chunk)
                    do {
                        let y = try body.forward(x.slice(rows: r), side: side?.slice(rows: r))
                        y.data.withPtr { (op + r.lowerBound).update(from: $0, count: r.count) }
                    } catch { fails[i] = error }
                }
            } }
            if let e = failures.lazy.compactMap({ $0 }).first { throw e }
            first = round.upperBound
        }
        return out
    }

    /// P(y = 1) for every row.
    public func predictProba(_ x: Tensor<Float>, side: Tensor<Float>?, batchSize: Int = 8192) throws -> [Double] {
        try logits(x, side: side, batchSize: batchSize).map { Double(Float.sigmoid($0)) }
    }

    public func setThreads(_ n: Int) { body.setThreads(n) }

    /// Parameter values and norm statistics, for restoring the best epoch.
    func snapshot() -> [[Float]] {
        body.parameters.map(\.value.data) + batchNorms.flatMap { [$0.runningMean, $0.runningVar] }
    }
    func restore(_ s: [[Float]]) {
        let ps = body.parameters
        for (p, v) in zip(ps, s) { p.value.data = v }
        var k = ps.count
        for bn in batchNorms { bn.runningMean = s[k]; bn.runningVar = s[k + 1]; k += 2 }
    }
    var batchNorms: [BatchNorm1d<Float>] { Network.batchNorms(in: body) }
    static func batchNorms(in m: Module<Float>) -> [BatchNorm1d<Float>] {
        ((m as? BatchNorm1d<Float>).map { [$0] } ?? []) + m.children.flatMap { batchNorms(in: $0) }
    }

    public var parameterCount: Int { body.parameters.reduce(0) { $0 + $1.value.count } }
}
