import ExecutionControl

/// Grouped life tables straight from frame columns by counting, for the common
/// case: durations that are whole numbers in a modest range (day or week
/// counts), no entry times, no nulls. Every row lands in one bin
/// (group, duration − min): two parallel streaming passes over the columns'
/// own storage (range and validation, then per-chunk bins of weighted events
/// and removals), no ranking, no sort, no per-row copies. The tables are the
/// ones `LifeTable.byGroup` builds (same rows, same start row, same sums:
/// counts are exact and weighted sums are added in fixed chunk order, so the
/// thread count never changes a bit). Anything else — entry times, fractional
/// or huge durations, nulls, invalid values (whose errors the general path
/// reports by row) — returns nil and goes the general way.
enum LifeTableHistogram {
    /// Rows per chunk: fixed by the row count only, so results do not depend on threads.
    static func chunkSize(_ n: Int) -> Int { max(1 << 19, (n + 31) / 32) }

    /// Largest (groups × distinct-duration span) grid counted per chunk.
    static func maxBins(_ n: Int) -> Int { min(1 << 18, max(1 << 12, 4 * n)) }

    struct Result {
        /// One table per group, groups in order of first appearance.
        var tables: [LifeTable]
        /// Rows per group.
        var sizes: [Int]
        /// One row per group (the group's first row), nil without a group column.
        var labels: Column?
    }

    static func tables(_ f: Frame, _ cols: SurvivalColumns) throws -> Result? {
        guard cols.entry == nil else { return nil }
        let dc = try f.column(cols.duration)
        guard dc.validity == nil else { return nil }
        let durations: [Double]
        switch dc.data {
        case .float64(let v): durations = v
        case .int64(let v): durations = try doubles(v)
        default: return nil
        }
        let n = durations.count
        guard n > 0 else { return nil }
        let ec = try cols.event.map { try f.column($0) }
        let wc = try cols.weights.map { try f.column($0) }
        let gc = try cols.group.map { try f.column($0) }
        for c in [ec, wc, gc] { if let c, c.validity != nil || c.count != n { return nil } }
        var weights: [Double]? = nil
        if let wc {
            switch wc.data {
            case .float64(let v): weights = v
            case .int64(let v): weights = v.map { Double($0) }
            default: return nil
            }
        }
        // Pass 1: duration range (whole, finite, >= 0) and the integer group range.
        let intGroups: [Int64]? = { if case .int64(let v)? = gc?.data { return v } else { return nil } }()
        let size = chunkSize(n), chunks = (n + size - 1) / size
        struct Range1 { var ok = true; var dmin = Double.infinity, dmax = -Double.infinity; var gmin = Int64.max, gmax = Int64.min }
        let ranges = try durations.withUnsafeBufferPointer { d in
            try Parallel.mapChunksThrowing(chunks, chunks: chunks) { cs -> Range1 in
                var r = Range1()
                for c in cs {
                    let lo = c * size, hi = min(n, lo + size)
                    for i in lo..<hi {
                        let x = d[i]
                        // Whole, finite, >= 0 and small enough to be an exact Int.
                        if !(x >= 0 && x <= 9.0e15 && x == x.rounded(.towardZero)) { r.ok = false; return r }
                        r.dmin = min(r.dmin, x); r.dmax = max(r.dmax, x)
                    }
                    if let g = intGroups {
                        for i in lo..<hi { r.gmin = min(r.gmin, g[i]); r.gmax = max(r.gmax, g[i]) }
                    }
                }
                return r
            }
        }
        guard ranges.allSatisfy(\.ok) else { return nil }
        let dmin = ranges.map(\.dmin).min()!, dmax = ranges.map(\.dmax).max()!
        let span = Int(dmax - dmin) + 1
        // Group codes: integer values offset by their minimum (no per-row array),
        // else the factorized ids of any other column type.
        var factorized: Factorized? = nil
        let groupSpan: Int
        if let g = intGroups {
            let gmin = ranges.map(\.gmin).min()!, gmax = ranges.map(\.gmax).max()!
            let (s, overflow) = gmax.subtractingReportingOverflow(gmin)
            guard !overflow, s < 1 << 16 else { return nil }
            groupSpan = Int(s) + 1
            _ = g
        } else if let gc {
            factorized = try Factorizer.factorize(column: gc)
            groupSpan = factorized!.count
        } else { groupSpan = 1 }
        let (bins, overflow) = span.multipliedReportingOverflow(by: groupSpan)
        guard !overflow, bins <= maxBins(n) else { return nil }
        try ExecutionContext.checkMemory(chunks * (bins * 16 + groupSpan * 16), for: "survival life-table bins")
        try ExecutionContext.check()

        // Pass 2: per chunk, weighted events and removals per bin, rows and first row per group.
        let gmin = intGroups == nil ? 0 : ranges.map(\.gmin).min()!
        let parts: [Bins]
        switch (intGroups, factorized) {
        case (let g?, _): parts = try count(durations, cols, ec, weights, IntGroups(values: g, min: gmin), chunks, size, span, dmin, groupSpan)
        case (nil, let fz?): parts = try count(durations, cols, ec, weights, CodeGroups(ids: fz.ids), chunks, size, span, dmin, groupSpan)
        default: parts = try count(durations, cols, ec, weights, OneGroup(), chunks, size, span, dmin, groupSpan)
        }
        guard parts.allSatisfy(\.ok) else { return nil }
        var events = [Double](repeating: 0, count: bins), censored = events
        var rows = [Int](repeating: 0, count: groupSpan), first = [Int](repeating: .max, count: groupSpan)
        for p in parts {   // chunk order: the weighted sums never depend on scheduling
            for b in 0..<bins { events[b] += p.events[b]; censored[b] += p.censored[b] }
            for g in 0..<groupSpan { rows[g] += p.rows[g]; first[g] = min(first[g], p.first[g]) }
        }
        let present = (0..<groupSpan).filter { rows[$0] > 0 }.sorted { first[$0] < first[$1] }
        let tables = present.map { g in
            table(events: events[(g * span)..<((g + 1) * span)], censored: censored[(g * span)..<((g + 1) * span)], dmin: dmin)
        }
        return Result(tables: tables, sizes: present.map { rows[$0] }, labels: gc?.take(present.map { first[$0] }))
    }

