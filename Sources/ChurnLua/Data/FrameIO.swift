import CLua
import ChurnCore
import Foundation
import LuaRuntime

/// `cl.read_csv`, `cl.read_sqlite`, `df:write_csv`, `df:write_sqlite`,
/// `df:head/tail/describe/show/html` and the column statistics
/// (`col:sum() :mean() :std() :min() :max() :quantile(q) :unique()
/// :value_counts() :is_null() :nunique()`). Arguments are checked and converted
/// here; the work is ChurnCore's (IO/ and Format/).
enum FrameIO {
    /// Widths of rendered text (df:show): 1…100000 characters.
    static let textWidth = 1...100_000
    static func register(_ cl: ModuleBuilder) {
        cl.function("read_csv", "read_csv(path [, {sep =, header =, na =, types =, columns =, timestamp_format =, date_format =, bad_rows =}])",
                    "Reads a CSV file on all cores (gzip-compressed files too, recognised by their first bytes): RFC 4180 quoting, UTF-8, BOM, CRLF; types inferred (int, float, bool, date, timestamp, string) " +
                    "unless given in `types` ({col = 'string'|'int'|'float'|'bool'|'date'|'timestamp'|'category'}); unquoted fields in `na` " +
                    "(default {'', 'NA', 'N/A', 'null', 'NULL'}) are null, NaN is the float NaN. bad_rows = 'error' (default) | 'skip' | 'null'; " +
                    "returns the frame and an array of bad rows {line =, column =, reason =}, with a warning when there are any.") { c in
            let path = try c.pathArgument(1)
            let opts = try c.options(2)
            try opts.checkKeys(["sep", "header", "na", "types", "columns", "timestamp_format", "date_format", "bad_rows"])
            var o = CSVReadOptions()
            if let s = try opts.string("sep") { o.sep = s }
            if let h = try opts.bool("header") { o.header = h }
            if let na = try opts.strings("na") { o.na = na }
            o.columns = try opts.strings("columns")
            o.timestampFormat = try opts.string("timestamp_format")
            o.dateFormat = try opts.string("date_format")
            if let b = try opts.string("bad_rows") {
                guard let p = BadRowPolicy(rawValue: b) else {
                    throw LuaArgumentError(2, "field 'bad_rows' must be 'error', 'skip' or 'null', got '\(b)'")
                }
                o.badRows = p
            }
            if let t = try opts.table("types") {
                for key in t.stringKeys.sorted() {
                    let name = try t.string(key) ?? ""
                    guard let d = DType(rawValue: name) else {
                        throw LuaArgumentError(2, "field 'types.\(key)' must be one of string, int, float, bool, date, timestamp, category; got '\(name)'")
                    }
                    o.types[key] = d
                }
            }
            let r = try c.withInputFile(path) { p in try c.core { try Frame.readCSV(path: p, options: o) } }
            c.push(object: FrameObject(r.frame, badRows: r.badRows))
            let bad = c.newTable(array: r.badRows.count)
            for (i, b) in r.badRows.enumerated() {
                let row = c.newTable(record: 4)
                row.set("line", b.line)
                if let col = b.column { row.set("column", col) }
                if let n = b.columnName { row.set("column_name", n) }
                row.set("reason", b.reason)
                bad.setTop(i + 1)
            }
            if let first = r.badRows.first {
                let verb = o.badRows == .skip ? "skipped" : "nulled"
                FileHandle.standardError.write(Data(("warning: read_csv \(path): \(r.badRows.count) bad row(s) \(verb); first: \(first) " +
                                                     "(the second result lists them)\n").utf8))
            }
            return 2
        }

        cl.function("read_sqlite", "read_sqlite(path, sql [, {params...}])",
                    "Runs one SQL query on an SQLite database and returns the result as a frame. Parameters (`?`) are bound from the array: " +
                    "integers, numbers, strings, cl.null. INTEGER columns become int, REAL float, TEXT string; DATE / TIMESTAMP columns " +
                    "holding ISO text become date / timestamp, BOOLEAN 0/1 bool.") { c in
            let path = try c.pathArgument(1)
            let sql = try c.string(2)
            var params: [SQLiteValue] = []
            if !c.isNoneOrNil(3) {
                _ = try c.table(3)
                for (i, v) in LuaColumns.arrayValues(c.L, 3).enumerated() {
                    switch v {
                    case .nil: params.append(.null)
                    case .integer(let x): params.append(.int(x))
                    case .number(let x): params.append(.double(x))
                    case .string(let s): params.append(.text(s))
                    case .bool(let b): params.append(.int(b ? 1 : 0))
                    default: throw LuaArgumentError(3, "parameter \(i + 1) must be a number, string, boolean or cl.null, got \(v)")
                    }
                }
            }
            let db = try c.databaseFile(path, write: false)
            return c.push(frame: try c.core { try Frame.readSQLite(path: db.path, sql: sql, params: params, confined: db.confined) })
        }
    }

