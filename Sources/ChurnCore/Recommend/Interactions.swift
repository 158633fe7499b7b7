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
        let (uc, us) = Self.factorize(userIds), (ic, its) = Self.factorize(itemIds)
        try self.init(userCodes: uc, users: us, itemCodes: ic, items: its, weights: weights)
    }

    /// Codes (0-based, first-appearance order) and distinct ids of a list of ids.
    /// `distinct`: the expected number of distinct ids, reserved up front (a
    /// dictionary grown by rehashing costs about three times as much).
    public static func factorize(_ ids: [String], distinct: Int = 0) -> (codes: [Int32], names: [String]) {
        var index: [String: Int32] = [:], names: [String] = [], codes = [Int32]()
        codes.reserveCapacity(ids.count); index.reserveCapacity(distinct); names.reserveCapacity(distinct)
        for id in ids {
            if let k = index[id] { codes.append(k); continue }
            let k = Int32(names.count)
            index[id] = k; names.append(id); codes.append(k)
        }
        return (codes, names)
    }

    /// A column of ids (text or integers, no nulls) as codes in first-appearance
    /// order and the distinct ids as text, through the frame's factoriser
    /// (direct-address tables for dictionary codes and small integer ranges), so
    /// no id is formatted or hashed as a string per row. nil for other columns.
    public static func codes(_ col: Column) throws -> (codes: [Int32], names: [String])? {
        guard col.nullCount == 0 else { return nil }
        switch col.data {
        case .int64(let v):
            let fz = try Factorizer.factorize(column: col)
            return (fz.ids, fz.firstRow.map { String(v[$0]) })
        case .string, .category:
            let fz = try Factorizer.factorize(column: col)
            return (fz.ids, fz.firstRow.map { col.string(at: $0) ?? "" })
        default: return nil
        }
    }

    /// From factorised ids: row r is (users[userCodes[r]], items[itemCodes[r]], weights[r] or 1).
    /// Built by a two-pass radix (counting) sort — rows by item, then stably by
    /// user — so each user's entries come out by item and, within an item, in row
    /// order; duplicates are then summed in row order. O(rows + users + items),
    /// no comparisons and no hashing of (user, item) pairs.
    public init(userCodes: [Int32], users: [String], itemCodes: [Int32], items: [String], weights: [Double]?) throws {
        let n = userCodes.count
        guard itemCodes.count == n else { throw ClusterError.invalid("\(n) users for \(itemCodes.count) items") }
        if let w = weights {
            guard w.count == n else { throw ClusterError.invalid("\(w.count) weights for \(n) interactions") }
            if let bad = w.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
                throw ClusterError.invalid("weight in row \(bad + 1) must be a finite number >= 0, got \(w[bad])")
            }
        }
        guard userCodes.allSatisfy({ $0 >= 0 && Int($0) < users.count }), itemCodes.allSatisfy({ $0 >= 0 && Int($0) < items.count }) else {
            throw ClusterError.invalid("interaction codes out of range")
        }
        try ExecutionContext.checkMemory(n * 56, for: "the interaction matrix")
        let nU = users.count, nI = items.count
        guard n < Int(UInt32.max) else { throw ClusterError.invalid("more than \(UInt32.max - 1) interactions") }
        // Pass 1: (user, row) by item, stable. Entries carry what the next pass
        // needs, so every pass reads sequentially and only scatters.
        var itemStart = [Int](repeating: 0, count: nI + 1)
        for i in itemCodes { itemStart[Int(i) + 1] += 1 }
        for i in 0..<nI { itemStart[i + 1] += itemStart[i] }
        var sorted = [UInt64](repeating: 0, count: n)
        var fill = itemStart
        for r in 0..<n {
            let i = Int(itemCodes[r])
            sorted[fill[i]] = UInt64(UInt32(bitPattern: userCodes[r])) << 32 | UInt64(r)
            fill[i] += 1
        }
        try ExecutionContext.check()
        // Pass 2: (item, row) stably by user, so within a user by item, then row.
        var start = [Int](repeating: 0, count: nU + 1)
        for u in userCodes { start[Int(u) + 1] += 1 }
        for u in 0..<nU { start[u + 1] += start[u] }
        var order = [UInt64](repeating: 0, count: n)
        fill = start
        for i in 0..<nI {
            for t in itemStart[i]..<itemStart[i + 1] {
                let e = sorted[t], u = Int(e >> 32)
                order[fill[u]] = UInt64(i) << 32 | (e & 0xFFFF_FFFF)
                fill[u] += 1
            }
        }
        sorted = []
        try ExecutionContext.check()
        var byUser = [[(Int, Double)]](repeating: [], count: nU)
        var itemCount = [Int](repeating: 0, count: nI)
        for u in 0..<nU {
            if u % 65536 == 65535 { try ExecutionContext.check() }
            var row: [(Int, Double)] = []
            row.reserveCapacity(start[u + 1] - start[u])
            for t in start[u]..<start[u + 1] {
                let e = order[t], i = Int(e >> 32)
                let w = weights?[Int(e & 0xFFFF_FFFF)] ?? 1
                if let last = row.last, last.0 == i { row[row.count - 1].1 += w } else { row.append((i, w)); itemCount[i] += 1 }
            }
            byUser[u] = row
        }
        var byItem = [[(Int, Double)]](repeating: [], count: nI)
        for i in 0..<nI { byItem[i].reserveCapacity(itemCount[i]) }
        for u in 0..<nU { for (i, w) in byUser[u] { byItem[i].append((u, w)) } }
        var ui: [String: Int] = [:], ii: [String: Int] = [:]
        ui.reserveCapacity(nU); ii.reserveCapacity(nI)
        for (k, v) in users.enumerated() { ui[v] = k }
        for (k, v) in items.enumerated() { ii[v] = k }
        self.users = users; self.items = items; userIndex = ui; itemIndex = ii
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
