/// Per-group accumulation kernels used by `GroupedFrame.agg`.
enum GroupKernels {
    /// Fixed row chunks for parallel accumulation: more than one only when the
    /// input is large and groups are few enough that per-chunk accumulators stay
    /// small. Depends on sizes only, never on the thread count.
    static func chunkCount(rows: Int, groups: Int) -> Int {
        guard rows >= 1 << 20 else { return 1 }
        return Swift.max(1, Swift.min(16, rows / Swift.max(1, 4 * groups)))
    }

    /// Runs `body(rows, acc)` per chunk on private accumulators, then folds them in chunk order.
    static func accumulate<A>(_ g: Factorized, zero: A,
                              _ body: (Range<Int>, UnsafeMutablePointer<A>) -> Void,
                              combine: (A, A) -> A) -> [A] {
        let n = g.ids.count
        let parts = Parallel.mapChunks(n, chunks: chunkCount(rows: n, groups: g.count)) { r -> [A] in
            var acc = [A](repeating: zero, count: g.count)
            acc.withUnsafeMutableBufferPointer { body(r, $0.baseAddress!) }
            return acc
        }
        guard var out = parts.first else { return [A](repeating: zero, count: g.count) }
        for p in parts.dropFirst() { for i in 0..<out.count { out[i] = combine(out[i], p[i]) } }
        return out
    }

    /// Non-null rows per group (all rows when `validity` is nil).
    static func counts(_ validity: Validity?, _ g: Factorized) -> [Int64] {
        g.ids.withUnsafeBufferPointer { ids in
            accumulate(g, zero: Int64(0), { r, acc in
                if let validity {
                    for i in r where validity.isValid(i) { acc[Int(ids[i])] += 1 }
                } else {
                    for i in r { acc[Int(ids[i])] += 1 }
                }
            }, combine: +)
        }
    }

    /// Sums as Double, nulls skipped, for any numeric column.
    static func doubleSums(_ c: Column, _ g: Factorized) -> [Double] {
        switch c.data {
        case .float64(let v): return sums(v, c.validity, g, zero: 0.0, +)
        case .int64(let v): return sums(v, c.validity, g, zero: 0.0) { $0 + Double($1) }
        case .bool(let v): return sums(v, c.validity, g, zero: 0.0) { $0 + ($1 ? 1 : 0) }
        default: return [Double](repeating: 0, count: g.count)
        }
    }

    /// Exact integer sums (wrapping on overflow), for int and bool columns.
    static func intSums(_ c: Column, _ g: Factorized) -> [Int64] {
        switch c.data {
        case .int64(let v): return sums(v, c.validity, g, zero: Int64(0), &+)
        case .bool(let v): return sums(v, c.validity, g, zero: Int64(0)) { $0 &+ ($1 ? 1 : 0) }
        default: return [Int64](repeating: 0, count: g.count)
        }
    }

    @inline(__always)
    static func sums<T, A: AdditiveArithmetic>(_ v: [T], _ validity: Validity?, _ g: Factorized, zero: A,
                                               _ add: (A, T) -> A) -> [A] {
        v.withUnsafeBufferPointer { x in
            g.ids.withUnsafeBufferPointer { ids in
                accumulate(g, zero: zero, { r, acc in
                    if let validity {
                        for i in r where validity.isValid(i) { let k = Int(ids[i]); acc[k] = add(acc[k], x[i]) }
                    } else {
                        for i in r { let k = Int(ids[i]); acc[k] = add(acc[k], x[i]) }
                    }
                }, combine: +)
            }
        }
    }

    /// Sample standard deviation from a second pass around each group's mean.
    static func std(_ c: Column, _ g: Factorized, means: Column, counts: [Int64]) -> Column {
        guard case .float64(let m) = means.data, let x = c.toDoubles() else { return means }
        let ss: [Double] = x.withUnsafeBufferPointer { xb in
            m.withUnsafeBufferPointer { mb in
                g.ids.withUnsafeBufferPointer { ids in
                    accumulate(g, zero: 0.0, { r, acc in
                        for i in r where !c.isNull(i) {
                            let k = Int(ids[i]); let d = xb[i] - mb[k]; acc[k] += d * d
                        }
                    }, combine: +)
                }
            }
        }
        var out = [Double](repeating: 0, count: g.count)
        var valid = Validity(count: g.count, allValid: true)
        for k in 0..<g.count {
            if counts[k] > 1 { out[k] = (ss[k] / Double(counts[k] - 1)).squareRoot() } else { valid.set(k, false) }
        }
        return Column(name: c.name, data: .float64(out), validity: valid)
    }