    static let methods: [String: LuaFunction] = [
        "write_csv": { c in
            let f = try c.frame(1)
            let path = try c.pathArgument(2)
            let opts = try c.options(3)
            try opts.checkKeys(["sep", "header"])
            let o = CSVWriteOptions(sep: try opts.string("sep") ?? ",", header: try opts.bool("header") ?? true)
            try c.withOutputFile(path) { p in try c.core { try f.writeCSV(path: p, options: o) } }
            return 0
        },
        "write_sqlite": { c in
            let f = try c.frame(1)
            let path = try c.pathArgument(2)
            let table = try c.string(3)
            let opts = try c.options(4)
            try opts.checkKeys(["mode"])
            let m = try opts.string("mode") ?? "replace"
            guard let mode = SQLiteWriteMode(rawValue: m) else {
                throw LuaArgumentError(4, "field 'mode' must be 'replace' or 'append', got '\(m)'")
            }
            let db = try c.databaseFile(path, write: true)
            try c.core { try f.writeSQLite(path: db.path, table: table, mode: mode, confined: db.confined) }
            return 0
        },
        // n in ±2^31; a negative n drops rows from the other end.
        "head": { c in c.push(frame: try c.frame(1).head(try c.optInteger(2, in: -OptionLimits.size...OptionLimits.size) ?? 5)) },
        "tail": { c in c.push(frame: try c.frame(1).tail(try c.optInteger(2, in: -OptionLimits.size...OptionLimits.size) ?? 5)) },
        "describe": { c in
            let f = try c.frame(1)
            return c.push(frame: try c.core { try f.describe() })
        },
        "show": { c in
            let f = try c.frame(1)
            let opts = try c.options(2)
            try opts.checkKeys(["max_rows", "max_width", "max_cell_width"])
            return c.push(f.render(maxRows: try opts.integer("max_rows", in: OptionRange.size) ?? 10,
                                   maxWidth: try opts.integer("max_width", in: FrameIO.textWidth) ?? TerminalWidth.current(),
                                   maxCellWidth: try opts.integer("max_cell_width", in: FrameIO.textWidth) ?? 24))
        },
        "html": { c in
            let f = try c.frame(1)
            let opts = try c.options(2)
            try opts.checkKeys(["max_rows"])
            return c.push(f.htmlTable(maxRows: try opts.integer("max_rows", in: OptionRange.size) ?? 20))
        },
    ]

    static let columnMethods: [String: LuaFunction] = [
        "sum": { c in
            let col = try column(c)
            if col.dtype == .int64 || col.dtype == .bool {
                // Exact, or an error: an int sum past Int64 is neither wrapped nor silently made a float.
                guard let s = try c.core({ try col.integerSum() }) else {
                    throw LuaScriptError("sum of int column '\(col.name)' overflows a 64-bit integer; convert it to float first (multiply by 1.0)")
                }
                lua_pushinteger(c.L, lua_Integer(s)); return 1
            }
            return c.push(try c.core { try col.sum() })
        },
        "mean": { c in let col = try column(c); return c.push(try c.core { try col.mean() }) },
        "std": { c in
            let col = try column(c)
            let ddof = try c.optInteger(2, in: OptionRange.size) ?? 1
            return c.push(try c.core { try col.std(ddof: ddof) })
        },
        "min": { c in try extreme(c, max: false) },
        "max": { c in try extreme(c, max: true) },
        "quantile": { c in
            let col = try column(c)
            let q = try c.number(2, in: .probability)
            return c.push(try c.core { try col.quantile(q) })
        },
        "unique": { c in c.push(column: try column(c).unique()) },
        "nunique": { c in c.push(try column(c).nunique()) },
        "value_counts": { c in
            let col = try column(c)
            let o = try c.options(2)
            try o.checkKeys(["normalize", "dropna"])
            return c.push(frame: col.valueCounts(normalize: try o.bool("normalize") ?? false, dropna: try o.bool("dropna") ?? true))
        },
        "is_null": { c in c.push(column: try column(c).isNullMask()) },
    ]

    private static func column(_ c: LuaCall) throws -> Column { try c.object(1, ColumnObject.self).column }

    /// min/max in the column's own kind: integers for int, text for string, ISO text for dates.
    private static func extreme(_ c: LuaCall, max: Bool) throws -> Int32 {
        let col = try column(c)
        switch col.dtype {
        case .string, .category:
            return c.push(try c.core { max ? try col.maxText() : try col.minText() })
        case .int64, .timestamp:
            // Exact Int64 extremes: through Double, math.maxinteger became 2^63 and trapped.
            guard let v = try c.core({ max ? try col.integerMax() : try col.integerMin() }) else { return c.pushNil() }
            if col.dtype == .timestamp { return c.push(CoreDates.formatTimestamp(v)) }
            lua_pushinteger(c.L, lua_Integer(v)); return 1
        default:
            guard let v = try c.core({ max ? try col.max() : try col.min() }) else { return c.pushNil() }
            switch col.dtype {
            case .bool: return c.push(v != 0)
            case .date: return c.push(CoreDates.formatDate(Int32(v)))
            default: return c.push(v)
            }
        }
    }
}
