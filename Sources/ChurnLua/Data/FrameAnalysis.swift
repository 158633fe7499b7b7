import CLua
import CLuaBridge
import ChurnCore
import LuaRuntime

/// Frame methods for analysis and reshaping (`corr`, `crosstab`, `melt`,
/// `nlargest`, `slice`, `join_asof`, `join_range`), row iteration and the
/// per-row Lua slow paths (`rows`, `apply`, `col:map`), and column shape
/// statistics (`skew`, `kurtosis`).
enum FrameAnalysis {
    /// Registry key of the shared `df:rows()` iterator (a stateless iterator like `ipairs`).
    static let rowsIteratorKey = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

    static func register(_ cl: ModuleBuilder) {
        let L = cl.state.L
        // rows_next(df, i) → i + 1, row table (nil past the end).
        cl.state.push(function: "rows") { c in
            let f = try c.frame(1)
            let i = try c.integer(2) + 1
            guard i >= 1 && i <= f.nrow else { return c.pushNil() }
            lua_pushinteger(c.L, lua_Integer(i))
            let t = c.newTable(record: f.ncol)
            for col in f.columns { LuaColumns.pushValue(c, col, i - 1); t.setTop(col.name) }
            return 2
        }
        lua_rawsetp(L, clb_registryindex(), rowsIteratorKey)
    }

    /// Calls `fn` (at stack slot `fnIndex`) once per row with the row table; the results as a column.
    static func perRow(_ c: LuaCall, _ f: Frame, fnIndex: Int32, name: String) throws -> Column {
        try c.reserve(4)
        var values: [LuaValue] = []
        values.reserveCapacity(f.nrow)
        for i in 0..<f.nrow {
            if i % 4096 == 0 { try c.checkMemory() }
            lua_pushvalue(c.L, fnIndex)
            let t = c.newTable(record: f.ncol)
            for col in f.columns { LuaColumns.pushValue(c, col, i); t.setTop(col.name) }
            _ = t
            try c.pcall(nargs: 1, nresults: 1)
            values.append(try resultValue(c, row: i))
            lua_settop(c.L, -2)
        }
        return try c.core { try LuaColumns.column(name: name, values: values) }
    }

    /// The value on top of the stack as a cell: number, string, boolean, nil / cl.null.
    static func resultValue(_ c: LuaCall, row: Int) throws -> LuaValue {
        if lua_type(c.L, -1) == LUA_TLIGHTUSERDATA && lua_touserdata(c.L, -1) == LuaColumns.nullSentinel { return .nil }
        let v = LuaStack.value(c.L, -1, depth: 0)
        switch v {
        case .nil, .integer, .number, .string, .bool: return v
        default: throw LuaScriptError("the function returned \(c.typeName(-1)) for row \(row + 1); a number, string, boolean or nil expected")
        }
    }

    static func function(_ c: LuaCall, _ i: Int32) throws {
        guard c.luaType(i) == LUA_TFUNCTION else { throw LuaArgumentError(i, "function expected, got \(c.typeName(i))") }
    }

