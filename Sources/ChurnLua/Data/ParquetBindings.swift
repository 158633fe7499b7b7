import ChurnCore
import LuaRuntime

/// `cl.read_parquet` and `df:write_parquet`: argument checking only; the
/// reader and writer are ChurnCore's (IO/Parquet).
enum ParquetBindings {
    static func register(_ cl: ModuleBuilder) {
        cl.function("read_parquet", "read_parquet(path [, {columns =}])",
                    "Reads a Parquet file (flat schema) on all cores: BOOLEAN, INT32/INT64 (with INT8/16, DATE, TIMESTAMP ms/us/ns, " +
                    "DECIMAL as float), INT96 timestamps, FLOAT/DOUBLE, UTF-8 strings; PLAIN and dictionary encodings, data pages v1 " +
                    "and v2, any number of row groups, nulls; snappy, gzip, zstd or no compression. `columns` reads only those, in " +
                    "that order. Nested columns, DELTA encodings and LZ4 are refused with a message naming them.") { c in
            let path = try c.pathArgument(1)
            let opts = try c.options(2)
            try opts.checkKeys(["columns"])
            let o = ParquetReadOptions(columns: try opts.strings("columns"))
            return c.push(frame: try c.withInputFile(path) { p in try c.core { try Frame.readParquet(path: p, options: o) } })
        }
    }

    static let methods: [String: LuaFunction] = [
        "write_parquet": { c in
            let f = try c.frame(1)
            let path = try c.pathArgument(2)
            let opts = try c.options(3)
            try opts.checkKeys(["compression", "row_group_size", "dictionary", "statistics", "data_page_version"])
            var o = ParquetWriteOptions()
            if let s = try opts.string("compression") {
                guard ParquetWriteOptions.compressions.contains(s) else {
                    throw LuaArgumentError(3, "field 'compression' must be one of \(ParquetWriteOptions.compressions.joined(separator: ", ")), got '\(s)'")
                }
                o.compression = s
            }
            if let n = try opts.integer("row_group_size", in: 1...Int(Int32.max)) { o.rowGroupSize = n }
            if let d = try opts.bool("dictionary") { o.dictionary = d }
            if let st = try opts.bool("statistics") { o.statistics = st }
            if let v = try opts.integer("data_page_version", in: ParquetWriteOptions.dataPageVersions) { o.dataPageVersion = v }
            try c.withOutputFile(path) { p in try c.core { try f.writeParquet(path: p, options: o) } }
            return 0
        },
    ]
}
