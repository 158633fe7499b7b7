/// Column- and row-selection operations. All return new frames; columns that
/// are not changed are shared with the input (copy-on-write arrays).

extension Frame {
    /// Builds a frame from columns known to be consistent (internal use).
    init(unchecked columns: [Column]) {
        do { try self.init(columns) } catch { preconditionFailure("internal: \(error)") }
    }

    /// The named columns, in the order given.
    public func select(_ names: [String]) throws -> Frame {
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted { throw FrameError.invalid("select: column '\(n)' listed twice") }
        return try Frame(names.map { try column($0) })
    }

    /// All columns except `names` (each must exist).
    public func drop(_ names: [String]) throws -> Frame {
        for n in names { _ = try column(n) }
        let gone = Set(names)
        return Frame(unchecked: columns.filter { !gone.contains($0.name) })
    }

    /// Renames columns (old → new). Fails on unknown names or when two columns would share a name.
    public func rename(_ mapping: [String: String]) throws -> Frame {
        for old in mapping.keys { _ = try column(old) }
        let cols = columns.map { c in mapping[c.name].map { c.renamed($0) } ?? c }
        var seen = Set<String>()
        for c in cols where !seen.insert(c.name).inserted {
            throw FrameError.invalid("rename: two columns would be called '\(c.name)'")
        }
        return Frame(unchecked: cols)
    }

    /// The rows at `rows` (0-based, any order, repeats allowed) of every column.
    public func take(rows: [Int]) throws -> Frame {
        let n = nrow
        for r in rows where r < 0 || r >= n {
            throw FrameError.invalid("row index \(r) out of range 0..<\(n)")
        }
        // Repeated indices (sampling with replacement) can make the result larger than the frame.
        if rows.count > n {
            let bytes = n == 0 ? 0 : WorkingMemory.bytes(storageBytes / n, rows.count)
            try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("\(rows.count) rows", bytes))
        }
        return takeUnchecked(rows)
    }

    func takeUnchecked(_ rows: [Int]) -> Frame {
        if columns.count > 1 && rows.count > 100_000 {
            // Columns gather independently; order of the result is fixed by column index.
            let cols = columns
            let out = Parallel.mapChunks(cols.count, chunks: cols.count) { r in cols[r.lowerBound].take(rows) }
            return Frame(unchecked: out)
        }
        return Frame(unchecked: columns.map { $0.take(rows) })
    }

    /// Rows where `mask` is true.
    public func filter(mask: [Bool]) throws -> Frame {
        guard mask.count == nrow else { throw FrameError.lengthMismatch(column: "<mask>", expected: nrow, got: mask.count) }
        return takeUnchecked(Column.selectedRows(mask, validity: nil))
    }

    /// Rows where the bool column `mask` is true; null counts as false (as in SQL WHERE).
    public func filter(mask: Column) throws -> Frame {
        guard case .bool(let m) = mask.data else {
            throw FrameError.typeMismatch(column: mask.name, expected: "bool", got: mask.dtype)
        }
        guard m.count == nrow else { throw FrameError.lengthMismatch(column: mask.name, expected: nrow, got: m.count) }
        return takeUnchecked(Column.selectedRows(m, validity: mask.validity))
    }

    /// Adds or replaces columns (same name = replaced in place, new names appended).
    public func withColumns(_ new: [Column]) throws -> Frame {
        var f = self
        for c in new {
            if ncol > 0 && c.count != nrow { throw FrameError.lengthMismatch(column: c.name, expected: nrow, got: c.count) }
            try f.append(c)
        }
        return f
    }

    /// Stacks frames vertically. All must have the same column names (any
    /// order; the first frame's order is kept) and matching types; text
    /// dictionaries are merged.
    public static func concat(_ frames: [Frame]) throws -> Frame {
        guard let first = frames.first else { throw FrameError.invalid("concat needs at least one frame") }
        for (k, f) in frames.enumerated().dropFirst() where Set(f.names) != Set(first.names) || f.ncol != first.ncol {
            let missing = first.names.filter { !f.has($0) }, extra = f.names.filter { !first.has($0) }
            throw FrameError.invalid("concat: frame \(k + 1) has different columns"
                + (missing.isEmpty ? "" : "; missing " + missing.joined(separator: ", "))
                + (extra.isEmpty ? "" : "; extra " + extra.joined(separator: ", ")))
        }
        // The result is as large as its parts together: checked before any column is copied.
        let bytes = frames.reduce(0) { $0 &+ $1.storageBytes }
        try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("concat of \(frames.count) frames", bytes))
        return try Frame(first.names.map { name in
            try Column.concat(frames.map { $0.columnIfPresent(name)! })
        })
    }

    /// Rows without nulls in `subset` (default: all columns). With `nanAsNull`,
    /// float NaN also counts as missing (pandas' notion of NA).
    public func dropna(subset: [String]? = nil, nanAsNull: Bool = false) throws -> Frame {
        let cols = try (subset ?? names).map { try column($0) }
        var keep = [Bool](repeating: true, count: nrow)
        for c in cols {
            if let v = c.validity { for i in 0..<nrow where !v.isValid(i) { keep[i] = false } }
            if nanAsNull, case .float64(let x) = c.data { for i in 0..<nrow where x[i].isNaN { keep[i] = false } }
        }
        return try filter(mask: keep)
    }

    /// Replaces nulls column by column with the given values (converted to the
    /// column's type; a string fill for a text column joins its dictionary).
    public func fillna(_ values: [String: CellValue]) throws -> Frame {
        var out = self
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            let c = try column(name)
            try out.append(try c.fillingNulls(with: value))
        }
        return out
    }

    /// First row of each distinct combination of `subset` (default: all
    /// columns), in order of first appearance (pandas drop_duplicates(keep="first")).
    public func distinct(subset: [String]? = nil) throws -> Frame {
        let cols = try (subset ?? names).map { try column($0) }
        guard nrow > 0, !cols.isEmpty else { return self }
        let f = try Factorizer.factorize(keys: cols.map { [$0] })
        return takeUnchecked(f.firstRow)
    }

    /// A seeded random sample without replacement: `n` rows, or `frac` of the
    /// rows (rounded). Rows come in the sampled (random) order, like pandas.
    public func sample(n: Int? = nil, frac: Double? = nil, seed: UInt64 = GlobalSeed.value) throws -> Frame {
        let total = nrow
        let k: Int
        switch (n, frac) {
        case (let n?, nil):
            guard n >= 0 && n <= total else { throw FrameError.invalid("sample: n = \(n) but the frame has \(total) rows") }
            k = n
        case (nil, let f?):
            guard f >= 0 && f <= 1 else { throw FrameError.invalid("sample: frac = \(f) must be in [0, 1]") }
            k = Int((Double(total) * f).rounded())
        default: throw FrameError.invalid("sample: give exactly one of n or frac")
        }
        var rng = SeededRandom(seed: seed)
        var perm = Array(0..<total)
        // Partial Fisher–Yates: the first k slots are a uniform sample.
        for i in 0..<k { perm.swapAt(i, i + rng.below(total - i)) }
        return takeUnchecked(Array(perm[0..<k]))
    }
}

