/// The SQL engines the feature compiler targets, and each one's spelling of
/// the few constructs the compiled queries use. Everything a script supplies
/// (table and column names, event-type names) reaches SQL text only through
/// `identifier` / `literal` here, so a hostile name cannot change the query.
public enum SQLDialect: String, Sendable, CaseIterable, Codable {
    /// PostgreSQL 12+: `count(*) FILTER (WHERE …)`, `"quoted"` identifiers, `CAST(… AS float8)`.
    case postgres
    /// Spark SQL 3.x: `count_if(…)`, `` `quoted` `` identifiers, `unix_micros`, `pmod`.
    case spark

    /// A quoted identifier. PostgreSQL doubles `"`, Spark doubles `` ` ``. NUL is refused
    /// (neither engine can hold it in a name, and libpq would cut the text there).
    public func identifier(_ name: String) throws -> String {
        guard !name.isEmpty else { throw WarehouseError.invalidOption("an identifier must not be empty") }
        guard !name.utf8.contains(0) else { throw WarehouseError.invalidOption("identifier contains a NUL byte") }
        switch self {
        case .postgres: return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        case .spark: return "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        }
    }

    /// A (possibly schema-qualified) table name "schema.table" or "table": each dot-separated
    /// part is quoted on its own. A name whose parts themselves hold dots must be given as parts.
    public func tableName(_ parts: [String]) throws -> String {
        guard (1...3).contains(parts.count) else {
            throw WarehouseError.invalidOption("table name must have 1 to 3 parts (catalog.schema.table), got \(parts.count)")
        }
        return try parts.map(identifier).joined(separator: ".")
    }

    /// A string literal. PostgreSQL: `'…'` with `'` doubled, or `E'…'` with `\` doubled too when the
    /// text holds a backslash (correct whatever `standard_conforming_strings` is). Spark: `'…'` with
    /// `\` and `'` backslash-escaped, line breaks as `\n` / `\r` (Spark's literal syntax; a statement
    /// sent to `spark-sql` then never has a line break inside a literal).
    public func literal(_ text: String) throws -> String {
        guard !text.utf8.contains(0) else { throw WarehouseError.invalidOption("text value contains a NUL byte") }
        switch self {
        case .postgres:
            let q = text.replacingOccurrences(of: "'", with: "''")
            return text.contains("\\") ? "E'" + q.replacingOccurrences(of: "\\", with: "\\\\") + "'" : "'" + q + "'"
        case .spark:
            return "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
                .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r") + "'"
        }
    }

    // MARK: idioms

    /// Events matching `cond` (an int8).
    func countIf(_ cond: String) -> String {
        switch self {
        case .postgres: return "count(*) FILTER (WHERE \(cond))"
        case .spark: return "count_if(\(cond))"
        }
    }

    /// `fn(expr)` over the rows matching `cond` (nulls ignored, null when none).
    func aggregate(_ fn: String, _ expr: String, where cond: String) -> String {
        switch self {
        case .postgres: return "\(fn)(\(expr)) FILTER (WHERE \(cond))"
        case .spark: return "\(fn)(CASE WHEN \(cond) THEN \(expr) END)"
        }
    }

    /// `expr` as an IEEE double.
    func double(_ expr: String) -> String {
        switch self {
        case .postgres: return "CAST(\(expr) AS float8)"
        case .spark: return "CAST(\(expr) AS DOUBLE)"
        }
    }

    /// A 64-bit integer literal.
    func bigint(_ v: Int64) -> String {
        switch self {
        case .postgres: return "CAST(\(v) AS bigint)"
        case .spark: return "CAST(\(v) AS BIGINT)"
        }
    }

    /// Microseconds since 1970-01-01 UTC of a timestamp or date column, exactly
    /// (PostgreSQL's `extract` is numeric since 14, so no float rounding).
    func micros(_ column: String) -> String {
        switch self {
        case .postgres: return "CAST(extract(epoch FROM \(column)) * 1000000 AS bigint)"
        case .spark: return "unix_micros(CAST(\(column) AS TIMESTAMP))"
        }
    }

    /// `a mod b` in 0..<b for b > 0 (floor modulo, as `TimeUnit.day` floors negatives).
    func floorMod(_ a: String, _ b: Int64) -> String {
        switch self {
        case .postgres: return "mod(mod(\(a), \(b)) + \(b), \(b))"
        case .spark: return "pmod(\(a), \(b))"
        }
    }

    /// Exact integer division of a multiple of `b` by `b`.
    func exactDiv(_ a: String, _ b: Int64) -> String {
        switch self {
        case .postgres: return "(\(a)) / \(b)"
        case .spark: return "(\(a)) div \(b)"
        }
    }

    /// The observation moment `asOf` (µs) as a timestamp value.
    func timestamp(micros v: Int64) -> String {
        switch self {
        case .postgres: return "TIMESTAMP '\(DateText.format(micros: v))'"
        case .spark: return "timestamp_micros(\(v))"
        }
    }

    /// A float amount with NaN read as null (the in-process log treats NaN as a missing amount).
    func amount(_ column: String) -> String {
        switch self {
        case .postgres: return "NULLIF(CAST(\(column) AS float8), CAST('NaN' AS float8))"
        case .spark: return "CASE WHEN isnan(CAST(\(column) AS DOUBLE)) THEN NULL ELSE CAST(\(column) AS DOUBLE) END"
        }
    }

    /// Text ordering by code point (the in-process order for text ids).
    func byCodePoint(_ expr: String) -> String {
        switch self {
        case .postgres: return "\(expr) COLLATE \"C\""
        case .spark: return expr   // Spark compares strings as UTF-8 bytes: code-point order already
        }
    }
}

/// Errors of the warehouse area (SQL compiler, PostgreSQL client).
public enum WarehouseError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    case notCompilable(String)
    case postgres(String)
    case sandboxed(String)
    case spark(String)

    public var description: String {
        switch self {
        case .invalidOption(let m): return m
        case .notCompilable(let m): return "cannot compile to SQL: \(m)"
        case .postgres(let m): return "PostgreSQL: \(m)"
        case .sandboxed(let m): return m
        case .spark(let m): return "Spark: \(m)"
        }
    }
}
