/// Hash joins. Keys of both frames are grouped together (text keys through a
/// merged dictionary), right rows are bucketed by group with a counting sort,
/// then left rows probe their bucket. Output order: left rows in order, each
/// followed by its matches in right order; for `outer`, unmatched right rows
/// come last in right order. As in SQL and polars, a null key matches nothing,
/// and neither does a NaN float key (NaN ≠ NaN; pandas' merge differs here).

public enum JoinHow: String, Sendable, CaseIterable {
    case inner, left, outer, semi, anti
}

extension Frame {
    /// Joins `other` on equal values of `on` (and `rightOn` in `other`, default
    /// the same names). The output has the left columns, then the right
    /// non-key columns; a name on both sides gets `suffixes` (left, right).
    /// For `outer` joins the key columns take the right value where the left
    /// row is missing. `semi`/`anti` return left rows with/without a match.
    public func join(_ other: Frame, on: [String], rightOn: [String]? = nil, how: JoinHow = .inner,
                     suffixes: (String, String) = ("", "_right")) throws -> Frame {
        let rightKeys = rightOn ?? on
        guard !on.isEmpty, rightKeys.count == on.count else {
            throw FrameError.invalid("join: give one or more keys, the same number on both sides")
        }
        let lcols = try on.map { try column($0) }
        let rcols = try rightKeys.map { try other.column($0) }
        for (l, r) in zip(lcols, rcols) where l.dtype != r.dtype && !(l.data.isText && r.data.isText) {
            throw FrameError.invalid("join: key '\(l.name)' is \(l.dtype.rawValue) on the left but '\(r.name)' is \(r.dtype.rawValue) on the right")
        }
        let nl = nrow
        let keys = try JoinKeys.make(lcols, rcols)
        let (li, ri) = try Frame.matchRows(keys, how: how, bytesPerRow: 8 * (columns.count + other.columns.count))
        // Every left row exactly once, in order (e.g. a left join on a unique key): share the left columns.
        let leftIdentity = li.count == nl && li.elementsEqual(0..<nl)

        if how == .semi || how == .anti { return leftIdentity ? self : takeUnchecked(li) }

        // Assemble columns: left (keys coalesced for outer), then right non-keys.
        let rightKeySet = Set(rightKeys)
        let rightRest = other.columns.filter { !rightKeySet.contains($0.name) }
        let clash = Set(rightRest.map(\.name)).intersection(names)
        var out: [Column] = []
        for c in columns {
            if how == .outer, let k = on.firstIndex(of: c.name) {
                // Coalesce: concatenated left+right key, indexed per output row.
                let both = try Column.concat([c, rcols[k]], name: c.name)
                out.append(both.take(zip(li, ri).map { $0 >= 0 ? $0 : ($1 >= 0 ? nl + $1 : -1) }))
            } else {
                let name = clash.contains(c.name) && !on.contains(c.name) ? c.name + suffixes.0 : c.name
                out.append((leftIdentity ? c : c.take(li)).renamed(name))
            }
        }
        for c in rightRest {
            out.append(c.take(ri).renamed(clash.contains(c.name) ? c.name + suffixes.1 : c.name))
        }
        var seen = Set<String>()
        for c in out where !seen.insert(c.name).inserted {
            throw FrameError.invalid("join: two output columns would be called '\(c.name)'; choose other suffixes")
        }
        return try Frame(out)
    }

    /// Matched (left row, right row) pairs; -1 marks the missing side.
    /// Before building the pairs, the output size is counted and checked
    /// against the memory budget (pairs, 16 bytes a row, plus `bytesPerRow`
    /// for the output columns), so a many-to-many join that would explode
    /// fails with "memory limit exceeded" instead of allocating.
    static func matchRows(_ keys: JoinKeys, how: JoinHow, bytesPerRow: Int = 0) throws -> ([Int], [Int]) {
        let left = keys.left, right = keys.right, groups = keys.count
        let nl = left.count, nr = right.count
        // Bucket right rows by group id (counting sort keeps right order).
        var start = [Int](repeating: 0, count: groups + 1)
        for g in right where g >= 0 { start[Int(g) + 1] += 1 }
        for k in 0..<groups { start[k + 1] += start[k] }
        if how != .semi && how != .anti {
            var outRows = how == .outer ? nr : 0
            for g in left {
                let m = g < 0 ? 0 : start[Int(g) + 1] - start[Int(g)]
                outRows &+= how == .inner ? m : Swift.max(m, 1)
            }
            let bytes = WorkingMemory.bytes(outRows, 16 + bytesPerRow)
            try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("join of \(outRows) rows", bytes))
        }
        try ExecutionContext.check()
        var bucket = [Int](repeating: 0, count: start[groups])
        var fill = start
        for (j, g) in right.enumerated() where g >= 0 { bucket[fill[Int(g)]] = j; fill[Int(g)] += 1 }
        // Probe in fixed chunks of left rows; concatenate in chunk order.
        let chunks = nl >= 1 << 18 ? 16 : 1
        let parts = try Parallel.mapChunksThrowing(nl, chunks: chunks) { r -> ([Int], [Int]) in
            var l: [Int] = [], rr: [Int] = []
            l.reserveCapacity(r.count)
            if how != .semi && how != .anti { rr.reserveCapacity(r.count) }
            left.withUnsafeBufferPointer { lg in
                for i in r {
                    let k = Int(lg[i])
                    let lo = k < 0 ? 0 : start[k], hi = k < 0 ? 0 : start[k + 1]
                    switch how {
                    case .semi: if hi > lo { l.append(i) }
                    case .anti: if hi == lo { l.append(i) }
                    case .inner:
                        for p in lo..<hi { l.append(i); rr.append(bucket[p]) }
                    case .left, .outer:
                        if hi == lo { l.append(i); rr.append(-1) }
                        for p in lo..<hi { l.append(i); rr.append(bucket[p]) }
                    }
                }
            }
            return (l, rr)
        }
        var li = parts.count == 1 ? parts[0].0 : parts.flatMap(\.0)
        var ri = parts.count == 1 ? parts[0].1 : parts.flatMap(\.1)
        if how == .outer {
            var matched = [Bool](repeating: false, count: groups)
            for g in left where g >= 0 { matched[Int(g)] = true }
            for j in 0..<nr where right[j] < 0 || !matched[Int(right[j])] {
                li.append(-1); ri.append(j)
            }
        }
        return (li, ri)
    }
}

