/// Row selection on whole columns: gather by index, vertical concatenation
/// with dictionary merging, and constant columns. Every frame operation that
/// moves rows (filter, sort, join, sample, …) goes through `take`.

/// Gathers `src[idx[i]]`; a negative index yields `fill` (the slot becomes null).
@inline(__always)
func gather<T>(_ src: [T], _ idx: [Int], fill: T) -> [T] {
    [T](unsafeUninitializedCapacity: idx.count) { buf, n in
        src.withUnsafeBufferPointer { s in
            idx.withUnsafeBufferPointer { ix in
                let out = buf.baseAddress!
                for i in 0..<ix.count {
                    let j = ix[i]
                    (out + i).initialize(to: j >= 0 ? s[j] : fill)
                }
            }
        }
        n = idx.count
    }
}

extension Column {
    /// The rows at `indices` (0-based, any order, repeats allowed). An index of
    /// -1 produces a null row (outer joins, pivots). Indices must be in range.
    public func take(_ indices: [Int]) -> Column {
        let data: ColumnData
        switch self.data {
        case .float64(let v): data = .float64(gather(v, indices, fill: 0))
        case .int64(let v): data = .int64(gather(v, indices, fill: 0))
        case .bool(let v): data = .bool(gather(v, indices, fill: false))
        case .string(let c, let d): data = .string(codes: gather(c, indices, fill: 0), dictionary: d)
        case .category(let c, let l): data = .category(codes: gather(c, indices, fill: 0), levels: l)
        case .date(let v): data = .date(gather(v, indices, fill: 0))
        case .timestamp(let v): data = .timestamp(gather(v, indices, fill: 0))
        }
        var valid: Validity? = nil
        let hasMissing = indices.contains { $0 < 0 }
        if validity != nil || hasMissing {
            var words = [UInt64](repeating: 0, count: (indices.count + 63) >> 6)
            for (i, j) in indices.enumerated() where j >= 0 && !isNull(j) {
                words[i >> 6] |= 1 << UInt64(i & 63)
            }
            valid = Validity(words: words, count: indices.count)
        }
        return Column(name: name, data: data, validity: valid)
    }

    /// Same column under another name.
    public func renamed(_ newName: String) -> Column {
        var c = self
        c.name = newName
        return c
    }

    /// Row indices where `mask` is true and not null (a Validity-aware bool column).
    static func selectedRows(_ mask: [Bool], validity: Validity?) -> [Int] {
        var rows: [Int] = []
        rows.reserveCapacity(mask.count / 2)
        mask.withUnsafeBufferPointer { m in
            if let validity {
                for i in 0..<m.count where m[i] && validity.isValid(i) { rows.append(i) }
            } else {
                for i in 0..<m.count where m[i] { rows.append(i) }
            }
        }
        return rows
    }

    /// A column of `count` copies of `value`, typed as `dtype` (nil: the value's own type;
    /// a null with no type becomes an all-null float column).
    public static func constant(_ name: String, _ value: CellValue, count: Int, dtype: DType? = nil) throws -> Column {
        let target = dtype ?? {
            switch value {
            case .null, .float: return .float64
            case .int: return .int64
            case .bool: return .bool
            case .string: return .string
            case .date: return .date
            case .timestamp: return .timestamp
            }
        }()
        let valid: Validity? = value.isNull ? Validity(count: count, allValid: false) : nil
        func bad() -> FrameError { .invalid("cannot use \(value.kind) value '\(value)' as \(target.rawValue) for column '\(name)'") }
        let data: ColumnData
        switch target {
        case .float64:
            guard value.isNull || value.number != nil else { throw bad() }
            data = .float64([Double](repeating: value.number ?? 0, count: count))
        case .int64:
            var v: Int64 = 0
            switch value {
            case .null: break
            case .int(let x): v = x
            case .bool(let b): v = b ? 1 : 0
            case .float(let x): guard let e = Int64(exactly: x) else { throw bad() }; v = e
            default: throw bad()
            }
            data = .int64([Int64](repeating: v, count: count))
        case .bool:
            var v = false
            switch value {
            case .null: break
            case .bool(let b): v = b
            default: throw bad()
            }
            data = .bool([Bool](repeating: v, count: count))
        case .string, .category:
            var dict: [String] = []
            switch value {
            case .null: break
            case .string(let s): dict = [s]
            default: dict = [value.description]
            }
            let codes = [Int32](repeating: 0, count: count)
            data = target == .string ? .string(codes: codes, dictionary: dict) : .category(codes: codes, levels: dict)
        case .date:
            guard value.isNull || value.asDate() != nil else { throw bad() }
            data = .date([Int32](repeating: value.asDate() ?? 0, count: count))
        case .timestamp:
            guard value.isNull || value.asTimestamp() != nil else { throw bad() }
            data = .timestamp([Int64](repeating: value.asTimestamp() ?? 0, count: count))
        }
        return Column(name: name, data: data, validity: valid)
    }

