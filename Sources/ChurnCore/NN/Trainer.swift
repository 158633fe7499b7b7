import ExecutionControl
import Foundation

/// One epoch of training: mean training loss, evaluation loss and AUC (when
/// an evaluation set was given), learning rate and wall time.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var loss: Double
    public var evalLoss: Double?
    public var evalAUC: Double?
    public var learningRate: Double
    public var seconds: Double
}

/// What the progress callback sees after each epoch.
public struct TrainingProgress: Sendable {
    public var epoch: Int, epochs: Int
    public var loss: Double, evalAUC: Double?
    /// Seconds left at the mean epoch time so far.
    public var eta: Double
}

/// Rows for training or evaluation: inputs (batch first), optional static
/// features and 0/1 labels.
public struct TrainingSet {
    public var x: Tensor<Float>
    public var side: Tensor<Float>?
    public var y: [Float]
    public init(x: Tensor<Float>, side: Tensor<Float>? = nil, y: [Float]) throws {
        guard x.rows == y.count else { throw NNError("x has \(x.rows) rows but y has \(y.count) labels") }
        if let side, side.rows != y.count { throw NNError("static has \(side.rows) rows but y has \(y.count) labels") }
        guard y.allSatisfy({ $0 == 0 || $0 == 1 }) else { throw NNError("y must hold 0/1 labels") }
        guard x.isFinite, side?.isFinite ?? true else { throw NNError("x and static must be finite (no NaN or inf)") }
        self.x = x; self.side = side; self.y = y
    }
}

public struct TrainerOptions: Sendable {
    public var epochs = 10
    public var batchSize = 256
    public var seed: UInt64 = 42
    public var shuffle = true
    public var optimizer = OptimizerSpec(kind: "adam", lr: 1e-3)
    public var schedule = LRSchedule.constant
    /// Clip the global gradient norm to this (nil: no clipping).
    public var clipNorm: Double?
    public var posWeight = 1.0
    /// Stop after this many epochs without improvement of the monitored value
    /// (evaluation AUC when there is an evaluation set, else training loss).
    public var patience: Int?
    public var minDelta = 0.0
    /// On early stopping, put back the weights of the best epoch.
    public var restoreBest = true
    public var threads = Parallel.threads
    public init() {}
}

/// Mini-batch training of a `Network` with binary cross-entropy on logits.
/// Shuffling draws from `seed`; the layers' kernels split work with fixed
/// boundaries and ordered sums, so a run is bit-identical for a seed and
/// thread count. Cancellation is checked per batch and the working memory of
/// a batch is charged to the caller's budget first.
public enum Trainer {
    public static func fit(_ net: Network, train: TrainingSet, eval: TrainingSet? = nil, options o: TrainerOptions,
                           progress: ((TrainingProgress) -> Void)? = nil) throws -> [EpochRecord] {
        guard o.epochs >= 1, o.batchSize >= 1 else { throw NNError("epochs and batch_size must be ≥ 1") }
        guard !train.y.isEmpty else { throw NNError("no training rows") }
        try o.schedule.validate()
        try net.checkInput(train.x.slice(rows: 0..<1), side: train.side?.slice(rows: 0..<1))
        if let eval { try net.checkInput(eval.x.slice(rows: 0..<min(1, eval.x.rows)), side: eval.side?.slice(rows: 0..<min(1, eval.x.rows))) }
        let optimizer = try o.optimizer.make()
        let loss = try BCEWithLogits<Float>(posWeight: o.posWeight)
        net.setThreads(o.threads)
        var rng = SeededRandom(seed: o.seed)
        reseedDropout(net.body, seed: o.seed)
        let params = net.body.parameters
        let n = train.y.count
        var order = Array(0..<n)
        var history: [EpochRecord] = []
        var best = -Double.infinity, bestState: [[Float]]? = nil, sinceBest = 0
        let started = Date()
        defer { net.body.clearCache(); net.body.train(false) }
        for epoch in 0..<o.epochs {
            let t0 = Date()
            if o.shuffle { rng.shuffle(&order) }
            let lr = o.schedule.rate(optimizer.learningRate, epoch: epoch)
            net.body.train(true)
            var total = 0.0
            var start = 0
            while start < n {
                try ExecutionContext.check()
                let idx = Array(order[start..<min(n, start + o.batchSize)])
                start += idx.count
                try ExecutionContext.checkMemory(Tensor<Float>.bytes(idx.count * (train.x.rowSize + (train.side?.rowSize ?? 0)) * 8),
                                                 for: "training batch")
                let xb = train.x.gatherRows(idx), sb = train.side?.gatherRows(idx)
                let yb = idx.map { train.y[$0] }
                net.body.zeroGrad()
                let z = try net.body.forward(xb, side: sb)
                let (l, g) = try loss(z, yb)
                guard l.isFinite else { throw NNError("training diverged at epoch \(epoch + 1) (loss is \(l)); lower the learning rate or clip gradients") }
                try net.body.accumulateGradients(g)
                if let c = o.clipNorm { GradientClipping.clip(params, maxNorm: c) }
                optimizer.step(params, lr: lr)
                total += l * Double(idx.count)
            }
            net.body.clearCache()
            var rec = EpochRecord(epoch: epoch + 1, loss: total / Double(n), evalLoss: nil, evalAUC: nil, learningRate: lr, seconds: 0)
            if let eval, !eval.y.isEmpty {
                let z = try net.logits(eval.x, side: eval.side)
                rec.evalLoss = try loss(Tensor(uncheckedShape: [z.count, 1], data: z), eval.y).loss
                rec.evalAUC = try? Metrics.rocAUC(eval.y.map(Double.init), z.map(Double.init))
            }
            rec.seconds = Date().timeIntervalSince(t0)
            history.append(rec)
            let elapsed = Date().timeIntervalSince(started)
            progress?(TrainingProgress(epoch: epoch + 1, epochs: o.epochs, loss: rec.loss, evalAUC: rec.evalAUC,
                                       eta: elapsed / Double(epoch + 1) * Double(o.epochs - epoch - 1)))
            if let patience = o.patience {
                let monitored = rec.evalAUC ?? -rec.loss
                if monitored > best + o.minDelta {
                    best = monitored; sinceBest = 0
                    if o.restoreBest { bestState = net.snapshot() }
                } else {
                    sinceBest += 1
                    if sinceBest >= patience { break }
                }
            }
        }
        if let bestState { net.restore(bestState) }
        net.history += history
        return history
    }

    /// Gives each dropout layer its own stream derived from the run's seed.
    static func reseedDropout(_ m: Module<Float>, seed: UInt64) {
        var k: UInt64 = 0
        func walk(_ m: Module<Float>) {
            if let d = m as? Dropout<Float> { k += 1; var r = SeededRandom(seed: seed, stream: k); d.reseed(r.next()) }
            m.children.forEach(walk)
        }
        walk(m)
    }
}