    static let methods: [String: LuaFunction] = [
        "rows": { c in
            // for i, row in df:rows() do … end — one table per row (the slow path; prefer expressions).
            _ = try c.frame(1)
            try c.noArguments(after: 1)
            try c.reserve(3)
            lua_rawgetp(c.L, clb_registryindex(), rowsIteratorKey)
            lua_pushvalue(c.L, 1)
            lua_pushinteger(c.L, 0)
            return 3
        },
        "apply": { c in
            // fn(row) per row → a column (pandas df.apply(fn, axis=1)); the slow path.
            let f = try c.frame(1)
            try function(c, 2)
            let o = try c.options(3)
            try o.checkKeys(["name"])
            try c.noArguments(after: 3)
            return c.push(column: try perRow(c, f, fnIndex: 2, name: try o.string("name") ?? "apply"))
        },
        "corr": { c in
            let f = try c.frame(1)
            let o = try c.options(2)
            try o.checkKeys(["columns", "method"])
            try c.noArguments(after: 2)
            let m = try o.string("method") ?? "pearson"
            guard let method = CorrelationMethod(rawValue: m) else {
                throw LuaArgumentError(2, "field 'method': 'pearson' or 'spearman' expected, got '\(m)'")
            }
            let cols = try o.strings("columns")
            return c.push(frame: try c.core { try f.corr(columns: cols, method: method) })
        },
        "crosstab": { c in
            let f = try c.frame(1)
            let index = try c.string(2), columns = try c.string(3)
            let o = try c.options(4)
            try o.checkKeys(["normalize"])
            try c.noArguments(after: 4)
            var norm = Frame.CrosstabNormalize.none
            switch o.value("normalize") {
            case .nil: break
            case .bool(let b): norm = b ? .all : .none
            case .string(let s) where Frame.CrosstabNormalize(rawValue: s) != nil && s != "none": norm = Frame.CrosstabNormalize(rawValue: s)!
            case let v: throw LuaArgumentError(4, "field 'normalize': true, 'all', 'index' or 'columns' expected, got \(v)")
            }
            return c.push(frame: try c.core { try f.crosstab(index: index, columns: columns, normalize: norm) })
        },
        "melt": { c in
            let f = try c.frame(1)
            let o = try c.options(2)
            try o.checkKeys(["id_vars", "value_vars", "var_name", "value_name"])
            try c.noArguments(after: 2)
            let ids = try o.strings("id_vars") ?? [], vars = try o.strings("value_vars")
            let vn = try o.string("var_name") ?? "variable", valn = try o.string("value_name") ?? "value"
            return c.push(frame: try c.core { try f.melt(idVars: ids, valueVars: vars, varName: vn, valueName: valn) })
        },
        "nlargest": { c in try extremes(c, smallest: false) },
        "nsmallest": { c in try extremes(c, smallest: true) },
        "slice": { c in
            let f = try c.frame(1)
            let bound = -OptionLimits.size...OptionLimits.size
            let i = try c.integer(2, in: bound), j = try c.optInteger(3, in: bound)
            try c.noArguments(after: 3)
            return c.push(frame: try c.core { try f.slice(from: i, to: j) })
        },
        "join_asof": { c in
            let f = try c.frame(1), other = try c.frame(2)
            let o = try c.options(3)
            try o.checkKeys(["on", "right_on", "by", "right_by", "direction", "tolerance", "allow_exact_matches", "suffix"])
            try c.noArguments(after: 3)
            guard let on = try o.string("on") else { throw LuaArgumentError(3, "join_asof needs 'on' (the time or number column)") }
            let d = try o.string("direction") ?? "backward"
            guard let direction = AsofDirection(rawValue: d) else {
                throw LuaArgumentError(3, "field 'direction': 'backward', 'forward' or 'nearest' expected, got '\(d)'")
            }
            let by = try o.strings("by") ?? [], rightBy = try o.strings("right_by")
            let tol = try o.number("tolerance", in: .nonNegative)
            let exact = try o.bool("allow_exact_matches") ?? true
            let rightOn = try o.string("right_on"), suffix = try o.string("suffix") ?? "_right"
            return c.push(frame: try c.core {
                try f.joinAsof(other, on: on, rightOn: rightOn, by: by, rightBy: rightBy, direction: direction,
                               tolerance: tol, allowExactMatches: exact, suffix: suffix)
            })
        },
        "join_range": { c in
            let f = try c.frame(1), other = try c.frame(2)
            let o = try c.options(3)
            try o.checkKeys(["on", "lower", "upper", "by", "right_by", "closed", "how", "suffix"])
            try c.noArguments(after: 3)
            func need(_ k: String) throws -> String {
                guard let v = try o.string(k) else { throw LuaArgumentError(3, "join_range needs '\(k)'") }
                return v
            }
            let closed = try o.string("closed") ?? "left"
            guard closed == "left" || closed == "both" else {
                throw LuaArgumentError(3, "field 'closed': 'left' (lower <= x < upper) or 'both' (lower <= x <= upper) expected, got '\(closed)'")
            }
            let how = try o.string("how") ?? "left"
            guard how == "left" || how == "inner" else { throw LuaArgumentError(3, "field 'how': 'left' or 'inner' expected, got '\(how)'") }
            let on = try need("on"), lower = try need("lower"), upper = try need("upper")
            let by = try o.strings("by") ?? [], rightBy = try o.strings("right_by"), suffix = try o.string("suffix") ?? "_right"
            return c.push(frame: try c.core {
                try f.joinRange(other, on: on, lower: lower, upper: upper, by: by, rightBy: rightBy,
                                closedUpper: closed == "both", keepUnmatched: how == "left", suffix: suffix)
            })
        },
    ]

    /// df:nlargest(n, columns) / df:nsmallest(n, columns).
    static func extremes(_ c: LuaCall, smallest: Bool) throws -> Int32 {
        let f = try c.frame(1)
        let n = try c.integer(2, in: 0...OptionLimits.size)
        let cols = c.luaType(3) == LUA_TSTRING ? [try c.string(3)] : try c.table(3).arrayOfStrings()
        try c.noArguments(after: 3)
        return c.push(frame: try c.core { try f.nlargest(n, columns: cols, smallest: smallest) })
    }

    static let columnMethods: [String: LuaFunction] = [
        "skew": { c in
            let col = try c.object(1, ColumnObject.self).column
            try c.noArguments(after: 1)
            return c.push(try c.core { try col.skew() })
        },
        "kurtosis": { c in
            let col = try c.object(1, ColumnObject.self).column
            try c.noArguments(after: 1)
            return c.push(try c.core { try col.kurtosis() })
        },
        "map": { c in
            // fn(value) per value → a new column (pandas Series.map with a function); the slow path.
            let col = try c.object(1, ColumnObject.self).column
            try function(c, 2)
            try c.noArguments(after: 2)
            try c.reserve(4)
            var values: [LuaValue] = []
            values.reserveCapacity(col.count)
            for i in 0..<col.count {
                if i % 4096 == 0 { try c.checkMemory() }
                lua_pushvalue(c.L, 2)
                LuaColumns.pushValue(c, col, i)
                try c.pcall(nargs: 1, nresults: 1)
                values.append(try resultValue(c, row: i))
                lua_settop(c.L, -2)
            }
            return c.push(column: try c.core { try LuaColumns.column(name: col.name, values: values) })
        },
        "corr": { c in
            // col:corr(other [, {method =}]): one coefficient (pandas Series.corr).
            let a = try c.object(1, ColumnObject.self).column
            let b = try LuaVectors.doubles(c, 2)
            let o = try c.options(3)
            try o.checkKeys(["method"])
            try c.noArguments(after: 3)
            let m = try o.string("method") ?? "pearson"
            guard let method = CorrelationMethod(rawValue: m) else {
                throw LuaArgumentError(3, "field 'method': 'pearson' or 'spearman' expected, got '\(m)'")
            }
            guard let x = a.toDoubles(), a.data.isNumericForStats else { throw LuaScriptError("column '\(a.name)' is \(a.dtype.rawValue), numbers expected") }
            guard x.count == b.count else { throw LuaArgumentError(2, "has \(b.count) values, column '\(a.name)' has \(x.count)") }
            return c.push(Frame.correlation(x, b, method: method))
        },
    ]
}

extension ColumnData {
    var isNumericForStats: Bool { dtype == .float64 || dtype == .int64 || dtype == .bool }
}
