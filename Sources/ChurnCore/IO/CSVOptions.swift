/// Options, results and errors of CSV reading.

/// What to do with a malformed row (ragged, unparsable under a forced type,
/// invalid UTF-8, bad quoting).
public enum BadRowPolicy: String, Sendable, CaseIterable {
    /// Throw a `CSVError` naming file, line and column (the default).
    case error
    /// Leave the row out and report it in `CSVResult.badRows`.
    case skip
    /// Keep the row, make the offending cells null (missing cells of a short row
    /// null, extra cells of a long row dropped) and report it.
    case null
}

/// Options for `Frame.readCSV`. Defaults read a comma-separated file with a header
/// and infer every column's type.
///
/// Nulls: an *unquoted* field equal to one of `na` is null; a quoted field never is,
/// so `""` is an empty string. The text `NaN`/`nan` in a float column is the float
/// NaN (a value, not a null) — unlike pandas, which folds NaN into missing — so a
/// frame written by `writeCSV` (nulls as empty fields, NaN as `NaN`) reads back
/// identically. Add `"NaN"` to `na` for pandas' behaviour.
///
/// Lines end with LF, CRLF or a lone CR (as in pandas); blank lines are skipped
/// everywhere, also in one-column files (pandas' `skip_blank_lines=True`).
/// Integers: a column of integer literals within Int64 is int (9223372036854775807
/// included). An integer literal outside Int64 is never rounded silently: under
/// inference its column is text with the exact digits (pandas makes it uint64 or
/// object); a column forced to int reports it as a bad row; forced to float, it
/// converts to the nearest double. A NUL byte in a text field or a column name is an
/// error (a bad row for fields), naming line and column. Under `bad_rows = "skip"`
/// the skipped rows take no part in type inference.
public struct CSVReadOptions: Sendable {
    public static let defaultNA = ["", "NA", "N/A", "null", "NULL"]

    /// Field separator: one ASCII character (`","`, `";"`, `"\t"`, `"|"`).
    public var sep: String
    /// First record holds column names; otherwise columns are `column_1`, `column_2`, ….
    public var header: Bool
    /// Unquoted field texts read as null.
    public var na: [String]
    /// Forced column types by column name (others are inferred).
    public var types: [String: DType]
    /// Read only these columns, in this order (nil: all, in file order).
    public var columns: [String]?
    /// strftime-like format for timestamp fields (`%Y %m %d %H %M %S %f %z %y %b %j %F %T %%`);
    /// nil: ISO-8601 (`2024-05-01T12:30:00Z`, `2024-05-01 12:30:00.25+02:00`, …).
    public var timestampFormat: String?
    /// Same for date fields; nil: `YYYY-MM-DD`.
    public var dateFormat: String?
    public var badRows: BadRowPolicy

    public init(sep: String = ",", header: Bool = true, na: [String] = CSVReadOptions.defaultNA,
                types: [String: DType] = [:], columns: [String]? = nil, timestampFormat: String? = nil,
                dateFormat: String? = nil, badRows: BadRowPolicy = .error) {
        self.sep = sep; self.header = header; self.na = na; self.types = types; self.columns = columns
        self.timestampFormat = timestampFormat; self.dateFormat = dateFormat; self.badRows = badRows
    }
}

/// A row that was skipped or nulled under `BadRowPolicy.skip` / `.null`.
public struct CSVBadRow: Sendable, Equatable, CustomStringConvertible {
    /// 1-based physical line in the file.
    public let line: Int
    /// 1-based column index and name, when the problem is in one column.
    public let column: Int?
    public let columnName: String?
    public let reason: String

    public var description: String {
        var s = "line \(line)"
        if let column, let columnName { s += ", column \(column) '\(columnName)'" }
        return s + ": " + reason
    }
}

/// A frame read from CSV and the rows that were skipped or nulled.
public struct CSVResult: Sendable {
    public let frame: Frame
    public let badRows: [CSVBadRow]
}

/// Errors of CSV reading and writing. Descriptions read
/// `data.csv:7: column 3 'amount': cannot parse "12x" as float`.
public enum CSVError: Error, CustomStringConvertible, Equatable {
    /// Malformed content at a physical line (1-based) and optionally a column (1-based index, name).
    case malformed(file: String, line: Int, column: Int?, columnName: String?, reason: String)
    /// The file cannot be opened, read or written.
    case io(file: String, reason: String)
    /// An invalid option value.
    case option(String)

    public var description: String {
        switch self {
        case .malformed(let f, let l, let c, let n, let r):
            if let c, let n { return "\(f):\(l): column \(c) '\(n)': \(r)" }
            if let c { return "\(f):\(l): column \(c): \(r)" }
            return "\(f):\(l): \(r)"
        case .io(let f, let r): return "\(f): \(r)"
        case .option(let m): return m
        }
    }
}
