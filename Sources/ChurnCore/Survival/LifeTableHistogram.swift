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
        switch dc.data {
        case .float64(let v): return try tables(f, cols, FloatDurations(values: v))
        case .int64(let v): return try tables(f, cols, IntDurations(values: v))
        default: return nil
        }
    }

    static func tables<D: DurationLane>(_ f: Frame, _ cols: SurvivalColumns, _ durations: D) throws -> Result? {
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
        let ranges = try Parallel.mapChunksThrowing(chunks, chunks: chunks) { cs -> Range1 in
            var r = Range1()
            for c in cs {
                let lo = c * size, hi = min(n, lo + size)
                guard let (a, b) = durations.range(lo..<hi) else { r.ok = false; return r }
                r.dmin = min(r.dmin, a); r.dmax = max(r.dmax, b)
                if let g = intGroups {
                    g.withUnsafeBufferPointer { g in
                        var gl = r.gmin, gh = r.gmax
                        for i in lo..<hi { let v = g[i]; gl = v < gl ? v : gl; gh = v > gh ? v : gh }
                        r.gmin = gl; r.gmax = gh
                    }
                }
            }
            return r
        }
        guard ranges.allSatisfy(\.ok) else { return nil }
        let dminInt = ranges.map(\.dmin).min()!, dmax = ranges.map(\.dmax).max()!
        guard dmax - dminInt < Int64(maxBins(n)) else { return nil }
        let span = Int(dmax - dminInt) + 1
        // Group codes: integer values offset by their minimum (no per-row array),
        // else the factorized ids of any other column type.
        var factorized: Factorized? = nil
        let groupSpan: Int
        if intGroups != nil {
            let gmin = ranges.map(\.gmin).min()!, gmax = ranges.map(\.gmax).max()!
            let (s, overflow) = gmax.subtractingReportingOverflow(gmin)
            guard !overflow, s < 1 << 16 else { return nil }
            groupSpan = Int(s) + 1
        } else if let gc {
            factorized = try Factorizer.factorize(column: gc)
            groupSpan = factorized!.count
        } else { groupSpan = 1 }
        let (bins, overflow) = span.multipliedReportingOverflow(by: groupSpan)
        guard !overflow, bins <= maxBins(n) else { return nil }
        try ExecutionContext.checkMemory(chunks * (bins * 16 + groupSpan * 16), for: "survival life-table bins")
        try ExecutionContext.check()

        // Pass 2: per chunk, weighted events and removals per bin (and rows per group when weighted).
        let gmin = intGroups == nil ? 0 : ranges.map(\.gmin).min()!
        let shape = Shape(chunks: chunks, size: size, span: span, dmin: dminInt, groups: groupSpan)
        let parts: [Bins]
        switch (intGroups, factorized) {
        case (let g?, _): parts = try count(durations, ec, weights, IntGroups(values: g, min: gmin), shape)
        case (nil, let fz?): parts = try count(durations, ec, weights, CodeGroups(ids: fz.ids), shape)
        default: parts = try count(durations, ec, weights, OneGroup(), shape)
        }
        guard parts.allSatisfy(\.ok) else { return nil }
        var events = [Double](repeating: 0, count: bins), censored = events
        var rows = [Int](repeating: 0, count: groupSpan)
        for p in parts {   // chunk order: the weighted sums never depend on scheduling
            for b in 0..<bins { events[b] += p.events[b]; censored[b] += p.censored[b] }
            if weights != nil { for g in 0..<groupSpan { rows[g] += p.rows[g] } }
        }
        if weights == nil {   // unweighted: the bins hold exact counts
            for g in 0..<groupSpan {
                var t = 0.0
                for b in (g * span)..<((g + 1) * span) { t += events[b] + censored[b] }
                rows[g] = Int(t)
            }
        }
        // Each present group's first row: a scan from the top that stops once all are seen.
        var first = [Int](repeating: .max, count: groupSpan)
        var missing = rows.filter { $0 > 0 }.count, i = 0
        while missing > 0 && i < n {
            if i & 0xFFFF == 0 { try ExecutionContext.check() }
            let g: Int
            if let ig = intGroups { g = Int(ig[i] &- gmin) } else if let fz = factorized { g = Int(fz.ids[i]) } else { g = 0 }
            if first[g] == .max { first[g] = i; missing -= 1 }
            i += 1
        }
        let present = (0..<groupSpan).filter { rows[$0] > 0 }.sorted { first[$0] < first[$1] }
        let dmin = Double(dminInt)
        let tables = present.map { g in
            table(events: events[(g * span)..<((g + 1) * span)], censored: censored[(g * span)..<((g + 1) * span)], dmin: dmin)
        }
        return Result(tables: tables, sizes: present.map { rows[$0] }, labels: gc?.take(present.map { first[$0] }))
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

    struct Range1 { var ok = true; var dmin = Int64.max, dmax = Int64.min; var gmin = Int64.max, gmax = Int64.min }
    struct Bins { var ok = true; var events: [Double] = []; var censored: [Double] = []; var rows: [Int] = [] }
    struct Shape { var chunks: Int, size: Int, span: Int, dmin: Int64, groups: Int }

    /// The event flag per row: nil column = every row an event; bool; 0/1 numbers (anything else: not ok).
    static func count<D: DurationLane, G: GroupLane>(_ d: D, _ ec: Column?, _ weights: [Double]?, _ g: G, _ shape: Shape) throws -> [Bins] {
        switch (ec?.data, weights) {
        case (nil, nil): return try count(d, AllEvents(), NoWeights(), g, shape)
        case (.bool(let v)?, nil): return try count(d, BoolEvents(values: v), NoWeights(), g, shape)
        case (.int64(let v)?, nil): return try count(d, IntEvents(values: v), NoWeights(), g, shape)
        case (.float64(let v)?, nil): return try count(d, FloatEvents(values: v), NoWeights(), g, shape)
        case (nil, let w?): return try count(d, AllEvents(), CaseWeights(values: w), g, shape)
        case (.bool(let v)?, let w?): return try count(d, BoolEvents(values: v), CaseWeights(values: w), g, shape)
        case (.int64(let v)?, let w?): return try count(d, IntEvents(values: v), CaseWeights(values: w), g, shape)
        case (.float64(let v)?, let w?): return try count(d, FloatEvents(values: v), CaseWeights(values: w), g, shape)
        default: return [Bins(ok: false)]
        }
    }

    /// The counting pass, branch-free per row: both bins of the row's cell get an
    /// add (w·flag and w·(1 − flag), an add of 0 changes nothing), invalid flags and
    /// weights are collected into one mask checked per chunk.
    static func count<D: DurationLane, E: EventLane, W: WeightLane, G: GroupLane>(_ d: D, _ e: E, _ w: W, _ g: G, _ shape: Shape) throws -> [Bins] {
        let n = d.count, span = shape.span, size = shape.size, groups = shape.groups, dmin = shape.dmin
        return try Parallel.mapChunksThrowing(shape.chunks, chunks: shape.chunks) { cs -> Bins in
            var out = Bins(events: [Double](repeating: 0, count: span * groups), censored: [Double](repeating: 0, count: span * groups),
                           rows: [Int](repeating: 0, count: W.counted ? groups : 0))
            var ok = true
            out.events.withUnsafeMutableBufferPointer { ev in
            out.censored.withUnsafeMutableBufferPointer { cn in
            out.rows.withUnsafeMutableBufferPointer { rows in
                for c in cs {
                    let hi = min(n, (c + 1) * size)
                    var valid = true
                    for i in (c * size)..<hi {
                        let code = g.code(i)
                        let (flag, good) = e.flag(i)
                        let wi = w.weight(i)
                        valid = valid && good && w.valid(wi)
                        let b = code &* span &+ Int(d.offset(i, dmin))
                        ev[b] += wi * flag; cn[b] += wi * (1 - flag)
                        if W.counted { rows[code] &+= 1 }
                    }
                    if !valid { ok = false; return }
                }
            } } }
            out.ok = ok
            return out
        }
    }
}

