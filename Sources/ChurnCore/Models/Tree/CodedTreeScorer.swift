import CKernels

/// Batch scoring of tree ensembles over input values coded as their rank
/// among the ensemble's split thresholds.
///
/// `TreeEnsemble.predictByRowBlocks` walks each tree reading `Double`s from
/// the columns: per level a 40-byte node, a column descriptor, an 8-byte value
/// (a block of 256 rows × 45 columns is ~90 KiB, past L1) and a data-dependent
/// loop exit. This scorer instead
/// - codes the inputs once per block of rows: a numeric value becomes the
///   number of its feature's distinct split thresholds (over all trees) below
///   it, so `x <= t_j` ⟺ `code <= j` exactly (NaN gets the largest code); a
///   category code is kept up to the largest bitset of its feature (larger
///   codes, which every split sends right, share one code). Codes are one byte
///   when every feature has at most 254 distinct thresholds (boosting's binned
///   splits have at most `maxBins - 1`), else two; blocks are slot-major;
/// - compiles each tree into 8-byte nodes where a leaf loops to itself, so a
///   tree is walked in exactly `depth` branch-free steps (`child = code + dl
///   <= t ? left : right`, the missing-value direction `dl` folded in by adding
///   it modulo the code range);
/// - walks eight rows of the block through one tree at once, so their chains
///   of dependent loads overlap. Both loops are C (`tree_kernels.c`: Swift's
///   selects became mispredicted branches).
/// Blocks hold 256 rows for small trees (boosting: the whole ensemble stays in
/// L2 while a block goes through; `TreeEnsemble` does not route boosting here
/// yet, see there) and 4,096 for large ones (a forest: each tree
/// is read once per block, as in `DeepTreeScorer`, whose 16-byte nodes and
/// 8-byte inputs this halves and quarters).
///
/// Each row sums its trees in tree order from 0, as the default traversal
/// does, so the results are bit-identical to it and independent of the thread
/// count. Models it cannot represent (a feature with more than 65,534 distinct
/// thresholds or bitset codes, over 16,384 features, trees of more than 65,535
/// nodes, deeper than `maxDepth`, or large and deeper than `maxLargeTreeDepth`)
/// keep the other traversals.
///
/// Measured (CPU time, one thread, synthetic trees over 45 features, harness
/// outside the package): 50k rows through 200 trees of 63 leaves, default
/// traversal 0.41-0.45 s, this scorer with the loops in Swift 0.35 s (coding
/// 0.2 s of it), in C 0.17-0.20 s; 20k rows through 100 trees of 20k leaves,
/// depth 16, `DeepTreeScorer` 0.41 s, this scorer 0.20 s plus compiling.
struct CodedTreeScorer {
    static let categoricalFlag: UInt64 = 1 << 15
    static let defaultLeftFlag: UInt64 = 1 << 14
    static let slotLimit = 1 << 14
    /// Deepest tree walked here: the walk costs `depth` steps for every row,
    /// which suits boosting's trees and depth-limited forests, not deep CART trees.
    static let maxDepth = 48
    /// Deepest tree of an ensemble of large trees (see `blockShift`) walked here;
    /// deeper ones keep `DeepTreeScorer`, whose walk stops at each row's leaf.
    static let maxLargeTreeDepth = 20

    /// How one input slot (a feature some split reads) is coded.
    struct Slot {
        let feature: Int
        /// Numeric: the feature's distinct thresholds, ascending, padded with +∞
        /// to a power of two (the branch-free search needs that). Empty for categorical.
        let thresholds: [Double]
        /// Categorical: codes ≥ `limit` (past every bitset of the feature) become `limit`.
        let limit: Int
    }

    /// Compiled nodes, packed as `ck_tree_walk_u8` reads them: slot (bits 0-13), missing
    /// goes left (14), categorical (15), threshold (16-31: numeric split j-th distinct
    /// threshold + dl; categorical: index into `categorical`), left (32-47), right (48-63),
    /// children indexed from the tree's root. A leaf has threshold = `codeMax` (every
    /// code goes left) and both children itself.
    private(set) var nodes: [UInt64] = []
    /// Leaf values, indexed like `nodes` (0 at splits).
    private(set) var values: [Double] = []
    private(set) var roots: [Int] = []
    private(set) var depths: [Int] = []
    private(set) var slots: [Slot] = []
    /// Per categorical split: start of its bitset in `categoryBits`, word count.
    private(set) var categorical: [Int32] = []
    private(set) var categoryBits: [UInt64] = []
    /// The largest code: 255 with one-byte codes, 65,535 with two-byte codes (the code of missing values).
    private(set) var codeMax = 255
    /// Rows per block = 1 << blockShift: 256 for small trees (all of them stay in L1/L2
    /// while a block goes through), 4,096 when the mean tree has ≥ `DeepTreeScorer.minMeanNodes`
    /// nodes (a forest of deep trees does not fit in L2; each tree is read once per block).
    private(set) var blockShift = 8
    /// Per tree: its first categorical split (pair index into `categorical`); a categorical
    /// node's threshold counts from there, so it fits 16 bits for any tree.
    private(set) var categoricalRoots: [Int] = []

