/// Per-row feature contributions of a tree model.
///
/// `contributions[f][r]` is feature f's SHAP value for row r; for every row
/// `expectedValue + Σ_f contributions[f][r]` equals the model output. The
/// output scale is `scale`: log-odds for binary `GradientBoosting`, the
/// predicted value for a regression one, probability for `DecisionTree` and
/// `RandomForest`.
public struct TreeExplanation: Sendable {
    public enum Scale: String, Sendable { case probability, logOdds, value }
    public let featureNames: [String]
    /// Column-major: one array per feature, `nrow` values each.
    public let contributions: [[Double]]
    public let expectedValue: Double
    public let scale: Scale

    /// Contributions of row `r`, in feature order.
    public func row(_ r: Int) -> [Double] { contributions.map { $0[r] } }
}

/// Exact TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized
/// feature attribution for tree ensembles", Algorithm 2): Shapley values of
/// the tree's conditional expectation E[f(x) | x_S], where features outside S
/// are integrated out by following both children weighted by `cover`.
/// O(leaves · depth²) per row and tree.
enum TreeSHAP {
    private struct PathElement {
        var feature: Int
        var zero: Double   // fraction of cover flowing down this path when the feature is absent
        var one: Double    // 1 if the row follows this path when the feature is present
        var weight: Double // permutation weight
    }

