/// Growth limits for one boosted tree.
struct LeafWiseLimits {
    var numLeaves: Int
    var maxDepth: Int
    var minGainToSplit: Double
    var learningRate: Double
    var lambda: Double
    var rules: SplitRules
}

/// Grows one GBDT tree leaf-wise (best-first, as LightGBM): repeatedly splits
/// the leaf whose best split has the largest gain until `numLeaves` leaves.
///
/// Rows are kept in one index array; each leaf owns a contiguous range of it,
/// and a split stably partitions its range (no per-node copies of the data).
/// Each open leaf keeps its histogram in a pool slot. After a split only the
/// child with fewer rows gets a histogram built from rows; the sibling's is
/// the parent's minus it, computed in place in the parent's slot.
final class LeafWiseGrower {
    let data: BinnedData
    let limits: LeafWiseLimits
    let histPool: ScratchBuffer<HistBin>
    /// Row ids; `rows[0..<m]` are the rows of the current tree (bag).
    let rows: ScratchBuffer<UInt32>
    private let scratch: ScratchBuffer<UInt32>
    /// Per-chunk histograms for row-wise builds (chunk 0 writes the target directly).
    private let chunkHists: ScratchBuffer<HistBin>
    private static let maxChunks = 8

    struct Leaf {
        var begin: Int, end: Int, depth: Int, node: Int, slot: Int
        var sums: HistBin
        var best: SplitCandidate
        /// Output bounds from monotone splits above this leaf.
        var bounds = OutputBounds.free
    }

    init(data: BinnedData, limits: LeafWiseLimits) throws {
        self.data = data; self.limits = limits
        histPool = ScratchBuffer(max(1, limits.numLeaves) * data.totalBins, HistBin())
        rows = ScratchBuffer(data.nrow, 0)
        scratch = ScratchBuffer(data.nrow, 0)
        try data.makeRowMajor()
        chunkHists = ScratchBuffer((2 * Self.maxChunks - 1) * data.totalBins, HistBin())
    }

    /// Grows a tree on `rows[0..<m]` with (gradient, hessian) pairs `gh` (indexed
    /// by row id) over `features`. Returns the tree and its final leaves (row
    /// ranges and node ids) so the caller can update scores without traversal.
    /// Checks for cancellation before every split (each split builds one
    /// histogram over the smaller child's rows: the unit of work between checks).
    func grow(count m: Int, gh: UnsafePointer<GradPair>, features: [Int]) throws -> (Tree, [Leaf]) {
        var tree = Tree()
        let rp = rows.p
        // The root's sums: 16 fixed chunks (in parallel when large), added in chunk order.
        let partial = Parallel.ranges(m, chunks: m >= 65_536 ? 16 : 1)
        var parts = [HistBin](repeating: HistBin(), count: partial.count)
        parts.withUnsafeMutableBufferPointer { pb in
            let out = pb.baseAddress!
            Parallel.forEach(partial.count) { c in
                var s = HistBin()
                for i in partial[c] { let p = gh[Int(rp[i])]; s.g += p.g; s.h += p.h }
                out[c] = s
            }
        }
        var total = HistBin()
        for s in parts { total.g += s.g; total.h += s.h }
        total.n = Double(m)
        let root = tree.addNode(value: leafOutput(total, .free), cover: total.h)
        var leaves = [Leaf(begin: 0, end: m, depth: 0, node: root, slot: 0, sums: total, best: SplitCandidate())]
        buildHistogram(slot: 0, begin: 0, end: m, gh: gh)
        findBest(&leaves[0], features: features)

        while leaves.count < limits.numLeaves {
            try ExecutionContext.check()
            var pick = -1
            for (i, l) in leaves.enumerated() where l.best.isValid && l.best.gain > limits.minGainToSplit {
                if pick < 0 || l.best.gain > leaves[pick].best.gain { pick = i }
            }
            if pick < 0 { break }
            let parent = leaves[pick]
            let split = parent.best
            let binner = data.binners[split.feature]
            let nl = partitionRows(rp, parent.begin, parent.end, scratch: scratch.p, column: data.column(split.feature),
                                   split: split, missingBin: binner.missingBin, parallel: true)
            let (lb, rb) = childBounds(parent.bounds, split)
            let ln = tree.addNode(value: leafOutput(split.left, lb), cover: split.left.h)
            let rn = tree.addNode(value: leafOutput(split.right, rb), cover: split.right.h)
            if split.isCategorical {
                tree.setCategoricalSplit(parent.node, feature: split.feature, leftCodes: leftCodes(split, binner),
                                         defaultLeft: split.defaultLeft, left: ln, right: rn, gain: split.gain)
            } else {
                tree.setNumericSplit(parent.node, feature: split.feature, threshold: split.threshold,
                                     defaultLeft: split.defaultLeft, left: ln, right: rn, gain: split.gain)
            }
            var left = Leaf(begin: parent.begin, end: parent.begin + nl, depth: parent.depth + 1, node: ln, slot: parent.slot,
                            sums: split.left, best: SplitCandidate(), bounds: lb)
            var right = Leaf(begin: parent.begin + nl, end: parent.end, depth: parent.depth + 1, node: rn, slot: leaves.count,
                             sums: split.right, best: SplitCandidate(), bounds: rb)
            // Build the smaller child's histogram; the larger one is parent − smaller.
            let leftSmaller = nl <= parent.end - parent.begin - nl
            if leftSmaller { swap(&left.slot, &right.slot) }
            let small = leftSmaller ? left : right, large = leftSmaller ? right : left
            let needHist = canSplit(left) || canSplit(right)
            if needHist {
                buildHistogram(slot: small.slot, begin: small.begin, end: small.end, gh: gh)
                let parentHist = histPool.p + large.slot * data.totalBins, childHist = histPool.p + small.slot * data.totalBins
                for b in 0..<data.totalBins { parentHist[b] = parentHist[b] - childHist[b] }
                findBest(&left, &right, features: features)
            }
            leaves[pick] = left
            leaves.append(right)
        }
        return (tree, leaves)
    }

