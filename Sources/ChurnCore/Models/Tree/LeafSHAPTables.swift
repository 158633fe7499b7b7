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
/// have exactly one such node each), so a leaf itself costs one read plus two
/// per feature in O: j ∈ O gets T_l(O) + (1 − z_j)/z_j · T_l(O∖{j}).
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

    /// A node of a tabled tree, in preorder (the left child follows its parent).
    struct Node: Sendable {
        /// Numeric split point.
        var threshold: Double
        /// Split feature, -1 at a leaf.
        var feature: Int32
        /// The right child, relative to the tree's first node.
        var right: Int32
        /// A leaf's index into `leaves`; a categorical split's first word in `categoryBits`.
        var aux: Int32
        var categoryWords: Int32
        /// The split feature's bit among the path's distinct features.
        var bit: UInt8
        /// 1: missing goes left; 2: categorical split; 4: the first split on its feature along its path.
        var flags: UInt8
    }

    struct Leaf: Sendable {
        /// Start of the leaf's table in `table`; -1: computed per row.
        var tableStart: Int
        /// Start of its d entries in `pathFeature`, `pathWeight`, `pathZero`.
        var pathStart: Int32
        var pathCount: Int32
        var value: Double
    }

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
                    var leaf = Leaf(tableStart: -1, pathStart: Int32(pf.count), pathCount: Int32(d), value: t.value[id])
                    pf += path.features
                    pz += path.zeros
                    pw += path.zeros.map { (1 - $0) / $0 }
                    if d <= bound {
                        leaf.tableStart = table.count
                        table += Self.leafTable(path.zeros).map { $0 * t.value[id] }
                    } else {
                        perRow += 1
                    }
                    nodes.append(Node(threshold: 0, feature: -1, right: -1, aux: Int32(leaves.count), categoryWords: 0, bit: 0, flags: 0))
                    leaves.append(leaf)
                } else {
                    let cat = n.categoryStart >= 0
                    nodes.append(Node(threshold: n.threshold, feature: n.feature, right: Int32(b.rightOf[k]),
                                      aux: cat ? bitsBase + n.categoryStart : -1, categoryWords: cat ? n.categoryWords : 0,
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
    /// code, NaN / -1 missing). Rows go through one tree at a time: the tree's tables (tens of
    /// KB; all of a model's are megabytes) stay in cache for the block. `masks` and `acc` are
    /// scratch of `maxTreeNodes` entries.
    @inline(__always)
    static func addTree(_ v: View, _ k: Int, rows: Int, x: UnsafePointer<Double>, stride: Int, phi: UnsafeMutablePointer<Double>,
                        masks: UnsafeMutablePointer<UInt64>, acc: UnsafeMutablePointer<Double>) {
        let nodes = v.nodes + v.treeStart[k]
        let n = v.treeStart[k + 1] - v.treeStart[k]
        for r in 0..<rows {
            let x = x + r * stride, phi = phi + r * stride
            masks[0] = UInt64.max
            // Forward: masks, and at each leaf its j ∈ O terms; acc[leaf] = T(O).
            for i in 0..<n {
                let node = nodes[i]
                let m = masks[i]
                if node.feature < 0 {
                    acc[i] = addLeaf(v, v.leaves[Int(node.aux)], mask: m, phi: phi)
                    continue
                }
                let xv = x[Int(node.feature)]
                let left: Bool
                if node.flags & 2 == 0 {
                    // Without short-circuits: the comparison is the row's coin flip, kept out of branches.
                    let le: UInt8 = xv <= node.threshold ? 1 : 0, nan: UInt8 = xv.isNaN ? 1 : 0
                    left = (le | (nan & node.flags)) & 1 != 0
                } else {
                    let c = Int(xv)
                    if c < 0 { left = node.flags & 1 != 0 } else {
                        let w = c >> 6
                        left = w < Int(node.categoryWords) && v.categoryBits[Int(node.aux) + w] & (1 << UInt64(c & 63)) != 0
                    }
                }
                let cleared = m & ~(UInt64(1) << UInt64(node.bit))
                masks[i + 1] = left ? m : cleared
                masks[Int(node.right)] = left ? cleared : m
            }
            // Backward: acc[node] = Σ T(O) over its leaves, taken from the feature where it is first split on.
            var i = n - 1
            while i >= 0 {
                let node = nodes[i]
                if node.feature >= 0 {
                    let s = acc[i + 1] + acc[Int(node.right)]
                    acc[i] = s
                    if node.flags & 4 != 0 { phi[Int(node.feature)] -= s }
                }
                i -= 1
            }
        }
    }

    /// Adds the leaf's terms for its features in O (all of them for a leaf computed per
    /// row) and returns what each of its path features loses besides: T(O) (0 per row).
    @inline(__always)
    static func addLeaf(_ v: View, _ leaf: Leaf, mask: UInt64, phi: UnsafeMutablePointer<Double>) -> Double {
        let d = Int(leaf.pathCount), ps = Int(leaf.pathStart)
        let feats = v.pathFeature + ps
        guard leaf.tableStart >= 0 else {
            deepLeaf(d, zeros: v.pathZero + ps, features: feats, mask: mask, value: leaf.value, phi: phi)
            return 0
        }
        let t = v.table + leaf.tableStart, w = v.pathWeight + ps
        let o = Int(truncatingIfNeeded: mask) & ((1 << d) - 1)
        let here = t[o]
        // Over all d path features, j ∉ O adding 0 (t[o | bit] is in range): a loop over
        // O's set bits ends after a row-dependent count, a mispredicted branch per leaf.
        for j in 0..<d {
            let inO = Double((o >> j) & 1)
            phi[Int(feats[j])] += inO * (here + w[j] * t[o ^ (1 << j)])
        }
        return here
    }

    /// phi[f_j] += v · (o_j − z_j) · Σ_k c(k) q_k for a leaf past the bound, where
    /// Σ_k q_k x^k = Π_{i ≠ j} (z_i + o_i x): the full product's coefficients once, then
    /// one synthetic division per j.
    static func deepLeaf(_ d: Int, zeros: UnsafePointer<Double>, features: UnsafePointer<Int32>, mask: UInt64, value v: Double,
                         phi: UnsafeMutablePointer<Double>) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * d + 2) { buf in
            let p = buf.baseAddress!, q = p + (d + 1), c = q + (d + 1)
            // c(k) = k! (d-1-k)! / d!
            c[0] = 1 / Double(d)
            if d > 1 { for k in 0..<(d - 1) { c[k + 1] = c[k] * Double(k + 1) / Double(d - 1 - k) } }
            p[0] = 1
            for k in 1...d { p[k] = 0 }
            for i in 0..<d {
                let z = zeros[i], one = mask & (UInt64(1) << UInt64(i)) != 0
                // Multiply by (z + o x), highest degree first.
                var k = i + 1
                while k >= 1 { p[k] = p[k] * z + (one ? p[k - 1] : 0); k -= 1 }
                p[0] *= z
            }
            for j in 0..<d {
                let z = zeros[j], one = mask & (UInt64(1) << UInt64(j)) != 0
                var u = 0.0
                if one {
                    // Divide by (z + x) from the top: q_{d-1} = p_d, q_{k-1} = p_k − z q_k.
                    q[d - 1] = p[d]
                    var k = d - 1
                    while k >= 1 { q[k - 1] = p[k] - z * q[k]; k -= 1 }
                    for k in 0..<d { u += c[k] * q[k] }
                    phi[Int(features[j])] += v * (1 - z) * u
                } else {
                    for k in 0..<d { u += c[k] * p[k] }
                    phi[Int(features[j])] += v * (0 - z) * (u / z)
                }
            }
        }
    }
}