    /// Contributions of `trees` (each scaled by `scale`), column-major [feature][row].
    /// Trees in the tabled form of `tables` (see `LeafSHAPTables`) take its
    /// O(nodes + leaves · depth) pass, the others the exact recursion.
    /// Checks for cancellation every block of 32 rows.
    static func contributions(_ trees: [Tree], features: [FeatureValues], nrow: Int, scale: Double,
                              tables: LeafSHAPTables? = nil) throws -> [[Double]] {
        let nf = features.count
        // The scratch matrix and the per-feature arrays returned: 2 · nf · nrow doubles.
        let bytes = WorkingMemory.bytes(WorkingMemory.bytes(nf, nrow), 16)
        try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("SHAP values \(nrow)×\(nf)", bytes))
        let out = ScratchBuffer<Double>(nf * nrow, 0)
        // The trees left to the recursion (all of them without tables).
        let recursive = trees.indices.filter { trees[$0].nodes.count > 1 && !(tables?.tabled[$0] ?? false) }
        let maxDepth = recursive.map { trees[$0].depth }.max() ?? 0
        let pathCapacity = (maxDepth + 4) * (maxDepth + 5) / 2
        // 1/k for the permutation weights: multiplies instead of divisions on the
        // dependent chains of `extend` and `unwoundSum`, where a row spends its time.
        let recip = [Double](unsafeUninitializedCapacity: maxDepth + 8) { b, n in
            b[0] = 0; for k in 1..<(maxDepth + 8) { b[k] = 1 / Double(k) }; n = maxDepth + 8
        }
        let empty = LeafSHAPTables.empty
        /// Rows per block through the tabled trees (block × features values of phi and inputs).
        let block = 32
        try withRawColumns(features) { cols in
        try (tables ?? empty).withView { view in
            let chunks = Parallel.ranges(nrow, chunks: max(1, min(nrow / 64, Parallel.threads * 8)))
            try Parallel.forEachThrowing(chunks.count) { c in
                var path = [PathElement](repeating: PathElement(feature: -1, zero: 0, one: 0, weight: 0), count: pathCapacity)
                // Per row: the recursion's phi; per block: the tables' (unscaled) phi and the rows' values; the tables' masks.
                let phi = UnsafeMutablePointer<Double>.allocate(capacity: nf + 1)
                let phiT = UnsafeMutablePointer<Double>.allocate(capacity: block * nf + 1)
                let x = UnsafeMutablePointer<Double>.allocate(capacity: block * nf + 1)
                let masks = UnsafeMutablePointer<UInt64>.allocate(capacity: (tables?.maxTreeNodes ?? 1) + 1)
                let acc = UnsafeMutablePointer<Double>.allocate(capacity: (tables?.maxTreeNodes ?? 1) + 1)
                defer { phi.deallocate(); phiT.deallocate(); x.deallocate(); masks.deallocate(); acc.deallocate() }
                var start = chunks[c].lowerBound
                while start < chunks[c].upperBound {
                    try ExecutionContext.check()
                    let m = min(block, chunks[c].upperBound - start)
                    phiT.update(repeating: 0, count: m * nf)
                    if view.treeCount > 0 {
                        for f in 0..<nf {
                            if let v = cols[f].numeric { for r in 0..<m { x[r * nf + f] = v[start + r] } }
                            else { let v = cols[f].codes!; for r in 0..<m { x[r * nf + f] = Double(v[start + r]) } }
                        }
                        for k in 0..<view.treeCount {
                            LeafSHAPTables.addTree(view, k, rows: m, x: x, stride: nf, phi: phiT, masks: masks, acc: acc)
                        }
                    }
                    for r in start..<(start + m) {
                        phi.update(repeating: 0, count: nf)
                        if !recursive.isEmpty {
                            recip.withUnsafeBufferPointer { rc in
                                path.withUnsafeMutableBufferPointer { pp in
                                    for ti in recursive {
                                        recurse(trees[ti], node: 0, row: r, cols: cols, parent: pp.baseAddress!, depth: 0,
                                                parentZero: 1, parentOne: 1, parentFeature: -1, phi: phi, scale: scale,
                                                recip: rc.baseAddress!)
                                    }
                                }
                            }
                        }
                        let pt = phiT + (r - start) * nf
                        for f in 0..<nf { out.p[f * nrow + r] = phi[f] + scale * pt[f] }
                    }
                    start += m
                }
            }
        }
        }
        return (0..<nf).map { f in Array(UnsafeBufferPointer(start: out.p + f * nrow, count: nrow)) }
    }

    /// One step of Algorithm 2. `parent` holds the parent's path (elements
    /// 0..<d); this node's copy, extended by one element, starts right after it.
    private static func recurse(_ t: Tree, node: Int, row r: Int, cols: UnsafePointer<RawColumn>,
                                parent: UnsafeMutablePointer<PathElement>, depth d0: Int,
                                parentZero: Double, parentOne: Double, parentFeature: Int,
                                phi: UnsafeMutablePointer<Double>, scale: Double, recip: UnsafePointer<Double>) {
        let p = parent + d0 + 1
        p.update(from: parent, count: d0 + 1)
        var d = d0
        extend(p, d, parentZero, parentOne, parentFeature, recip)
        let n = t.nodes[node]
        if n.isLeaf {
            let v = t.value[node] * scale
            if d >= 1 {
                for i in 1...d {
                    let w = unwoundSum(p, d, i, recip)
                    phi[p[i].feature] += w * (p[i].one - p[i].zero) * v
                }
            }
            return
        }
        let goLeft = t.goesLeft(n, row: r, columns: cols)
        let hot = Int(goLeft ? n.left : n.right), cold = Int(goLeft ? n.right : n.left)
        var incomingZero = 1.0, incomingOne = 1.0
        let f = Int(n.feature)
        if d >= 1 {
            for k in 1...d where p[k].feature == f {
                incomingZero = p[k].zero; incomingOne = p[k].one
                unwind(p, d, k); d -= 1
                break
            }
        }
        let c = t.cover[node]
        let hotZero = c > 0 ? t.cover[hot] / c : 0, coldZero = c > 0 ? t.cover[cold] / c : 0
        recurse(t, node: hot, row: r, cols: cols, parent: p, depth: d + 1,
                parentZero: hotZero * incomingZero, parentOne: incomingOne, parentFeature: f, phi: phi, scale: scale, recip: recip)
        recurse(t, node: cold, row: r, cols: cols, parent: p, depth: d + 1,
                parentZero: coldZero * incomingZero, parentOne: 0, parentFeature: f, phi: phi, scale: scale, recip: recip)
    }

    /// Adds element `d` (feature with the given fractions) and updates the permutation weights.
    @inline(__always)
    private static func extend(_ p: UnsafeMutablePointer<PathElement>, _ d: Int, _ zero: Double, _ one: Double, _ feature: Int,
                               _ recip: UnsafePointer<Double>) {
        p[d] = PathElement(feature: feature, zero: zero, one: one, weight: d == 0 ? 1 : 0)
        let inv = recip[d + 1]
        var i = d - 1
        while i >= 0 {
            p[i + 1].weight += one * p[i].weight * Double(i + 1) * inv
            p[i].weight = zero * p[i].weight * Double(d - i) * inv
            i -= 1
        }
    }

    /// Removes element `k` from a path of length d+1 (inverse of `extend`).
    @inline(__always)
    private static func unwind(_ p: UnsafeMutablePointer<PathElement>, _ d: Int, _ k: Int) {
        let one = p[k].one, zero = p[k].zero
        let dp1 = Double(d + 1)
        var next = p[d].weight
        var i = d - 1
        while i >= 0 {
            if one != 0 {
                let tmp = p[i].weight
                p[i].weight = next * dp1 / (Double(i + 1) * one)
                next = tmp - p[i].weight * zero * Double(d - i) / dp1
            } else {
                p[i].weight = p[i].weight * dp1 / (zero * Double(d - i))
            }
            i -= 1
        }
        for j in k..<d { p[j].feature = p[j + 1].feature; p[j].zero = p[j + 1].zero; p[j].one = p[j + 1].one }
    }

    /// Total permutation weight of the path with element `k` unwound (without modifying it).
    @inline(__always)
    private static func unwoundSum(_ p: UnsafeMutablePointer<PathElement>, _ d: Int, _ k: Int, _ recip: UnsafePointer<Double>) -> Double {
        let one = p[k].one, zero = p[k].zero
        var next = p[d].weight, total = 0.0
        var i = d - 1
        if one != 0 {
            let invOne = 1 / one
            while i >= 0 {
                let tmp = next * recip[i + 1] * invOne
                total += tmp
                next = p[i].weight - tmp * zero * Double(d - i)
                i -= 1
            }
        } else {
            let invZero = 1 / zero
            while i >= 0 {
                total += p[i].weight * invZero * recip[d - i]
                i -= 1
            }
        }
        return total * Double(d + 1)
    }
}
