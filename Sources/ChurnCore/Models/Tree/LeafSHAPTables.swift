import CKernels

/// TreeSHAP by per-leaf tables ("Fast TreeSHAP v2", Yang 2021, "Fast TreeSHAP:
/// Accelerating SHAP Value Computation for Trees"): the row-independent part of
/// every leaf's path weights is computed once per model, so a row costs one pass
/// over each tree's nodes plus O(d) table reads per leaf, instead of TreeSHAP's
/// O(leaves · depth²).
///
/// For a leaf l with value v, let P be the distinct features split on along its
/// path (d of them), z_j the product of the cover fractions of the path's edges
/// on feature j, and o_j ∈ {0, 1} whether the row follows every edge on feature
/// j (O: the set with o_j = 1, a bitmask over P). TreeSHAP gives feature j
///   φ_j += v · (o_j − z_j) · Σ_{S ⊆ O∖{j}} c(|S|) · Π_{i ∈ P∖{j}∖S} z_i,
/// c(k) = k! (d − 1 − k)! / d! (subsets with an o_i = 0 member contribute 0).
/// With the leaf's table over every subset pattern T ⊆ P
///   T_l(T) = v · Σ_{S ⊆ T} c(|S|) · Π_{i ∈ P∖S} z_i,
/// the sum is T_l(O∖{j}) / z_j, so
///   j ∉ O:  φ_j −= T_l(O)                      (the same value for every such j)
///   j ∈ O:  φ_j += (1 − z_j)/z_j · T_l(O∖{j}).
/// O comes from one pass over the tree's nodes in preorder: each node passes its
/// mask to the child the row takes and the mask without its feature's bit to the
/// other one. The −T_l(O) every path feature of a leaf receives is summed over
/// the leaves below each node on a backward pass and given to the node's feature
/// at the node that splits on it first along the path (each leaf's path features
/// have exactly one such node each), so at a leaf only j ∈ O get a term,
/// T_l(O) + (1 − z_j)/z_j · T_l(O∖{j}) (the C loop runs over all d path features
/// and multiplies the others' by 0: a loop over O's bits ends after a
/// row-dependent count, a mispredicted branch a leaf). CPU time a row on that
/// booster (`scripts/bench/serve_bench.sh`, loaded machine): the per-leaf walk over
/// every tree row by row 400 µs, blocks through one tree at a time 224 µs, the
/// backward sums 163 µs, the pass in C 125-170 µs; serve9's walk ~490 µs.
///
/// Memory is O(L · 2^D) per tree (D distinct features on a leaf's path): a leaf
/// gets a table when D ≤ `maxPathFeatures` (lowered for the whole model if the
/// tables would pass `budgetBytes`); a leaf past it (boosting's lopsided trees
/// have a few) is computed per row in O(D²) — the product Π_i (z_i + o_i·x)
/// divided by leaf j's factor, its coefficients weighted by c(k), the same
/// division TreeSHAP's unwinding does. A tree whose cover fractions are not all
/// positive (the division by z_j) or with a path of more than 64 distinct
/// features keeps the exact recursion (`TreeSHAP`). Results agree with it to
/// rounding (tests: 1e-9 on random trees with missing values and categorical
/// splits, tabled and per-row leaves).
///
/// Everything a row reads lives in a few flat arrays, read through base pointers
/// taken once per block of rows (no reference counting in the loop); a block of
/// rows goes through one tree at a time, so the tree's tables stay in cache.
/// On the serve benchmark's booster (200 trees × 31 leaves, 45 features): 6,200
/// leaves, path features d = 1…16 (mean 6.3), 51 leaves past 12 computed per row,
/// tables 1.63 M values (13 MB).
struct LeafSHAPTables: Sendable {
    /// Most distinct features on a tabled leaf's path: 2^12 values (32 KB) per leaf at most.
    static let maxPathFeatures = 12
    /// The most the tables of one model may hold; past it the bound is lowered.
    static let budgetBytes = 256 << 20

    /// A node of a tabled tree, in preorder (the left child follows its parent), and a leaf:
    /// C structs (`CKernels.h`) read by `ck_shap_tree`.
    typealias Node = ck_shap_node
    typealias Leaf = ck_shap_leaf

    /// Whether tree i is in the tabled form (else the exact recursion).
    let tabled: [Bool]
    /// Tabled trees' nodes, concatenated; tree k's from `treeStart[k]`.
    let nodes: [Node]
    let treeStart: [Int]
    let leaves: [Leaf]
    let pathFeature: [Int32]
    /// (1 − z_j) / z_j, and z_j (per-row leaves).
    let pathWeight: [Double]
    let pathZero: [Double]
    let table: [Double]
    let categoryBits: [UInt64]
    /// The path-feature bound used, and the leaves past it (computed per row).
    let pathFeatureBound: Int
    let perRowLeafCount: Int
    let maxTreeNodes: Int

