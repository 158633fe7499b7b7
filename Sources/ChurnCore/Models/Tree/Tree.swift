/// One node of a binary decision tree, packed for fast traversal.
///
/// A split node sends a row left when its value is `<= threshold` (numeric
/// feature) or when its category code is in the node's bitset (categorical
/// feature). Missing values (NaN, code -1) follow `defaultLeft`, learned at fit
/// time. Category codes outside the bitset, including levels unseen at fit
/// time that the caller did not map to missing, go right.
public struct TreeNode: Codable, Sendable, Equatable {
    /// Split feature index, or -1 for a leaf.
    public var feature: Int32
    /// Child node indices (-1 for a leaf).
    public var left: Int32
    public var right: Int32
    /// Direction for missing values.
    public var defaultLeft: Bool
    /// Numeric split point (unused for categorical splits).
    public var threshold: Double
    /// Start of this node's category bitset in `Tree.categoryBits`, -1 for numeric splits.
    public var categoryStart: Int32
    /// Number of 64-bit words in the bitset.
    public var categoryWords: Int32

    public var isLeaf: Bool { feature < 0 }

    static let leaf = TreeNode(feature: -1, left: -1, right: -1, defaultLeft: false,
                               threshold: 0, categoryStart: -1, categoryWords: 0)
}

/// The tree representation shared by `DecisionTree`, `RandomForest` and
/// `GradientBoosting`: flat arrays indexed by node id (root = 0).
///
/// - `value`: the node's output. For CART/forest trees it is the weighted
///   positive rate of the node's training rows (a probability); for GBDT trees
///   it is the shrunk leaf output in log-odds. Internal nodes carry their value
///   too (handy for inspection), but predictions only read leaves.
/// - `cover`: the weight of training rows reaching the node (sample weight for
///   CART/forest, hessian sum for GBDT). TreeSHAP uses it as the conditional
///   distribution of the data.
/// - `gain`: the split's gain (weighted impurity decrease for CART, log-loss
///   gain for GBDT); 0 at leaves.
public struct Tree: Codable, Sendable, Equatable {
    public internal(set) var nodes: [TreeNode] = []
    public internal(set) var value: [Double] = []
    public internal(set) var cover: [Double] = []
    public internal(set) var gain: [Double] = []
    /// Bitsets of categorical splits (codes going left), concatenated.
    public internal(set) var categoryBits: [UInt64] = []

    public var nodeCount: Int { nodes.count }
    public var leafCount: Int { nodes.reduce(0) { $0 + ($1.isLeaf ? 1 : 0) } }

    /// Depth of the deepest leaf (a single-leaf tree has depth 0).
    public var depth: Int {
        guard !nodes.isEmpty else { return 0 }
        var best = 0
        var stack: [(Int, Int)] = [(0, 0)]
        while let (n, d) = stack.popLast() {
            let node = nodes[n]
            if node.isLeaf { best = max(best, d) } else {
                stack.append((Int(node.left), d + 1)); stack.append((Int(node.right), d + 1))
            }
        }
        return best
    }

    /// Adds a node and returns its id.
    mutating func addNode(value v: Double, cover c: Double) -> Int {
        nodes.append(.leaf); value.append(v); cover.append(c); gain.append(0)
        return nodes.count - 1
    }

    /// Turns leaf `id` into a numeric split.
    mutating func setNumericSplit(_ id: Int, feature: Int, threshold: Double, defaultLeft: Bool,
                                  left: Int, right: Int, gain g: Double) {
        nodes[id] = TreeNode(feature: Int32(feature), left: Int32(left), right: Int32(right), defaultLeft: defaultLeft,
                             threshold: threshold, categoryStart: -1, categoryWords: 0)
        gain[id] = g
    }

