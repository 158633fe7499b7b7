import CSQLite

/// A query parameter for `Frame.readSQLite` (Lua numbers, strings and nil map onto these).
public enum SQLiteValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
}

/// How `writeSQLite` treats an existing table.
public enum SQLiteWriteMode: String, Sendable, CaseIterable {
    /// Drop the table (if any) and create it from the frame's columns.
    case replace
    /// Insert into the table, creating it when missing; columns are matched by name.
    case append
}

/// An SQLite failure: the database file, what was being done, and SQLite's message.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let message: String
    public var description: String { "\(file): \(message)" }
}

/// Type mapping between frames and SQLite.
///
/// Writing: float → REAL (SQLite stores NaN as NULL and -0.0 as 0),
/// int → INTEGER, bool → BOOLEAN (0/1), string and category → TEXT, date → DATE
/// as ISO text `YYYY-MM-DD`, timestamp → TIMESTAMP as ISO text
/// `YYYY-MM-DDTHH:MM:SS[.ffffff]` (UTC), which SQLite's date functions understand.
///
/// Reading: a column whose values are all integers is int, integers and reals
/// float, any text makes it string (numbers shown as text); a column declared
/// BOOL… holding only 0/1 is bool, DATE holding ISO dates is date, TIMESTAMP or
/// DATETIME holding ISO timestamps is timestamp. All-null columns take their
/// type from the declaration (INT… int, REAL/FLOA/DOUB float, else string).
/// BLOB values are an error.
extension Frame {
    /// `confined` (a sandboxed script): the path must contain no symbolic link,
    /// and the query may only read the opened database (see `SQLiteConfinement`).
    public static func readSQLite(path: String, sql: String, params: [SQLiteValue] = [], confined: Bool = false) throws -> Frame {
        let db = try SQLiteConnection(path: path, readOnly: true, confined: confined)
        let stmt = try db.prepare(sql)
        defer { sqlite3_finalize(stmt) }
        if confined && sqlite3_stmt_readonly(stmt) == 0 {
            throw SQLiteError(file: path, message: "not authorized: a sandboxed query may only read the database")
        }
        let expected = Int(sqlite3_bind_parameter_count(stmt))
        guard expected == params.count else {
            throw SQLiteError(file: path, message: "query has \(expected) parameter(s), \(params.count) given")
        }
        for (i, p) in params.enumerated() { try db.bind(stmt, Int32(i + 1), p) }
        let ncol = Int(sqlite3_column_count(stmt))
        var names: [String] = []
        var decl: [String] = []
        for j in 0..<ncol {
            names.append(sqlite3_column_name(stmt, Int32(j)).map { String(cString: $0) } ?? "column_\(j + 1)")
            decl.append(sqlite3_column_decltype(stmt, Int32(j)).map { String(cString: $0).uppercased() } ?? "")
        }
        var cells = [[SQLiteValue]](repeating: [], count: ncol)
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw db.error("query failed") }
            for j in 0..<ncol {
                let c = Int32(j)
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: cells[j].append(.int(sqlite3_column_int64(stmt, c)))
                case SQLITE_FLOAT: cells[j].append(.double(sqlite3_column_double(stmt, c)))
                case SQLITE_TEXT:
                    let n = Int(sqlite3_column_bytes(stmt, c))
                    let p = sqlite3_column_text(stmt, c)
                    cells[j].append(.text(p.map { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) } ?? ""))
                case SQLITE_NULL: cells[j].append(.null)
                default:
                    throw SQLiteError(file: path, message: "column '\(names[j])' holds a BLOB, which frames cannot store")
                }
            }
        }
        var seen: [String: Int] = [:]
        var cols: [Column] = []
        for j in 0..<ncol {
            var name = names[j]
            if let k = seen[name] { seen[name] = k + 1; name = "\(name).\(k)" } else { seen[name] = 1 }
            cols.append(SQLiteColumns.column(name, cells[j], declared: decl[j]))
        }
        return try Frame(cols)
    }

    /// Writes the frame to `table` in one transaction: on any failure the
    /// transaction is rolled back and the table is as it was.
    /// `confined` (a sandboxed script): no symbolic link in the path, and only
    /// the opened database can be written (see `SQLiteConfinement`).
    public func writeSQLite(path: String, table: String, mode: SQLiteWriteMode = .replace, confined: Bool = false) throws {
        guard !table.isEmpty else { throw SQLiteError(file: path, message: "table name is empty") }
        let db = try SQLiteConnection(path: path, readOnly: false, confined: confined)
        let t = SQLiteColumns.quote(table)
        try db.exec("BEGIN IMMEDIATE")
        do {
            if mode == .replace { try db.exec("DROP TABLE IF EXISTS \(t)") }
            let defs = columns.map { "\(SQLiteColumns.quote($0.name)) \(SQLiteColumns.declaredType($0.dtype))" }
            try db.exec("CREATE TABLE IF NOT EXISTS \(t) (\(defs.joined(separator: ", ")))")
            let names = columns.map { SQLiteColumns.quote($0.name) }.joined(separator: ", ")
            let marks = [String](repeating: "?", count: ncol).joined(separator: ", ")
            let stmt = try db.prepare("INSERT INTO \(t) (\(names)) VALUES (\(marks))")
            defer { sqlite3_finalize(stmt) }
            for i in 0..<nrow {
                for (j, c) in columns.enumerated() { try db.bind(stmt, Int32(j + 1), SQLiteColumns.value(c, i)) }
                guard sqlite3_step(stmt) == SQLITE_DONE else { throw db.error("insert of row \(i + 1) into \(table) failed") }
                sqlite3_reset(stmt)
            }
            try db.exec("COMMIT")
        } catch {
            _ = sqlite3_exec(db.handle, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }
}

/// An open database; closed when released.
final class SQLiteConnection {
    let handle: OpaquePointer
    let path: String

    init(path: String, readOnly: Bool, confined: Bool = false) throws {
        var h: OpaquePointer? = nil
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | (confined ? SQLITE_OPEN_NOFOLLOW : 0)
        let rc = sqlite3_open_v2(path, &h, flags, nil)
        guard rc == SQLITE_OK, let h else {
            let msg = h.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let h { sqlite3_close(h) }
            throw SQLiteError(file: path, message: "cannot open database: \(msg)")
        }
        handle = h
        self.path = path
        sqlite3_busy_timeout(h, 5000)
        if confined { SQLiteConfinement.apply(h, readOnly: readOnly) }
    }

    deinit { sqlite3_close(handle) }

    func error(_ what: String) -> SQLiteError {
        SQLiteError(file: path, message: "\(what): \(String(cString: sqlite3_errmsg(handle)))")
    }

    func exec(_ sql: String) throws {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw error("\(sql.prefix(60)) failed") }
    }

    /// Prepares exactly one statement.
    func prepare(_ sql: String) throws -> OpaquePointer {
        var stmt: OpaquePointer? = nil
        var tail: UnsafePointer<CChar>? = nil
        let rc = sql.withCString { sqlite3_prepare_v2(handle, $0, -1, &stmt, &tail) }
        guard rc == SQLITE_OK, let stmt else { throw error("cannot prepare query") }
        if let tail, !String(cString: tail).allSatisfy({ $0.isWhitespace || $0 == ";" }) {
            sqlite3_finalize(stmt)
            throw SQLiteError(file: path, message: "query must be a single SQL statement")
        }
        return stmt
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ stmt: OpaquePointer, _ i: Int32, _ v: SQLiteValue) throws {
        let rc: Int32
        switch v {
        case .null: rc = sqlite3_bind_null(stmt, i)
        case .int(let x): rc = sqlite3_bind_int64(stmt, i, x)
        case .double(let x): rc = sqlite3_bind_double(stmt, i, x)
        case .text(let s): rc = sqlite3_bind_text(stmt, i, s, -1, SQLiteConnection.transient)
        }
        guard rc == SQLITE_OK else { throw error("cannot bind parameter \(i)") }
    }
}

