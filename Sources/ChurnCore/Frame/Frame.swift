/// A table of equally long, uniquely named columns. A value type: operations
/// return new frames; unchanged columns share storage through copy-on-write.
public struct Frame: Sendable {
    public private(set) var columns: [Column]
    private var index: [String: Int]

    public init(_ columns: [Column] = []) throws {
        self.columns = []
        self.index = [:]
        for c in columns { try append(c) }
    }

    public var nrow: Int { columns.first?.count ?? 0 }
    public var ncol: Int { columns.count }
    public var names: [String] { columns.map(\.name) }

    public func has(_ name: String) -> Bool { index[name] != nil }

    /// The column called `name`, or an error that suggests near matches.
    public func column(_ name: String) throws -> Column {
        guard let i = index[name] else { throw FrameError.noColumn(name, suggestions: nearMatches(name)) }
        return columns[i]
    }

    public func columnIfPresent(_ name: String) -> Column? { index[name].map { columns[$0] } }

    /// Adds a column, or replaces the one with the same name in place.
    public mutating func append(_ c: Column) throws {
        if !columns.isEmpty, c.count != nrow {
            throw FrameError.lengthMismatch(column: c.name, expected: nrow, got: c.count)
        }
        if let i = index[c.name] { columns[i] = c } else {
            index[c.name] = columns.count
            columns.append(c)
        }
    }

    /// Names ranked by edit distance to `name` (at most three, distance ≤ 3 or prefix).
    public func nearMatches(_ name: String) -> [String] {
        let scored = names.map { ($0, editDistance($0.lowercased(), name.lowercased())) }
        return scored.filter { $0.1 <= max(1, name.count / 3) || $0.0.lowercased().hasPrefix(name.lowercased()) }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .prefix(3).map(\.0)
    }
}

public enum FrameError: Error, CustomStringConvertible, Equatable {
    case noColumn(String, suggestions: [String])
    case lengthMismatch(column: String, expected: Int, got: Int)
    case typeMismatch(column: String, expected: String, got: DType)
    case invalid(String)

    public var description: String {
        switch self {
        case .noColumn(let n, let s):
            return s.isEmpty ? "no column '\(n)'" : "no column '\(n)'; did you mean " + s.map { "'\($0)'" }.joined(separator: " or ") + "?"
        case .lengthMismatch(let c, let e, let g): return "column '\(c)' has \(g) rows, expected \(e)"
        case .typeMismatch(let c, let e, let g): return "column '\(c)' is \(g.rawValue), expected \(e)"
        case .invalid(let m): return m
        }
    }
}

/// Levenshtein distance over Unicode scalars.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
