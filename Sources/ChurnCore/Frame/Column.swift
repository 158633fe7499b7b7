/// Typed, immutable-by-value columns. Arrays are copy-on-write, so frames that
/// share an unchanged column share its storage; nothing is copied until written.

/// The logical type of a column, as analysts name it.
public enum DType: String, Sendable, CaseIterable {
    case float64 = "float"
    case int64 = "int"
    case bool
    /// Dictionary-encoded text (codes into a per-column dictionary).
    case string
    /// Dictionary-encoded categorical; same storage as `string`, ordered levels.
    case category
    /// Days since 1970-01-01.
    case date
    /// Microseconds since 1970-01-01T00:00:00Z.
    case timestamp
}

/// Column payload. Null slots hold an arbitrary value (0, false, code 0); the
/// `validity` bitmap of the owning `Column` says which slots are null. NaN in a
/// float column is a value, not a null.
public enum ColumnData: Sendable {
    case float64([Double])
    case int64([Int64])
    case bool([Bool])
    /// codes index `dictionary`; codes are in 0..<dictionary.count.
    case string(codes: [Int32], dictionary: [String])
    case category(codes: [Int32], levels: [String])
    case date([Int32])
    case timestamp([Int64])

    public var count: Int {
        switch self {
        case .float64(let v): return v.count
        case .int64(let v): return v.count
        case .bool(let v): return v.count
        case .string(let c, _): return c.count
        case .category(let c, _): return c.count
        case .date(let v): return v.count
        case .timestamp(let v): return v.count
        }
    }

    public var dtype: DType {
        switch self {
        case .float64: return .float64
        case .int64: return .int64
        case .bool: return .bool
        case .string: return .string
        case .category: return .category
        case .date: return .date
        case .timestamp: return .timestamp
        }
    }
}

/// A validity bitmap: bit set = value present. `nil` in a `Column` means no nulls.
public struct Validity: Sendable, Equatable {
    public private(set) var words: [UInt64]
    public let count: Int

    public init(count: Int, allValid: Bool) {
        self.count = count
        let n = (count + 63) >> 6
        words = [UInt64](repeating: allValid ? ~0 : 0, count: n)
        if allValid, count & 63 != 0, n > 0 { words[n - 1] = (1 << UInt64(count & 63)) - 1 }
    }

    public init(_ flags: [Bool]) {
        self.init(count: flags.count, allValid: false)
        for (i, f) in flags.enumerated() where f { set(i, true) }
    }

    @inline(__always) public func isValid(_ i: Int) -> Bool {
        (words[i >> 6] >> UInt64(i & 63)) & 1 == 1
    }

    @inline(__always) public mutating func set(_ i: Int, _ valid: Bool) {
        if valid { words[i >> 6] |= 1 << UInt64(i & 63) } else { words[i >> 6] &= ~(1 << UInt64(i & 63)) }
    }

    public var nullCount: Int { count - words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// A bitmap from raw words (bit i of word i/64 = row i valid). Bits past
    /// `count` are cleared so counts stay exact.
    public init(words: [UInt64], count: Int) {
        precondition(words.count == (count + 63) >> 6, "validity word count mismatch")
        self.count = count
        self.words = words
        if count & 63 != 0, let last = self.words.indices.last { self.words[last] &= (1 << UInt64(count & 63)) - 1 }
    }

    /// Rows valid in both bitmaps; nil stands for "all valid".
    public static func and(_ a: Validity?, _ b: Validity?) -> Validity? {
        guard let a else { return b }
        guard let b else { return a }
        precondition(a.count == b.count, "validity length mismatch")
        var w = a.words
        for i in 0..<w.count { w[i] &= b.words[i] }
        return Validity(words: w, count: a.count)
    }
}

public struct Column: Sendable {
    public var name: String
    public var data: ColumnData
    /// nil = no nulls.
    public var validity: Validity?

