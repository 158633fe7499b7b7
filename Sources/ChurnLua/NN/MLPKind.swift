import ChurnCore
import LuaRuntime

/// `cl.model.mlp{…}`: a multilayer perceptron on a frame's features under the
/// common model interface (core: `MLPClassifier`, built from the `cl.nn` layers).
enum MLPKind {
    static let mlp = ModelKind(
        name: "mlp",
        signature: "model.mlp{hidden = {64, 32}, activation = 'relu', dropout = 0, epochs = 20, batch_size = 256, learning_rate = 1e-3, weight_decay = 0, optimizer = 'adam', early_stopping_rounds =, seed =, threads =}",
        help: "A multilayer perceptron (Linear → activation [→ dropout] per hidden layer, then one logit) trained with Adam on binary cross-entropy. " +
              "Numeric features are standardised with the training means and SDs (missing → the mean); text features are one-hot over their training levels (missing or unseen → all zeros). " +
              "With fit's eval_set the eval AUC is tracked; early_stopping_rounds stops after that many epochs without improvement (of the eval AUC, or of the training loss without an eval set) and keeps the best epoch's weights. " +
              "Bit-identical for a seed and thread count. No built-in importance or contributions: use cl.model.permutation_importance. " +
              "activation 'relu' | 'tanh' | 'gelu'; optimizer 'adam' | 'adamw' (weight_decay decoupled). " +
              "Ranges: hidden 0…16 widths each 1…65536 (or one width), dropout [0, 0.95], epochs and early_stopping_rounds 1…100000, batch_size 1…2^31, " +
              "learning_rate (0, 1], weight_decay finite >= 0, verbose 0…100000, threads 1…1024, seed >= 0.",
        optionKeys: ["hidden", "activation", "dropout", "epochs", "batch_size", "learning_rate", "weight_decay", "optimizer",
                     "early_stopping_rounds", "seed", "threads", "verbose"],
        type: MLPClassifier.self,
        parse: { o in
            let opts = try options(o)
            return try ModelSpec(MLPClassifier.self, options: opts, parameters: opts.parameterSet)
        },
        methods: [
            "history": KindMethod(signature: "mlp:history()", help: "One row per training epoch: epoch, loss, eval_loss, eval_auc, lr, seconds (MLP).") { c, m in
                let model = try m.fittedAs(MLPClassifier.self)
                return c.push(frame: try c.core { try NNFit.historyFrame(model.history) })
            },
        ])

    static func options(_ o: OptionSource) throws -> MLPOptions {
        var m = MLPOptions()
        m.hidden = try hidden(o) ?? m.hidden
        if let a = try o.string("activation") {
            guard let act = MLPOptions.Activation(rawValue: a) else {
                throw LuaArgumentError(1, "field 'activation': 'relu', 'tanh' or 'gelu' expected, got '\(a)'")
            }
            m.activation = act
        }
        if let opt = try o.string("optimizer") {
            guard opt == "adam" || opt == "adamw" else { throw LuaArgumentError(1, "field 'optimizer': 'adam' or 'adamw' expected, got '\(opt)'") }
            m.optimizer = opt
        }
        m.dropout = try o.number("dropout", in: .closed(0, 0.95)) ?? m.dropout
        m.epochs = try o.integer("epochs", in: MLPOptions.Limits.epochs) ?? m.epochs
        m.batchSize = try o.integer("batch_size", in: OptionRange.positiveSize) ?? m.batchSize
        m.learningRate = try o.number("learning_rate", in: .fraction) ?? m.learningRate
        m.weightDecay = try o.number("weight_decay", in: .nonNegative) ?? m.weightDecay
        m.earlyStoppingRounds = try o.integer("early_stopping_rounds", in: MLPOptions.Limits.epochs)
        m.seed = try TreeKinds.seed(o)
        return m
    }

    /// `hidden = {64, 32}` (0…16 widths), or one width (`hidden = 64`, as grid search passes it).
    private static func hidden(_ o: OptionSource) throws -> [Int]? {
        let widths: [Double]
        do {
            guard let arr = try o.numbers("hidden") else { return nil }
            widths = arr
        } catch {
            if let one = try? o.integer("hidden", in: MLPOptions.Limits.width) { return [one] }
            throw LuaArgumentError(1, "field 'hidden': a list of layer widths (integers in 1...\(NNLimits.maxWidth)) or one width expected")
        }
        guard MLPOptions.Limits.layers.contains(widths.count) else {
            throw LuaArgumentError(1, "field 'hidden': at most \(NNLimits.maxLayers) layer widths, got \(widths.count)")
        }
        return try widths.map { w in
            guard let i = Int(exactly: w), MLPOptions.Limits.width.contains(i) else {
                throw LuaArgumentError(1, "field 'hidden': layer widths must be integers in 1...\(NNLimits.maxWidth), got \(LuaValue.format(w))")
            }
            return i
        }
    }
}