    /// No tabled tree (for callers without tables).
    static let empty = LeafSHAPTables()

    private init() {
        tabled = []; nodes = []; treeStart = [0]; leaves = []; pathFeature = []; pathWeight = []; pathZero = []
        table = []; categoryBits = []; pathFeatureBound = Self.maxPathFeatures; perRowLeafCount = 0; maxTreeNodes = 1
    }

    /// `maxPathFeatures`: the bound on tabled paths (tests lower it to exercise the per-row leaves).
    init(_ trees: [Tree], maxPathFeatures: Int = Self.maxPathFeatures) throws {
        var built: [Built?] = []
        built.reserveCapacity(trees.count)
        for t in trees {
            try ExecutionContext.check()
            built.append(Self.paths(t))
        }
        // The largest bound whose tables fit the budget.
        var bound = min(max(maxPathFeatures, 1), Self.maxPathFeatures)
        func tableBytes(_ b: Int) -> Int {
            built.reduce(0) { acc, t in acc + (t?.leafPaths.reduce(0) { $0 + ($1.features.count <= b ? 8 << $1.features.count : 0) } ?? 0) }
        }
        while bound > 1, tableBytes(bound) > Self.budgetBytes { bound -= 1 }
        let bytes = tableBytes(bound)
        try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("TreeSHAP leaf tables", bytes))

