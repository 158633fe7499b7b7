/// Clipping / winsorizing numeric columns to fixed bounds or to quantiles
/// learned in fit (numpy's linear quantile). Output columns are float64.

public struct Clipper: PrepTransformer, Equatable {
    public var columns: [String]?
    /// Fixed bounds (nil = no bound on that side) ...
    public var lower: Double?
    public var upper: Double?
    /// ... or quantile bounds learned from the training frame (winsorizing).
    public var lowerQuantile: Double?
    public var upperQuantile: Double?
    public private(set) var bounds: [String: [Double]] = [:]
    public private(set) var fittedColumns: [String]? = nil

    public init(columns: [String]? = nil, lower: Double? = nil, upper: Double? = nil) {
        self.columns = columns; self.lower = lower; self.upper = upper
    }

    /// Winsorize at the given quantiles of the training data (e.g. 0.01, 0.99).
    public static func winsorize(columns: [String]? = nil, lower: Double? = 0.01, upper: Double? = 0.99) -> Clipper {
        var c = Clipper(columns: columns)
        c.lowerQuantile = lower; c.upperQuantile = upper
        return c
    }

    public mutating func fit(_ frame: Frame) throws {
        for q in [lowerQuantile, upperQuantile].compactMap({ $0 }) where !(0...1).contains(q) {
            throw PrepError.invalid("clip: quantile \(q) must be in [0, 1]")
        }
        if (lower != nil || upper != nil) && (lowerQuantile != nil || upperQuantile != nil) {
            throw PrepError.invalid("clip: give bounds or quantiles, not both")
        }
        if let l = lower, let u = upper, l > u { throw PrepError.invalid("clip: lower \(l) > upper \(u)") }
        let cols = try PrepColumns.resolve(columns, in: frame, default: .numeric)
        bounds = [:]
        for name in cols {
            var lo = lower ?? -.infinity, hi = upper ?? .infinity
            if lowerQuantile != nil || upperQuantile != nil {
                let v = PrepColumns.present(try PrepColumns.numeric(frame.column(name), step: "clip")).sorted()
                guard !v.isEmpty else { throw PrepError.noValues(step: "clip", column: name) }
                if let q = lowerQuantile { lo = PrepColumns.quantile(sorted: v, q) }
                if let q = upperQuantile { hi = PrepColumns.quantile(sorted: v, q) }
            } else {
                _ = try PrepColumns.numeric(frame.column(name), step: "clip")
            }
            bounds[name] = [lo, hi]
        }
        fittedColumns = cols
    }

    public func transform(_ frame: Frame) throws -> Frame {
        guard let cols = fittedColumns else { throw PrepError.notFitted(step: "clip") }
        var out = frame
        for name in cols {
            let c = try frame.column(name)
            let x = try PrepColumns.numeric(c, step: "clip")
            let lo = bounds[name]![0], hi = bounds[name]![1]
            try out.append(PrepColumns.mapFloat(c, x) { Swift.min(Swift.max($0, lo), hi) })
        }
        return out
    }
}
