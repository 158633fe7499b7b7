import ChurnCore
import LuaRuntime

/// Lua options of the GBDT extensions (objective, class weighting, monotone
/// constraints), read into `GradientBoostingOptions`. Standalone so the model
/// constructor and parameter searches can both call it: add `keys` to the gbdt
/// option keys and call `parse` after the other gbdt options.
enum GBDTExtraOptions {
    /// The option keys `parse` reads.
    static let keys: Set<String> = ["objective", "scale_pos_weight", "class_weight", "monotone_constraints",
                                     "goss", "top_rate", "other_rate"]

    /// The keys `cl.model.gbdt` accepts.
    static let luaKeys: Set<String> = keys

    /// Help text for the Lua keys (appended to the gbdt constructor's help).
    static let help = "objective = 'binary' (default: log-loss on a two-class target) | 'regression' (L2 on a numeric target: predict gives values; " +
        "cross_validate defaults to rmse, mae, r2) | 'multiclass' (softmax, one tree per class per round, as LightGBM's; the classes are the target's " +
        "values, sorted; predict_proba gives a frame with a column per class, predict the most probable class in the target's type; cross_validate defaults to accuracy); " +
        "scale_pos_weight > 0 multiplies positive rows' gradients (binary only); " +
        "class_weight = 'balanced' | {w0, w1} finite >= 0 multiplies sample weights (binary only); " +
        "monotone_constraints = {c1, c2, ...} one of -1/0/1 per feature in feature order (numeric features only): " +
        "+1 predictions never fall as the feature rises, -1 never rise; " +
        "goss = true: gradient-based one-side sampling (LightGBM's data_sample_strategy = 'goss'; binary and regression, not with bagging_fraction < 1): " +
        "after the first 1/learning_rate rounds each tree sees the top_rate (default 0.2) share of rows with the largest |gradient·hessian| " +
        "and an other_rate (default 0.1) share drawn from the rest (seeded), weighted up; top_rate and other_rate in (0, 1), their sum <= 1."

    static func parse(_ o: OptionSource, into g: inout GradientBoostingOptions) throws {
        if let s = try o.string("objective") {
            guard let obj = GradientBoostingObjective(rawValue: s) else {
                throw LuaArgumentError(1, "field 'objective': 'binary', 'regression' or 'multiclass' expected, got '\(s)'")
            }
            g.objective = obj
        }
        g.scalePosWeight = try o.number("scale_pos_weight", in: .positive)
        if let cw = try classWeight(o) { g.classWeight = cw }
        if let m = try o.numbers("monotone_constraints") {
            g.monotoneConstraints = try m.enumerated().map { i, v in
                guard v == -1 || v == 0 || v == 1 else {
                    throw LuaArgumentError(1, "field 'monotone_constraints': item \(i + 1) must be -1, 0 or 1, got \(v)")
                }
                return Int(v)
            }
        }
        let top = try o.number("top_rate", in: .open(0, 1)), other = try o.number("other_rate", in: .open(0, 1))
        if try o.bool("goss") == true {
            let d = GOSSOptions()
            g.goss = GOSSOptions(topRate: top ?? d.topRate, otherRate: other ?? d.otherRate)
        } else if top != nil || other != nil {
            throw LuaArgumentError(1, "fields 'top_rate' and 'other_rate' need goss = true")
        }
        if g.resolvedObjective != .binary && (g.scalePosWeight != nil || g.classWeight != nil) {
            throw LuaArgumentError(1, "fields 'scale_pos_weight' and 'class_weight' are for objective = 'binary', not '\(g.resolvedObjective.rawValue)'")
        }
    }

    /// class_weight = 'balanced' or {w0, w1}; nil when absent.
    static func classWeight(_ o: OptionSource) throws -> ClassWeight? {
        if let s = try? o.string("class_weight") {
            guard s == "balanced" else { throw LuaArgumentError(1, "field 'class_weight': 'balanced' or {w0, w1} expected, got '\(s)'") }
            return .balanced
        }
        guard let w = try o.numbers("class_weight") else { return nil }
        guard w.count == 2, w.allSatisfy({ NumberRange.nonNegative.contains($0) }), w[0] + w[1] > 0 else {
            throw LuaArgumentError(1, "field 'class_weight': {negative_weight, positive_weight} of finite numbers >= 0 (not both 0) expected")
        }
        return .custom(negative: w[0], positive: w[1])
    }
}
