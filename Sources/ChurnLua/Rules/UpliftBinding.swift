import ChurnCore
import LuaRuntime

/// `cl.rules.uplift`: the T-learner over any model kind.
enum UpliftBinding {
    static func register(_ rules: ModuleBuilder) {
        rules.function("uplift", "uplift(model, frame, {target =, treatment =, features = | exclude =, weight =} [, score_frame])",
                       "Two-model (T-learner) uplift: fits `model`'s kind on treated and on control rows of `frame` and returns, for each row of `score_frame` (default: `frame`), P(churn | control) − P(churn | treated) — how much the offer lowers that user's churn. `treatment`: a bool or 0/1 column, or text with values 'treatment'/'control' (a ledger's group column).") { c in
            let spec = try SelectionModule.spec(c, 1)
            let frame = try c.frame(2)
            let o = try c.table(3)
            try o.checkKeys(FitInputs.keys.union(["treatment"]))
            guard let treatmentName = try o.string("treatment") else {
                throw LuaArgumentError(3, "field 'treatment' is required (bool, 0/1, or 'treatment'/'control' text)")
            }
            let inputs = try FitInputs(c, frame: frame, options: o, argument: 3, alsoExclude: [treatmentName])
            let treated = try c.core { try treatmentFlags(try frame.column(treatmentName)) }
            let scoreFrame = c.isNoneOrNil(4) ? frame : try c.frame(4)
            let fit = try c.core { try spec.spec(overriding: [:]).fitFunction }
            let uplift = try c.core { () -> [Double] in
                let model = try TLearner.fit(inputs.X, churn: inputs.target.y, treated: treated, weights: inputs.weights, fit: fit)
                let X = try inputs.matrix(scoreFrame)   // through the prep pipeline fitted on `frame`
                return try model.uplift(X)
            }
            return c.push(column: .float("uplift", uplift))
        }
    }

    static func treatmentFlags(_ col: Column) throws -> [Bool] {
        var out = [Bool](repeating: false, count: col.count)
        for i in 0..<col.count {
            if col.isNull(i) { throw FrameError.invalid("treatment column '\(col.name)' has a null at row \(i + 1)") }
            switch col.data {
            case .bool(let v): out[i] = v[i]
            case .string, .category:
                switch col.string(at: i)! {
                case "treatment": out[i] = true
                case "control": out[i] = false
                case let other: throw FrameError.invalid("treatment column '\(col.name)': expected 'treatment' or 'control', got '\(other)' at row \(i + 1)")
                }
            default:
                let d = col.double(at: i)!
                guard d == 0 || d == 1 else { throw FrameError.invalid("treatment column '\(col.name)' must be 0/1, got \(d) at row \(i + 1)") }
                out[i] = d == 1
            }
        }
        return out
    }
}
