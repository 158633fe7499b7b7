/// Joins the per-chunk builders of one column into a `Column`, converting
/// chunks that inferred a narrower kind and merging text dictionaries in
/// chunk order (so codes follow first appearance in the file).
///
/// Cancellation is checked before each part (one chunk of the file); when it
/// stops, every part not yet consumed is released.
enum ColumnAssembly {
    static func column(name: String, kind: CellKind, category: Bool, parts: inout [ColumnBuilder],
                       rows: [Int], compactText: Bool) throws -> Column {
        do {
            return try assemble(name: name, kind: kind, category: category, parts: &parts, rows: rows, compactText: compactText)
        } catch {
            for k in parts.indices { parts[k].release() }
            throw error
        }
    }

    private static func assemble(name: String, kind: CellKind, category: Bool, parts: inout [ColumnBuilder],
                                 rows: [Int], compactText: Bool) throws -> Column {
        let total = rows.reduce(0, +)
        var offsets = [0]
        for r in rows { offsets.append(offsets.last! + r) }
        var validity: Validity? = nil
        if parts.contains(where: { !$0.nullRows.isEmpty }) || kind == .unknown {
            var v = Validity(count: total, allValid: kind != .unknown)
            if kind != .unknown {
                for (k, p) in parts.enumerated() { for r in p.nullRows { v.set(offsets[k] + Int(r), false) } }
            }
            validity = v
        }
        let data: ColumnData
        switch kind {
        case .int:
            data = .int64(try concat(&parts, total) { p, out in p.ints.copy(to: out) })
        case .float:
            data = .float64(try concat(&parts, total) { p, out in
                switch p.kind {
                case .int: for i in 0..<p.count { out[i] = Double(p.ints[i]) }
                case .float: p.floats.copy(to: out)
                default: out.update(repeating: 0, count: p.count)
                }
            })
        case .bool:
            data = .bool(try concat(&parts, total) { p, out in
                if p.kind == .bool { p.bools.copy(to: out) } else { out.update(repeating: false, count: p.count) }
            })
        case .date:
            data = .date(try concat(&parts, total) { p, out in
                if p.kind == .date { p.days.copy(to: out) } else { out.update(repeating: 0, count: p.count) }
            })
        case .timestamp:
            data = .timestamp(try concat(&parts, total) { p, out in
                switch p.kind {
                case .date: for i in 0..<p.count { out[i] = Int64(p.days[i]) * CivilDate.microsPerDay }
                case .timestamp: p.ints.copy(to: out)
                default: out.update(repeating: 0, count: p.count)
                }
            })
        case .string, .unknown:
            data = try text(&parts, total, category: category, compact: compactText)
        }
        return Column(name: name, data: data, validity: validity)
    }

    /// Allocates the full column once and lets `fill` copy each part into its slice.
    private static func concat<T>(_ parts: inout [ColumnBuilder], _ total: Int,
                                  _ fill: (inout ColumnBuilder, UnsafeMutablePointer<T>) -> Void) throws -> [T] {
        try [T](unsafeUninitializedCapacity: total) { buf, n in
            var at = 0
            for k in parts.indices {
                try ExecutionContext.check()
                let c = parts[k].count
                if c > 0 { fill(&parts[k], buf.baseAddress! + at) }
                parts[k].release()
                at += c
            }
            n = total
        }
    }

    private static func text(_ parts: inout [ColumnBuilder], _ total: Int, category: Bool, compact: Bool) throws -> ColumnData {
        var global = ByteInterner(capacity: parts.first?.interner.count ?? 64)
        var codes = [Int32](repeating: 0, count: total)
        var at = 0
        for k in parts.indices {
            try ExecutionContext.check()
            let p = parts[k]
            let n = p.count
            // Not text (a chunk of nulls only), or a forced text chunk of nulls only (no values,
            // so no code to map): its slots keep code 0 and are null.
            guard p.kind == .string, p.interner.count > 0 else { parts[k].release(); at += n; continue }
            var used = [Bool](repeating: !compact, count: p.interner.count)
            if compact { for i in 0..<n { used[Int(p.codes[i])] = true } }
            var isNull = [Bool]()
            if compact, !p.nullRows.isEmpty {
                // A null slot holds code 0, which must not keep value 0 alive.
                isNull = [Bool](repeating: false, count: n)
                for r in p.nullRows { isNull[Int(r)] = true }
                used = [Bool](repeating: false, count: p.interner.count)
                for i in 0..<n where !isNull[i] { used[Int(p.codes[i])] = true }
            }
            var remap = [Int32](repeating: 0, count: p.interner.count)
            for v in 0..<p.interner.count where used[v] {
                remap[v] = p.interner.withValue(v) { b, len in global.intern(b, len)! }
            }
            codes.withUnsafeMutableBufferPointer { out in
                remap.withUnsafeBufferPointer { m in
                    for i in 0..<n { out[at + i] = m[Int(p.codes[i])] }
                }
            }
            parts[k].release()
            at += n
        }
        var dict = global.strings()
        guard category else { return .string(codes: codes, dictionary: dict) }
        // Categories get sorted levels (as pandas and polars order them).
        let order = dict.indices.sorted { dict[$0] < dict[$1] }
        var newCode = [Int32](repeating: 0, count: dict.count)
        for (rank, old) in order.enumerated() { newCode[old] = Int32(rank) }
        for i in codes.indices where !dict.isEmpty { codes[i] = newCode[Int(codes[i])] }
        dict = order.map { dict[$0] }
        return .category(codes: codes, levels: dict)
    }
}