    /// Whole-number columns (day counts read as int) as doubles, converted in parallel chunks.
    static func doubles(_ v: [Int64]) throws -> [Double] {
        let n = v.count
        try ExecutionContext.checkMemory(n * 8, for: "survival durations")
        var out = [Double](repeating: 0, count: n)
        let size = chunkSize(n), chunks = (n + size - 1) / size
        out.withUnsafeMutableBufferPointer { o in
            v.withUnsafeBufferPointer { v in
                let ob = o.baseAddress!
                Parallel.forEach(chunks) { c in for i in (c * size)..<min(n, (c + 1) * size) { ob[i] = Double(v[i]) } }
            }
        }
        return out
    }

    /// One group's life table from its bins (durations dmin, dmin + 1, …), built
    /// as `LifeTable.byGroup` does: the start row min(0, first duration) with
    /// everyone at risk, then one row per duration that has rows.
    static func table(events: ArraySlice<Double>, censored: ArraySlice<Double>, dmin: Double) -> LifeTable {
        var t = LifeTable()
        var total = 0.0
        for b in events.indices { total += events[b] + censored[b] }
        t.times = [0]; t.atRisk = [total]; t.observed = [0]; t.censored = [0]; t.entrance = [total]
        var gone = 0.0, started = false
        for (k, b) in events.indices.enumerated() where events[b] + censored[b] > 0 {
            let time = dmin + Double(k)
            if !started && time <= 0 {
                t.times[0] = time
            } else {
                t.times.append(time); t.atRisk.append(total - gone)
                t.observed.append(0); t.censored.append(0); t.entrance.append(0)
            }
            started = true
            let j = t.times.count - 1
            t.observed[j] += events[b]; t.censored[j] += censored[b]
            gone += events[b] + censored[b]
        }
        return t
    }

