import Foundation

/// A fitted model made of `Tree`s (a CART tree, a forest, a booster): a text
/// dump of its trees and a table of their nodes, shared by every tree kind.
public protocol TreeStructured {
    var schema: TreeInputSchema { get }
    /// The trees in model order.
    var structureTrees: [Tree] { get }
}

extension TreeStructured {
    /// One row per node of every tree, as LightGBM's `Booster.trees_to_dataframe`
    /// (columns in `TreeNodeTable`). Trees and nodes are 0-based here.
    public func nodeTable() -> TreeNodeTable {
        var t = TreeNodeTable()
        let names = schema.names
        for (ti, tree) in structureTrees.enumerated() {
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
                    t.feature.append(names[f]); t.missingLeft.append(n.defaultLeft)
                    if n.categoryStart >= 0 {
                        t.decision.append("in"); t.threshold.append(categories(tree, i, f).joined(separator: "||"))
                    } else {
                        t.decision.append("<="); t.threshold.append(TreeText.number(n.threshold))
                    }
                }
            }
        }
        return t
    }

    /// Text dump of trees `0..<maxTrees` (all by default): one line per node,
    /// indented by depth, with the split rule, where missing values go, the
    /// gain and the cover; leaves show their output (a booster's shrunk raw
    /// score; a CART or forest tree's P(positive)).
    public func dump(maxTrees: Int? = nil) -> String {
        var out = ""
        let trees = structureTrees, names = schema.names
        for (ti, tree) in trees.prefix(maxTrees ?? trees.count).enumerated() {
            out += "tree \(ti + 1): \(tree.leafCount) leaves, depth \(tree.depth)\n"
            var stack: [(Int, Int, String)] = [(0, 1, "")]
            while let (i, d, prefix) = stack.popLast() {
                let n = tree.nodes[i]
                let pad = String(repeating: "  ", count: d)
                if n.isLeaf {
                    out += "\(pad)\(prefix)leaf \(i): value=\(TreeText.number(tree.value[i])) cover=\(TreeText.number(tree.cover[i]))\n"
                    continue
                }
                let f = Int(n.feature), name = names[f]
                let rule = n.categoryStart >= 0 ? "\(name) in {\(categories(tree, i, f).joined(separator: ", "))}"
                                                : "\(name) <= \(TreeText.number(n.threshold))"
                out += "\(pad)\(prefix)node \(i): \(rule) (missing \(n.defaultLeft ? "yes" : "no")) gain=\(TreeText.number(tree.gain[i])) cover=\(TreeText.number(tree.cover[i]))\n"
                stack.append((Int(n.right), d + 1, "no:  "))
                stack.append((Int(n.left), d + 1, "yes: "))
            }
        }
        return out
    }

    private func categories(_ tree: Tree, _ node: Int, _ f: Int) -> [String] {
        tree.leftCategories(node).map { $0 < schema.levels[f].count ? schema.levels[f][$0] : "#\($0)" }
    }
}

extension DecisionTree: TreeStructured {
    public var structureTrees: [Tree] { [tree] }
}

extension RandomForest: TreeStructured {
    public var structureTrees: [Tree] { trees }
}

/// Number formatting of tree dumps and summaries.
public enum TreeText {
    /// Six significant digits, no trailing zeros.
    public static func number(_ v: Double) -> String {
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
