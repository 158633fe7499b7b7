import CLua
import ChurnCore
import LuaRuntime

/// `cl.frame{...}` and the basic `cl.Frame` / `cl.Column` methods: shape,
/// names, column access, conversion to Lua tables.
enum FrameBasics {
    static func register(_ cl: ModuleBuilder) {
        FrameAnalysis.register(cl)
        let frameMethods = FrameMethods.merged(FrameMethods.all, kind: "cl.Frame")
        // The `__index` metamethod replaces the methods-first lookup: columns win for
        // df.name / df["name"], df:name(...) stays the method (the rule is in FrameIndex).
        cl.state.register(FrameObject.self, LuaClass(
            methods: frameMethods,
            metamethods: [
                "__len": { c in c.push(try c.frame(1).nrow) },
                "__tostring": { c in c.push(try c.frame(1).render(maxWidth: TerminalWidth.current())) },
                "__index": FrameIndex.index(methodNames: Set(frameMethods.keys)),
            ]))
        let columnMethods = FrameMethods.merged(FrameMethods.columnSets, kind: "cl.Column")
        cl.state.register(ColumnObject.self, LuaClass(
            methods: columnMethods,
            metamethods: [
                "__len": { c in c.push(try c.object(1, ColumnObject.self).column.count) },
                // Like a pandas Series: the first and last values, then name, dtype and length.
                "__tostring": { c in c.push(try c.object(1, ColumnObject.self).column.renderHead()) },
                "__call": FrameIndex.callShadowed,
            ].merging(ColumnOperators.metamethods) { a, _ in a }))

        lua_pushlightuserdata(cl.state.L, LuaColumns.nullSentinel)
        cl.state.push("null"); lua_rotate(cl.state.L, -2, 1); cl.rawsetTop()
        cl.doc("null", "null", "A null value inside Lua arrays given to cl.frame (a plain nil at the end of an array is dropped by Lua).")

        cl.function("frame", "frame{col = {...} | column, ...} or frame(columns, {names = {...}})",
                    "Builds a frame from Lua arrays or cl.Column values (df.x, df.a * 2), one per column (numbers → float or int, strings → string, booleans → bool, nil → null). Give `names` to fix the column order (default: sorted).") { c in
            let t = try c.table(1)
            let opts = try c.options(2)
            try opts.checkKeys(["names"])
            let names = try opts.strings("names") ?? t.stringKeys.sorted()
            var columns: [Column] = []
            for name in names {
                let kind = t.push(name)
                if kind == LUA_TUSERDATA, c.isObject(-1, ColumnObject.self) {
                    // cl.frame{x = df.a, y = other.b}: columns are taken as they are (renamed).
                    let col = try c.object(lua_absindex(c.L, -1), ColumnObject.self).column
                    lua_settop(c.L, -2)
                    columns.append(col.renamed(name))
                    continue
                }
                guard kind == LUA_TTABLE else {
                    lua_settop(c.L, -2)
                    throw LuaArgumentError(1, "field '\(name)' must be an array of values or a cl.Column")
                }
                let values = LuaColumns.arrayValues(c.L, -1)
                lua_settop(c.L, -2)
                columns.append(try c.core { try LuaColumns.column(name: name, values: values) })
            }
            if let n = columns.first?.count, let bad = columns.first(where: { $0.count != n }) {
                throw LuaArgumentError(1, "column '\(bad.name)' has \(bad.count) values but '\(columns[0].name)' has \(n) " +
                                          "(a nil at the end of a Lua array does not count: write cl.null)")
            }
            return c.push(frame: try c.core { try Frame(columns) })
        }
    }

    static let methods: [String: LuaFunction] = [
        "bad_rows": { c in
            // What the reader skipped or nulled, as a frame (line, column, column_name, reason).
            let rows = try c.object(1, FrameObject.self).badRows
            return c.push(frame: try c.core { try Frame([
                .int("line", rows.map { Int64($0.line) }),
                .int("column", rows.map { Int64($0.column ?? 0) }, nulls: rows.map { $0.column == nil }),
                .string("column_name", rows.map { $0.columnName }),
                .string("reason", rows.map { $0.reason }),
            ]) })
        },
        "to_matrix": { c in
            // Rows as Lua arrays ({ {x11, x12, ...}, ... }, row-major) or, with
            // layout = "column", one array per column; nulls become NaN.
            let f = try c.frame(1)
            let o = try c.options(2)
            try o.checkKeys(["columns", "layout"])
            let m = try c.core { try f.denseMatrix(columns: try o.strings("columns")) }
            let layout = try o.string("layout") ?? "row"
            guard layout == "row" || layout == "column" else {
                throw LuaArgumentError(2, "field 'layout': 'row' or 'column' expected, got '\(layout)'")
            }
            let outer = layout == "row" ? m.rows : m.cols, inner = layout == "row" ? m.cols : m.rows
            try c.reserve(4)
            lua_createtable(c.L, c.arrayPresize(outer), 0)
            for a in 0..<outer {
                // Every ~4096 values: at the limit the call fails with "memory limit exceeded".
                if a % max(1, LuaCall.memoryCheckInterval / max(inner, 1)) == 0 && c.isOverMemoryLimit { break }
                lua_createtable(c.L, c.arrayPresize(inner), 0)
                for b in 0..<inner {
                    lua_pushnumber(c.L, layout == "row" ? m[a, b] : m[b, a])
                    lua_rawseti(c.L, -2, lua_Integer(b + 1))
                }
                lua_rawseti(c.L, -2, lua_Integer(a + 1))
            }
            c.pushArray(m.columnNames)
            return 2
        },
        "nrow": { c in c.push(try c.frame(1).nrow) },
        "ncol": { c in c.push(try c.frame(1).ncol) },
        "estimated_size": { c in c.push(try c.frame(1).storageBytes) },
        "names": { c in c.pushArray(try c.frame(1).names) },
        "types": { c in
            let f = try c.frame(1)
            let t = c.newTable(record: f.ncol)
            for col in f.columns { t.set(col.name, col.dtype.rawValue) }
            return 1
        },
        "column": { c in
            let f = try c.frame(1)
            let name = try c.string(2)
            return c.push(column: try c.core { try f.column(name) })
        },
        "row": { c in
            let f = try c.frame(1)
            let i = try c.integer(2, in: 1...Swift.max(1, f.nrow))
            guard i <= f.nrow else { throw LuaArgumentError(2, "row \(i) out of range 1..\(f.nrow)") }
            let t = c.newTable(record: f.ncol)
            for col in f.columns { LuaColumns.pushValue(c, col, i - 1); t.setTop(col.name) }
            return 1
        },
    ]
}

enum ColumnBasics {
    static let methods: [String: LuaFunction] = [
        "name": { c in c.push(try c.object(1, ColumnObject.self).column.name) },
        "type": { c in c.push(try c.object(1, ColumnObject.self).column.dtype.rawValue) },
        "to_table": { c in
            let col = try c.object(1, ColumnObject.self).column
            lua_createtable(c.L, c.arrayPresize(col.count), 0)
            for i in 0..<col.count {
                if c.mustStopFilling(i) { break }   // the call then fails with "memory limit exceeded"
                LuaColumns.pushValue(c, col, i)
                lua_rawseti(c.L, -2, lua_Integer(i + 1))
            }
            return 1
        },
    ]
}
