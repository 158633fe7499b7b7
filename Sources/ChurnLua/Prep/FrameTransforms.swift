import CLua
import ChurnCore
import LuaRuntime

/// A grouped frame (`cl.GroupBy`), from `df:group_by(...)`; call `:agg{...}`.
public final class GroupByObject: LuaObject {
    public static let luaTypeName = "cl.GroupBy"
    public let grouped: GroupedFrame
    public init(_ g: GroupedFrame) { self.grouped = g }
}

/// Frame methods that transform frames: select, drop, rename, filter, mutate,
/// sort_by, group_by, join, concat, dropna, fillna, distinct, sample, pivot.
enum FrameTransforms {
    static func register(_ cl: ModuleBuilder) {
        cl.state.register(GroupByObject.self, LuaClass(methods: ["agg": agg], metamethods: [
            "__tostring": { c in c.push("<cl.GroupBy by \((try c.object(1, GroupByObject.self).grouped.keys).joined(separator: ", "))>") },
        ]))
        cl.function("concat", "concat{df1, df2, ...}", "Stacks frames vertically; columns must match by name and type (text dictionaries are merged).") { c in
            let t = try c.table(1)
            var frames: [Frame] = []
            for i in 0..<t.length {
                lua_rawgeti(c.L, 1, lua_Integer(i + 1))
                defer { lua_settop(c.L, -2) }
                guard c.isObject(-1, FrameObject.self) else {
                    throw LuaArgumentError(1, "element \(i + 1) must be a cl.Frame, got \(c.typeName(-1))")
                }
                frames.append(try c.object(lua_absindex(c.L, -1), FrameObject.self).frame)
            }
            return c.push(frame: try c.core { try Frame.concat(frames) })
        }
    }

    /// Column names given as several string arguments from `first` on, or one array.
    static func names(_ c: LuaCall, from first: Int32) throws -> [String] {
        if c.luaType(first) == LUA_TTABLE { return try c.table(first).arrayOfStrings() }
        var out: [String] = []
        var i = first
        while i <= c.count { out.append(try c.string(i)); i += 1 }
        return out
    }

    static let methods: [String: LuaFunction] = [
        "select": { c in
            let f = try c.frame(1), n = try names(c, from: 2)
            return c.push(frame: try c.core { try f.select(n) })
        },
        "drop": { c in
            let f = try c.frame(1), n = try names(c, from: 2)
            return c.push(frame: try c.core { try f.drop(n) })
        },
        "rename": { c in
            let f = try c.frame(1), t = try c.table(2)
            var mapping: [String: String] = [:]
            for k in t.stringKeys { mapping[k] = try t.string(k) }
            return c.push(frame: try c.core { try f.rename(mapping) })
        },
        "filter": filter,
        "mutate": mutate,
        "with_columns": mutate,
        "sort_by": { c in
            let f = try c.frame(1)
            let keys = c.luaType(2) == LUA_TSTRING ? [try c.string(2)] : try c.table(2).arrayOfStrings()
            let opts = try c.options(3)
            try opts.checkKeys(["descending", "nulls_last"])
            var desc = [Bool](repeating: false, count: keys.count)
            if let d = try? opts.bool("descending") { desc = [Bool](repeating: d, count: keys.count) } else if let t = try opts.table("descending") {
                for i in 0..<min(t.length, keys.count) {
                    lua_rawgeti(c.L, lua_absindex(c.L, -1), lua_Integer(i + 1))
                    desc[i] = lua_toboolean(c.L, -1) != 0
                    lua_settop(c.L, -2)
                }
            }
            let nullsLast = try opts.bool("nulls_last") ?? true
            return c.push(frame: try c.core { try f.sortBy(zip(keys, desc).map { SortKey($0, descending: $1) }, nullsLast: nullsLast) })
        },
        "group_by": { c in
            let f = try c.frame(1), keys = try names(c, from: 2)
            return c.push(object: GroupByObject(try c.core { try f.groupBy(keys) }))
        },
        "join": { c in
            let f = try c.frame(1), other = try c.frame(2)
            let opts = try c.options(3)
            try opts.checkKeys(["on", "right_on", "how", "suffix"])
            guard let on = try opts.strings("on") else { throw LuaArgumentError(3, "join needs 'on' (a key name or an array of names)") }
            let howName = try opts.string("how") ?? "inner"
            guard let how = JoinHow(rawValue: howName) else {
                throw LuaArgumentError(3, "how = '\(howName)': expected inner, left, outer, semi or anti")
            }
            let suffix = try opts.string("suffix") ?? "_right"
            let rightOn = try opts.strings("right_on")
            return c.push(frame: try c.core { try f.join(other, on: on, rightOn: rightOn, how: how, suffixes: ("", suffix)) })
        },
        "concat": { c in
            var frames = [try c.frame(1)]
            var i: Int32 = 2
            while i <= c.count { frames.append(try c.frame(i)); i += 1 }
            return c.push(frame: try c.core { try Frame.concat(frames) })
        },
        "dropna": { c in
            let f = try c.frame(1), opts = try c.options(2)
            try opts.checkKeys(["subset", "nan"])
            let subset = try opts.strings("subset"), nan = try opts.bool("nan") ?? false
            return c.push(frame: try c.core { try f.dropna(subset: subset, nanAsNull: nan) })
        },
        "fillna": { c in
            let f = try c.frame(1), t = try c.table(2)
            var values: [String: CellValue] = [:]
            for k in t.stringKeys {
                _ = t.push(k)
                defer { lua_settop(c.L, -2) }
                values[k] = try ExprBinding.cell(c, -1, arg: 2, what: "fill values")
            }
            return c.push(frame: try c.core { try f.fillna(values) })
        },
        "distinct": { c in
            let f = try c.frame(1)
            let subset = c.count >= 2 ? try names(c, from: 2) : nil
            return c.push(frame: try c.core { try f.distinct(subset: subset) })
        },
        "sample": { c in
            let f = try c.frame(1), opts = try c.options(2)
            try opts.checkKeys(["n", "frac", "seed"])
            let seed = try opts.seed()
            return c.push(frame: try c.core {
                try f.sample(n: try opts.integer("n", in: OptionRange.size), frac: try opts.number("frac", in: .probability), seed: seed)
            })
        },
        "pivot": { c in
            let f = try c.frame(1), opts = try c.table(2)
            try opts.checkKeys(["index", "columns", "values", "agg"])
            func need(_ k: String) throws -> String {
                guard let v = try opts.string(k) else { throw LuaArgumentError(2, "pivot needs '\(k)'") }
                return v
            }
            let op = try aggOp(try opts.string("agg") ?? "mean", q: nil, arg: 2)
            return c.push(frame: try c.core { try f.pivot(index: need("index"), columns: need("columns"), values: need("values"), agg: op) })
        },
    ]