    static func pack(slot: UInt64, threshold: Int, left: Int, right: Int) -> UInt64 {
        slot | UInt64(threshold) << 16 | UInt64(left) << 32 | UInt64(right) << 48
    }

    /// Compiles `trees` for inputs laid out as `features`; nil when the model
    /// does not fit the limits above (the caller keeps the default traversal).
    init?(_ trees: [Tree], features: [FeatureValues]) throws {
        let nf = features.count
        guard !trees.isEmpty, nf <= Self.slotLimit else { return nil }
        // Thresholds per numeric feature and the bitset extent per categorical one.
        var thresholds = [[Double]](repeating: [], count: nf)
        var limit = [Int](repeating: 0, count: nf), used = [Bool](repeating: false, count: nf)
        for t in trees {
            try ExecutionContext.check()
            guard t.nodes.count <= Int(UInt16.max) else { return nil }
            for n in t.nodes where !n.isLeaf {
                let f = Int(n.feature)
                guard f < nf else { return nil }
                used[f] = true
                switch features[f] {
                case .numeric:
                    guard n.categoryStart < 0, !n.threshold.isNaN else { return nil }
                    thresholds[f].append(n.threshold)
                case .categorical:
                    guard n.categoryStart >= 0 else { return nil }
                    limit[f] = max(limit[f], Int(n.categoryWords) * 64)
                }
            }
        }
        let totalNodes = trees.reduce(0) { $0 + $1.nodes.count }
        let large = totalNodes >= DeepTreeScorer.minMeanNodes * trees.count
        blockShift = large ? 12 : 8
        let bytes = totalNodes * 16
        try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("compiled trees (\(totalNodes) nodes)", bytes))
        var slotOf = [Int](repeating: -1, count: nf)
        var widest = 0
        for f in 0..<nf where used[f] {
            slotOf[f] = slots.count
            if case .numeric = features[f] {
                // Distinct by `==` (so -0 and +0 are one threshold), ascending.
                var d: [Double] = []
                for v in thresholds[f].sorted() where d.last.map({ $0 != v }) ?? true { d.append(v) }
                widest = max(widest, d.count)
                var p = 1
                while p < d.count { p <<= 1 }
                slots.append(Slot(feature: f, thresholds: d + repeatElement(.infinity, count: p - d.count), limit: 0))
            } else {
                widest = max(widest, limit[f])
                slots.append(Slot(feature: f, thresholds: [], limit: limit[f]))
            }
        }
        // Codes 0...widest must stay below the missing code.
        if widest <= 254 { codeMax = 255 } else if widest <= 65534 { codeMax = 65535 } else { return nil }