        var nodes: [Node] = [], treeStart: [Int] = [0], leaves: [Leaf] = []
        var pf: [Int32] = [], pw: [Double] = [], pz: [Double] = [], table: [Double] = [], bits: [UInt64] = []
        var perRow = 0, maxNodes = 1
        for (ti, b) in built.enumerated() {
            guard let b else { continue }
            let t = trees[ti]
            maxNodes = max(maxNodes, b.order.count)
            let bitsBase = Int32(bits.count)
            bits += t.categoryBits
            for (k, id) in b.order.enumerated() {
                let n = t.nodes[id]
                if n.isLeaf {
                    let path = b.leafPaths[b.leafOf[k]]
                    let d = path.features.count
                    var leaf = Leaf(table_start: -1, path_start: Int32(pf.count), path_count: Int32(d), value: t.value[id])
                    pf += path.features
                    pz += path.zeros
                    pw += path.zeros.map { (1 - $0) / $0 }
                    if d <= bound {
                        leaf.table_start = Int64(table.count)
                        table += Self.leafTable(path.zeros).map { $0 * t.value[id] }
                    } else {
                        perRow += 1
                    }
                    nodes.append(Node(threshold: 0, feature: -1, right: -1, aux: Int32(leaves.count), category_words: 0, bit: 0, flags: 0))
                    leaves.append(leaf)
                } else {
                    let cat = n.categoryStart >= 0
                    nodes.append(Node(threshold: n.threshold, feature: n.feature, right: Int32(b.rightOf[k]),
                                      aux: cat ? bitsBase + n.categoryStart : -1, category_words: cat ? n.categoryWords : 0,
                                      bit: UInt8(b.bit[k]), flags: (n.defaultLeft ? 1 : 0) | (cat ? 2 : 0) | (b.first[k] ? 4 : 0)))
                }
            }
            treeStart.append(nodes.count)
        }
        tabled = built.map { $0 != nil }
        self.nodes = nodes; self.treeStart = treeStart; self.leaves = leaves
        pathFeature = pf; pathWeight = pw; pathZero = pz; self.table = table; categoryBits = bits
        pathFeatureBound = bound; perRowLeafCount = perRow; maxTreeNodes = maxNodes
    }

    /// A tree's preorder and, per leaf, its path's distinct features and zero fractions.
    struct Built {
        struct Path { var features: [Int32]; var zeros: [Double] }
        /// Node ids in preorder; per preorder position: the right child's position, the split's bit, the leaf's path index.
        var order: [Int] = []
        var rightOf: [Int] = []
        var bit: [Int] = []
        var first: [Bool] = []
        var leafOf: [Int] = []
        var leafPaths: [Path] = []
    }

    /// The preorder and leaf paths of `t`, or nil when it keeps the exact recursion
    /// (a single leaf, a cover fraction that is not positive, more than 64 distinct
    /// features on a path).
    static func paths(_ t: Tree) -> Built? {
        guard t.nodes.count > 1 else { return nil }
        var b = Built()
        // Depth-first, left child first: (node, its parent's position when it is a right child, path so far).
        struct Frame { var node: Int; var rightOfParent: Int; var path: Built.Path }
        var stack = [Frame(node: 0, rightOfParent: -1, path: .init(features: [], zeros: []))]
        while let f = stack.popLast() {
            let k = b.order.count
            if f.rightOfParent >= 0 { b.rightOf[f.rightOfParent] = k }
            b.order.append(f.node); b.rightOf.append(-1); b.bit.append(0); b.first.append(false); b.leafOf.append(-1)
            let node = t.nodes[f.node]
            if node.isLeaf {
                b.leafOf[k] = b.leafPaths.count
                b.leafPaths.append(f.path)
                continue
            }
            let c = t.cover[f.node]
            guard c > 0 else { return nil }
            var j = f.path.features.firstIndex(of: node.feature) ?? -1
            if j < 0 {
                guard f.path.features.count < 64 else { return nil }   // the row's bitmask
                j = f.path.features.count
                b.first[k] = true
            }
            b.bit[k] = j
            var children: [Frame] = []
            for child in [Int(node.left), Int(node.right)] {
                let z = t.cover[child] / c
                guard z > 0, z.isFinite else { return nil }
                var p = f.path
                if j == p.features.count { p.features.append(node.feature); p.zeros.append(z) } else { p.zeros[j] *= z }
                children.append(Frame(node: child, rightOfParent: -1, path: p))
            }
            children[1].rightOfParent = k
            stack.append(children[1]); stack.append(children[0])   // left popped first: it follows its parent
        }
        return b
    }

    /// T(S) / v for every S ⊆ P (bitmask over the path's d features): the weighted
    /// products c(|S'|) · Π_{i ∉ S'} z_i summed over the subsets S' of S.
    static func leafTable(_ z: [Double]) -> [Double] {
        let d = z.count
        guard d > 0 else { return [0] }
        // c(k) = k! (d-1-k)! / d!, from c(0) = 1/d and c(k+1) = c(k) (k+1) / (d-1-k).
        var c = [Double](repeating: 0, count: d)
        c[0] = 1 / Double(d)
        if d > 1 { for k in 0..<(d - 1) { c[k + 1] = c[k] * Double(k + 1) / Double(d - 1 - k) } }
        let size = 1 << d
        var f = [Double](repeating: 0, count: size)
        for s in 0..<size {
            var prod = 1.0
            for i in 0..<d where s & (1 << i) == 0 { prod *= z[i] }
            let k = s.nonzeroBitCount
            f[s] = k < d ? c[k] * prod : 0   // S = P itself: never read (j is always left out)
        }
        // Sum over subsets (zeta transform), one feature at a time.
        for i in 0..<d {
            let bit = 1 << i
            for s in 0..<size where s & bit != 0 { f[s] += f[s ^ bit] }
        }
        return f
    }

    /// The flat arrays' base pointers, valid inside `withView`.
    struct View {
        let nodes: UnsafePointer<Node>, treeStart: UnsafePointer<Int>, leaves: UnsafePointer<Leaf>
        let pathFeature: UnsafePointer<Int32>, pathWeight: UnsafePointer<Double>, pathZero: UnsafePointer<Double>
        let table: UnsafePointer<Double>, categoryBits: UnsafePointer<UInt64>
        let treeCount: Int
    }

    func withView<R>(_ body: (View) throws -> R) rethrows -> R {
        func base<T>(_ p: UnsafeBufferPointer<T>) -> UnsafePointer<T> { p.baseAddress ?? UnsafePointer(bitPattern: 8)! }
        return try nodes.withUnsafeBufferPointer { n in try treeStart.withUnsafeBufferPointer { ts in
            try leaves.withUnsafeBufferPointer { l in try pathFeature.withUnsafeBufferPointer { f in
            try pathWeight.withUnsafeBufferPointer { w in try pathZero.withUnsafeBufferPointer { z in
            try table.withUnsafeBufferPointer { t in try categoryBits.withUnsafeBufferPointer { cb in
                try body(View(nodes: base(n), treeStart: base(ts), leaves: base(l), pathFeature: base(f), pathWeight: base(w),
                              pathZero: base(z), table: base(t), categoryBits: base(cb), treeCount: treeStart.count - 1))
            }}}}}}}}
    }

    /// phi[r · stride + f] += tabled tree k's contributions (leaf values unscaled) for the
    /// `rows` rows whose feature values start at `x + r · stride` (numeric value or category
    /// code, NaN / -1 missing), by `ck_shap_tree` (C: the split comparisons and "j ∈ O" tests
    /// are the row's coin flips and stay conditional moves there). Rows go through one tree at
    /// a time: the tree's tables (tens of KB; all of a model's are megabytes) stay in cache for
    /// the block. `masks` and `acc` are scratch of `maxTreeNodes` entries.
    @inline(__always)
    static func addTree(_ v: View, _ k: Int, rows: Int, x: UnsafePointer<Double>, stride: Int, phi: UnsafeMutablePointer<Double>,
                        masks: UnsafeMutablePointer<UInt64>, acc: UnsafeMutablePointer<Double>) {
        let start = v.treeStart[k]
        ck_shap_tree(v.nodes + start, Int64(v.treeStart[k + 1] - start), v.leaves, v.pathFeature, v.pathWeight, v.pathZero,
                     v.table, v.categoryBits, x, Int64(rows), Int64(stride), phi, masks, acc)
    }
}