    /// filter(expr | bool column | function(row) -> boolean).
    static let filter: LuaFunction = { c in
        let f = try c.frame(1)
        if c.isObject(2, ExprObject.self) {
            let e = try c.object(2, ExprObject.self).expr
            return c.push(frame: try c.core { try f.filter(e) })
        }
        if c.isObject(2, ColumnObject.self) {
            let m = try c.object(2, ColumnObject.self).column
            return c.push(frame: try c.core { try f.filter(mask: m) })
        }
        guard c.luaType(2) == LUA_TFUNCTION else {
            throw LuaArgumentError(2, "cl.Expr, bool column or function(row) expected, got \(c.typeName(2))")
        }
        // Slow path: call the Lua function once per row with the row as a table.
        try c.reserve(4)
        var mask = [Bool](repeating: false, count: f.nrow)
        for i in 0..<f.nrow {
            lua_pushvalue(c.L, 2)
            let t = c.newTable(record: f.ncol)
            for col in f.columns { LuaColumns.pushValue(c, col, i); t.setTop(col.name) }
            try c.pcall(nargs: 1, nresults: 1)
            mask[i] = lua_toboolean(c.L, -1) != 0
            lua_settop(c.L, -2)
        }
        return c.push(frame: try c.core { try f.filter(mask: mask) })
    }

    /// mutate{name = expr | column | value | function(row), ...}: new columns computed from the input frame (sorted by name when new).
    static let mutate: LuaFunction = { c in
        let f = try c.frame(1), t = try c.table(2)
        var cols: [Column] = []
        for k in t.stringKeys.sorted() {
            _ = t.push(k)
            defer { lua_settop(c.L, -2) }
            let idx = lua_absindex(c.L, -1)
            if c.isObject(idx, ColumnObject.self) {
                cols.append(try c.object(idx, ColumnObject.self).column.renamed(k))
            } else if lua_type(c.L, idx) == LUA_TFUNCTION {
                // Slow path: fn(row) once per row (row = the input frame's values).
                cols.append(try FrameAnalysis.perRow(c, f, fnIndex: idx, name: k))
            } else {
                let e = try ExprBinding.value(c, idx, arg: 2)
                cols.append(try c.core { try e.evaluate(on: f).renamed(k) })
            }
        }
        return c.push(frame: try c.core { try f.withColumns(cols) })
    }

    static func aggOp(_ name: String, q: Double?, arg: Int32) throws -> AggOp {
        switch name {
        case "count", "size", "n": return .count
        case "sum": return .sum
        case "mean", "avg": return .mean
        case "min": return .min
        case "max": return .max
        case "std": return .std
        case "nunique", "n_unique": return .nunique
        case "first": return .first
        case "last": return .last
        case "quantile", "median":
            let v = name == "median" ? 0.5 : (q ?? 0.5)
            return .quantile(v)
        default:
            throw LuaArgumentError(arg, "unknown aggregate '\(name)' (count, sum, mean, min, max, std, nunique, first, last, quantile, median)")
        }
    }

    /// gb:agg{out = "count" | {"op", "column" [, q]}, ...} [, {sort = true}]
    /// Output: key columns, then the aggregates sorted by output name.
    static let agg: LuaFunction = { c in
        let g = try c.object(1, GroupByObject.self).grouped
        let t = try c.table(2)
        let opts = try c.options(3)
        try opts.checkKeys(["sort"])
        var specs: [AggSpec] = []
        for name in t.stringKeys.sorted() {
            switch t.value(name, depth: 2) {
            case .string(let op):
                guard op == "count" || op == "size" || op == "n" else {
                    throw LuaArgumentError(2, "field '\(name)': '\(op)' needs a column: write {\"\(op)\", \"column\"}")
                }
                specs.append(AggSpec(nil, .count, as: name))
            case .table(let kv):
                let items = kv.filter { if case .integer = $0.key { return true }; return false }
                    .sorted { if case .integer(let a) = $0.key, case .integer(let b) = $1.key { return a < b }; return false }
                    .map(\.value)
                guard items.count >= 2, case .string(let op) = items[0], case .string(let col) = items[1] else {
                    throw LuaArgumentError(2, "field '\(name)': expected {\"op\", \"column\"} or {\"quantile\", \"column\", q}")
                }
                let q = items.count > 2 ? items[2].asDouble : nil
                specs.append(AggSpec(col, try aggOp(op, q: q, arg: 2), as: name))
            default:
                throw LuaArgumentError(2, "field '\(name)': expected \"count\" or {\"op\", \"column\"}")
            }
        }
        let sort = try opts.bool("sort") ?? true
        return c.push(frame: try c.core { try g.agg(specs, sort: sort) })
    }
}
