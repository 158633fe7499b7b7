/// Column expressions, built by Lua (`cl.col("x") >= 0.7 & ...`) or Swift
/// (`Expr.col("x") >= 0.7 & ...`) and evaluated vectorized over a frame by
/// `evaluate(on:)`. Nulls follow SQL/polars: arithmetic and comparisons with
/// a null give null; `&`/`|` use three-valued (Kleene) logic; `when` treats a
/// null condition as false; `filter` keeps only rows whose mask is true.
public indirect enum Expr: Sendable, CustomStringConvertible {
    case column(String)
    case literal(CellValue)
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr)
    /// Value is one of the listed values (null input gives null; null list entries are ignored).
    case isIn(Expr, [CellValue])
    /// lower <= value <= upper.
    case between(Expr, Expr, Expr)
    /// Row-wise choice: condition true → first, else (false or null) → second.
    case when(Expr, Expr, Expr)
    /// Days from the first to the second date/timestamp (second − first):
    /// int days when both are dates, fractional days otherwise.
    case daysBetween(Expr, Expr)
    // Functions (ExprFunctions.swift).
    case math(MathFunction, Expr)
    case round(Expr, digits: Int)
    case clip(Expr, lower: Double?, upper: Double?)
    case cast(Expr, DType)
    case text(TextFunction, Expr)
    case datePart(DatePart, Expr)
    case addMonths(Expr, Int)
    case window(WindowFunction, Expr)
    case over(Expr, partitionBy: [String], orderBy: [String], descending: Bool)

    public enum UnaryOp: String, Sendable { case negate = "-", not = "~", isNull = "is_null", isNotNull = "is_not_null" }

    public enum BinaryOp: String, Sendable {
        case add = "+", sub = "-", mul = "*", div = "/", mod = "%", floorDiv = "//"
        case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "==", ne = "!="
        case and = "&", or = "|"

        var isComparison: Bool { [.lt, .le, .gt, .ge, .eq, .ne].contains(self) }
        var isArithmetic: Bool { [.add, .sub, .mul, .div, .mod, .floorDiv].contains(self) }
    }

    // MARK: builders (the names the Lua binding mirrors)

    public static func col(_ name: String) -> Expr { .column(name) }
    public static func lit(_ v: CellValue) -> Expr { .literal(v) }
    public static func when(_ cond: Expr, then a: Expr, otherwise b: Expr) -> Expr { .when(cond, a, b) }

    public func eq(_ o: Expr) -> Expr { .binary(.eq, self, o) }
    public func ne(_ o: Expr) -> Expr { .binary(.ne, self, o) }
    public func isNull() -> Expr { .unary(.isNull, self) }
    public func isNotNull() -> Expr { .unary(.isNotNull, self) }
    public func isIn(_ values: [CellValue]) -> Expr { .isIn(self, values) }
    public func between(_ lower: Expr, _ upper: Expr) -> Expr { .between(self, lower, upper) }
    /// Days from this date/timestamp until `ref` (ref − self).
    public func daysUntil(_ ref: Expr) -> Expr { .daysBetween(self, ref) }
    /// Days from `ref` until this date/timestamp (self − ref).
    public func daysSince(_ ref: Expr) -> Expr { .daysBetween(ref, self) }

    public static func + (a: Expr, b: Expr) -> Expr { .binary(.add, a, b) }
    public static func - (a: Expr, b: Expr) -> Expr { .binary(.sub, a, b) }
    public static func * (a: Expr, b: Expr) -> Expr { .binary(.mul, a, b) }
    public static func / (a: Expr, b: Expr) -> Expr { .binary(.div, a, b) }
    public static func % (a: Expr, b: Expr) -> Expr { .binary(.mod, a, b) }
    public static prefix func - (a: Expr) -> Expr { .unary(.negate, a) }
    public static func < (a: Expr, b: Expr) -> Expr { .binary(.lt, a, b) }
    public static func <= (a: Expr, b: Expr) -> Expr { .binary(.le, a, b) }
    public static func > (a: Expr, b: Expr) -> Expr { .binary(.gt, a, b) }
    public static func >= (a: Expr, b: Expr) -> Expr { .binary(.ge, a, b) }
    public static func & (a: Expr, b: Expr) -> Expr { .binary(.and, a, b) }
    public static func | (a: Expr, b: Expr) -> Expr { .binary(.or, a, b) }
    public static prefix func ~ (a: Expr) -> Expr { .unary(.not, a) }

    /// The name a result column gets by default: the first column referenced
    /// (as polars does), or "literal".
    public var outputName: String {
        switch self {
        case .column(let n): return n
        case .literal: return "literal"
        case .unary(_, let e), .isIn(let e, _): return e.outputName
        case .binary(_, let a, let b), .daysBetween(let a, let b):
            let n = a.outputName
            return n == "literal" ? b.outputName : n
        case .between(let e, _, _): return e.outputName
        case .math(_, let e), .round(let e, _), .clip(let e, _, _), .cast(let e, _), .text(_, let e),
             .datePart(_, let e), .addMonths(let e, _), .window(_, let e), .over(let e, _, _, _):
            return e.outputName
        case .when(_, let a, let b):
            let n = a.outputName
            return n == "literal" ? b.outputName : n
        }
    }

    public var description: String {
        switch self {
        case .column(let n): return "col(\"\(n)\")"
        case .literal(let v):
            if case .string(let s) = v { return "\"\(s)\"" }
            return v.description
        case .unary(.negate, let e): return "-\(e)"
        case .unary(.not, let e): return "~\(e)"
        case .unary(let op, let e): return "\(e):\(op.rawValue)()"
        case .binary(let op, let a, let b): return "(\(a) \(op.rawValue) \(b))"
        case .isIn(let e, let vs): return "\(e):isin{\(vs.map(\.description).joined(separator: ", "))}"
        case .between(let e, let a, let b): return "\(e):between(\(a), \(b))"
        case .when(let c, let a, let b): return "when(\(c), \(a), \(b))"
        case .daysBetween(let a, let b): return "days_between(\(a), \(b))"
        case .math(let f, let e): return "\(e):\(f.rawValue)()"
        case .round(let e, let d): return "\(e):round(\(d))"
        case .clip(let e, let lo, let hi): return "\(e):clip(\(lo.map { "\($0)" } ?? "nil"), \(hi.map { "\($0)" } ?? "nil"))"
        case .cast(let e, let t): return "\(e):cast(\"\(t.rawValue)\")"
        case .text(let f, let e): return "\(e):\(f)"
        case .datePart(let p, let e): return "\(e):\(p.rawValue)()"
        case .addMonths(let e, let n): return "\(e):add_months(\(n))"
        case .window(let f, let e): return "\(e):\(f)"
        case .over(let e, let p, let o, _): return "\(e):over(\(p), order_by = \(o))"
        }
    }
}

extension Expr: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
                ExpressibleByBooleanLiteral {
    public init(integerLiteral v: Int64) { self = .literal(.int(v)) }
    public init(floatLiteral v: Double) { self = .literal(.float(v)) }
    public init(stringLiteral v: String) { self = .literal(.string(v)) }
    public init(booleanLiteral v: Bool) { self = .literal(.bool(v)) }
}

/// Expression errors name the expression and the types involved.
public struct ExprError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
