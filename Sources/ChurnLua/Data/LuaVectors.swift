import CLua
import ChurnCore
import LuaRuntime

/// Numeric vectors from Lua: a `cl.Column` or a Lua array of numbers.
public enum LuaVectors {
    /// Argument `i` as doubles (nulls → NaN). Accepts a column or an array of numbers.
    public static func doubles(_ c: LuaCall, _ i: Int32) throws -> [Double] {
        if c.isObject(i, ColumnObject.self) {
            let col = try c.object(i, ColumnObject.self).column
            guard let v = col.toDoubles() else {
                throw LuaArgumentError(i, "column '\(col.name)' is \(col.dtype.rawValue), numbers expected")
            }
            return v
        }
        guard c.luaType(i) == LUA_TTABLE else {
            throw LuaArgumentError(i, "column or array of numbers expected, got \(c.typeName(i))")
        }
        return try c.table(i).arrayOfNumbers()
    }
}
