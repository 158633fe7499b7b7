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
///   tree is walked in branch-free steps (`child = code + dl <= t ? left :
///   right`, the missing-value direction `dl` folded in by adding it modulo
///   the code range);
/// - walks small trees (256-row blocks) with four lanes per tree, each lane
///   holding a row and its node, so their chains of dependent loads overlap; a
///   lane whose row reaches a leaf takes the block's next row (`ck_tree_refill_*`,
///   over `splitNodes`: splits only, leaf-flagged children), so no step is spent
///   on a row already at its leaf. The walk it replaced ran groups of eight rows
///   until the group's deepest row was at a leaf: on the benchmark booster that
///   executed 1,969 steps per row for 969 on its paths (figures below);
/// - walks large trees (4,096-row blocks) eight rows at a time for the tree's
///   full depth (`ck_tree_walk_*`, leaves looping to themselves; unmeasured with
///   refill), as it does small trees too wide for 15-bit child numbers (with a
///   stop once a group's rows are all at leaves);
/// - walks a single row (fewer than eight rows: a server's one-row request) by the
///   same refill across trees (`ck_tree_row_refill_*`): six lanes each hold a tree
///   and its node, a lane at a leaf records it and takes the next tree, and the
///   leaf values are then added in tree order. Without `splitNodes` (large trees,
///   or too wide for 15-bit children), a single row and a block's last m % 8 rows
///   in the eight-row walk go through the trees eight at once (`ck_tree_row_*`,
///   each group of eight run to its deepest tree's depth).
/// The loops are C (`tree_kernels.c`: Swift's selects became mispredicted branches).
/// QuickScorer (Lucchese et al., SIGIR 2015: per-tree leaf bitvectors, per-feature
/// splits sorted by threshold, here with the failed prefix found by the rank code)
/// was built and measured against this walk on the benchmark booster (200 trees ×
/// 63 leaves, `predict_proba` of 200k rows, 2 threads, release, 2026-12-04): 2.31 s
/// (AVX2, four rows at once) and 1.66 s (scalar) against the walk's 1.23 s and
/// 0.94 s in the same processes. A row fails about half of the ensemble's 12,400
/// splits (6,234, counted on LightGBM's booster of the same setting) but takes only
/// 966 steps on its paths; QuickScorer pays off when the trees do not stay in cache,
/// and these (~100 KB compiled) do. So it was not kept.
/// Blocks hold 256 rows for small trees (boosting: the whole ensemble stays in
/// L2 while a block goes through) and 4,096 for large ones (a forest: each tree
/// is read once per block, as in `DeepTreeScorer`, whose 16-byte nodes and
/// 8-byte inputs this halves and quarters). A booster compiles its trees once
/// and keeps them (`GradientBoosting.compiledScorer`).
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
/// On a fitted booster (benchmark table, 200 trees × 63 leaves fitted on 50k
/// rows, `predict_proba` of 200k rows, 2 threads, release, load ~2, best of 5,
/// 2026-12-04): row blocks 0.606-0.611 s, this scorer walking every tree's full
/// depth 0.578 s, stopping groups early 0.492-0.508 s. A profile (perf) of
/// that run: the walk 92 % of `predict_proba`, input coding 7 %, nothing else
/// above 1 % (no conversion or compile cost outside the walk).
/// The refill walk (2026-12-04, branch walk12), first in a C harness over the
/// benchmark booster's compiled trees (65,536 test rows, one thread): the eight-row
/// walk executed 1,969 steps per row for the 969 on the rows' paths (2.03 ×); refill
/// took 0.80 × its time with four lanes (3, 5, 6, 8 lanes: 0.87, 0.82, 0.82, 0.84),
/// and reading the child from the node's memory 0.94 × that. In the product (release,
/// `predict_proba` of the 200k test rows, 2 threads, main's binary and this one
/// alternating, best of 5 each): fitted on 50k rows, 0.497-0.503 s → 0.448 s at load ~2
/// (first version), 0.995-1.51 s → 0.763-0.770 s at load 4-5; fitted on 200k rows as in
/// `tree_scoring.sh`, 0.516-0.519 s → 0.398-0.402 s at load 1.2-2.7 (1.29-1.30 ×;
/// `tree_scoring.sh` at load 1.5-2.0: 502,396 rows/s against LightGBM's 153,367, 3.28 ×).
/// The serve benchmark's model shape (200 trees × 31 leaves, 45 numeric features,
/// 1,000-row frames): 376-389 → 262-268 ms per 300 frames at load 1.2-2 (1.45-1.48 ×),
/// 754-823 → 486-492 ms at load ~5. `scripts/perf-guard` gbdt_score: 32.7M → 22.8M
/// instructions.
/// The one-row refill across trees (2026-12-04, branch row13), in a C harness over the serve
/// benchmark model's compiled trees (200 trees × 31 leaves, 45 numeric features; 20,000 rows,
/// the kernels compiled with the package's release flags, load ~1): the eight-tree walk executed
/// 1,494 steps a row for the 619 on the row's paths (2.4 ×; leaf-wise trees of depth 10.8 whose
/// shallowest leaf is at 1.8 on average), 2,800-2,860 ns a row; refill across trees 1,405-1,412 ns
/// with six lanes (3, 4, 5, 8 lanes: 2,006-2,032, 1,637-1,666, 1,420-1,462, 1,578-1,591 ns). Two
/// details count: the next tree's root is read from a table of the chunk's roots on the stack (lanes
/// holding a tree pointer each, with a clamp at the chunk's end, spilled more: 1,655-1,669 ns with
/// four lanes, 1,843 with six), and every load is outside the lane's selects (a root loaded only at
/// a leaf made the selects a branch, mispredicted at a fifth of the steps: no faster than the
/// eight-tree walk). Instructions a row (callgrind, same harness): 43,757 → 19,879. In the product
/// (release, `predict_proba` of one-row frames of that model, 100k calls over 100 rows, main's binary
/// and this one alternating): 14.6-15.9 → 13.1-13.7 µs CPU a call at load 1.0-1.1; `scripts/perf-guard`
/// gbdt_score_row (50 trees) 13.27M → 12.51M instructions, gbdt_score unchanged (the block walks
/// compile to the same code).
struct CodedTreeScorer {
    static let categoricalFlag: UInt64 = 1 << 15
    static let defaultLeftFlag: UInt64 = 1 << 14
    static let slotLimit = 1 << 14
    /// Deepest tree walked here: the eight-row walks cost up to `depth` steps for every
    /// row (the refill walk only the row's path), which suits boosting's trees and
    /// depth-limited forests, not deep CART trees.
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
    /// Per tree: its root in `nodes`, its depth, and its shallowest leaf's depth (every row
    /// takes at least that many steps; the walks stop early past it, see `tree_kernels.c`).
    private(set) var roots: [Int64] = []
    private(set) var depths: [Int64] = []
    private(set) var minDepths: [Int64] = []
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
    private(set) var categoricalRoots: [Int64] = []
    /// Small trees (256-row blocks) compiled again for `ck_tree_refill_*` and `ck_tree_row_refill_*`: each
    /// tree's splits only, packed as in `nodes` but with children numbered among the tree's splits, or with
    /// bit 15 set among its leaves (the root is split 0; a tree of one leaf has one split, both children
    /// leaf 0). Empty for large trees, or when a tree has more than 32,767 splits or leaves (the eight-row
    /// walk of `nodes` then scores every block, and the eight-tree walk single rows).
    private(set) var splitNodes: [UInt64] = []
    /// Per tree: its first split in `splitNodes`, its split count (0: the tree is one leaf, walked by
    /// blocks as such), and its first leaf in `leafValues` (the tree's leaf values in node order).
    private(set) var splitRoots: [Int64] = []
    private(set) var splitCounts: [Int64] = []
    private(set) var leafRoots: [Int64] = []
    private(set) var leafValues: [Double] = []
    static let leafChildFlag = 0x8000

