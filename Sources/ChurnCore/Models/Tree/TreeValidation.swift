/// Structural invariants of tree models, checked when one is read from a file
/// (see `StructurallyValidated`). Traversal (`Tree.leaf`, `addLeafValues`,
/// TreeSHAP) follows child indices and bitset offsets through unchecked
/// pointers, so these checks are what keeps a crafted file from reading out
/// of bounds, looping forever on a cycle or predicting silently wrong values.
///
/// Locations name trees 1-based (as Lua sees a forest) and nodes by their id
/// in the file (root = node 0).
extension Tree {
    /// Deepest tree accepted from a file. TreeSHAP keeps O(depth²) path
    /// elements per thread and recurses once per level; fitted trees are far
    /// shallower (GBDT depth < leaves; CART grows by halving rows).
    public static let maxLoadableDepth = 1024

    /// Checks this tree against the features of `schema`.
    ///
    /// NaN/∞ policy: leaf values (what predictions add up) must be finite;
    /// covers (TreeSHAP weights) finite and ≥ 0; gains (importance sums)
    /// finite. A numeric threshold may be ±∞ (every row goes one way, a
    /// well-defined split) but not NaN (`x <= NaN` is always false, silently
    /// sending every row right).
    public func validate(schema: TreeInputSchema) throws {
        let n = nodes.count
        guard n > 0 else { throw ModelStructureError("", "has no nodes (a tree needs at least a root leaf)") }
        try StructureCheck.length("value", value.count, expected: n, "one per node")
        try StructureCheck.length("cover", cover.count, expected: n, "one per node")
        try StructureCheck.length("gain", gain.count, expected: n, "one per node")
        let nf = schema.names.count
        for (i, node) in nodes.enumerated() {
            func bad(_ reason: String) -> ModelStructureError { ModelStructureError("node \(i)", reason) }
            guard cover[i].isFinite && cover[i] >= 0 else { throw bad("cover \(cover[i]) must be finite and ≥ 0") }
            guard gain[i].isFinite else { throw bad("gain \(gain[i]) must be finite") }
            if node.feature < 0 {
                guard node.feature == -1 else { throw bad("feature \(node.feature) is negative (a leaf has feature -1)") }
                guard node.left == -1 && node.right == -1 else {
                    throw bad("leaf has children \(node.left) and \(node.right) (a leaf has -1 and -1)")
                }
                guard node.categoryStart == -1 && node.categoryWords == 0 else { throw bad("leaf has a category bitset") }
                guard value[i].isFinite else { throw bad("leaf value \(value[i]) must be finite") }
                continue
            }
            guard Int(node.feature) < nf else { throw bad("feature \(node.feature) out of range (model has \(nf) features)") }
            for (side, child) in [("left", node.left), ("right", node.right)] {
                guard child >= 0 else { throw bad("\(side) child \(child) is negative") }
                guard Int(child) < n else { throw bad("\(side) child \(child) out of range (tree has \(n) nodes)") }
            }
            let f = Int(node.feature)
            if schema.isCategorical[f] {
                guard node.categoryStart >= 0, node.categoryWords >= 1 else {
                    throw bad("categorical split on feature \(f) ('\(schema.names[f])') has no category bitset")
                }
                let end = Int(node.categoryStart) + Int(node.categoryWords)
                guard end <= categoryBits.count else {
                    throw bad("category bitset words \(node.categoryStart)..<\(end) out of range (tree has \(categoryBits.count) words)")
                }
                let maxWords = Swift.max(1, (schema.levels[f].count + 63) / 64)
                guard Int(node.categoryWords) <= maxWords else {
                    throw bad("category bitset of \(node.categoryWords) words for \(schema.levels[f].count) levels (at most \(maxWords))")
                }
            } else {
                guard !node.threshold.isNaN else { throw bad("threshold is NaN") }
                guard node.categoryStart == -1 && node.categoryWords == 0 else {
                    throw bad("numeric split on feature \(f) ('\(schema.names[f])') has a category bitset")
                }
            }
        }
        try validateShape()
    }

