/// The distinct user ids of an event log or subscription table, sorted
/// ascending (integers numerically, text by Swift's `String` ordering). A
/// user's position in this list is its dense index everywhere in the Events,
/// Features, Labels and Analytics areas, and outputs list users in this order.
public enum UserIDs: Sendable, Equatable {
    case int([Int64])
    case string([String])

    public var count: Int {
        switch self {
        case .int(let v): return v.count
        case .string(let v): return v.count
        }
    }

    /// An output column holding the ids of the users at dense indices `rows`.
    public func column(named name: String, rows: [Int32]) -> Column {
        switch self {
        case .int(let ids):
            return Column(name: name, data: .int64(rows.map { ids[Int($0)] }))
        case .string(let ids):
            // Codes are dense indices into the sorted id list; no re-encoding needed.
            return Column(name: name, data: .string(codes: rows, dictionary: ids))
        }
    }

    /// For each of this list's users, its index in `other` (or -1). Both lists
    /// are sorted, so this is a linear merge.
    public func indices(in other: UserIDs) throws -> [Int32] {
        switch (self, other) {
        case (.int(let a), .int(let b)): return UserIDs.merge(a, b)
        case (.string(let a), .string(let b)): return UserIDs.merge(a, b)
        default:
            throw EventError.userKeyMismatch("one table has integer user ids, the other text ids")
        }
    }

    private static func merge<T: Comparable>(_ a: [T], _ b: [T]) -> [Int32] {
        var out = [Int32](repeating: -1, count: a.count)
        var j = 0
        for i in 0..<a.count {
            while j < b.count && b[j] < a[i] { j += 1 }
            if j < b.count && b[j] == a[i] { out[i] = Int32(j) }
        }
        return out
    }

    /// Encodes a user column: sorted distinct ids and, per row, the dense index.
    /// Integer ids in a compact range use a direct table (O(n)); others sort the
    /// distinct values. Nulls are an error naming the row.
    static func encode(_ col: Column) throws -> (ids: UserIDs, keys: [Int32]) {
        if let v = col.validity, let r = (0..<col.count).first(where: { !v.isValid($0) }) {
            throw EventError.nullValue(column: col.name, row: r)
        }
        switch col.data {
        case .int64(let v):
            let (ids, keys) = encodeInts(v)
            return (.int(ids), keys)
        case .string(let codes, let dict), .category(let codes, let dict):
            // Rank the dictionary entries that occur; codes map to ranks.
            var used = [Bool](repeating: false, count: dict.count)
            for c in codes { used[Int(c)] = true }
            let order = (0..<dict.count).filter { used[$0] }.sorted { dict[$0] < dict[$1] }
            var rank = [Int32](repeating: -1, count: dict.count)
            var ids: [String] = []
            ids.reserveCapacity(order.count)
            for i in order {
                // Equal strings in a dictionary (not produced by our builders) share a rank.
                if let last = ids.last, last == dict[i] { rank[i] = Int32(ids.count - 1); continue }
                rank[i] = Int32(ids.count); ids.append(dict[i])
            }
            var keys = [Int32](repeating: 0, count: codes.count)
            codes.withUnsafeBufferPointer { c in
                keys.withUnsafeMutableBufferPointer { k in
                    rank.withUnsafeBufferPointer { r in
                        for i in 0..<c.count { k[i] = r[Int(c[i])] }
                    }
                }
            }
            return (.string(ids), keys)
        default:
            throw EventError.columnType(column: col.name, expected: "int or string (user id)", got: col.dtype)
        }
    }

    private static func encodeInts(_ v: [Int64]) -> ([Int64], [Int32]) {
        guard let lo = v.min(), let hi = v.max() else { return ([], []) }
        let span = hi.subtractingReportingOverflow(lo)
        var keys = [Int32](repeating: 0, count: v.count)
        if !span.overflow, span.partialValue < Int64(max(1024, 4 * v.count)) {
            // Compact range: presence table, then ranks by prefix count.
            let m = Int(span.partialValue) + 1
            var rank = [Int32](repeating: -1, count: m)
            v.withUnsafeBufferPointer { p in for x in p { rank[Int(x - lo)] = 0 } }
            var ids: [Int64] = []
            for i in 0..<m where rank[i] == 0 { rank[i] = Int32(ids.count); ids.append(lo + Int64(i)) }
            v.withUnsafeBufferPointer { p in
                keys.withUnsafeMutableBufferPointer { k in
                    for i in 0..<p.count { k[i] = rank[Int(p[i] - lo)] }
                }
            }
            return (ids, keys)
        }
        var ids = v.sorted()
        var w = 0
        for i in 0..<ids.count where i == 0 || ids[i] != ids[w - 1] { ids[w] = ids[i]; w += 1 }
        ids.removeLast(ids.count - w)
        ids.withUnsafeBufferPointer { s in
            for i in 0..<v.count {
                var a = 0, b = s.count
                while a < b { let m = (a + b) >> 1; if s[m] < v[i] { a = m + 1 } else { b = m } }
                keys[i] = Int32(a)
            }
        }
        return (ids, keys)
    }
}

/// Stable grouping of rows by dense key, then by time inside each group.
enum GroupSort {
    /// Returns the row order (`perm`, original row numbers) sorted by (key, time)
    /// with ties kept in input order, and CSR offsets: group g is
    /// `perm[offsets[g]..<offsets[g+1]]`.
    static func byKeyThenTime(keys: [Int32], groups: Int, times: [Int64]) -> (perm: [Int32], offsets: [Int]) {
        let n = keys.count
        var offsets = [Int](repeating: 0, count: groups + 1)
        keys.withUnsafeBufferPointer { k in for x in k { offsets[Int(x) + 1] += 1 } }
        for g in 0..<groups { offsets[g + 1] += offsets[g] }
        var perm = [Int32](repeating: 0, count: n)
        var cursor = Array(offsets.dropLast())
        keys.withUnsafeBufferPointer { k in
            perm.withUnsafeMutableBufferPointer { p in
                cursor.withUnsafeMutableBufferPointer { c in
                    for i in 0..<n { let g = Int(k[i]); p[c[g]] = Int32(i); c[g] += 1 }
                }
            }
        }
        // Counting sort kept input order; fix groups whose times are not ascending.
        perm.withUnsafeMutableBufferPointer { p in
            times.withUnsafeBufferPointer { t in
                let base = p.baseAddress!
                let r = Parallel.ranges(groups, chunks: Parallel.threads * 4)
                Parallel.forEach(groups == 0 ? 0 : r.count) { chunk in
                    for g in r[chunk] {
                        let lo = offsets[g], hi = offsets[g + 1]
                        var sorted = true
                        var i = lo + 1
                        while i < hi { if t[Int(base[i])] < t[Int(base[i - 1])] { sorted = false; break }; i += 1 }
                        if sorted { continue }
                        var slice = UnsafeMutableBufferPointer(start: base + lo, count: hi - lo)
                        slice.sort { a, b in
                            let ta = t[Int(a)], tb = t[Int(b)]
                            return ta != tb ? ta < tb : a < b
                        }
                    }
                }
            }
        }
        return (perm, offsets)
    }
}