    public init(name: String, data: ColumnData, validity: Validity? = nil) {
        precondition(validity == nil || validity!.count == data.count, "validity length mismatch")
        self.name = name
        // Every code must index the dictionary, null slots (code 0) included: kernels
        // that map codes (concat, join keys, sort) do not test validity first. An
        // all-null text column would otherwise have code 0 and an empty dictionary,
        // and indexing it trapped (describe()'s `top` column under concat/join/sort_by).
        switch data {
        case .string(let codes, let d) where d.isEmpty && !codes.isEmpty:
            self.data = .string(codes: [Int32](repeating: 0, count: codes.count), dictionary: [""])
        case .category(let codes, let d) where d.isEmpty && !codes.isEmpty:
            self.data = .category(codes: [Int32](repeating: 0, count: codes.count), levels: [""])
        default:
            self.data = data
        }
        self.validity = (validity?.nullCount == 0) ? nil : validity
    }

    public var count: Int { data.count }
    public var dtype: DType { data.dtype }
    public var nullCount: Int { validity?.nullCount ?? 0 }
    @inline(__always) public func isNull(_ i: Int) -> Bool { validity.map { !$0.isValid(i) } ?? false }

    // Convenience constructors.
    public static func float(_ name: String, _ v: [Double], nulls: [Bool]? = nil) -> Column {
        Column(name: name, data: .float64(v), validity: nulls.map { Validity($0.map { !$0 }) })
    }
    public static func int(_ name: String, _ v: [Int64], nulls: [Bool]? = nil) -> Column {
        Column(name: name, data: .int64(v), validity: nulls.map { Validity($0.map { !$0 }) })
    }
    public static func bool(_ name: String, _ v: [Bool], nulls: [Bool]? = nil) -> Column {
        Column(name: name, data: .bool(v), validity: nulls.map { Validity($0.map { !$0 }) })
    }
    /// Builds a dictionary-encoded string column; `nil` entries are nulls.
    public static func string(_ name: String, _ v: [String?], category: Bool = false) -> Column {
        var dict: [String: Int32] = [:]
        var levels: [String] = []
        var codes = [Int32](repeating: 0, count: v.count)
        var valid = Validity(count: v.count, allValid: true)
        for (i, s) in v.enumerated() {
            guard let s else { valid.set(i, false); continue }
            if let c = dict[s] { codes[i] = c } else {
                let c = Int32(levels.count); dict[s] = c; levels.append(s); codes[i] = c
            }
        }
        let data: ColumnData = category ? .category(codes: codes, levels: levels) : .string(codes: codes, dictionary: levels)
        return Column(name: name, data: data, validity: valid)
    }

    /// Value as Double (numeric, bool, date, timestamp); nil for null or text.
    @inline(__always) public func double(at i: Int) -> Double? {
        if isNull(i) { return nil }
        switch data {
        case .float64(let v): return v[i]
        case .int64(let v): return Double(v[i])
        case .bool(let v): return v[i] ? 1 : 0
        case .date(let v): return Double(v[i])
        case .timestamp(let v): return Double(v[i])
        case .string, .category: return nil
        }
    }

    /// Text of a string/category slot; nil for null or non-text.
    @inline(__always) public func string(at i: Int) -> String? {
        if isNull(i) { return nil }
        switch data {
        case .string(let c, let d): return d[Int(c[i])]
        case .category(let c, let l): return l[Int(c[i])]
        default: return nil
        }
    }

    /// Whole column as Float64 with NaN for nulls (for numeric kernels).
    public func toDoubles() -> [Double]? {
        var out: [Double]
        switch data {
        case .float64(let v): out = v
        case .int64(let v): out = v.map(Double.init)
        case .bool(let v): out = v.map { $0 ? 1 : 0 }
        case .date(let v): out = v.map(Double.init)
        case .timestamp(let v): out = v.map(Double.init)
        case .string, .category: return nil
        }
        if let validity {
            for i in 0..<out.count where !validity.isValid(i) { out[i] = .nan }
        }
        return out
    }
}