extension Column {
    /// This column with nulls replaced by `value`.
    public func fillingNulls(with value: CellValue) throws -> Column {
        guard let validity, !value.isNull else { return self }
        func bad() -> FrameError {
            .invalid("fillna: cannot fill \(dtype.rawValue) column '\(name)' with \(value.kind) value '\(value)'")
        }
        var d = data
        switch data {
        case .float64(var v):
            guard let x = value.number else { throw bad() }
            for i in 0..<count where !validity.isValid(i) { v[i] = x }
            d = .float64(v)
        case .int64(var v):
            guard let x = value.number, let e = Int64(exactly: x) else { throw bad() }
            for i in 0..<count where !validity.isValid(i) { v[i] = e }
            d = .int64(v)
        case .bool(var v):
            guard case .bool(let b) = value else { throw bad() }
            for i in 0..<count where !validity.isValid(i) { v[i] = b }
            d = .bool(v)
        case .string(var c, var dict), .category(var c, var dict):
            guard case .string(let s) = value else { throw bad() }
            var code = dict.firstIndex(of: s).map { Int32($0) }
            if code == nil { code = Int32(dict.count); dict.append(s) }
            for i in 0..<count where !validity.isValid(i) { c[i] = code! }
            d = dtype == .string ? .string(codes: c, dictionary: dict) : .category(codes: c, levels: dict)
        case .date(var v):
            guard let x = value.asDate() else { throw bad() }
            for i in 0..<count where !validity.isValid(i) { v[i] = x }
            d = .date(v)
        case .timestamp(var v):
            guard let x = value.asTimestamp() else { throw bad() }
            for i in 0..<count where !validity.isValid(i) { v[i] = x }
            d = .timestamp(v)
        }
        return Column(name: name, data: d, validity: nil)
    }
}
