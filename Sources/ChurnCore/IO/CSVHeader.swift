/// Column names from a CSV header record: checked, then made unique.
///
/// A name becomes a Lua string, a SQLite identifier, an HTML table heading
/// and a key in every by-name lookup, so what a header may contain is decided
/// here, once: valid UTF-8, no control characters (a NUL would truncate the
/// name in C APIs; CR/LF or other controls make names that print as
/// something else), at most `maxNameBytes` bytes per name and `maxColumns`
/// columns. Empty names become `column_N`; repeats get pandas-style suffixes
/// (`x`, `x.1`, `x.2`).
enum CSVHeader {
    /// Longest column name accepted, in bytes.
    static let maxNameBytes = 4096
    /// Most columns accepted in one file (the first record sets the width).
    static let maxColumns = 100_000

    /// Checks the width of the first record (header or not).
    static func checkWidth(_ count: Int, file: String) throws {
        guard count <= maxColumns else {
            throw CSVError.malformed(file: file, line: 1, column: nil, columnName: nil,
                                     reason: "the first record has \(count) columns; at most \(maxColumns) are supported")
        }
    }

    /// Unique, validated names for the header `fields`.
    static func names(_ fields: [[UInt8]], file: String) throws -> [String] {
        try checkWidth(fields.count, file: file)
        var seen: [String: Int] = [:]
        var out: [String] = []
        out.reserveCapacity(fields.count)
        for (i, f) in fields.enumerated() {
            func bad(_ reason: String) -> CSVError { .malformed(file: file, line: 1, column: i + 1, columnName: nil, reason: reason) }
            guard f.count <= maxNameBytes else { throw bad("column name is \(f.count) bytes long; at most \(maxNameBytes) are supported") }
            guard f.withUnsafeBufferPointer({ UTF8Check.isValid($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }) else {
                throw bad("invalid UTF-8 in column name")
            }
            if let b = f.first(where: { $0 < 0x20 || $0 == 0x7F }) {
                throw bad("column name contains the control character \(b == 0 ? "NUL" : "0x" + String(b, radix: 16, uppercase: true))")
            }
            var n = String(decoding: f, as: UTF8.self)
            if n.isEmpty { n = "column_\(i + 1)" }
            if let k = seen[n] {
                var j = k
                while seen["\(n).\(j)"] != nil { j += 1 }
                seen[n] = j + 1
                n = "\(n).\(j)"
            }
            seen[n] = seen[n] ?? 1
            out.append(n)
        }
        return out
    }
}
