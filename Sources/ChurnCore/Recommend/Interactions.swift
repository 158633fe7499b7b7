import ExecutionControl

/// User–item interactions as a sparse matrix: users and items indexed by
/// first appearance, duplicate (user, item) pairs summed, rows by user
/// (items ascending) and by item (users ascending).
public struct InteractionMatrix: Sendable {
    public let users: [String]
    public let items: [String]
    public let userIndex: [String: Int]
    public let itemIndex: [String: Int]
    /// CSR by user: `byUser[u]` = (item, weight) sorted by item.
    public let byUser: [[(Int, Double)]]
    /// CSC by item: `byItem[i]` = (user, weight) sorted by user.
    public let byItem: [[(Int, Double)]]

    public init(users userIds: [String], items itemIds: [String], weights: [Double]? = nil) throws {
        guard userIds.count == itemIds.count else { throw ClusterError.invalid("\(userIds.count) users for \(itemIds.count) items") }
        if let w = weights {
            guard w.count == userIds.count else { throw ClusterError.invalid("\(w.count) weights for \(userIds.count) interactions") }
            if let bad = w.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
                throw ClusterError.invalid("weight in row \(bad + 1) must be a finite number >= 0, got \(w[bad])")
            }
        }
        try ExecutionContext.checkMemory(userIds.count * 48, for: "the interaction matrix")
        var ui: [String: Int] = [:], ii: [String: Int] = [:]
        var us: [String] = [], its: [String] = []
        var cells: [Int: [Int: Double]] = [:]
        for r in 0..<userIds.count {
            if r % 65536 == 65535 { try ExecutionContext.check() }
            let u = ui[userIds[r]] ?? { us.append(userIds[r]); ui[userIds[r]] = us.count - 1; return us.count - 1 }()
            let i = ii[itemIds[r]] ?? { its.append(itemIds[r]); ii[itemIds[r]] = its.count - 1; return its.count - 1 }()
            cells[u, default: [:]][i, default: 0] += weights?[r] ?? 1
        }
        var byUser = [[(Int, Double)]](repeating: [], count: us.count)
        var byItem = [[(Int, Double)]](repeating: [], count: its.count)
        for (u, row) in cells { byUser[u] = row.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 } }
        for u in 0..<us.count { for (i, w) in byUser[u] { byItem[i].append((u, w)) } }
        users = us; items = its; userIndex = ui; itemIndex = ii
        self.byUser = byUser; self.byItem = byItem
    }
}

/// One user's top-k: items (indices) with scores, best first, and for each the
/// index of the seen item that contributed most (nil when none, e.g. popularity).
public struct Recommendation: Sendable {
    public let items: [Int]
    public let scores: [Double]
    public let because: [Int?]
}

/// Top-k selection over dense scores, ties broken by item index
/// (deterministic): one pass keeping a sorted buffer of at most k, O(n + hits · k).
enum TopN {
    static func select(_ scores: [Double], k: Int, skip: Set<Int>) -> [Int] {
        @inline(__always) func better(_ a: (Double, Int), _ b: (Double, Int)) -> Bool { a.0 != b.0 ? a.0 > b.0 : a.1 < b.1 }
        var top: [(Double, Int)] = []
        top.reserveCapacity(k + 1)
        for (i, s) in scores.enumerated() where s.isFinite {
            let c = (s, i)
            if top.count == k && !better(c, top[k - 1]) { continue }
            if skip.contains(i) { continue }
            var lo = 0, hi = top.count
            while lo < hi { let mid = (lo + hi) / 2; if better(top[mid], c) { lo = mid + 1 } else { hi = mid } }
            top.insert(c, at: lo)
            if top.count > k { top.removeLast() }
        }
        return top.map(\.1)
    }
}