    /// Turns leaf `id` into a categorical split sending `leftCodes` left.
    mutating func setCategoricalSplit(_ id: Int, feature: Int, leftCodes: [Int32], defaultLeft: Bool,
                                      left: Int, right: Int, gain g: Double) {
        let maxCode = Int(leftCodes.max() ?? 0)
        let words = maxCode / 64 + 1
        let start = categoryBits.count
        categoryBits.append(contentsOf: repeatElement(0, count: words))
        for c in leftCodes { categoryBits[start + Int(c) / 64] |= 1 << UInt64(Int(c) % 64) }
        nodes[id] = TreeNode(feature: Int32(feature), left: Int32(left), right: Int32(right), defaultLeft: defaultLeft,
                             threshold: 0, categoryStart: Int32(start), categoryWords: Int32(words))
        gain[id] = g
    }

    /// Category codes sent left by categorical split node `id`.
    public func leftCategories(_ id: Int) -> [Int] {
        let n = nodes[id]
        guard n.categoryStart >= 0 else { return [] }
        var out: [Int] = []
        for w in 0..<Int(n.categoryWords) {
            let bits = categoryBits[Int(n.categoryStart) + w]
            for b in 0..<64 where bits & (1 << UInt64(b)) != 0 { out.append(w * 64 + b) }
        }
        return out
    }

    /// Cover-weighted mean of the leaf values: the tree's expected output
    /// over its training distribution (TreeSHAP's base value).
    public var expectedValue: Double {
        guard let root = cover.first, root > 0 else { return value.first ?? 0 }
        var s = 0.0
        for i in 0..<nodes.count where nodes[i].isLeaf { s += cover[i] * value[i] }
        return s / root
    }
}

extension Tree {
    /// Whether row `r` goes left at split node `node`.
    @inline(__always)
    func goesLeft(_ node: TreeNode, row r: Int, columns: UnsafePointer<RawColumn>) -> Bool {
        let col = columns[Int(node.feature)]
        if let num = col.numeric {
            let x = num[r]
            return x.isNaN ? node.defaultLeft : x <= node.threshold
        }
        let c = Int(col.codes![r])
        if c < 0 { return node.defaultLeft }
        let w = c >> 6
        if w >= Int(node.categoryWords) { return false }
        return categoryBits.withUnsafeBufferPointer { $0[Int(node.categoryStart) + w] } & (1 << UInt64(c & 63)) != 0
    }

    /// The leaf reached by row `r`.
    @inline(__always)
    func leaf(row r: Int, columns: UnsafePointer<RawColumn>) -> Int {
        nodes.withUnsafeBufferPointer { nodes in
            var i = 0
            while true {
                let node = nodes[i]
                if node.feature < 0 { return i }
                i = Int(goesLeft(node, row: r, columns: columns) ? node.left : node.right)
            }
        }
    }

    /// acc[r - rows.lowerBound] += leaf value of row r, for every row in `rows`
    /// (the hot loop of batch prediction: pointers taken once per tree and block).
    @inline(__always)
    func addLeafValues(rows: Range<Int>, columns: UnsafePointer<RawColumn>, into acc: UnsafeMutablePointer<Double>) {
        nodes.withUnsafeBufferPointer { np in
            value.withUnsafeBufferPointer { vp in
                categoryBits.withUnsafeBufferPointer { cb in
                    let nodes = np.baseAddress!, values = vp.baseAddress!, bits = cb.baseAddress
                    for r in rows {
                        var i = 0
                        while true {
                            let node = nodes[i]
                            if node.feature < 0 { break }
                            let col = columns[Int(node.feature)]
                            let left: Bool
                            if let num = col.numeric {
                                let x = num[r]
                                left = x <= node.threshold || (x.isNaN && node.defaultLeft)
                            } else {
                                let c = Int(col.codes![r])
                                if c < 0 { left = node.defaultLeft } else {
                                    let w = c >> 6
                                    left = w < Int(node.categoryWords) && bits![Int(node.categoryStart) + w] & (1 << UInt64(c & 63)) != 0
                                }
                            }
                            i = Int(left ? node.left : node.right)
                        }
                        acc[r - rows.lowerBound] += values[i]
                    }
                }
            }
        }
    }
}

extension Tree {
    /// Bytes the tree's arrays hold (for the script's memory budget).
    public var storageBytes: Int {
        nodes.count &* (MemoryLayout<TreeNode>.stride &+ 24) &+ categoryBits.count &* 8
    }
}
