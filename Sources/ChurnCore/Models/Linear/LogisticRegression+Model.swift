/// `LogisticRegression` under the common model interface (`ChurnModel`).
extension LogisticRegression: ChurnModel {
    public static var importanceTypes: [String] { ["standardized_coef"] }

    public static func fit(_ X: FeatureMatrix, _ y: [Double], weights: [Double]?, eval: EvalSet?,
                           options: Options, progress: ProgressCallback?) throws -> LogisticRegression {
        try fit(X, y, weights: weights, options: options)
    }

    public static func checkOptions(_ options: Options) throws { try validate(options) }

    public var inputFeatures: [ModelMetadata.Feature] { metadata().features }
    /// Levels are matched by text (unseen ones are reported by name).
    public var recodesCategoricals: Bool { false }

    /// Exact linear SHAP (features independent): coef × (x − training mean) per
    /// design column, summed per feature; the base value is the log-odds at the means.
    public func explanation(_ X: FeatureMatrix) throws -> ModelExplanation? {
        let c = try contributions(X)
        return ModelExplanation(featureNames: c.featureNames, contributions: c.values, expectedValue: c.baseline, scale: .logOdds)
    }

    public var baseValue: Double? {
        zip(coef, columnMean).reduce(intercept) { $0 + $1.0 * $1.1 }
    }

    /// Σ |standardised coefficient| over each feature's design columns (one for
    /// a numeric feature, one per non-reference level for a categorical one).
    public func featureImportance(_ type: String?) throws -> [Double]? {
        if let type, type != "standardized_coef" {
            throw LinearModelError.invalidOption("logistic: importance type must be 'standardized_coef', got '\(type)'")
        }
        var out: [Double] = [], c = 0
        for f in layout.features {
            let width = f.levels.map { max(0, $0.count - 1) } ?? 1
            out.append((c..<(c + width)).reduce(0) { $0 + abs(standardizedCoef[$1]) })
            c += width
        }
        return out
    }

    public var storageBytes: Int { (coef.count * 4 + (covariance?.count ?? 0)) * 8 + columnNames.reduce(0) { $0 + $1.utf8.count } }

    public var parameters: ParamSet { options.parameterSet }

    public var summaryText: String { summary() }
}

extension LogisticRegression.Options {
    /// Every option by its Lua name (what `m:params()` shows).
    public var parameterSet: ParamSet {
        ["penalty": .string(penalty.rawValue), "C": .double(C), "l1_ratio": .double(l1Ratio),
         "fit_intercept": .bool(fitIntercept), "class_weight": .string(classWeight.rawValue),
         "standardize": .bool(standardize), "solver": .string(solver.rawValue),
         "max_iter": .int(maxIter)]
            .merging(interceptScaling.map { ["intercept_scaling": .double($0)] } ?? [:]) { a, _ in a }
            // tol only when set: unset means the solver's default (LogisticRegression.defaultTol).
            .merging(tol.map { ["tol": .double($0)] } ?? [:]) { a, _ in a }
    }
}