    static func pack(slot: UInt64, threshold: Int, left: Int, right: Int) -> UInt64 {
        slot | UInt64(threshold) << 16 | UInt64(left) << 32 | UInt64(right) << 48
    }

    /// Compiles `trees` for inputs laid out as `features`; nil when the model
    /// does not fit the limits above (the caller keeps the default traversal).
    init?(_ trees: [Tree], features: [FeatureValues]) throws {
        try self.init(trees, categorical: features.map { if case .categorical = $0 { return true } else { return false } })
    }

    /// Compiles `trees` for features of the given kinds (a model's schema: compiled once and
    /// kept with the model); nil as above.
    init?(_ trees: [Tree], categorical isCategorical: [Bool]) throws {
        let nf = isCategorical.count
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
                if !isCategorical[f] {
                    guard n.categoryStart < 0, !n.threshold.isNaN else { return nil }
                    thresholds[f].append(n.threshold)
                } else {
                    guard n.categoryStart >= 0 else { return nil }
                    limit[f] = max(limit[f], Int(n.categoryWords) * 64)
                }
            }
        }
        let totalNodes = trees.reduce(0) { $0 + $1.nodes.count }
        let large = totalNodes >= DeepTreeScorer.minMeanNodes * trees.count
        blockShift = large ? 12 : 8
        let bytes = totalNodes * (large ? 16 : 32)
        try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("compiled trees (\(totalNodes) nodes)", bytes))
        var slotOf = [Int](repeating: -1, count: nf)
        var widest = 0
        for f in 0..<nf where used[f] {
            slotOf[f] = slots.count
            if !isCategorical[f] {
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
            var depth = 0, shallowest = Int.max
            stack.append((0, 0))
            t.nodes.withUnsafeBufferPointer { tn in
                while let (i, d) = stack.popLast() {
                    let n = tn[Int(i)]
                    if n.feature < 0 { depth = max(depth, Int(d)); shallowest = min(shallowest, Int(d)) }
                    else { stack.append((n.left, d + 1)); stack.append((n.right, d + 1)) }
                }
            }
            guard depth <= (large ? Self.maxLargeTreeDepth : Self.maxDepth) else { return nil }
            roots.append(Int64(nodes.count)); depths.append(Int64(depth)); minDepths.append(Int64(shallowest))
            let catRoot = categorical.count / 2
            categoricalRoots.append(Int64(catRoot))
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
                    slots[slotOf[f]].thresholds.withUnsafeBufferPointer { ck_tree_codes_u16(&x, 1, 1, $0.baseAddress!, Int64($0.count), &j) }
                    threshold = Int(j) + (n.defaultLeft ? 1 : 0)
                }
                nodes.append(Self.pack(slot: slot, threshold: threshold, left: Int(n.left), right: Int(n.right)))
                values.append(0)
            }
            if !large { appendSplitNodes(t, packed: nodes[Int(roots[roots.count - 1])...]) }
        }
        if large || splitRoots.count != trees.count {
            splitNodes = []; splitRoots = []; splitCounts = []; leafRoots = []; leafValues = []
        }
        // Trees of single leaves read no input; keep one slot so leaf steps have a code to read.
        if slots.isEmpty { slots.append(Slot(feature: -1, thresholds: [], limit: 0)) }
        rowCoding = RowCoding(slots)
    }

    /// Every slot of one row-major row coded in one C call (`ck_tree_codes_row_*`), for single
    /// rows (a server's one-row request): coding slot by slot costs a Swift loop iteration, an
    /// enum switch and an array access per slot around a one-value C call — about as much as
    /// the searches themselves (45 slots: ~0.9 µs of a ~20 µs request). Nil when a slot is
    /// categorical. A class, so copying the scorer retains one reference, not four arrays.
    private(set) var rowCoding: RowCoding?

    final class RowCoding: Sendable {
        /// Per slot: its feature (-1: none, code 0), where its padded thresholds start in
        /// `thresholds` and how many there are (a power of two).
        let features: [Int64], starts: [Int64], counts: [Int64]
        let thresholds: [Double]

        init?(_ slots: [Slot]) {
            guard slots.allSatisfy({ $0.feature < 0 || !$0.thresholds.isEmpty }) else { return nil }
            features = slots.map { Int64($0.feature) }
            counts = slots.map { Int64($0.thresholds.count) }
            var starts: [Int64] = [], at: Int64 = 0
            for c in counts { starts.append(at); at += c }
            self.starts = starts
            thresholds = slots.flatMap(\.thresholds)
        }

        /// out[s] = the code of slot s for the row at `row`.
        func code<Code: FixedWidthInteger & UnsignedInteger>(row: UnsafePointer<Double>, into out: UnsafeMutablePointer<Code>) {
            features.withUnsafeBufferPointer { f in
                starts.withUnsafeBufferPointer { s in
                    counts.withUnsafeBufferPointer { c in
                        thresholds.withUnsafeBufferPointer { t in
                            let raw = UnsafeMutableRawPointer(out), n = Int64(f.count)
                            // A slot without a feature has no thresholds: the kernel gives it code 0.
                            let tp = t.baseAddress ?? UnsafePointer(bitPattern: 8)!
                            if Code.self == UInt8.self {
                                ck_tree_codes_row_u8(row, f.baseAddress!, tp, s.baseAddress!, c.baseAddress!, n, raw.assumingMemoryBound(to: UInt8.self))
                            } else {
                                ck_tree_codes_row_u16(row, f.baseAddress!, tp, s.baseAddress!, c.baseAddress!, n, raw.assumingMemoryBound(to: UInt16.self))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Appends tree `t`, whose nodes are `packed` (as in `nodes`), to `splitNodes` and `leafValues`;
    /// nothing when a child index does not fit 15 bits.
    private mutating func appendSplitNodes(_ t: Tree, packed: ArraySlice<UInt64>) {
        var index = [Int](repeating: 0, count: t.nodes.count)
        var splits = 0, leaves = 0
        for (i, n) in t.nodes.enumerated() {
            if n.isLeaf { index[i] = Self.leafChildFlag | leaves; leaves += 1 } else { index[i] = splits; splits += 1 }
        }
        guard splits < Self.leafChildFlag, leaves < Self.leafChildFlag, splitRoots.count == roots.count - 1 else { return }
        splitRoots.append(Int64(splitNodes.count)); leafRoots.append(Int64(leafValues.count))
        // Node 0 is the root: split 0 when it splits, else the one leaf (leaf 0).
        splitCounts.append(t.nodes[0].isLeaf ? 0 : Int64(splits))
        // A tree of one leaf gets one split (slot 0, every code left) whose children are both leaf 0: the one-row
        // walk (`ck_tree_row_refill_*`) then starts every tree at a split; the block walk skips it (split count 0).
        if t.nodes[0].isLeaf {
            splitNodes.append(Self.pack(slot: 0, threshold: codeMax, left: Self.leafChildFlag, right: Self.leafChildFlag))
        }
        for (i, n) in t.nodes.enumerated() {
            if n.isLeaf { leafValues.append(t.value[i]); continue }
            let node = packed[packed.startIndex + i]
            splitNodes.append(node & 0xFFFF_FFFF | UInt64(index[Int(n.left)]) << 32 | UInt64(index[Int(n.right)]) << 48)
        }
    }

    /// Where a block's inputs come from: feature columns, or row-major numeric rows
    /// (feature f of row r at `r · stride + f`).
    private enum Input {
        case columns(UnsafePointer<RawColumn>)
        case rows(UnsafePointer<Double>, stride: Int)
    }

    /// Whether every input slot is numeric (the row-major entry point needs that).
    var readsOnlyNumeric: Bool { slots.allSatisfy { $0.feature < 0 || !$0.thresholds.isEmpty } }

    /// out[r] = base + scale · Σ_t leafValue_t(r): chunks of whole blocks in parallel;
    /// a block is coded, then walked through every tree (the unit of work between
    /// cancellation checks).
    func predict(columns: [FeatureValues], nrow: Int, base: Double, scale: Double) throws -> [Double] {
        var out = [Double](repeating: base, count: nrow)
        guard nrow > 0 else { return out }
        let block = 1 << blockShift
        let blocks = (nrow + block - 1) / block
        try withRawColumns(columns) { cols in
            try out.withUnsafeMutableBufferPointer { o in
                let op = o.baseAddress!
                let chunks = Parallel.ranges(blocks, chunks: Parallel.threads * 8)
                try Parallel.forEachThrowing(chunks.count) { c in
                    let range = (chunks[c].lowerBound * block)..<min(nrow, chunks[c].upperBound * block)
                    try score(.columns(cols), rows: range, base: base, scale: scale, into: op + range.lowerBound)
                }
            }
        }
        return out
    }

    /// The same for `nrow` row-major numeric rows of `stride` values (a server's request,
    /// read straight from its JSON), on the calling thread; needs `readsOnlyNumeric`.
    func predict(rows: UnsafePointer<Double>, stride: Int, nrow: Int, base: Double, scale: Double,
                 into out: UnsafeMutablePointer<Double>) throws {
        precondition(readsOnlyNumeric && slots.allSatisfy { $0.feature < stride })
        try score(.rows(rows, stride: stride), rows: 0..<nrow, base: base, scale: scale, into: out)
    }

    /// out[r - rows.lowerBound] = base + scale · Σ_t leafValue_t(r) for `rows`, block by block.
    private func score(_ input: Input, rows range: Range<Int>, base: Double, scale: Double, into out: UnsafeMutablePointer<Double>) throws {
        let block = 1 << blockShift, codeBytes = codeMax == 255 ? 1 : 2
        // Fewer than eight rows: each coded compactly and walked through eight trees at once.
        let shift = range.count < 8 ? 0 : blockShift
        let capacity = range.count < 8 ? slots.count : block * slots.count
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: block)
        // The refill walk reads up to five scratch rows past a block's last row (any codes).
        let codesBytes = (capacity + 8) * codeBytes
        let codes = UnsafeMutableRawPointer.allocate(byteCount: codesBytes, alignment: 64)
        codes.initializeMemory(as: UInt8.self, repeating: 0, count: codesBytes)
        defer { acc.deallocate(); codes.deallocate() }
        var start = range.lowerBound
        while start < range.upperBound {
            try ExecutionContext.check()
            let m = shift == 0 ? 1 : min(block, range.upperBound - start)
            if codeBytes == 1 {
                scoreBlock(input, rows: start..<(start + m), shift: shift, codes: codes.bindMemory(to: UInt8.self, capacity: capacity), acc: acc)
            } else {
                scoreBlock(input, rows: start..<(start + m), shift: shift, codes: codes.bindMemory(to: UInt16.self, capacity: capacity), acc: acc)
            }
            let o = out + (start - range.lowerBound)
            for r in 0..<m { o[r] = base + scale * acc[r] }
            start += m
        }
    }

    /// acc[r] = Σ_t leafValue_t(rows.lowerBound + r) for one block, tree by tree: small trees
    /// take every row through the refill walk of `splitNodes`, and a compactly coded single row
    /// (`shift` 0) through their refill walk across trees; otherwise groups of eight rows walk
    /// `nodes` and the last `m % 8` rows go through the trees eight at once, as does a single row.
    @inline(__always)
    private func scoreBlock<Code: FixedWidthInteger & UnsignedInteger>(_ input: Input, rows: Range<Int>, shift: Int,
                                                                      codes: UnsafeMutablePointer<Code>, acc: UnsafeMutablePointer<Double>) {
        let refill = shift == 8 && !splitRoots.isEmpty
        let m = rows.count, grouped = refill ? m : shift == 0 ? 0 : m & ~7
        encode(input, rows: rows, shift: shift, into: codes)
        acc.initialize(repeating: 0, count: m)
        if shift == 0 && !splitRoots.isEmpty {
            scoreRow(codes: codes, acc: acc)
            return
        }
        if refill {
            splitNodes.withUnsafeBufferPointer { sp in
                leafValues.withUnsafeBufferPointer { lp in
                    categorical.withUnsafeBufferPointer { cp in
                        categoryBits.withUnsafeBufferPointer { bp in
                            let cat = cp.baseAddress ?? UnsafePointer(bitPattern: 8)!, bits = bp.baseAddress ?? UnsafePointer(bitPattern: 8)!
                            let splits = sp.baseAddress!   // every tree has a split node, a one-leaf tree too
                            let raw = UnsafeRawPointer(codes)
                            for t in 0..<splitRoots.count {
                                let tree = splits + Int(splitRoots[t]), vals = lp.baseAddress! + Int(leafRoots[t])
                                let tcat = cat + 2 * Int(categoricalRoots[t])
                                if Code.self == UInt8.self {
                                    ck_tree_refill_u8(tree, splitCounts[t], vals, raw.assumingMemoryBound(to: UInt8.self), Int64(m), tcat, bits, acc)
                                } else {
                                    ck_tree_refill_u16(tree, splitCounts[t], vals, raw.assumingMemoryBound(to: UInt16.self), Int64(m), tcat, bits, acc)
                                }
                            }
                        }
                    }
                }
            }
            return
        }
        nodes.withUnsafeBufferPointer { np in
            values.withUnsafeBufferPointer { vp in
                categorical.withUnsafeBufferPointer { cp in
                    categoryBits.withUnsafeBufferPointer { bp in
                        let cat = cp.baseAddress ?? UnsafePointer(bitPattern: 8)!, bits = bp.baseAddress ?? UnsafePointer(bitPattern: 8)!
                        let raw = UnsafeRawPointer(codes)
                        if grouped > 0 {
                            for t in 0..<roots.count {
                                let root = Int(roots[t])
                                let tree = np.baseAddress! + root, vals = vp.baseAddress! + root
                                let tcat = cat + 2 * Int(categoricalRoots[t])
                                if Code.self == UInt8.self {
                                    ck_tree_walk_u8(tree, vals, depths[t], minDepths[t], raw.assumingMemoryBound(to: UInt8.self),
                                                    Int64(shift), Int64(grouped), tcat, bits, acc)
                                } else {
                                    ck_tree_walk_u16(tree, vals, depths[t], minDepths[t], raw.assumingMemoryBound(to: UInt16.self),
                                                     Int64(shift), Int64(grouped), tcat, bits, acc)
                                }
                            }
                        }
                        roots.withUnsafeBufferPointer { rp in
                            depths.withUnsafeBufferPointer { dp in
                                minDepths.withUnsafeBufferPointer { mp in
                                    categoricalRoots.withUnsafeBufferPointer { crp in
                                        for r in grouped..<m {
                                            if Code.self == UInt8.self {
                                                ck_tree_row_u8(np.baseAddress!, vp.baseAddress!, rp.baseAddress!, dp.baseAddress!, mp.baseAddress!,
                                                               crp.baseAddress!, Int64(rp.count), raw.assumingMemoryBound(to: UInt8.self) + r,
                                                               Int64(shift), cat, bits, acc + r)
                                            } else {
                                                ck_tree_row_u16(np.baseAddress!, vp.baseAddress!, rp.baseAddress!, dp.baseAddress!, mp.baseAddress!,
                                                                crp.baseAddress!, Int64(rp.count), raw.assumingMemoryBound(to: UInt16.self) + r,
                                                                Int64(shift), cat, bits, acc + r)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// acc[0] += Σ_t leafValue_t for the one row coded in `codes` (slot s at codes[s]), by the refill walk
    /// across trees over `splitNodes` (needs them).
    @inline(__always)
    private func scoreRow<Code: FixedWidthInteger & UnsignedInteger>(codes: UnsafeMutablePointer<Code>, acc: UnsafeMutablePointer<Double>) {
        splitNodes.withUnsafeBufferPointer { sp in
            splitRoots.withUnsafeBufferPointer { rp in
                leafValues.withUnsafeBufferPointer { lp in
                    leafRoots.withUnsafeBufferPointer { lrp in
                        categoricalRoots.withUnsafeBufferPointer { crp in
                            categorical.withUnsafeBufferPointer { cp in
                                categoryBits.withUnsafeBufferPointer { bp in
                                    let cat = cp.baseAddress ?? UnsafePointer(bitPattern: 8)!, bits = bp.baseAddress ?? UnsafePointer(bitPattern: 8)!
                                    let raw = UnsafeRawPointer(codes), n = Int64(rp.count)
                                    if Code.self == UInt8.self {
                                        ck_tree_row_refill_u8(sp.baseAddress!, rp.baseAddress!, lp.baseAddress!, lrp.baseAddress!, crp.baseAddress!, n,
                                                              raw.assumingMemoryBound(to: UInt8.self), cat, bits, acc)
                                    } else {
                                        ck_tree_row_refill_u16(sp.baseAddress!, rp.baseAddress!, lp.baseAddress!, lrp.baseAddress!, crp.baseAddress!, n,
                                                               raw.assumingMemoryBound(to: UInt16.self), cat, bits, acc)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Slot-major codes of `rows` (slot s of row r at `out[(s << shift) + r]`).
    private func encode<Code: FixedWidthInteger & UnsignedInteger>(_ input: Input, rows: Range<Int>, shift: Int,
                                                                  into out: UnsafeMutablePointer<Code>) {
        if shift == 0, rows.count == 1, case .rows(let base, let stride) = input, let rowCoding {
            return rowCoding.code(row: base + rows.lowerBound * stride, into: out)
        }
        let m = rows.count, s0 = rows.lowerBound
        let missing = Code(truncatingIfNeeded: codeMax)
        for (s, slot) in slots.enumerated() {
            let dst = out + (s << shift)
            guard slot.feature >= 0 else {
                dst.update(repeating: 0, count: m)
                continue
            }
            let x: UnsafePointer<Double>?, stride: Int
            var categoryCodes: UnsafePointer<Int32>? = nil
            switch input {
            case .columns(let cols):
                x = cols[slot.feature].numeric.map { $0 + s0 }; stride = 1
                categoryCodes = cols[slot.feature].codes
            case .rows(let base, let st):
                x = base + s0 * st + slot.feature; stride = st
            }
            if let x {
                slot.thresholds.withUnsafeBufferPointer { tp in
                    let t = tp.baseAddress!, p = Int64(tp.count), raw = UnsafeMutableRawPointer(dst)
                    if Code.self == UInt8.self {
                        ck_tree_codes_u8(x, Int64(stride), Int64(m), t, p, raw.assumingMemoryBound(to: UInt8.self))
                    } else {
                        ck_tree_codes_u16(x, Int64(stride), Int64(m), t, p, raw.assumingMemoryBound(to: UInt16.self))
                    }
                }
            } else if let c = categoryCodes {
                let limit = slot.limit
                for r in 0..<m {
                    let k = Int(c[s0 + r])
                    dst[r] = k < 0 ? missing : Code(truncatingIfNeeded: min(k, limit))
                }
            }
        }
    }
}
