import CLua
import ChurnCore
import LuaRuntime

/// Argument helpers shared by `cl.metrics`, `cl.stats` and `cl.plot`.
enum MetricsArgs {
    /// A numeric vector held in option field `key` (column or array); nil when absent.
    static func vector(_ c: LuaCall, _ opts: LuaTable, _ key: String, arg: Int32) throws -> [Double]? {
        let top = lua_gettop(c.L)
        defer { lua_settop(c.L, top) }
        if opts.push(key) == LUA_TNIL { return nil }
        do {
            return try LuaVectors.doubles(c, lua_gettop(c.L))
        } catch let e as LuaArgumentError {
            throw LuaArgumentError(arg, "field '\(key)': \(e.message)")
        }
    }

    /// Labels (argument i) and scores (argument i + 1), plus `weights` from the option table.
    static func labelsScores(_ c: LuaCall, _ i: Int32, opts: LuaTable, optsArg: Int32) throws
        -> (y: [Double], p: [Double], w: [Double]?) {
        let y = try LuaVectors.doubles(c, i), p = try LuaVectors.doubles(c, i + 1)
        return (y, p, try vector(c, opts, "weights", arg: optsArg))
    }

    /// Pushes an array of numbers and stores it as field `key` of `t`.
    static func setArray(_ c: LuaCall, _ t: LuaTableWriter, _ key: String, _ xs: [Double]) {
        c.pushArray(xs); t.setTop(key)
    }

    /// Pushes a table of numeric fields.
    @discardableResult
    static func pushRecord(_ c: LuaCall, _ fields: [(String, Double)]) -> Int32 {
        let t = c.newTable(record: fields.count)
        for (k, v) in fields { t.set(k, v) }
        return 1
    }

    /// The test alternative from option `alternative` ("two-sided", "greater", "less").
    static func alternative(_ opts: LuaTable, arg: Int32) throws -> Alternative {
        guard let s = try opts.string("alternative") else { return .twoSided }
        guard let a = Alternative(rawValue: s) else {
            throw LuaArgumentError(arg, "field 'alternative': expected 'two-sided', 'greater' or 'less', got '\(s)'")
        }
        return a
    }
}