/// Join keys as group ids: every right row's group (-1 for a null key) and
/// every left row's group (-1 for a null key; a group may have no right rows).
struct JoinKeys {
    var left: [Int32]
    var right: [Int32]
    var count: Int

    static func make(_ lcols: [Column], _ rcols: [Column]) throws -> JoinKeys {
        if lcols.count == 1, let fast = singleIntegerKey(lcols[0], rcols[0]) { return fast }
        let nl = lcols[0].count, nr = rcols[0].count
        let keyParts = zip(lcols, rcols).map { [$0, $1] }
        let groups = nl + nr == 0 ? Factorized(ids: [], count: 0, firstRow: [])
                                  : try Factorizer.factorize(keys: keyParts)
        let nullKey = Factorizer.nullRows(keys: keyParts, total: nl + nr)
        var ids = groups.ids
        if let nullKey { for i in 0..<ids.count where nullKey[i] { ids[i] = -1 } }
        // NaN is not equal to NaN: like a null, a NaN float key matches nothing (SQL and
        // polars semantics; pandas' merge would pair NaN with NaN).
        for (l, r) in zip(lcols, rcols) {
            for (c, offset) in [(l, 0), (r, nl)] {
                guard case .float64(let v) = c.data else { continue }
                for i in 0..<v.count where v[i].isNaN { ids[offset + i] = -1 }
            }
        }
        return JoinKeys(left: Array(ids[0..<nl]), right: Array(ids[nl...]), count: groups.count)
    }

    /// Hash join on one integer-like key (int, date, timestamp): group the
    /// (small) right side, then look every left row up in parallel, without
    /// grouping the left rows at all.
    static func singleIntegerKey(_ l: Column, _ r: Column) -> JoinKeys? {
        switch (l.data, r.data) {
        case (.int64(let a), .int64(let b)), (.timestamp(let a), .timestamp(let b)):
            return probe(a, l.validity, b, r.validity)
        case (.date(let a), .date(let b)):
            return probe(a, l.validity, b, r.validity)
        default: return nil
        }
    }

    private static func probe<T: FixedWidthInteger>(_ a: [T], _ av: Validity?, _ b: [T], _ bv: Validity?) -> JoinKeys {
        let g = b.withUnsafeBufferPointer { Factorizer.factorize($0, validity: bv) }
        var right = g.ids
        if let bv { for j in 0..<right.count where !bv.isValid(j) { right[j] = -1 } }
        // Key value → right group: a direct table for a compact key range, else a hash index.
        var lo = Int64.max, hi = Int64.min
        for r in g.firstRow where bv?.isValid(r) ?? true { let v = Int64(b[r]); lo = min(lo, v); hi = max(hi, v) }
        var left = [Int32](repeating: -1, count: a.count)
        guard lo <= hi else { return JoinKeys(left: left, right: right, count: g.count) }
        let (span, overflow) = hi.subtractingReportingOverflow(lo)
        let direct = !overflow && span < Int64(max(4 * b.count, 1 << 16))
        var table: [Int32] = []
        var hash = HashIndex(capacity: direct ? 1 : g.count)
        if direct {
            table = [Int32](repeating: -1, count: Int(span) + 1)
            for (k, r) in g.firstRow.enumerated() where bv?.isValid(r) ?? true { table[Int(Int64(b[r]) - lo)] = Int32(k) }
        } else {
            for (k, r) in g.firstRow.enumerated() where bv?.isValid(r) ?? true {
                _ = hash.idOrInsert(UInt64(truncatingIfNeeded: Int64(b[r])), next: Int32(k))
            }
        }
        let chunks = Parallel.ranges(a.count, chunks: a.count >= 1 << 18 ? 16 : 1)
        left.withUnsafeMutableBufferPointer { out in
            a.withUnsafeBufferPointer { x in
                table.withUnsafeBufferPointer { t in
                    let o = out.baseAddress!
                    Parallel.forEach(chunks.count) { c in
                        for i in chunks[c] {
                            if let av, !av.isValid(i) { continue }
                            let v = Int64(x[i])
                            if direct {
                                if v >= lo && v <= hi { o[i] = t[Int(v &- lo)] }
                            } else {
                                o[i] = hash.find(UInt64(truncatingIfNeeded: v))
                            }
                        }
                    }
                }
            }
        }
        return JoinKeys(left: left, right: right, count: g.count)
    }

}
