/// Structural invariants of a fitted preprocessing pipeline read from a model
/// file (see `StructurallyValidated`). `transform` looks up each fitted
/// column's statistics with a force-unwrap, so every fitted column must have
/// them; numbers it divides by or shifts with must be finite.
extension PrepPipeline: StructurallyValidated {
    public func validate() throws {
        guard isFitted else { throw ModelStructureError("", "the pipeline is not fitted") }
        for (i, step) in steps.enumerated() {
            do { try step.validate() } catch let e as ModelStructureError { throw e.inside("step \(i + 1)") }
        }
    }
}

extension PrepStep {
    func validate() throws {
        switch self {
        case .standardScaler(let t):
            let cols = try PrepCheck.fitted("standard_scaler", t.fittedColumns)
            for c in cols {
                let m = try PrepCheck.stat("standard_scaler", "mean", c, t.means[c])
                let s = try PrepCheck.stat("standard_scaler", "scale", c, t.scales[c])
                guard m.isFinite, s.isFinite, s > 0 else {
                    throw ModelStructureError("(standard_scaler)", "column '\(c)': mean \(m) and scale \(s) must be finite, scale > 0")
                }
            }
        case .minMaxScaler(let t):
            guard t.lower.isFinite, t.upper.isFinite, t.lower < t.upper else {
                throw ModelStructureError("(min_max_scaler)", "range \(t.lower)..\(t.upper) must be finite and non-empty")
            }
            for c in try PrepCheck.fitted("min_max_scaler", t.fittedColumns) {
                let lo = try PrepCheck.stat("min_max_scaler", "min", c, t.mins[c])
                let hi = try PrepCheck.stat("min_max_scaler", "max", c, t.maxs[c])
                guard lo.isFinite, hi.isFinite, lo <= hi else {
                    throw ModelStructureError("(min_max_scaler)", "column '\(c)': min \(lo) and max \(hi) must be finite, min ≤ max")
                }
            }
        case .oneHot(let t):
            for c in try PrepCheck.fitted("one_hot", t.fittedColumns) {
                let cats = try PrepCheck.stat("one_hot", "categories", c, t.categories[c])
                guard !cats.isEmpty else { throw ModelStructureError("(one_hot)", "column '\(c)' has no categories") }
                try StructureCheck.unique("(one_hot) column '\(c)' categories", cats)
            }
        case .labelEncoder(let t):
            for c in try PrepCheck.fitted("label_encoder", t.fittedColumns) {
                try StructureCheck.unique("(label_encoder) column '\(c)' classes", try PrepCheck.stat("label_encoder", "classes", c, t.classes[c]))
            }
        case .imputer(let t):
            for c in try PrepCheck.fitted("imputer", t.fittedColumns) {
                _ = try PrepCheck.stat("imputer", "statistic", c, t.statistics[c])
            }
        case .clip(let t):
            for c in try PrepCheck.fitted("clip", t.fittedColumns) {
                let b = try PrepCheck.stat("clip", "bounds", c, t.bounds[c])
                // ±∞ is a one-sided clip; NaN would make min/max order-dependent.
                guard b.count == 2, !b[0].isNaN, !b[1].isNaN, b[0] <= b[1] else {
                    throw ModelStructureError("(clip)", "column '\(c)': bounds \(b) must be [lower, upper] with lower ≤ upper")
                }
            }
        }
    }
}

enum PrepCheck {
    static func fitted(_ step: String, _ columns: [String]?) throws -> [String] {
        guard let columns else { throw ModelStructureError("(\(step))", "is not fitted") }
        try StructureCheck.unique("(\(step)) fitted columns", columns)
        return columns
    }

    static func stat<T>(_ step: String, _ what: String, _ column: String, _ value: T?) throws -> T {
        guard let value else { throw ModelStructureError("(\(step))", "no \(what) for fitted column '\(column)'") }
        return value
    }
}
