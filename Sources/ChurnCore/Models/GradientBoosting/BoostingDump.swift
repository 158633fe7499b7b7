import Foundation

/// Readable views of a fitted booster: an indented text dump of its trees, a
/// table of nodes (LightGBM's `trees_to_dataframe`), and a summary.
extension GradientBoosting {
    /// One row per node of every tree, as LightGBM's `Booster.trees_to_dataframe`
    /// (columns in `TreeNodeTable`). Trees and nodes are 0-based here.
    public func nodeTable() -> TreeNodeTable {
        var t = TreeNodeTable()
        for (ti, tree) in trees.enumerated() {
            var depth = [Int](repeating: 0, count: tree.nodeCount), parent = [Int](repeating: -1, count: tree.nodeCount)
            for (i, n) in tree.nodes.enumerated() where !n.isLeaf {
                for c in [Int(n.left), Int(n.right)] { parent[c] = i; depth[c] = depth[i] + 1 }
            }
            for (i, n) in tree.nodes.enumerated() {
                t.tree.append(ti); t.node.append(i); t.depth.append(depth[i]); t.parent.append(parent[i])
                t.left.append(Int(n.left)); t.right.append(Int(n.right))
                t.value.append(tree.value[i]); t.cover.append(tree.cover[i]); t.gain.append(tree.gain[i])
                if n.isLeaf {
                    t.feature.append(nil); t.decision.append(nil); t.threshold.append(nil); t.missingLeft.append(nil)
                } else {
                    let f = Int(n.feature)
                    t.feature.append(featureNames[f]); t.missingLeft.append(n.defaultLeft)
                    if n.categoryStart >= 0 {
                        t.decision.append("in"); t.threshold.append(categories(tree, i, f).joined(separator: "||"))
                    } else {
                        t.decision.append("<="); t.threshold.append(Self.number(n.threshold))
                    }
                }
            }
        }
        return t
    }

    /// Text dump of trees `0..<maxTrees` (all by default): one line per node,
    /// indented by depth, with the split rule, where missing values go, the
    /// gain and the hessian cover; leaves show their output (shrunk, on the
    /// raw scale: log-odds, or the value for regression).
    public func dump(maxTrees: Int? = nil) -> String {
        var out = ""
        for (ti, tree) in trees.prefix(maxTrees ?? trees.count).enumerated() {
            out += "tree \(ti + 1): \(tree.leafCount) leaves, depth \(tree.depth)\n"
            var stack: [(Int, Int, String)] = [(0, 1, "")]
            while let (i, d, prefix) = stack.popLast() {
                let n = tree.nodes[i]
                let pad = String(repeating: "  ", count: d)
                if n.isLeaf {
                    out += "\(pad)\(prefix)leaf \(i): value=\(Self.number(tree.value[i])) cover=\(Self.number(tree.cover[i]))\n"
                    continue
                }
                let f = Int(n.feature), name = featureNames[f]
                let rule = n.categoryStart >= 0 ? "\(name) in {\(categories(tree, i, f).joined(separator: ", "))}"
                                                : "\(name) <= \(Self.number(n.threshold))"
                out += "\(pad)\(prefix)node \(i): \(rule) (missing \(n.defaultLeft ? "yes" : "no")) gain=\(Self.number(tree.gain[i])) cover=\(Self.number(tree.cover[i]))\n"
                stack.append((Int(n.right), d + 1, "no:  "))
                stack.append((Int(n.left), d + 1, "yes: "))
            }
        }
        return out
    }

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

    private func categories(_ tree: Tree, _ node: Int, _ f: Int) -> [String] {
        tree.leftCategories(node).map { $0 < schema.levels[f].count ? schema.levels[f][$0] : "#\($0)" }
    }

    /// Six significant digits, no trailing zeros.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        var s = String(format: "%.6g", v)
        if s.contains("."), !s.contains("e") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s
    }
}

/// Nodes of a booster's trees, column by column (LightGBM's trees_to_dataframe):
/// `feature`, `decision` ("<=" or "in"), `threshold` (number or "a||b" levels)
/// and `missingLeft` are nil at leaves; `left`/`right`/`parent` are -1 where absent.
public struct TreeNodeTable: Sendable, Equatable {
    public var tree: [Int] = [], node: [Int] = [], depth: [Int] = [], parent: [Int] = []
    public var left: [Int] = [], right: [Int] = []
    public var feature: [String?] = [], decision: [String?] = [], threshold: [String?] = [], missingLeft: [Bool?] = []
    public var value: [Double] = [], cover: [Double] = [], gain: [Double] = []
    public var count: Int { tree.count }
}