    @inline(__always) private func leafOutput(_ s: HistBin, _ bounds: OutputBounds) -> Double {
        bounds.output(s, lambda: limits.lambda) * limits.learningRate
    }

    /// Children inherit the parent's bounds; a split on a monotone feature
    /// also puts the midpoint of the two outputs between them (LightGBM's
    /// "basic" method), so every leaf on the low side stays ≤ every leaf on
    /// the high side further down — the tree is monotone in that feature.
    private func childBounds(_ b: OutputBounds, _ split: SplitCandidate) -> (OutputBounds, OutputBounds) {
        guard !limits.rules.monotone.isEmpty, !split.isCategorical else { return (b, b) }
        let dir = limits.rules.monotone[split.feature]
        guard dir != 0 else { return (b, b) }
        let mid = (b.output(split.left, lambda: limits.lambda) + b.output(split.right, lambda: limits.lambda)) / 2
        var l = b, r = b
        if dir > 0 { l.hi = mid; r.lo = mid } else { l.lo = mid; r.hi = mid }
        return (l, r)
    }

    private func canSplit(_ l: Leaf) -> Bool {
        l.depth < limits.maxDepth && Double(l.end - l.begin) >= 2 * limits.rules.minCount
    }

    private func findBest(_ leaf: inout Leaf, features: [Int]) {
        guard canSplit(leaf) else { return }
        let base = histPool.p + leaf.slot * data.totalBins
        var best = SplitCandidate()
        for f in features {
            SplitFinder.search(feature: f, hist: base + data.histOffset[f], binner: data.binners[f], total: leaf.sums,
                               rules: limits.rules, bounds: leaf.bounds, best: &best)
        }
        leaf.best = best
    }

    /// Best splits of two sibling leaves at once: each leaf's features in
    /// fixed blocks, the 2 × blocks searches in parallel, then each leaf's
    /// block results taken in feature order, a later block winning only with
    /// a strictly larger gain — exactly what the serial search over the
    /// features picks, for any thread count.
    private func findBest(_ a: inout Leaf, _ b: inout Leaf, features: [Int]) {
        let blocks = Parallel.ranges(features.count, chunks: 4)
        let nb = blocks.count
        let la = a, lb = b, searchA = canSplit(a), searchB = canSplit(b)
        var found = [SplitCandidate](repeating: SplitCandidate(), count: 2 * nb)
        found.withUnsafeMutableBufferPointer { fb in
            let out = fb.baseAddress!
            Parallel.forEach(2 * nb) { t in
                let leaf = t < nb ? la : lb
                guard t < nb ? searchA : searchB else { return }
                let base = histPool.p + leaf.slot * data.totalBins
                var best = SplitCandidate()
                for k in blocks[t % nb] {
                    let f = features[k]
                    SplitFinder.search(feature: f, hist: base + data.histOffset[f], binner: data.binners[f], total: leaf.sums,
                                       rules: limits.rules, bounds: leaf.bounds, best: &best)
                }
                out[t] = best
            }
        }
        func reduce(_ part: ArraySlice<SplitCandidate>) -> SplitCandidate {
            var best = SplitCandidate()
            for c in part where c.gain > best.gain { best = c }
            return best
        }
        if searchA { a.best = reduce(found[0..<nb]) }
        if searchB { b.best = reduce(found[nb..<(2 * nb)]) }
    }

    /// Builds all features' histograms row-wise (see `HistogramBuilder.buildRowWise`);
    /// with feature fraction < 1 the unused features are built too but never searched.
    private func buildHistogram(slot: Int, begin: Int, end: Int, gh: UnsafePointer<GradPair>) {
        HistogramBuilder.buildRowWise(into: histPool.p + slot * data.totalBins, data: data,
                                      rows: UnsafePointer(rows.p + begin), count: end - begin, gh: gh,
                                      chunkHists: chunkHists.p, maxChunks: Self.maxChunks)
    }
}