/// How the passes read durations: whole numbers from int or float storage, as offsets from the minimum.
protocol DurationLane {
    var count: Int { get }
    /// Minimum and maximum of rows `r` as whole numbers; nil when one is not a whole number >= 0 (float: also not finite or > 9e15).
    func range(_ r: Range<Int>) -> (Int64, Int64)?
    func offset(_ i: Int, _ min: Int64) -> Int64
}
struct IntDurations: DurationLane {
    let values: [Int64]
    var count: Int { values.count }
    func range(_ r: Range<Int>) -> (Int64, Int64)? {
        values.withUnsafeBufferPointer { v in
            var lo = Int64.max, hi = Int64.min
            for i in r { let x = v[i]; lo = x < lo ? x : lo; hi = x > hi ? x : hi }
            return lo >= 0 && hi <= 9_000_000_000_000_000 ? (lo, hi) : nil   // exact as doubles, as the float path requires
        }
    }
    @inline(__always) func offset(_ i: Int, _ min: Int64) -> Int64 { values[i] &- min }
}
struct FloatDurations: DurationLane {
    let values: [Double]
    var count: Int { values.count }
    func range(_ r: Range<Int>) -> (Int64, Int64)? {
        values.withUnsafeBufferPointer { v in
            var lo = Double.infinity, hi = -Double.infinity, ok = true
            for i in r {
                let x = v[i]
                // Whole, finite, >= 0 and small enough to be an exact Int.
                ok = ok && x >= 0 && x <= 9.0e15 && x == x.rounded(.towardZero)
                lo = min(lo, x); hi = max(hi, x)
            }
            return ok ? (Int64(lo), Int64(hi)) : nil
        }
    }
    @inline(__always) func offset(_ i: Int, _ min: Int64) -> Int64 { Int64(values[i]) &- min }
}