    /// Stacks columns vertically. Types must match (string and category may
    /// mix and give string); dictionaries are merged, first-seen order.
    public static func concat(_ parts: [Column], name: String? = nil) throws -> Column {
        guard let first = parts.first else { throw FrameError.invalid("concat needs at least one column") }
        let name = name ?? first.name
        let total = parts.reduce(0) { $0 + $1.count }
        let isText = { (t: DType) in t == .string || t == .category }
        for p in parts where p.dtype != first.dtype && !(isText(p.dtype) && isText(first.dtype)) {
            throw FrameError.invalid("cannot concatenate column '\(name)': \(first.dtype.rawValue) and \(p.dtype.rawValue)")
        }
        let data: ColumnData
        switch first.data {
        case .float64: data = .float64(parts.flatMap { if case .float64(let v) = $0.data { return v } else { return [] } })
        case .int64: data = .int64(parts.flatMap { if case .int64(let v) = $0.data { return v } else { return [] } })
        case .bool: data = .bool(parts.flatMap { if case .bool(let v) = $0.data { return v } else { return [] } })
        case .date: data = .date(parts.flatMap { if case .date(let v) = $0.data { return v } else { return [] } })
        case .timestamp: data = .timestamp(parts.flatMap { if case .timestamp(let v) = $0.data { return v } else { return [] } })
        case .string, .category:
            var merged = DictionaryMerger()
            var codes: [Int32] = []
            codes.reserveCapacity(total)
            for p in parts {
                guard case .string(let c, let d) = p.data.textView else { continue }
                let map = merged.add(d)
                c.withUnsafeBufferPointer { cb in for x in cb { codes.append(map[Int(x)]) } }
            }
            let allCategory = parts.allSatisfy { $0.dtype == .category }
            data = allCategory ? .category(codes: codes, levels: merged.strings) : .string(codes: codes, dictionary: merged.strings)
        }
        var valid: Validity? = nil
        if parts.contains(where: { $0.validity != nil }) {
            var words = [UInt64](repeating: 0, count: (total + 63) >> 6)
            var off = 0
            for p in parts {
                for i in 0..<p.count where !p.isNull(i) { words[(off + i) >> 6] |= 1 << UInt64((off + i) & 63) }
                off += p.count
            }
            valid = Validity(words: words, count: total)
        }
        return Column(name: name, data: data, validity: valid)
    }

    /// The column as float64 (int, bool, float only); nulls stay null.
    func asFloat64() throws -> Column {
        switch data {
        case .float64: return self
        case .int64(let v): return Column(name: name, data: .float64(v.map(Double.init)), validity: validity)
        case .bool(let v): return Column(name: name, data: .float64(v.map { $0 ? 1 : 0 }), validity: validity)
        default: throw FrameError.typeMismatch(column: name, expected: "a numeric column", got: dtype)
        }
    }
}

extension ColumnData {
    /// Text columns seen uniformly as (codes, dictionary); other data unchanged.
    var textView: ColumnData {
        if case .category(let c, let l) = self { return .string(codes: c, dictionary: l) }
        return self
    }

    var isText: Bool { dtype == .string || dtype == .category }
    var isNumeric: Bool { dtype == .float64 || dtype == .int64 || dtype == .bool }
}

/// Builds a union dictionary; `add` returns the code map of one dictionary into it.
struct DictionaryMerger {
    private(set) var strings: [String] = []
    private var index: [String: Int32] = [:]

    mutating func add(_ dict: [String]) -> [Int32] {
        if strings.isEmpty {
            // Fast path: the first dictionary keeps its codes.
            strings = dict
            for (i, s) in dict.enumerated() where index[s] == nil { index[s] = Int32(i) }
            if index.count == dict.count { return (0..<dict.count).map { Int32($0) } }
        }
        return dict.map { s in
            if let c = index[s] { return c }
            let c = Int32(strings.count)
            strings.append(s); index[s] = c
            return c
        }
    }

    mutating func code(_ s: String) -> Int32 { add([s])[0] }
}
