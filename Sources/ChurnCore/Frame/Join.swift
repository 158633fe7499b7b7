/// Hash joins. Keys of both frames are grouped together (text keys through a
/// merged dictionary), right rows are bucketed by group with a counting sort,
/// then left rows probe their bucket. Output order: left rows in order, each
/// followed by its matches in right order; for `outer`, unmatched right rows
/// come last in right order. As in SQL and polars, a null key matches nothing.

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
        let nl = nrow, nr = other.nrow
        let keyParts = zip(lcols, rcols).map { [$0, $1] }
        let groups = nl + nr == 0 ? Factorized(ids: [], count: 0, firstRow: [])
                                  : try Factorizer.factorize(keys: keyParts)
        let nullKey = Factorizer.nullRows(keys: keyParts, total: nl + nr)
        let (li, ri) = Frame.matchRows(groups: groups, nullKey: nullKey, nl: nl, nr: nr, how: how)

        if how == .semi || how == .anti { return takeUnchecked(li) }

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
                out.append(c.take(li).renamed(name))
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
    static func matchRows(groups: Factorized, nullKey: [Bool]?, nl: Int, nr: Int, how: JoinHow) -> ([Int], [Int]) {
        let ids = groups.ids
        // Bucket right rows by group id (counting sort keeps right order).
        var start = [Int](repeating: 0, count: groups.count + 1)
        for j in 0..<nr where !(nullKey?[nl + j] ?? false) { start[Int(ids[nl + j]) + 1] += 1 }
        for k in 0..<groups.count { start[k + 1] += start[k] }
        var bucket = [Int](repeating: 0, count: start[groups.count])
        var fill = start
        for j in 0..<nr where !(nullKey?[nl + j] ?? false) {
            let k = Int(ids[nl + j]); bucket[fill[k]] = j; fill[k] += 1
        }
        // Probe in fixed chunks of left rows; concatenate in chunk order.
        let chunks = nl >= 1 << 18 ? 16 : 1
        let parts = Parallel.mapChunks(nl, chunks: chunks) { r -> ([Int], [Int]) in
            var l: [Int] = [], rr: [Int] = []
            l.reserveCapacity(r.count)
            if how != .semi && how != .anti { rr.reserveCapacity(r.count) }
            for i in r {
                let isNull = nullKey?[i] ?? false
                let k = Int(ids[i])
                let lo = isNull ? 0 : start[k], hi = isNull ? 0 : start[k + 1]
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
            return (l, rr)
        }
        var li = parts.flatMap(\.0), ri = parts.flatMap(\.1)
        if how == .outer {
            var matched = [Bool](repeating: false, count: groups.count)
            for i in 0..<nl where !(nullKey?[i] ?? false) { matched[Int(ids[i])] = true }
            for j in 0..<nr where (nullKey?[nl + j] ?? false) || !matched[Int(ids[nl + j])] {
                li.append(-1); ri.append(j)
            }
        }
        return (li, ri)
    }
}
