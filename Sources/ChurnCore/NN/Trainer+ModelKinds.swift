/// The training step shared by the model kinds built on `cl.nn` (mlp, gru,
/// lstm, cnn): their options map onto `TrainerOptions`, progress is reported
/// in the common model interface's terms, and the kept epoch is named.
extension Trainer {
    /// Fits `net` with Adam/AdamW on binary cross-entropy; returns the history
    /// and the 1-based epoch whose weights the network now holds (the best
    /// under early stopping — the trainer restores it — else the last).
    static func fitModelKind(_ net: Network, train: TrainingSet, eval: TrainingSet?, epochs: Int, batchSize: Int, seed: UInt64,
                             optimizer: OptimizerSpec, schedule: LRSchedule = .constant, clipNorm: Double? = nil, earlyStoppingRounds: Int?,
                             progress: ProgressCallback?) throws -> (history: [EpochRecord], bestEpoch: Int) {
        var t = TrainerOptions()
        t.epochs = epochs; t.batchSize = batchSize; t.seed = seed
        t.optimizer = optimizer
        t.schedule = schedule
        t.clipNorm = clipNorm
        t.patience = earlyStoppingRounds; t.restoreBest = true
        t.threads = Parallel.threads
        let history = try Trainer.fit(net, train: train, eval: eval, options: t, progress: progress.map { report in
            { p in report(FitProgress(step: p.epoch - 1, total: p.epochs, trainLoss: p.loss, evalLoss: nil)) }
        })
        var best = history.count
        if earlyStoppingRounds != nil {
            // The trainer keeps the first epoch with the best monitored value (eval AUC, else −loss).
            let monitored = history.map { $0.evalAUC ?? -$0.loss }
            if let m = monitored.max(), let k = monitored.firstIndex(of: m) { best = k + 1 }
        }
        return (history, best)
    }
}