        nodes.reserveCapacity(totalNodes); values.reserveCapacity(totalNodes)
        var stack: [(node: Int32, depth: Int32)] = []
        for t in trees {
            try ExecutionContext.check()
            // Depth by a walk from the root (a loaded tree's children need not follow their parents).
            var depth = 0
            stack.append((0, 0))
            t.nodes.withUnsafeBufferPointer { tn in
                while let (i, d) = stack.popLast() {
                    let n = tn[Int(i)]
                    if n.feature < 0 { depth = max(depth, Int(d)) } else { stack.append((n.left, d + 1)); stack.append((n.right, d + 1)) }
                }
            }
            guard depth <= (large ? Self.maxLargeTreeDepth : Self.maxDepth) else { return nil }
            roots.append(nodes.count); depths.append(depth)
            let catRoot = categorical.count / 2
            categoricalRoots.append(catRoot)
            for (i, n) in t.nodes.enumerated() {
                if n.isLeaf {
                    nodes.append(Self.pack(slot: 0, threshold: codeMax, left: i, right: i))
                    values.append(t.value[i])
                    continue
                }
                let f = Int(n.feature)
                var slot = UInt64(slotOf[f])
                if n.defaultLeft { slot |= Self.defaultLeftFlag }
                let threshold: Int
                if n.categoryStart >= 0 {
                    guard categoryBits.count + Int(n.categoryWords) <= Int(Int32.max) else { return nil }
                    slot |= Self.categoricalFlag
                    threshold = categorical.count / 2 - catRoot   // < the tree's node count
                    categorical.append(Int32(categoryBits.count)); categorical.append(n.categoryWords)
                    categoryBits.append(contentsOf: t.categoryBits[Int(n.categoryStart)..<Int(n.categoryStart + n.categoryWords)])
                } else {
                    // Index of the node's threshold among the distinct ones (it is one of them):
                    // its code, from the branch-free search (a Swift binary search here cost
                    // ~40 ns a node in mispredictions, a third of compiling a large forest).
                    var j: UInt16 = 0, x = n.threshold
                    slots[slotOf[f]].thresholds.withUnsafeBufferPointer { ck_tree_codes_u16(&x, 1, $0.baseAddress!, Int64($0.count), &j) }
                    threshold = Int(j) + (n.defaultLeft ? 1 : 0)
                }
                nodes.append(Self.pack(slot: slot, threshold: threshold, left: Int(n.left), right: Int(n.right)))
                values.append(0)
            }
        }
        // Trees of single leaves read no input; keep one slot so leaf steps have a code to read.
        if slots.isEmpty { slots.append(Slot(feature: -1, thresholds: [], limit: 0)) }
    }

    /// out[r] = base + scale · Σ_t leafValue_t(r): chunks of whole blocks in parallel;
    /// a block is coded, then walked through every tree (the unit of work between
    /// cancellation checks).
    func predict(columns: [FeatureValues], nrow: Int, base: Double, scale: Double) throws -> [Double] {
        var out = [Double](repeating: base, count: nrow)
        guard nrow > 0 else { return out }
        let block = 1 << blockShift, codeBytes = codeMax == 255 ? 1 : 2
        let blocks = (nrow + block - 1) / block
        try withRawColumns(columns) { cols in
            try out.withUnsafeMutableBufferPointer { o in
                let op = o.baseAddress!
                let chunks = Parallel.ranges(blocks, chunks: Parallel.threads * 8)
                try Parallel.forEachThrowing(chunks.count) { c in
                    let range = (chunks[c].lowerBound * block)..<min(nrow, chunks[c].upperBound * block)
                    let acc = UnsafeMutablePointer<Double>.allocate(capacity: block)
                    let codes = UnsafeMutableRawPointer.allocate(byteCount: block * slots.count * codeBytes, alignment: 64)
                    defer { acc.deallocate(); codes.deallocate() }
                    var start = range.lowerBound
                    while start < range.upperBound {
                        try ExecutionContext.check()
                        let m = min(block, range.upperBound - start)
                        if codeBytes == 1 {
                            scoreBlock(cols, rows: start..<(start + m), codes: codes.bindMemory(to: UInt8.self, capacity: block * slots.count), acc: acc)
                        } else {
                            scoreBlock(cols, rows: start..<(start + m), codes: codes.bindMemory(to: UInt16.self, capacity: block * slots.count), acc: acc)
                        }
                        for r in 0..<m { op[start + r] = base + scale * acc[r] }
                        start += m
                    }
                }
            }
        }
        return out
    }

    /// acc[r] = Σ_t leafValue_t(rows.lowerBound + r) for one block.
    @inline(__always)
    private func scoreBlock<Code: FixedWidthInteger & UnsignedInteger>(_ cols: UnsafePointer<RawColumn>, rows: Range<Int>,
                                                                      codes: UnsafeMutablePointer<Code>, acc: UnsafeMutablePointer<Double>) {
        let m = rows.count
        encode(cols, rows: rows, into: codes)
        acc.initialize(repeating: 0, count: m)
        nodes.withUnsafeBufferPointer { np in
            values.withUnsafeBufferPointer { vp in
                categorical.withUnsafeBufferPointer { cp in
                    categoryBits.withUnsafeBufferPointer { bp in
                        let cat = cp.baseAddress ?? UnsafePointer(bitPattern: 8)!, bits = bp.baseAddress ?? UnsafePointer(bitPattern: 8)!
                        let shift = Int64(blockShift)
                        for (t, root) in roots.enumerated() {
                            let tree = np.baseAddress! + root, vals = vp.baseAddress! + root, depth = Int64(depths[t])
                            let tcat = cat + 2 * categoricalRoots[t]
                            if Code.self == UInt8.self {
                                ck_tree_walk_u8(tree, vals, depth, UnsafeRawPointer(codes).assumingMemoryBound(to: UInt8.self),
                                                shift, Int64(m), tcat, bits, acc)
                            } else {
                                ck_tree_walk_u16(tree, vals, depth, UnsafeRawPointer(codes).assumingMemoryBound(to: UInt16.self),
                                                 shift, Int64(m), tcat, bits, acc)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Slot-major codes of `rows` (slot s of row r at `out[(s << blockShift) + r]`).
    private func encode<Code: FixedWidthInteger & UnsignedInteger>(_ cols: UnsafePointer<RawColumn>, rows: Range<Int>,
                                                                  into out: UnsafeMutablePointer<Code>) {
        let m = rows.count, s0 = rows.lowerBound
        let missing = Code(truncatingIfNeeded: codeMax)
        for (s, slot) in slots.enumerated() {
            let dst = out + (s << blockShift)
            guard slot.feature >= 0 else {
                dst.update(repeating: 0, count: m)
                continue
            }
            if let v = cols[slot.feature].numeric {
                slot.thresholds.withUnsafeBufferPointer { tp in
                    let t = tp.baseAddress!, p = Int64(tp.count), raw = UnsafeMutableRawPointer(dst)
                    if Code.self == UInt8.self {
                        ck_tree_codes_u8(v + s0, Int64(m), t, p, raw.assumingMemoryBound(to: UInt8.self))
                    } else {
                        ck_tree_codes_u16(v + s0, Int64(m), t, p, raw.assumingMemoryBound(to: UInt16.self))
                    }
                }
            } else if let c = cols[slot.feature].codes {
                let limit = slot.limit
                for r in 0..<m {
                    let k = Int(c[s0 + r])
                    dst[r] = k < 0 ? missing : Code(truncatingIfNeeded: min(k, limit))
                }
            }
        }
    }
}
