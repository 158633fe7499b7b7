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
            rank.withUnsafeMutableBufferPointer { r in
                v.withUnsafeBufferPointer { p in for x in p { r[Int(x - lo)] = 0 } }
            }
            var ids: [Int64] = []
            for i in 0..<m where rank[i] == 0 { rank[i] = Int32(ids.count); ids.append(lo + Int64(i)) }
            v.withUnsafeBufferPointer { p in
                keys.withUnsafeMutableBufferPointer { k in
                    rank.withUnsafeBufferPointer { r in
                        let kb = k.baseAddress!
                        let rs = Parallel.ranges(p.count, chunks: Parallel.threads)
                        Parallel.forEach(rs.count) { c in for i in rs[c] { kb[i] = r[Int(p[i] - lo)] } }
                    }
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
    /// with ties kept in input order, CSR offsets (group g is
    /// `perm[offsets[g]..<offsets[g+1]]`) and the times in that order.
    ///
    /// A parallel stable counting sort (per-chunk histograms, chunks placed in
    /// order), then each group is fixed up on contiguous (time, row) data:
    /// insertion sort for small groups, a sort on (time, row) pairs otherwise.
    static func byKeyThenTime(keys: [Int32], groups: Int, times: [Int64])
        -> (perm: [Int32], offsets: [Int], times: [Int64]) {
        let n = keys.count
        let C = (groups <= 1 << 22) ? max(1, min(Parallel.threads, n / 65_536)) : 1
        let chunks = Parallel.ranges(n, chunks: C)
        // hist[c * groups + g]: rows of group g in chunk c; turned into write cursors.
        var hist = [Int](repeating: 0, count: chunks.count * groups)
        hist.withUnsafeMutableBufferPointer { hb in
            let h = hb.baseAddress!
            keys.withUnsafeBufferPointer { k in
                Parallel.forEach(chunks.count) { c in
                    let hc = h + c * groups
                    for i in chunks[c] { hc[Int(k[i])] += 1 }
                }
            }
        }
        var offsets = [Int](repeating: 0, count: groups + 1)
        var run = 0
        for g in 0..<groups {
            offsets[g] = run
            for c in 0..<chunks.count { let x = hist[c * groups + g]; hist[c * groups + g] = run; run += x }
        }
        offsets[groups] = run
        // Both are filled completely by the scatter below.
        var perm = [Int32](unsafeUninitializedCapacity: n) { _, c in c = n }
        var sortedTimes = [Int64](unsafeUninitializedCapacity: n) { _, c in c = n }
        perm.withUnsafeMutableBufferPointer { pb in
            sortedTimes.withUnsafeMutableBufferPointer { tb in
                hist.withUnsafeMutableBufferPointer { hb in
                    keys.withUnsafeBufferPointer { k in
                        times.withUnsafeBufferPointer { t in
                            let p = pb.baseAddress!, st = tb.baseAddress!, h = hb.baseAddress!
                            Parallel.forEach(chunks.count) { c in
                                let cur = h + c * groups
                                for i in chunks[c] {
                                    let g = Int(k[i]), pos = cur[g]
                                    p[pos] = Int32(i); st[pos] = t[i]; cur[g] = pos + 1
                                }
                            }
                        }
                    }
                }
            }
        }
        hist = []
        // Fix groups whose times are not ascending (ties: lower row first = input order).
        perm.withUnsafeMutableBufferPointer { pb in
            sortedTimes.withUnsafeMutableBufferPointer { tb in
                let p = pb.baseAddress!, t = tb.baseAddress!
                let r = Parallel.ranges(groups, chunks: Parallel.threads * 8)
                Parallel.forEach(groups == 0 ? 0 : r.count) { chunk in
                    var pairs: [(Int64, Int32)] = []
                    for g in r[chunk] {
                        let lo = offsets[g], hi = offsets[g + 1]
                        var i = lo + 1
                        while i < hi && t[i - 1] <= t[i] { i += 1 }
                        if i >= hi { continue }
                        if hi - lo <= 48 {
                            // Insertion sort from the first descent; rows within a group are ascending, so stable.
                            while i < hi {
                                let ti = t[i], pi = p[i]
                                var j = i
                                while j > lo && t[j - 1] > ti { t[j] = t[j - 1]; p[j] = p[j - 1]; j -= 1 }
                                t[j] = ti; p[j] = pi
                                i += 1
                            }
                        } else {
                            pairs.removeAll(keepingCapacity: true)
                            for j in lo..<hi { pairs.append((t[j], p[j])) }
                            pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                            for (j, e) in pairs.enumerated() { t[lo + j] = e.0; p[lo + j] = e.1 }
                        }
                    }
                }
            }
        }
        return (perm, offsets, sortedTimes)
    }
}
