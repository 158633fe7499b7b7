/// Growth limits for one CART tree.
struct CARTLimits {
    var score: SplitScore
    var maxDepth: Int
    var minSamplesSplit: Int
    var minSamplesLeaf: Int
    /// Features tried per node (sampled without replacement when < feature count).
    var maxFeatures: Int
}

/// Grows a classification tree depth-first on binned features.
///
/// Histogram-based: each node sums (weighted positives, weight, rows) per bin
/// of the candidate features and scans the bins, so a split costs O(rows +
/// bins) per feature instead of a sort. Nodes are numbered in pre-order, left
/// child first (the same numbering as scikit-learn). Like scikit-learn, a node
/// that is impure and large enough takes its best valid split even when the
/// impurity decrease is zero.
struct CARTGrower {
    let data: BinnedData
    let limits: CARTLimits
    /// Parallelize histogram building inside the tree (false when trees are grown in parallel).
    let parallel: Bool

    /// `g[r]` = weight·y, `h[r]` = weight of row r; `rows[0..<count]` are the rows in the sample.
    func grow(rows: UnsafeMutablePointer<UInt32>, count: Int, g: UnsafePointer<Double>, h: UnsafePointer<Double>,
              rng: inout SeededRandom) throws -> Tree {
        let nf = data.nfeat
        let hist = ScratchBuffer(data.totalBins, HistBin())
        let scratch = ScratchBuffer<UInt32>(count, 0)
        var rules = SplitRules(score: limits.score)
        rules.minCount = Double(max(1, limits.minSamplesLeaf))
        var tree = Tree()
        var total = HistBin()
        for i in 0..<count { let r = Int(rows[i]); total.g += g[r]; total.h += h[r]; total.n += 1 }

        struct Pending { var begin: Int, end: Int, depth: Int, sums: HistBin, parent: Int, isLeft: Bool }
        var stack = [Pending(begin: 0, end: count, depth: 0, sums: total, parent: -1, isLeft: false)]
        var perm = Array(0..<nf)
        let allFeatures = limits.maxFeatures >= nf
        while let p = stack.popLast() {
            // One check per node: a node's work (clearing and filling a histogram) dwarfs it.
            try ExecutionContext.check()
            let id = tree.addNode(value: p.sums.h > 0 ? p.sums.g / p.sums.h : 0, cover: p.sums.h)
            if p.parent >= 0 {
                if p.isLeft { tree.nodes[p.parent].left = Int32(id) } else { tree.nodes[p.parent].right = Int32(id) }
            }
            let n = p.end - p.begin
            let pure = p.sums.g <= 1e-12 * p.sums.h || p.sums.h - p.sums.g <= 1e-12 * p.sums.h
            if p.depth >= limits.maxDepth || n < limits.minSamplesSplit || n < 2 * limits.minSamplesLeaf || pure { continue }

            var best = SplitCandidate()
            let nodeRows = UnsafePointer(rows + p.begin)
            if allFeatures {
                HistogramBuilder.build(into: hist.p, data: data, features: perm, rows: nodeRows, count: n, g: g, h: h,
                                       gathered: false, parallel: parallel)
                for f in 0..<nf {
                    SplitFinder.search(feature: f, hist: hist.p + data.histOffset[f], binner: data.binners[f],
                                       total: p.sums, rules: rules, best: &best)
                }
            } else {
                // Draw features until `maxFeatures` non-constant ones were tried
                // (more when those gave no valid split), as scikit-learn does.
                var tried = 0
                for k in 0..<nf {
                    if tried >= limits.maxFeatures && best.isValid { break }
                    let j = k + rng.below(nf - k)
                    perm.swapAt(k, j)
                    let f = perm[k]
                    HistogramBuilder.build(into: hist.p, data: data, features: [f], rows: nodeRows, count: n, g: g, h: h,
                                           gathered: false, parallel: false)
                    let hp = hist.p + data.histOffset[f]
                    var nonEmpty = 0
                    for b in 0...data.binners[f].binCount where hp[b].n > 0 { nonEmpty += 1; if nonEmpty > 1 { break } }
                    if nonEmpty < 2 { continue }
                    tried += 1
                    SplitFinder.search(feature: f, hist: hp, binner: data.binners[f], total: p.sums, rules: rules, best: &best)
                }
            }
            guard best.isValid else { continue }
            let f = best.feature, binner = data.binners[f]
            let nl = partitionRows(rows, p.begin, p.end, scratch: scratch.p, column: data.column(f), split: best,
                                   missingBin: binner.missingBin)
            if best.isCategorical {
                tree.setCategoricalSplit(id, feature: f, leftCodes: leftCodes(best, binner), defaultLeft: best.defaultLeft,
                                         left: -1, right: -1, gain: best.gain)
            } else {
                tree.setNumericSplit(id, feature: f, threshold: best.threshold, defaultLeft: best.defaultLeft,
                                     left: -1, right: -1, gain: best.gain)
            }
            stack.append(Pending(begin: p.begin + nl, end: p.end, depth: p.depth + 1, sums: best.right, parent: id, isLeft: false))
            stack.append(Pending(begin: p.begin, end: p.begin + nl, depth: p.depth + 1, sums: best.left, parent: id, isLeft: true))
        }
        return tree
    }
}
