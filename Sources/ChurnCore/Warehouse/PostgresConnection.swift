import CLibPQ
import ExecutionControl
import Foundation

/// A connection to PostgreSQL through libpq, PostgreSQL's own C client.
///
/// Why libpq rather than postgres-nio: a Lua call is synchronous and runs on
/// the caller's thread, so an event loop (NIO) inside it would only be waited
/// on; libpq is small, is what `psql` uses, is packaged by Debian next to the
/// server, and streams a result row by row (single-row mode) so a large result
/// never sits twice in memory. Its asynchronous API (`PQsendQuery` + `poll`)
/// lets the wait check the execution token and send `PQcancel` when a script
/// is interrupted or times out.
///
/// Credentials: a `dsn` holding a password is refused (scripts are text that
/// gets shared, logged and put in manifests). libpq itself reads `PGPASSWORD`,
/// `PGPASSFILE` / `~/.pgpass` and the other `PG*` variables. Every message this
/// type produces has the environment's password removed, in case a server or
/// libpq ever echoes it.
public final class PostgresConnection {
    private let conn: OpaquePointer
    /// The type OIDs of the last `query`'s result columns, by name (a `LIMIT 0` probe reads a table's types).
    public private(set) var lastColumnTypes: [String: UInt32] = [:]
    /// Rows between cancellation and memory checks while streaming.
    static let checkEvery = 4096