    /// Row of the smallest (or largest) non-null value per group, -1 when none;
    /// ties keep the earliest row. NaN is skipped.
    static func argBest(_ c: Column, _ g: Factorized, max: Bool) -> [Int] {
        switch c.data {
        case .float64(let v): return argBest(v, c.validity, g, max: max, skip: { $0.isNaN })
        case .int64(let v), .timestamp(let v): return argBest(v, c.validity, g, max: max, skip: { _ in false })
        case .date(let v): return argBest(v, c.validity, g, max: max, skip: { _ in false })
        case .bool(let v): return argBest(v.map { $0 ? Int8(1) : 0 }, c.validity, g, max: max, skip: { _ in false })
        case .string(let codes, let d), .category(let codes, let d):
            let rank = Frame.textRanks(d)
            return argBest(codes.map { rank[Int($0)] }, c.validity, g, max: max, skip: { _ in false })
        }
    }

    private struct Best<T> { var value: T; var row: Int }

    private static func argBest<T: Comparable>(_ v: [T], _ validity: Validity?, _ g: Factorized, max: Bool,
                                               skip: (T) -> Bool) -> [Int] {
        guard let any = v.first else { return [Int](repeating: -1, count: g.count) }
        let best: [Best<T>] = v.withUnsafeBufferPointer { x in
            g.ids.withUnsafeBufferPointer { ids in
                accumulate(g, zero: Best(value: any, row: -1), { r, acc in
                    for i in r {
                        let xi = x[i]
                        if skip(xi) || !(validity?.isValid(i) ?? true) { continue }
                        let k = Int(ids[i])
                        let cur = acc[k]
                        if cur.row < 0 || (max ? xi > cur.value : xi < cur.value) { acc[k] = Best(value: xi, row: i) }
                    }
                }, combine: { a, b in
                    if a.row < 0 { return b }
                    if b.row < 0 { return a }
                    return (max ? b.value > a.value : b.value < a.value) ? b : a
                })
            }
        }
        return best.map(\.row)
    }

    /// First (or last) non-null row per group, -1 when none.
    static func firstLast(_ c: Column, _ g: Factorized, last: Bool) -> [Int] {
        if c.validity == nil && !last { return g.firstRow }
        return g.ids.withUnsafeBufferPointer { ids in
            accumulate(g, zero: -1, { r, acc in
                for i in r where !c.isNull(i) {
                    let k = Int(ids[i])
                    if last || acc[k] < 0 { acc[k] = i }
                }
            }, combine: { a, b in last ? (b >= 0 ? b : a) : (a >= 0 ? a : b) })
        }
    }

    /// Distinct non-null values per group: factorize (group, value) pairs.
    static func nunique(_ c: Column, _ g: Factorized) throws -> [Int64] {
        let vals = try Factorizer.factorize(column: c)
        let card = UInt64(vals.count)
        var pair = [UInt64](repeating: 0, count: c.count)
        pair.withUnsafeMutableBufferPointer { p in
            g.ids.withUnsafeBufferPointer { gi in
                vals.ids.withUnsafeBufferPointer { vi in
                    for i in 0..<p.count { p[i] = UInt64(gi[i]) &* card &+ UInt64(vi[i]) }
                }
            }
        }
        let pairs = Factorizer.factorize(pair)
        var out = [Int64](repeating: 0, count: g.count)
        for r in pairs.firstRow where !c.isNull(r) { out[Int(g.ids[r])] += 1 }
        return out
    }

    /// Linear-interpolated quantile per group of the non-null, non-NaN values.
    static func quantile(_ c: Column, _ g: Factorized, q: Double) -> Column {
        let x = c.toDoubles()!
        // Counting sort of the usable values by group.
        var start = [Int](repeating: 0, count: g.count + 1)
        for i in 0..<x.count where !x[i].isNaN { start[Int(g.ids[i]) + 1] += 1 }
        for k in 0..<g.count { start[k + 1] += start[k] }
        var fill = start
        var vals = [Double](repeating: 0, count: start[g.count])
        for i in 0..<x.count where !x[i].isNaN { let k = Int(g.ids[i]); vals[fill[k]] = x[i]; fill[k] += 1 }
        var out = [Double](repeating: 0, count: g.count)
        var valid = Validity(count: g.count, allValid: true)
        let groupRanges = Parallel.ranges(g.count, chunks: Swift.min(64, Swift.max(1, g.count / 256)))
        vals.withUnsafeMutableBufferPointer { vb in
            out.withUnsafeMutableBufferPointer { ob in
                let vp = vb.baseAddress, op = ob.baseAddress!
                Parallel.forEach(groupRanges.count) { t in
                    for k in groupRanges[t] {
                        let lo = start[k], m = start[k + 1] - lo
                        guard m > 0, let vp else { continue }
                        var seg = UnsafeMutableBufferPointer(start: vp + lo, count: m)
                        seg.sort()
                        let pos = q * Double(m - 1)
                        let i = Int(pos.rounded(.down)), f = pos - Double(i)
                        op[k] = i + 1 < m ? seg[i] + (seg[i + 1] - seg[i]) * f : seg[i]
                    }
                }
            }
        }
        for k in 0..<g.count where start[k + 1] == start[k] { valid.set(k, false) }
        return Column(name: c.name, data: .float64(out), validity: valid)
    }
}
