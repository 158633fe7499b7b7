/// Categorical encoders (scikit-learn's OneHotEncoder and LabelEncoder).
/// Categories are learned sorted (text in byte order, numbers by value) and
/// matched at transform time through the column's groups, so each distinct
/// value is looked up once, not once per row.

/// What to do with a category not seen in fit.
public enum UnknownCategory: String, Codable, Sendable {
    /// One-hot: all zeros; label encoder: null.
    case ignore
    /// Throw, naming the column, value and row.
    case error
}

enum Categories {
    /// Sorted distinct non-null labels of a column.
    static func learn(_ c: Column) throws -> [String] {
        let g = try Factorizer.factorize(column: c)
        let values = g.firstRow.filter { !c.isNull($0) }.map { c.value(at: $0) }
        return values.sorted(by: before).map(\.description)
    }

    static func before(_ a: CellValue, _ b: CellValue) -> Bool {
        if let x = a.number, let y = b.number { return x < y }
        if case .date(let x) = a, case .date(let y) = b { return x < y }
        if case .timestamp(let x) = a, case .timestamp(let y) = b { return x < y }
        return a.description.utf8.lexicographicallyPrecedes(b.description.utf8)
    }

    /// Index into `categories` per row; -1 for null, -2 for unseen.
    static func lookup(_ c: Column, _ categories: [String]) throws -> [Int] {
        let g = try Factorizer.factorize(column: c)
        var pos: [String: Int] = [:]
        for (i, s) in categories.enumerated() { pos[s] = i }
        let perGroup = g.firstRow.map { r in c.isNull(r) ? -1 : (pos[c.value(at: r).description] ?? -2) }
        return g.ids.map { perGroup[Int($0)] }
    }

    static func checkUnknown(_ idx: [Int], _ c: Column, step: String) throws {
        if let r = idx.firstIndex(of: -2) {
            throw PrepError.unknownCategory(step: step, column: c.name, value: c.value(at: r).description, row: r)
        }
    }
}

public struct OneHotEncoder: PrepTransformer, Equatable {
    public var columns: [String]?
    public var dropFirst: Bool
    public var unknown: UnknownCategory
    public var separator: String
    /// Fitted: column → sorted categories.
    public private(set) var categories: [String: [String]] = [:]
    public private(set) var fittedColumns: [String]? = nil

    /// Replaces each column by float 0/1 indicator columns named
    /// `column + separator + category`, at the column's position. Null input
    /// rows get all zeros. `columns` nil = every text column.
    public init(columns: [String]? = nil, dropFirst: Bool = false, unknown: UnknownCategory = .ignore,
                separator: String = "_") {
        self.columns = columns; self.dropFirst = dropFirst; self.unknown = unknown; self.separator = separator
    }

    public mutating func fit(_ frame: Frame) throws {
        let cols = try PrepColumns.resolve(columns, in: frame, default: .text)
        categories = [:]
        for name in cols {
            let cats = try Categories.learn(frame.column(name))
            guard !cats.isEmpty else { throw PrepError.noValues(step: "one_hot", column: name) }
            categories[name] = cats
        }
        fittedColumns = cols
    }

    /// Output column names for a fitted column.
    public func outputNames(_ column: String) -> [String] {
        let cats = categories[column] ?? []
        return (dropFirst ? Array(cats.dropFirst()) : cats).map { column + separator + $0 }
    }

    public func transform(_ frame: Frame) throws -> Frame {
        guard let cols = fittedColumns else { throw PrepError.notFitted(step: "one_hot") }
        var expanded: [String: [Column]] = [:]
        for name in cols {
            let c = try frame.column(name)
            let idx = try Categories.lookup(c, categories[name]!)
            if unknown == .error { try Categories.checkUnknown(idx, c, step: "one_hot") }
            let first = dropFirst ? 1 : 0
            let cats = categories[name]!
            var out: [Column] = []
            for k in first..<cats.count {
                var v = [Double](repeating: 0, count: idx.count)
                for i in 0..<idx.count where idx[i] == k { v[i] = 1 }
                out.append(Column(name: name + separator + cats[k], data: .float64(v)))
            }
            expanded[name] = out
        }
        let result = frame.columns.flatMap { expanded[$0.name] ?? [$0] }
        var seen = Set<String>()
        for c in result where !seen.insert(c.name).inserted {
            throw PrepError.invalid("one_hot: output column '\(c.name)' clashes with an existing column")
        }
        return try Frame(result)
    }
}

public struct LabelEncoder: PrepTransformer, Equatable {
    public var columns: [String]?
    public var unknown: UnknownCategory
    /// Fitted: column → sorted classes; code = index.
    public private(set) var classes: [String: [String]] = [:]
    public private(set) var fittedColumns: [String]? = nil

    /// Replaces each column by int codes 0..<classes (sorted, as scikit-learn);
    /// nulls stay null. `columns` nil = every text column.
    public init(columns: [String]? = nil, unknown: UnknownCategory = .error) {
        self.columns = columns; self.unknown = unknown
    }

    public mutating func fit(_ frame: Frame) throws {
        let cols = try PrepColumns.resolve(columns, in: frame, default: .text)
        classes = [:]
        for name in cols { classes[name] = try Categories.learn(frame.column(name)) }
        fittedColumns = cols
    }

    public func transform(_ frame: Frame) throws -> Frame {
        guard let cols = fittedColumns else { throw PrepError.notFitted(step: "label_encoder") }
        var out = frame
        for name in cols {
            let c = try frame.column(name)
            let idx = try Categories.lookup(c, classes[name]!)
            if unknown == .error { try Categories.checkUnknown(idx, c, step: "label_encoder") }
            let valid = Validity(idx.map { $0 >= 0 })
            try out.append(Column(name: name, data: .int64(idx.map { Int64(Swift.max($0, 0)) }), validity: valid))
        }
        return out
    }

    /// Codes back to labels (for predictions).
    public func inverse(_ column: Column, as name: String) throws -> Column {
        guard let cls = classes[name] else { throw PrepError.notFitted(step: "label_encoder") }
        guard case .int64(let v) = column.data else {
            throw FrameError.typeMismatch(column: column.name, expected: "int codes", got: column.dtype)
        }
        return Column.string(column.name, v.indices.map { i in
            column.isNull(i) || v[i] < 0 || v[i] >= cls.count ? nil : cls[Int(v[i])]
        })
    }
}