    public init(dsn: String) throws {
        try PostgresConnection.refusePassword(dsn)
        // Later keywords override earlier ones: the dsn (expanded from `dbname`) wins over our defaults.
        let keys = ["connect_timeout", "application_name", "dbname"]
        let values = ["10", "churnlab", dsn]
        let c: OpaquePointer? = keys.withCStrings { k in values.withCStrings { v in PQconnectdbParams(k, v, 1) } }
        guard let c else { throw WarehouseError.postgres("out of memory creating a connection") }
        guard PQstatus(c) == CONNECTION_OK else {
            let m = PostgresConnection.redact(String(cString: PQerrorMessage(c)))
            PQfinish(c)
            throw WarehouseError.postgres("cannot connect: \(m.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        conn = c
        // Server notices ("table … does not exist, skipping") would go to stderr: not ours to print.
        _ = PQsetNoticeProcessor(c, { _, _ in }, nil)
        // Text results in forms this type parses exactly: ISO dates, UTC, shortest round-trip floats.
        guard PQsetClientEncoding(c, "UTF8") == 0 else { PQfinish(c); throw WarehouseError.postgres("server cannot send UTF-8") }
        try execute("SET DateStyle = ISO; SET TimeZone = 'UTC'; SET extra_float_digits = 3")
    }

    deinit { PQfinish(conn) }

    /// Refuses a connection string that carries a password, without echoing any of it.
    static func refusePassword(_ dsn: String) throws {
        guard !dsn.utf8.contains(0) else { throw WarehouseError.invalidOption("dsn contains a NUL byte") }
        var err: UnsafeMutablePointer<CChar>? = nil
        guard let opts = PQconninfoParse(dsn, &err) else {
            if let err { PQfreemem(err) }
            // libpq's parse message can quote part of the string (a password too): not shown.
            throw WarehouseError.invalidOption("dsn is not a valid libpq connection string (key=value pairs or a postgresql:// URI)")
        }
        defer { PQconninfoFree(opts) }
        var p = opts
        while let k = p.pointee.keyword {
            if String(cString: k) == "password", let v = p.pointee.val, v.pointee != 0 {
                throw WarehouseError.invalidOption("dsn must not contain a password (scripts get shared and logged): " +
                    "set PGPASSWORD or use a password file (PGPASSFILE, ~/.pgpass)")
            }
            p += 1
        }
    }

    /// `text` without the environment's password (PGPASSWORD), should anything echo it.
    static func redact(_ text: String) -> String {
        guard let pw = ProcessInfo.processInfo.environment["PGPASSWORD"], !pw.isEmpty else { return text }
        return text.replacingOccurrences(of: pw, with: "********")
    }

    private var errorMessage: String {
        PostgresConnection.redact(String(cString: PQerrorMessage(conn))).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: running statements

    /// Runs statements that return no rows (DDL, SET, …).
    public func execute(_ sql: String, params: [String?] = []) throws {
        try send(sql, params: params, singleRow: false)
        var failure: String? = nil
        while let r = try nextResult() {
            defer { PQclear(r) }
            let s = PQresultStatus(r)
            if s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && failure == nil { failure = resultError(r) }
        }
        if let failure { throw WarehouseError.postgres(failure) }
    }

    /// Runs a query (parameters `$1…` bound as text, never spliced into the SQL)
    /// and streams its rows into typed columns: int2/4/8 → int, float4/8 and
    /// numeric → float, bool → bool, date → date, timestamp(tz) → timestamp (UTC),
    /// anything else → string.
    public func query(_ sql: String, params: [String?] = []) throws -> Frame {
        try query(sql, params: params, reporter: nil)
    }

    /// `query` reporting `query` (sent), `running` (heartbeats while the server computes),
    /// `receiving` (the first row, then every 16 Ki rows) and `done`. A handler error cancels the query.
    func query(_ sql: String, params: [String?] = [], reporter: ProgressReporter?) throws -> Frame {
        try send(sql, params: params, singleRow: true)
        try guarded { try reporter?.report("query") }
        var columns: [PostgresColumnReader]? = nil
        var failure: String? = nil
        var rows = 0, bytes = 0
        while let r = try nextResult(beat: rows == 0 ? reporter : nil) {
            defer { PQclear(r) }
            let s = PQresultStatus(r)
            if s == PGRES_COMMAND_OK { continue }   // a statement without rows (ANALYZE, SET…): an empty frame
            guard s == PGRES_SINGLE_TUPLE || s == PGRES_TUPLES_OK else {
                if failure == nil { failure = resultError(r) }
                continue
            }
            if failure != nil { continue }
            if columns == nil {
                columns = (0..<PQnfields(r)).map { PostgresColumnReader(name: String(cString: PQfname(r, $0)), type: PQftype(r, $0)) }
                lastColumnTypes = Dictionary((0..<PQnfields(r)).map { (String(cString: PQfname(r, $0)), PQftype(r, $0)) }, uniquingKeysWith: { a, _ in a })
            }
            for row in 0..<PQntuples(r) {
                for k in 0..<columns!.count {
                    if PQgetisnull(r, row, Int32(k)) == 1 { columns![k].appendNull(); continue }
                    let len = Int(PQgetlength(r, row, Int32(k)))
                    bytes += len + 8
                    do { try columns![k].append(PQgetvalue(r, row, Int32(k)), len) }
                    catch { failure = "column '\(columns![k].name)', row \(rows + 1): \(error)"; cancel() }
                }
                rows += 1
                if rows == 1 || rows % 16384 == 0, let reporter, failure == nil {
                    do { try reporter.report("receiving", rows: rows) } catch { cancel(); drain(); throw error }
                }
                if rows % PostgresConnection.checkEvery == 0 {
                    if ExecutionContext.isCancelled { cancel() }
                    // Parsed columns take about as much as the text, and the frame copies them once.
                    do { try ExecutionContext.checkMemory(2 * bytes, for: "PostgreSQL result (\(rows) rows so far)") }
                    catch { cancel(); drain(); throw error }
                }
            }
        }
        try ExecutionContext.check()
        if let failure { throw WarehouseError.postgres(failure) }
        let frame = try Frame((columns ?? []).map { $0.column() })
        try reporter?.report("done", rows: rows)
        return frame
    }

    /// Runs a progress report; when it throws, the running statement is cancelled and its results drained.
    private func guarded(_ body: () throws -> Void) throws {
        do { try body() } catch { cancel(); drain(); throw error }
    }

    /// Sends a statement; the wait for its results happens in `nextResult`.
    private func send(_ sql: String, params: [String?], singleRow: Bool) throws {
        guard !sql.utf8.contains(0) else { throw WarehouseError.invalidOption("SQL text contains a NUL byte") }
        for p in params where p?.utf8.contains(0) == true { throw WarehouseError.invalidOption("a query parameter contains a NUL byte") }
        let ok: Int32
        if params.isEmpty {
            ok = PQsendQuery(conn, sql)
        } else {
            let cstrs = params.map { $0.map { strdup($0) } ?? nil }
            defer { for p in cstrs { free(p) } }
            ok = cstrs.map { UnsafePointer($0) }.withUnsafeBufferPointer { b in
                PQsendQueryParams(conn, sql, Int32(params.count), nil, b.baseAddress, nil, nil, 0)
            }
        }
        guard ok == 1 else { throw WarehouseError.postgres(errorMessage) }
        if singleRow { _ = PQsetSingleRowMode(conn) }
    }

    /// The next result, waiting on the socket in 100 ms slices so a cancelled
    /// execution token sends `PQcancel` to the server (which then ends the query with an error).
    private func nextResult(beat: ProgressReporter? = nil) throws -> OpaquePointer? {
        var cancelled = false
        while PQisBusy(conn) == 1 {
            if !cancelled && ExecutionContext.isCancelled { cancel(); cancelled = true }
            if let beat, !cancelled {
                do { try beat.heartbeat() } catch { cancel(); drain(); throw error }
            }
            var pfd = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 100)
            guard PQconsumeInput(conn) == 1 else { throw WarehouseError.postgres(errorMessage) }
        }
        return PQgetResult(conn)
    }

    /// Asks the server to stop the running statement (results still arrive and are drained).
    func cancel() {
        guard let c = PQgetCancel(conn) else { return }
        var buf = [CChar](repeating: 0, count: 256)
        _ = PQcancel(c, &buf, 256)
        PQfreeCancel(c)
    }

    private func drain() { while let r = try? nextResult() { PQclear(r) } }

    private func resultError(_ r: OpaquePointer) -> String {
        let m = String(cString: PQresultErrorMessage(r))
        return PostgresConnection.redact(m.isEmpty ? errorMessage : m).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: COPY

    /// Sends `lines` (already in COPY text format) through `COPY target FROM STDIN`.
    func copyIn(_ copySQL: String, chunks: (_ put: (String) throws -> Void) throws -> Void) throws {
        try send(copySQL, params: [], singleRow: false)
        guard let r = try nextResult() else { throw WarehouseError.postgres("COPY did not start") }
        let status = PQresultStatus(r)
        let startError = status == PGRES_COPY_IN ? nil : resultError(r)
        PQclear(r)
        if let startError { drain(); throw WarehouseError.postgres(startError) }
        var failed: Error? = nil
        do {
            try chunks { text in
                try ExecutionContext.check()
                let ok = text.withCString { PQputCopyData(conn, $0, Int32(strlen($0))) }
                guard ok == 1 else { throw WarehouseError.postgres(errorMessage) }
            }
        } catch { failed = error }
        _ = PQputCopyEnd(conn, failed == nil ? nil : "cancelled by churnlab")
        var failure: String? = nil
        while let r = try nextResult() {
            if PQresultStatus(r) != PGRES_COMMAND_OK && failure == nil { failure = resultError(r) }
            PQclear(r)
        }
        if let failed { throw failed }
        if let failure { throw WarehouseError.postgres(failure) }
    }
}

extension Array where Element == String {
    /// The strings as a NULL-terminated array of C strings, alive during `body`.
    func withCStrings<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let dup = map { strdup($0) }
        defer { dup.forEach { free($0) } }
        return (dup.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