enum SQLiteColumns {
    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func declaredType(_ t: DType) -> String {
        switch t {
        case .float64: return "REAL"
        case .int64: return "INTEGER"
        case .bool: return "BOOLEAN"
        case .string, .category: return "TEXT"
        case .date: return "DATE"
        case .timestamp: return "TIMESTAMP"
        }
    }

    static func value(_ c: Column, _ i: Int) -> SQLiteValue {
        if c.isNull(i) { return .null }
        switch c.data {
        case .float64(let v): return .double(v[i])
        case .int64(let v): return .int(v[i])
        case .bool(let v): return .int(v[i] ? 1 : 0)
        case .string(let k, let d), .category(let k, let d): return .text(d[Int(k[i])])
        case .date(let v): return .text(CellText.date(v[i]))
        case .timestamp(let v): return .text(CellText.timestamp(v[i]))
        }
    }

    static func column(_ name: String, _ cells: [SQLiteValue], declared: String) -> Column {
        var ints = 0, doubles = 0, texts = 0
        for c in cells {
            switch c {
            case .int: ints += 1
            case .double: doubles += 1
            case .text: texts += 1
            case .null: break
            }
        }
        let nulls = cells.map { $0 == .null }
        func textBytes(_ s: String) -> [UInt8] { Array(s.utf8) }
        if texts > 0, ints + doubles == 0 {
            if declared.contains("DATE"), !declared.contains("TIME") {
                let d = cells.map { c -> Int32? in
                    guard case .text(let s) = c else { return 0 }
                    return textBytes(s).withUnsafeBufferPointer { FieldParse.isoDate($0.baseAddress!, $0.count) }
                }
                if !d.contains(nil) { return Column(name: name, data: .date(d.map { $0! }), validity: Validity(nulls.map { !$0 })) }
            }
            if declared.contains("TIMESTAMP") || declared.contains("DATETIME") {
                let t = cells.map { c -> Int64? in
                    guard case .text(let s) = c else { return 0 }
                    return textBytes(s).withUnsafeBufferPointer { FieldParse.isoTimestamp($0.baseAddress!, $0.count) }
                }
                if !t.contains(nil) { return Column(name: name, data: .timestamp(t.map { $0! }), validity: Validity(nulls.map { !$0 })) }
            }
        }
        if texts > 0 || (ints + doubles == 0 && !declared.contains("INT") && !["REAL", "FLOA", "DOUB"].contains(where: declared.contains)) {
            return .string(name, cells.map { c in
                switch c {
                case .null: return nil
                case .int(let x): return String(x)
                case .double(let x): return CellText.float(x)
                case .text(let s): return s
                }
            })
        }
        if doubles > 0 || (ints == 0 && !declared.contains("INT")) {
            return .float(name, cells.map { c in
                switch c {
                case .int(let x): return Double(x)
                case .double(let x): return x
                default: return 0
                }
            }, nulls: nulls)
        }
        let v = cells.map { c -> Int64 in if case .int(let x) = c { return x } else { return 0 } }
        if declared.contains("BOOL"), v.allSatisfy({ $0 == 0 || $0 == 1 }) {
            return .bool(name, v.map { $0 == 1 }, nulls: nulls)
        }
        return .int(name, v, nulls: nulls)
    }
}
