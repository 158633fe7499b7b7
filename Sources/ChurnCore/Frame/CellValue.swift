/// One typed value outside a column: an expression literal, a fill value, a
/// pivot header. Lua numbers arrive as `.int` or `.float`, strings as `.string`
/// (a string is accepted where a date or timestamp is expected and parsed then).
public enum CellValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case string(String)
    /// Days since 1970-01-01.
    case date(Int32)
    /// Microseconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// Numeric value for int/float/bool; nil otherwise.
    public var number: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .float(let v): return v
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// A short name of the value's kind for error messages.
    public var kind: String {
        switch self {
        case .null: return "null"
        case .int: return "int"
        case .float: return "float"
        case .bool: return "bool"
        case .string: return "string"
        case .date: return "date"
        case .timestamp: return "timestamp"
        }
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .int(let v): return String(v)
        case .float(let v): return "\(v)"
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .date(let d): return DateText.format(days: d)
        case .timestamp(let t): return DateText.format(micros: t)
        }
    }

    /// The value as a date (days), parsing text; nil when it is not one.
    public func asDate() -> Int32? {
        switch self {
        case .date(let d): return d
        case .string(let s): return DateText.parseDate(s)
        default: return nil
        }
    }

    /// The value as a timestamp (µs), widening dates and parsing text; nil when it is not one.
    public func asTimestamp() -> Int64? {
        switch self {
        case .timestamp(let t): return t
        case .date(let d): return Int64(d) * DateText.microsPerDay
        case .string(let s): return DateText.parseTimestamp(s)
        default: return nil
        }
    }
}

extension Column {
    /// The value at row `i` as a `CellValue` (`.null` for nulls).
    public func value(at i: Int) -> CellValue {
        if isNull(i) { return .null }
        switch data {
        case .float64(let v): return .float(v[i])
        case .int64(let v): return .int(v[i])
        case .bool(let v): return .bool(v[i])
        case .string(let c, let d), .category(let c, let d): return .string(d[Int(c[i])])
        case .date(let v): return .date(v[i])
        case .timestamp(let v): return .timestamp(v[i])
        }
    }
}
