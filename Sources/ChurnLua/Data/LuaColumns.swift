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

/// Date and timestamp text (UTC, proleptic Gregorian).
public enum CoreDates {
    public static func formatDate(_ days: Int32) -> String {
        let (y, m, d) = civil(fromDays: Int(days))
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    public static func formatTimestamp(_ micros: Int64) -> String {
        let secs = Int(micros.dividedRoundingDown(by: 1_000_000))
        let frac = Int(micros - Int64(secs) * 1_000_000)
        let days = secs.dividedRoundingDown(by: 86_400)
        let rem = secs - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        var s = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, rem / 3600, rem / 60 % 60, rem % 60)
        if frac != 0 { s += String(format: ".%06d", frac) }
        return s
    }

    /// Days since 1970-01-01 → (year, month, day) (H. Hinnant's algorithm).
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension BinaryInteger {
    func dividedRoundingDown(by d: Self) -> Self {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

/// A plain aligned text rendering of a frame (first and last rows).
enum FrameText {
    static func render(_ f: Frame, maxRows: Int = 10) -> String {
        let n = f.nrow
        let rows: [Int] = n <= maxRows ? Array(0..<n) : Array(0..<(maxRows / 2)) + Array((n - maxRows / 2)..<n)
        var cells: [[String]] = [f.names]
        for r in rows {
            cells.append(f.columns.map { col in
                if col.isNull(r) { return "null" }
                switch col.data {
                case .float64(let v): return LuaValue.format(v[r])
                case .int64(let v): return String(v[r])
                case .bool(let v): return v[r] ? "true" : "false"
                case .string(let c, let d), .category(let c, let d): return d[Int(c[r])]
                case .date(let v): return CoreDates.formatDate(v[r])
                case .timestamp(let v): return CoreDates.formatTimestamp(v[r])
                }
            })
        }
        let widths = (0..<f.ncol).map { j in cells.map { $0[j].count }.max() ?? 0 }
        var lines = cells.enumerated().map { i, row in
            row.enumerated().map { j, s in s.padding(toLength: widths[j], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        if n > maxRows { lines.insert("…", at: 1 + maxRows / 2) }
        return "cl.Frame \(n) rows × \(f.ncol) columns\n" + lines.joined(separator: "\n")
    }
}
