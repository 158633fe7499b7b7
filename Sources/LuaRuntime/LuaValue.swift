import CLua
import CLuaBridge

/// A Lua value copied into Swift. Tables are copied shallowly as key/value
/// pairs; functions, userdata and threads are described, not held.
public enum LuaValue: Equatable, CustomStringConvertible {
    case `nil`
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case table([(key: LuaValue, value: LuaValue)])
    case other(type: String)

    public static func == (a: LuaValue, b: LuaValue) -> Bool {
        switch (a, b) {
        case (.nil, .nil): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.integer(let x), .integer(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.integer(let x), .number(let y)), (.number(let y), .integer(let x)): return Double(x) == y
        case (.string(let x), .string(let y)): return x == y
        case (.table(let x), .table(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.other(let x), .other(let y)): return x == y
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .nil: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let d): return LuaValue.format(d)
        case .string(let s): return s
        case .table(let kv): return "{" + kv.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
        case .other(let t): return t
        }
    }

    /// Formats a float as Lua's `%.14g`, keeping a ".0" on integral values.
    public static func format(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var s = String(format: "%.14g", d)
        if !s.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) { s += ".0" }
        return s
    }

    public var asDouble: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }
}