    /// Every node reached from the root exactly once (so the nodes form one
    /// tree: no cycle, no shared child, nothing unreachable), depth bounded.
    /// Child indices must already be in range.
    private func validateShape() throws {
        var seen = [Bool](repeating: false, count: nodes.count)
        var stack: [(node: Int, depth: Int)] = [(0, 0)]
        seen[0] = true
        while let (i, d) = stack.popLast() {
            let node = nodes[i]
            if node.feature < 0 { continue }
            guard d < Self.maxLoadableDepth else {
                throw ModelStructureError("node \(i)", "tree deeper than \(Self.maxLoadableDepth) levels")
            }
            for child in [Int(node.left), Int(node.right)] {
                guard !seen[child] else {
                    throw ModelStructureError("node \(i)", child == 0 || child == i
                        ? "child \(child) points back up the tree (cycle)"
                        : "child \(child) is already the child of another node (cycle or shared subtree)")
                }
                seen[child] = true
                stack.append((child, d + 1))
            }
        }
        if let orphan = seen.firstIndex(of: false) {
            throw ModelStructureError("node \(orphan)", "unreachable from the root")
        }
    }
}

extension TreeInputSchema: StructurallyValidated {
    /// One kind and one level list per feature name; names and levels unique
    /// (both are looked up by name when aligning input columns).
    public func validate() throws {
        guard !names.isEmpty else { throw ModelStructureError("schema", "has no features") }
        try StructureCheck.length("schema isCategorical", isCategorical.count, expected: names.count, "one per feature")
        try StructureCheck.length("schema levels", levels.count, expected: names.count, "one list per feature")
        try StructureCheck.unique("schema feature names", names)
        for i in names.indices {
            if isCategorical[i] {
                try StructureCheck.unique("schema feature '\(names[i])' levels", levels[i])
            } else if !levels[i].isEmpty {
                throw ModelStructureError("schema feature '\(names[i])'", "is numeric but has \(levels[i].count) levels")
            }
        }
    }
}

extension Array where Element == Tree {
    /// Validates each tree, naming it 1-based in errors.
    func validate(schema: TreeInputSchema) throws {
        for (t, tree) in enumerated() {
            do { try tree.validate(schema: schema) } catch let e as ModelStructureError { throw e.inside("tree \(t + 1)") }
        }
    }
}

extension DecisionTree: StructurallyValidated {
    public func validate() throws {
        try schema.validate()
        try [tree].validate(schema: schema)
        try StructureCheck.options { try options.validate() }
    }
}

extension RandomForest: StructurallyValidated {
    public func validate() throws {
        try schema.validate()
        guard !trees.isEmpty else { throw ModelStructureError("trees", "a forest needs at least one tree") }
        try trees.validate(schema: schema)
        for (name, v) in [("oobAUC", oobAUC), ("oobAccuracy", oobAccuracy)] {
            if let v, !(v >= 0 && v <= 1) { throw ModelStructureError(name, "is \(v); must be in [0, 1]") }
        }
        try StructureCheck.options { try options.validate() }
    }
}

extension GradientBoosting: StructurallyValidated {
    public func validate() throws {
        try schema.validate()
        try StructureCheck.finite("initScore", initScore)
        try trees.validate(schema: schema)
        if let k = numClass {
            guard options.resolvedObjective == .multiclass, k >= 2, k <= ModelTarget.maxClasses, trees.count % k == 0 else {
                throw ModelStructureError("numClass", "is \(k) with \(trees.count) trees; must be 2...\(ModelTarget.maxClasses), divide the tree count, and go with the multiclass objective")
            }
        } else if options.resolvedObjective == .multiclass {
            throw ModelStructureError("numClass", "is missing for a multiclass model")
        }
        if let b = bestIteration, !(b >= 0 && b < trees.count / treesPerRound) {
            throw ModelStructureError("bestIteration", "is \(b); must be in 0..<\(trees.count) (one of the model's trees)")
        }
        try StructureCheck.options { try options.validate() }
    }
}

extension StructureCheck {
    /// A stored options value the fit would have refused, as a structure error.
    static func options(_ check: () throws -> Void) throws {
        do { try check() } catch let e as ModelStructureError { throw e } catch {
            throw ModelStructureError("options", "\(error)")
        }
    }
}
