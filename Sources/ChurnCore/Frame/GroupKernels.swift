/// Per-group accumulation kernels used by `GroupedFrame.agg`.
enum GroupKernels {
    /// Fixed row chunks for parallel accumulation: more than one only when the
    /// input is large and groups are few enough that per-chunk accumulators stay
    /// small. Depends on sizes only, never on the thread count.
    static func chunkCount(rows: Int, groups: Int) -> Int {
        guard rows >= 1 << 20 else { return 1 }
        return Swift.max(1, Swift.min(8, rows / Swift.max(1, 8 * groups)))
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

    /// Exact integer sums for int and bool columns, accumulated in 128 bits (no wrapping,
    /// no trap when partial sums are combined); a group whose sum does not fit Int64 is an
    /// error naming the column and the group's first row, never a wrapped value.
    static func intSums(_ c: Column, _ g: Factorized) throws -> [Int64] {
        let wide: [Int128]
        switch c.data {
        case .int64(let v): wide = sums(v, c.validity, g, zero: Int128(0)) { $0 + Int128($1) }
        case .bool(let v): return sums(v, c.validity, g, zero: Int64(0)) { $0 + ($1 ? 1 : 0) }
        default: return [Int64](repeating: 0, count: g.count)
        }
        var out = [Int64](repeating: 0, count: wide.count)
        for (k, s) in wide.enumerated() {
            guard let v = Int64(exactly: s) else {
                let row = k < g.firstRow.count ? " (the group of row \(g.firstRow[k] + 1))" : ""
                throw FrameError.invalid("sum of int column '\(c.name)' overflows a 64-bit integer in group \(k + 1)\(row): \(s); convert it to float first (multiply by 1.0)")
            }
            out[k] = v
        }
        return out
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

    /// Smallest (or largest) non-null value per group as a column of the
    /// input's type; null when the group has none. NaN is skipped. Numeric and
    /// time columns reduce values directly; text and bool go through `argBest`.
    static func minMax(_ c: Column, _ g: Factorized, max: Bool) -> Column {
        func build<T>(_ r: (values: [T], found: [Bool]), _ wrap: ([T]) -> ColumnData) -> Column {
            Column(name: c.name, data: wrap(r.values), validity: Validity(r.found))
        }
        switch c.data {
        case .float64(let v): return build(extremes(v, c.validity, g, max: max, skipNaN: true)) { .float64($0) }
        case .int64(let v): return build(extremes(v, c.validity, g, max: max, skipNaN: false)) { .int64($0) }
        case .timestamp(let v): return build(extremes(v, c.validity, g, max: max, skipNaN: false)) { .timestamp($0) }
        case .date(let v):
            return build(extremes(v.map(Int64.init), c.validity, g, max: max, skipNaN: false)) { .date($0.map { Int32(truncatingIfNeeded: $0) }) }
        default: return c.take(argBest(c, g, max: max))
        }
    }

    // Concrete entry points so the hot loop is compiled per type (no generic dispatch).
    static func extremes(_ v: [Double], _ validity: Validity?, _ g: Factorized, max: Bool,
                         skipNaN: Bool) -> (values: [Double], found: [Bool]) {
        extremesKernel(v, validity, g, max: max, skipNaN: skipNaN)
    }

    static func extremes(_ v: [Int64], _ validity: Validity?, _ g: Factorized, max: Bool,
                         skipNaN: Bool) -> (values: [Int64], found: [Bool]) {
        extremesKernel(v, validity, g, max: max, skipNaN: false)
    }

    @inline(__always)
    static func extremesKernel<T: Comparable & Numeric>(_ v: [T], _ validity: Validity?, _ g: Factorized, max: Bool,
                                                        skipNaN: Bool) -> (values: [T], found: [Bool]) {
        typealias Acc = Best<T>
        let acc: [Acc] = v.withUnsafeBufferPointer { x in
            g.ids.withUnsafeBufferPointer { ids in
                accumulate(g, zero: Acc(value: 0, row: -1), { r, a in
                    for i in r {
                        let xi = x[i]
                        if skipNaN && xi != xi { continue }
                        if let validity, !validity.isValid(i) { continue }
                        let k = Int(ids[i])
                        if a[k].row < 0 || (max ? xi > a[k].value : xi < a[k].value) { a[k] = Acc(value: xi, row: i) }
                    }
                }, combine: { p, q in
                    if p.row < 0 { return q }
                    if q.row < 0 { return p }
                    return (max ? q.value > p.value : q.value < p.value) ? q : p
                })
            }
        }
        return (acc.map(\.value), acc.map { $0.row >= 0 })
    }

    /// Row of the smallest (or largest) non-null value per group, -1 when none;
    /// ties keep the earliest row.
    static func argBest(_ c: Column, _ g: Factorized, max: Bool) -> [Int] {
        switch c.data {
        case .bool(let v): return argBest(v.map { $0 ? Int32(1) : 0 }, c.validity, g, max: max)
        case .string(let codes, let d), .category(let codes, let d):
            let rank = Frame.textRanks(d)
            return argBest(codes.map { rank[Int($0)] }, c.validity, g, max: max)
        default: return [Int](repeating: -1, count: g.count)
        }
    }

    struct Best<T> { var value: T; var row: Int }

    private static func argBest(_ v: [Int32], _ validity: Validity?, _ g: Factorized, max: Bool) -> [Int] {
        typealias T = Int32
        guard let any = v.first else { return [Int](repeating: -1, count: g.count) }
        let best: [Best<T>] = v.withUnsafeBufferPointer { x in
            g.ids.withUnsafeBufferPointer { ids in
                accumulate(g, zero: Best(value: any, row: -1), { r, acc in
                    for i in r {
                        let xi = x[i]
                        if let validity, !validity.isValid(i) { continue }
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
        if let small = smallCodes(c) { return nuniqueBitmask(small, c.validity, g) }
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

    /// Value codes in 0..<64 when the column has at most 64 possible values
    /// (a small text dictionary without repeats, or bool).
    static func smallCodes(_ c: Column) -> [Int32]? {
        switch c.data {
        case .string(let codes, let d), .category(let codes, let d):
            return d.count <= 64 && Set(d).count == d.count ? codes : nil
        case .bool(let b): return b.map { $0 ? 1 : 0 }
        default: return nil
        }
    }

    /// nunique for ≤ 64 possible values: OR one bit per value into a word per group.
    static func nuniqueBitmask(_ codes: [Int32], _ validity: Validity?, _ g: Factorized) -> [Int64] {
        let masks: [UInt64] = codes.withUnsafeBufferPointer { x in
            g.ids.withUnsafeBufferPointer { ids in
                accumulate(g, zero: UInt64(0), { r, acc in
                    if let validity {
                        for i in r where validity.isValid(i) { acc[Int(ids[i])] |= 1 << UInt64(x[i]) }
                    } else {
                        for i in r { acc[Int(ids[i])] |= 1 << UInt64(x[i]) }
                    }
                }, combine: |)
            }
        }
        return masks.map { Int64($0.nonzeroBitCount) }
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