/// Case weights: none (1 per row, bins hold counts) or a column (> 0 and finite; rows counted apart).
protocol WeightLane {
    static var counted: Bool { get }
    func weight(_ i: Int) -> Double
    func valid(_ w: Double) -> Bool
}
struct NoWeights: WeightLane {
    static var counted: Bool { false }
    @inline(__always) func weight(_ i: Int) -> Double { 1 }
    @inline(__always) func valid(_ w: Double) -> Bool { true }
}
struct CaseWeights: WeightLane {
    let values: [Double]
    static var counted: Bool { true }
    @inline(__always) func weight(_ i: Int) -> Double { values[i] }
    @inline(__always) func valid(_ w: Double) -> Bool { w > 0 && w.isFinite }
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

/// How the counting pass reads a row's event flag: 1 or 0, and whether the value is a valid flag.
protocol EventLane { func flag(_ i: Int) -> (Double, Bool) }
struct AllEvents: EventLane { @inline(__always) func flag(_ i: Int) -> (Double, Bool) { (1, true) } }
struct BoolEvents: EventLane { let values: [Bool]; @inline(__always) func flag(_ i: Int) -> (Double, Bool) { (values[i] ? 1 : 0, true) } }
struct IntEvents: EventLane {
    let values: [Int64]
    @inline(__always) func flag(_ i: Int) -> (Double, Bool) { let v = values[i]; return (Double(v & 1), UInt64(bitPattern: v) >> 1 == 0) }
}
struct FloatEvents: EventLane {
    let values: [Double]
    @inline(__always) func flag(_ i: Int) -> (Double, Bool) { let v = values[i]; return (v == 1 ? 1 : 0, v == 0 || v == 1) }
}
