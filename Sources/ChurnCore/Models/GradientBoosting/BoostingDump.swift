import Foundation

/// The summary of a fitted booster (its dump and node table come from `TreeStructured`).
extension GradientBoosting: TreeStructured {
    public var structureTrees: [Tree] { trees }

    /// A few lines for a person: objective, size, rounds, features by gain.
    public var summary: String {
        let obj: String
        switch objective {
        case .binary: obj = "binary log-loss (raw scores are log-odds)"
        case .regression: obj = "regression, squared error"
        case .multiclass: obj = "multiclass softmax log-loss, \(treesPerRound) classes (one tree per class per round; tree t is class (t-1) mod \(treesPerRound))"
        }
        var s = "Gradient boosting, \(obj)\n"
        s += "  trees: \(trees.count) of \(options.nIterations)"
        if let b = bestIteration { s += " (early stopping kept iteration \(b + 1))" }
        s += "; leaves ≤ \(options.numLeaves); learning rate \(Self.number(options.learningRate))\n"
        let leaves = trees.map(\.leafCount)
        if !leaves.isEmpty {
            s += "  leaves per tree: mean \(Self.number(Double(leaves.reduce(0, +)) / Double(leaves.count))), max \(leaves.max()!); depth max \(trees.map(\.depth).max()!)\n"
        }
        s += "  initial score: \(Self.number(initScore))\n"
        if let w = options.scalePosWeight { s += "  scale_pos_weight: \(Self.number(w))\n" }
        switch options.classWeight {
        case .balanced?: s += "  class_weight: balanced\n"
        case .custom(let a, let b)?: s += "  class_weight: {\(Self.number(a)), \(Self.number(b))}\n"
        default: break
        }
        if let m = options.monotoneConstraints, m.contains(where: { $0 != 0 }) {
            let named = zip(featureNames, m).filter { $0.1 != 0 }.map { "\($0.0) \($0.1 > 0 ? "increasing" : "decreasing")" }
            s += "  monotone: \(named.joined(separator: ", "))\n"
        }
        if let e = evalLossHistory.last {
            s += "  eval \(objective == .regression ? "MSE" : "log-loss"): \(Self.number(bestIteration.map { evalLossHistory[$0] } ?? e))\n"
        }
        let gain = importance(.gain, normalized: true)
        let order = gain.indices.sorted { gain[$0] != gain[$1] ? gain[$0] > gain[$1] : $0 < $1 }
        s += "  features (\(featureNames.count)) by gain share:\n"
        for i in order.prefix(10) {
            s += "    \(featureNames[i].padding(toLength: max(12, featureNames[i].count), withPad: " ", startingAt: 0))  \(String(format: "%.3f", gain[i]))\n"
        }
        if order.count > 10 { s += "    … \(order.count - 10) more\n" }
        return s
    }

    /// Six significant digits, no trailing zeros.
    static func number(_ v: Double) -> String { TreeText.number(v) }
}

