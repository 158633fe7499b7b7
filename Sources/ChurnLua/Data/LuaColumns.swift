import CLua
import ChurnCore
import Foundation
import LuaRuntime

/// Conversions between Lua values and core columns.
enum LuaColumns {
    /// `cl.null`: a light userdata that stands for a null inside Lua arrays.
    static let nullSentinel = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

    /// Array elements with `cl.null` read as nil.
    static func arrayValues(_ L: LuaStatePointer, _ index: Int32) -> [LuaValue] {
        let t = lua_absindex(L, index)
        let n = Int(lua_rawlen(L, t))
        var out: [LuaValue] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            lua_rawgeti(L, t, lua_Integer(i + 1))
            if lua_type(L, -1) == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == nullSentinel {
                out.append(.nil)
            } else {
                out.append(LuaStack.value(L, -1, depth: 0))
            }
            lua_settop(L, -2)
        }
        return out
    }

    /// Pushes row `i` (0-based) of `col` as a Lua value: numbers, strings,
    /// booleans; dates as "YYYY-MM-DD", timestamps as ISO-8601 text; null → nil.
    static func pushValue(_ c: LuaCall, _ col: Column, _ i: Int) {
        if col.isNull(i) { c.pushNil(); return }
        switch col.data {
        case .float64(let v): c.push(v[i])
        case .int64(let v): lua_pushinteger(c.L, lua_Integer(v[i]))
        case .bool(let v): c.push(v[i])
        case .string(let codes, let d), .category(let codes, let d): c.push(d[Int(codes[i])])
        case .date(let v): c.push(CoreDates.formatDate(v[i]))
        case .timestamp(let v): c.push(CoreDates.formatTimestamp(v[i]))
        }
    }

    /// A column from Lua values: all integers → int, any float → float, all
    /// strings → string, all booleans → bool; nil entries are nulls.
    static func column(name: String, values: [LuaValue]) throws -> Column {
        var sawInt = false, sawFloat = false, sawString = false, sawBool = false
        for v in values {
            switch v {
            case .nil: break
            case .integer: sawInt = true
            case .number: sawFloat = true
            case .string: sawString = true
            case .bool: sawBool = true
            case .table, .other:
                throw FrameError.invalid("column '\(name)': values must be numbers, strings or booleans, got \(v)")
            }
        }
        let kinds = [sawInt || sawFloat, sawString, sawBool].filter { $0 }.count
        guard kinds <= 1 else { throw FrameError.invalid("column '\(name)' mixes numbers, strings and booleans") }
        let nulls = values.map { $0 == .nil }
        let anyNull = nulls.contains(true)
        if sawString {
            return .string(name, values.map { if case .string(let s) = $0 { return s }; return nil })
        }
        if sawBool {
            return .bool(name, values.map { if case .bool(let b) = $0 { return b }; return false }, nulls: anyNull ? nulls : nil)
        }
        if sawFloat {
            return .float(name, values.map { $0.asDouble ?? 0 }, nulls: anyNull ? nulls : nil)
        }
        return .int(name, values.map { if case .integer(let i) = $0 { return i }; return 0 }, nulls: anyNull ? nulls : nil)
    }
}

/// Date and timestamp text as Lua sees it: "YYYY-MM-DD" and ISO-8601
/// "YYYY-MM-DDTHH:MM:SS[.ffffff]" (UTC), on top of the core's `DateText`.
public enum CoreDates {
    public static func formatDate(_ days: Int32) -> String { DateText.format(days: days) }

    public static func formatTimestamp(_ micros: Int64) -> String {
        var s = DateText.format(micros: micros)
        if let space = s.firstIndex(of: " ") { s.replaceSubrange(space...space, with: "T") }
        return s
    }
}