    struct Bins { var ok = true; var events: [Double] = []; var censored: [Double] = []; var rows: [Int] = []; var first: [Int] = [] }

    /// The event flag per row: nil column = every row an event; bool; 0/1 numbers (anything else: not ok).
    static func count<G: GroupLane>(_ durations: [Double], _ cols: SurvivalColumns, _ ec: Column?, _ weights: [Double]?, _ g: G,
                                    _ chunks: Int, _ size: Int, _ span: Int, _ dmin: Double, _ groups: Int) throws -> [Bins] {
        switch ec?.data {
        case nil: return try count(durations, AllEvents(), weights, g, chunks, size, span, dmin, groups)
        case .bool(let v)?: return try count(durations, BoolEvents(values: v), weights, g, chunks, size, span, dmin, groups)
        case .int64(let v)?: return try count(durations, IntEvents(values: v), weights, g, chunks, size, span, dmin, groups)
        case .float64(let v)?: return try count(durations, FloatEvents(values: v), weights, g, chunks, size, span, dmin, groups)
        default: return [Bins(ok: false)]
        }
    }

    static func count<E: EventLane, G: GroupLane>(_ durations: [Double], _ e: E, _ weights: [Double]?, _ g: G,
                                                 _ chunks: Int, _ size: Int, _ span: Int, _ dmin: Double, _ groups: Int) throws -> [Bins] {
        let n = durations.count
        return try durations.withUnsafeBufferPointer { d in
            try Parallel.mapChunksThrowing(chunks, chunks: chunks) { cs -> Bins in
                var out = Bins(events: [Double](repeating: 0, count: span * groups), censored: [Double](repeating: 0, count: span * groups),
                               rows: [Int](repeating: 0, count: groups), first: [Int](repeating: .max, count: groups))
                var ok = true
                out.events.withUnsafeMutableBufferPointer { ev in
                out.censored.withUnsafeMutableBufferPointer { cn in
                out.rows.withUnsafeMutableBufferPointer { rows in
                out.first.withUnsafeMutableBufferPointer { first in
                    for c in cs {
                        for i in (c * size)..<min(n, (c + 1) * size) {
                            let code = g.code(i)
                            guard let flag = e.flag(i) else { ok = false; return }
                            let w: Double
                            if let weights {
                                w = weights[i]
                                guard w > 0 && w.isFinite else { ok = false; return }
                            } else { w = 1 }
                            let b = code * span + Int(d[i] - dmin)
                            if flag { ev[b] += w } else { cn[b] += w }
                            if rows[code] == 0 { first[code] = i }
                            rows[code] += 1
                        }
                    }
                } } } }
                out.ok = ok
                return out
            }
        }
    }
}

/// How the counting pass reads a row's group (a code in 0..<groups) without materialising codes.
protocol GroupLane { func code(_ i: Int) -> Int }
struct OneGroup: GroupLane { @inline(__always) func code(_ i: Int) -> Int { 0 } }
struct IntGroups: GroupLane {
    let values: [Int64]; let min: Int64
    @inline(__always) func code(_ i: Int) -> Int { Int(values[i] &- min) }
}
struct CodeGroups: GroupLane {
    let ids: [Int32]
    @inline(__always) func code(_ i: Int) -> Int { Int(ids[i]) }
}

/// How the counting pass reads a row's event flag: true / false, nil when the value is not a valid flag.
protocol EventLane { func flag(_ i: Int) -> Bool? }
struct AllEvents: EventLane { @inline(__always) func flag(_ i: Int) -> Bool? { true } }
struct BoolEvents: EventLane { let values: [Bool]; @inline(__always) func flag(_ i: Int) -> Bool? { values[i] } }
struct IntEvents: EventLane {
    let values: [Int64]
    @inline(__always) func flag(_ i: Int) -> Bool? { let v = values[i]; return v == 1 ? true : v == 0 ? false : nil }
}
struct FloatEvents: EventLane {
    let values: [Double]
    @inline(__always) func flag(_ i: Int) -> Bool? { let v = values[i]; return v == 1 ? true : v == 0 ? false : nil }
}
