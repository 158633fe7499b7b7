/// Missing-value imputation (scikit-learn's SimpleImputer). Missing means null,
/// or NaN in a float column. Mean/median turn int columns into float columns.

public enum ImputeStrategy: String, Codable, Sendable, CaseIterable {
    case mean, median, constant
    case mostFrequent = "most_frequent"
}

public struct Imputer: PrepTransformer, Equatable {
    public var columns: [String]?
    public var strategy: ImputeStrategy
    public var fillValue: CellValue
    /// Fitted: column → value used to fill.
    public private(set) var statistics: [String: CellValue] = [:]
    public private(set) var fittedColumns: [String]? = nil

    /// `columns` nil = every float/int column (mean, median) or every column
    /// (constant, most_frequent). Ties in most_frequent go to the smallest value.
    public init(columns: [String]? = nil, strategy: ImputeStrategy = .mean, fillValue: CellValue = .null) {
        self.columns = columns; self.strategy = strategy; self.fillValue = fillValue
    }

    public mutating func fit(_ frame: Frame) throws {
        let kind: ColumnKind = (strategy == .mean || strategy == .median) ? .numeric : .any
        let cols = try PrepColumns.resolve(columns, in: frame, default: kind)
        if strategy == .constant && fillValue.isNull {
            throw PrepError.invalid("imputer: strategy 'constant' needs a fill value")
        }
        statistics = [:]
        for name in cols {
            let c = try frame.column(name)
            switch strategy {
            case .mean, .median:
                var v = PrepColumns.present(try PrepColumns.numeric(c, step: "imputer"))
                guard !v.isEmpty else { throw PrepError.noValues(step: "imputer", column: name) }
                if strategy == .mean {
                    statistics[name] = .float(v.reduce(0, +) / Double(v.count))
                } else {
                    v.sort()
                    statistics[name] = .float(PrepColumns.quantile(sorted: v, 0.5))
                }
            case .constant:
                // Fail at fit, not later at transform, when the value cannot fill this column.
                let probe = Column(name: name, data: c.data, validity: Validity(count: c.count, allValid: false))
                _ = try probe.fillingNulls(with: fillValue)
                statistics[name] = fillValue
            case .mostFrequent:
                statistics[name] = try Imputer.mostFrequent(c)
            }
        }
        fittedColumns = cols
    }

    static func mostFrequent(_ c: Column) throws -> CellValue {
        let g = try Factorizer.factorize(column: c)
        var counts = [Int](repeating: 0, count: g.count)
        for id in g.ids { counts[Int(id)] += 1 }
        var best: CellValue? = nil, bestCount = 0
        for (k, r) in g.firstRow.enumerated() {
            let v = c.value(at: r)
            if v.isNull { continue }
            if case .float(let x) = v, x.isNaN { continue }
            if counts[k] > bestCount || (counts[k] == bestCount && Categories.before(v, best!)) {
                best = v; bestCount = counts[k]
            }
        }
        guard let best else { throw PrepError.noValues(step: "imputer", column: c.name) }
        return best
    }

    public func transform(_ frame: Frame) throws -> Frame {
        guard let cols = fittedColumns else { throw PrepError.notFitted(step: "imputer") }
        var out = frame
        for name in cols {
            var c = try frame.column(name)
            let value = statistics[name]!
            if case .float = value, c.dtype == .int64 { c = try c.asFloat64() }
            if case .float64(var x) = c.data, let fill = value.number {
                // NaN is missing for imputation, like null.
                var changed = false
                for i in 0..<x.count where x[i].isNaN { x[i] = fill; changed = true }
                if changed { c = Column(name: name, data: .float64(x), validity: c.validity) }
            }
            try out.append(try c.fillingNulls(with: value))
        }
        return out
    }
}
