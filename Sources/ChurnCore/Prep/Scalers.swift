/// Standard and min-max scaling (scikit-learn's StandardScaler and MinMaxScaler).
/// Outputs are float64; a constant column gets scale 1, as in scikit-learn.

public struct StandardScaler: PrepTransformer, Equatable {
    public var columns: [String]?
    public var withMean: Bool
    public var withStd: Bool
    /// Fitted: column → (mean, scale), scale = population std (ddof 0).
    public private(set) var means: [String: Double] = [:]
    public private(set) var scales: [String: Double] = [:]
    public private(set) var fittedColumns: [String]? = nil

    /// `columns` nil = every float/int column.
    public init(columns: [String]? = nil, withMean: Bool = true, withStd: Bool = true) {
        self.columns = columns; self.withMean = withMean; self.withStd = withStd
    }

    public mutating func fit(_ frame: Frame) throws {
        let cols = try PrepColumns.resolve(columns, in: frame, default: .numeric)
        means = [:]; scales = [:]
        for name in cols {
            let v = PrepColumns.present(try PrepColumns.numeric(frame.column(name), step: "standard_scaler"))
            guard !v.isEmpty else { throw PrepError.noValues(step: "standard_scaler", column: name) }
            let mean = v.reduce(0, +) / Double(v.count)
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)
            let sd = variance.squareRoot()
            means[name] = mean
            scales[name] = sd == 0 ? 1 : sd
        }
        fittedColumns = cols
    }

    public func transform(_ frame: Frame) throws -> Frame {
        guard let cols = fittedColumns else { throw PrepError.notFitted(step: "standard_scaler") }
        var out = frame
        for name in cols {
            let c = try frame.column(name)
            let x = try PrepColumns.numeric(c, step: "standard_scaler")
            let m = withMean ? means[name]! : 0, s = withStd ? scales[name]! : 1
            try out.append(PrepColumns.mapFloat(c, x) { ($0 - m) / s })
        }
        return out
    }
}

public struct MinMaxScaler: PrepTransformer, Equatable {
    public var columns: [String]?
    public var lower: Double
    public var upper: Double
    public private(set) var mins: [String: Double] = [:]
    public private(set) var maxs: [String: Double] = [:]
    public private(set) var fittedColumns: [String]? = nil

    /// Maps each column's fitted [min, max] onto [lower, upper] (default [0, 1]).
    public init(columns: [String]? = nil, lower: Double = 0, upper: Double = 1) {
        self.columns = columns; self.lower = lower; self.upper = upper
    }

    public mutating func fit(_ frame: Frame) throws {
        guard lower < upper else { throw PrepError.invalid("min_max_scaler: range \(lower)..\(upper) is empty") }
        let cols = try PrepColumns.resolve(columns, in: frame, default: .numeric)
        mins = [:]; maxs = [:]
        for name in cols {
            let v = PrepColumns.present(try PrepColumns.numeric(frame.column(name), step: "min_max_scaler"))
            guard let lo = v.min(), let hi = v.max() else { throw PrepError.noValues(step: "min_max_scaler", column: name) }
            mins[name] = lo; maxs[name] = hi
        }
        fittedColumns = cols
    }

    public func transform(_ frame: Frame) throws -> Frame {
        guard let cols = fittedColumns else { throw PrepError.notFitted(step: "min_max_scaler") }
        var out = frame
        for name in cols {
            let c = try frame.column(name)
            let x = try PrepColumns.numeric(c, step: "min_max_scaler")
            let lo = mins[name]!, range = maxs[name]! - lo
            let scale = (upper - lower) / (range == 0 ? 1 : range)
            let l = lower
            try out.append(PrepColumns.mapFloat(c, x) { ($0 - lo) * scale + l })
        }
        return out
    }
}
