import ChurnCore
import LuaRuntime

/// The logistic kind of the registry (`cl.model.logistic`) and its own
/// methods (`coefficients`, `info`). Everything else is common `cl.Model` code.
enum LinearModule {
    static let logistic = ModelKind(
        name: "logistic",
        signature: "model.logistic{penalty = 'l2', C = 1, l1_ratio = 0.5, fit_intercept = true, class_weight = 'none', standardize = false, solver = 'auto', tol =, max_iter = 1000, intercept_scaling =}",
        help: "A logistic-regression model (scikit-learn's parametrisation: loss + penalty/C). penalty: 'none', 'l2', 'l1' or 'elasticnet'; class_weight 'balanced' reweights classes; standardize scales columns so the penalty acts on standardised coefficients. Text columns are one-hot encoded with the alphabetically first level as reference. intercept_scaling = s penalises the intercept as liblinear does (scikit-learn solver='liblinear': the intercept is the weight of a constant feature s, so the penalty includes (b/s)² or |b|/s; unset = unpenalised intercept; needs fit_intercept, not with standardize). tol: stop when the largest gradient entry of the mean objective is below it; unset = 1e-4 for lbfgs/owlqn (scikit-learn's default) and 1e-8 for newton. Ranges: C, tol and intercept_scaling finite > 0, l1_ratio [0, 1], max_iter 1…1000000.",
        optionKeys: ["penalty", "C", "l1_ratio", "fit_intercept", "class_weight", "standardize", "solver", "tol", "max_iter", "intercept_scaling"],
        type: LogisticRegression.self,
        parse: { o in
            let opts = try options(o)
            return try ModelSpec(LogisticRegression.self, options: opts, parameters: opts.parameterSet)
        },
        methods: [
            "coefficients": KindMethod(signature: "logistic:coefficients()", help: "A frame of name, coef, std_err, z, p_value, ci_low, ci_high (intercept first; statistics only for unpenalised fits).") { c, m in
                let model = try m.fittedAs(LogisticRegression.self)
                let rows = model.coefficientTable()
                func opt(_ name: String, _ v: [Double?]) -> Column { .float(name, v.map { $0 ?? 0 }, nulls: v.map { $0 == nil }) }
                return c.push(frame: try c.core { try Frame([
                    .string("name", rows.map(\.name)), .float("coef", rows.map(\.coef)),
                    opt("std_err", rows.map(\.stdErr)), opt("z", rows.map(\.z)), opt("p_value", rows.map(\.pValue)),
                    opt("ci_low", rows.map(\.ciLow)), opt("ci_high", rows.map(\.ciHigh)),
                ]) })
            },
            "info": KindMethod(signature: "logistic:info()", help: "Fit details: solver, iterations, convergence, nobs, target and positive label.") { c, m in
                let model = try m.fittedAs(LogisticRegression.self)
                let meta = m.metadata!
                let t = c.newTable(record: 8)
                t.set("solver", model.info.solver.rawValue); t.set("iterations", model.info.iterations)
                t.set("converged", model.info.converged); t.set("message", model.info.message)
                t.set("nobs", model.info.nobs)
                if let p = meta.positiveLabel { t.set("positive", p) }
                if let tgt = meta.target { t.set("target", tgt) }
                t.set("positive_inferred", meta.extra["positive_inferred"] == "true")
                return 1
            },
        ])

    /// The options from an option table or a parameter set; errors name the option.
    static func options(_ src: OptionSource) throws -> LogisticRegression.Options {
        var o = LogisticRegression.Options()
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws -> T? where T.RawValue == String {
            guard let s = try src.string(key) else { return nil }
            guard let v = T(rawValue: s) else {
                throw LuaScriptError("logistic: \(key) must be one of \(T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")), got '\(s)'")
            }
            return v
        }
        if let p = try choice("penalty", LogisticRegression.Penalty.self) { o.penalty = p }
        if let v = try src.number("C", in: .positive) { o.C = v }
        if let v = try src.number("l1_ratio", in: .probability) { o.l1Ratio = v }
        if let v = try src.bool("fit_intercept") { o.fitIntercept = v }
        if let v = try choice("class_weight", LogisticRegression.ClassWeight.self) { o.classWeight = v }
        if let v = try src.bool("standardize") { o.standardize = v }
        if let v = try choice("solver", LogisticRegression.Solver.self) { o.solver = v }
        if let v = try src.number("tol", in: .positive) { o.tol = v }
        if let v = try src.integer("max_iter", in: OptionRange.resamples) { o.maxIter = v }
        o.interceptScaling = try src.number("intercept_scaling", in: .positive)
        return o
    }
}
