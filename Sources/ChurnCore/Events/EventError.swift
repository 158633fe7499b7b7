/// Errors raised while reading event logs, subscriptions, feature specs and labels.
public enum EventError: Error, CustomStringConvertible, Equatable {
    /// A column has a type the operation cannot use.
    case columnType(column: String, expected: String, got: DType)
    /// A required value is null.
    case nullValue(column: String, row: Int)
    /// Two inputs identify users differently (int ids vs text ids).
    case userKeyMismatch(String)
    /// A value or option is out of its allowed range.
    case invalidOption(String)
    /// A value in a row is out of range (row is 0-based internally, printed 1-based).
    case invalidValue(column: String, row: Int, message: String)

    public var description: String {
        switch self {
        case .columnType(let c, let e, let g): return "column '\(c)' is \(g.rawValue), expected \(e)"
        case .nullValue(let c, let r): return "column '\(c)' has a null at row \(r + 1)"
        case .userKeyMismatch(let m): return "user ids do not match: \(m)"
        case .invalidOption(let m): return m
        case .invalidValue(let c, let r, let m): return "column '\(c)', row \(r + 1): \(m)"
        }
    }
}

/// Microseconds per unit of time, for converting between dates and timestamps.
public enum TimeUnit {
    public static let microsPerSecond: Int64 = 1_000_000
    public static let microsPerMinute: Int64 = 60_000_000
    public static let microsPerDay: Int64 = 86_400_000_000

    /// Day number (days since 1970-01-01) of a timestamp, flooring negatives.
    @inline(__always) public static func day(_ t: Int64) -> Int64 {
        t >= 0 ? t / microsPerDay : -((-t + microsPerDay - 1) / microsPerDay)
    }
    /// 0 = Monday … 6 = Sunday for a day number (1970-01-01 was a Thursday).
    @inline(__always) public static func weekday(day d: Int64) -> Int {
        Int(((d + 3) % 7 + 7) % 7)
    }
}
