import CLua
import ChurnCore
import LuaRuntime

/// `cl.plot.confusion`, `pdp`, `shap_dependence` and `waterfall`: charts of
/// evaluation and explanation results.
enum ExplainPlots {
    static func register(_ m: ModuleBuilder) {
        let common = PlotModule.common
        m.function("confusion", "confusion(y, p [, {threshold = 0.5, negative = 'Retained', positive = 'Churned', weights =, file =, title =}])",
                   "Confusion matrix as a 2×2 grid (actual rows, predicted columns): counts and shares of each actual class; score >= threshold predicts 1.") { c in
            let opts = try c.options(3); try opts.checkKeys(common.union(["threshold", "negative", "positive", "weights"]))
            let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
            let th = try opts.number("threshold", in: OptionRange.threshold) ?? 0.5
            let o = try PlotModule.plotOptions(opts)
            let names = (try opts.string("negative") ?? "Retained", try opts.string("positive") ?? "Churned")
            return try PlotModule.finish(c, opts, try c.core {
                try Plot.confusion(try Metrics.confusion(y, p, threshold: th, weights: w), threshold: th, classNames: names, options: o)
            })
        }

        m.function("pdp", "pdp(pd [, {ice =, max_ice = 100, file =, title =}])",
                   "Partial dependence chart of cl.explain.partial_dependence's frame (first column = grid, `average`); give its ICE frame as `ice` for thin per-row lines (at most max_ice 1…2^31 of them).") { c in
            let opts = try c.options(2); try opts.checkKeys(common.union(["ice", "max_ice"]))
            let pd = try c.frame(1)
            guard pd.ncol >= 2, let grid = pd.columns[0].toDoubles(), let avg = pd.columnIfPresent("average")?.toDoubles() else {
                throw LuaArgumentError(1, "a partial dependence frame {<feature>, average} expected (from cl.explain.partial_dependence)")
            }
            let feature = pd.names[0]
            var ice: [[Double]]? = nil
            if opts.push("ice") != LUA_TNIL {
                let f = try c.frame(lua_absindex(c.L, -1))
                guard let rows = f.columnIfPresent("row")?.toDoubles(), let pred = f.columnIfPresent("prediction")?.toDoubles() else {
                    throw LuaArgumentError(2, "field 'ice': the ICE frame {row, \(feature), prediction} expected")
                }
                guard !grid.isEmpty, pred.count % grid.count == 0 else {
                    throw LuaArgumentError(2, "field 'ice': \(pred.count) predictions is not a whole number of rows of \(grid.count) grid values")
                }
                _ = rows
                ice = stride(from: 0, to: pred.count, by: grid.count).map { Array(pred[$0..<($0 + grid.count)]) }
            }
            lua_settop(c.L, 2)
            let o = try PlotModule.plotOptions(opts)
            let maxIce = try opts.integer("max_ice", in: OptionRange.positiveSize) ?? 100
            return try PlotModule.finish(c, opts, try c.core {
                try Plot.partialDependence(feature: feature, grid: grid, average: avg, ice: ice, maxIce: maxIce, options: o)
            })
        }

        m.function("shap_dependence", "shap_dependence(explanation, {feature = [, color =, file =, title =]})",
                   "SHAP dependence: for one feature, each row's value (x) against its contribution (y), from an explanation frame with columns feature, value, contribution (model:explain; use top = the feature count so every row has every feature). `color` names another feature whose value colours the dots.") { c in
            let opts = try c.options(2); try opts.checkKeys(common.union(["feature", "color"]))
            let e = try Explanation(try c.frame(1))
            guard let feature = try opts.string("feature") else { throw LuaArgumentError(2, "field 'feature' is required") }
            let pts = e.points(feature)
            guard !pts.isEmpty else {
                throw LuaArgumentError(2, "field 'feature': no row of the explanation has a numeric value for '\(feature)' (features: \(e.featureNames.prefix(12).joined(separator: ", ")))")
            }
            var color: [Double]? = nil
            let colorName = try opts.string("color")
            if let cn = colorName {
                let byKey = Dictionary(e.points(cn).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
                color = pts.map { byKey[$0.key] ?? .nan }
            }
            let o = try PlotModule.plotOptions(opts)
            return try PlotModule.finish(c, opts, try c.core {
                try Plot.shapDependence(feature: feature, values: pts.map(\.value), shap: pts.map(\.contribution), color: color, colorName: colorName, options: o)
            })
        }

        m.function("waterfall", "waterfall(explanation, {id = | row = [, key =, base =, top = 10, unit = 'log-odds', file =, title =]})",
                   "Why one user got their score: from the base value (the model's average output, `base`, or a base_value/expected_value column) each feature's contribution, largest first, up to the output. Pick the user by `id` in the key column (`key`, default user_id, id, customer_id or row, whichever exists) or by `row`. top 1…2^31.") { c in
            let opts = try c.options(2); try opts.checkKeys(common.union(["id", "row", "key", "base", "top", "unit"]))
            let e = try Explanation(try c.frame(1), key: try opts.string("key"))
            let wanted: String
            if let r = try opts.integer("row", in: OptionRange.positiveSize) {
                guard e.frame.has("row") else { throw LuaArgumentError(2, "field 'row': the explanation has no 'row' column; use id =") }
                wanted = String(r)
                e.keyName = "row"
            } else {
                let v = opts.value("id")
                switch v {
                case .string(let s): wanted = s
                case .integer(let i): wanted = String(i)
                case .number(let d): wanted = d == d.rounded() && abs(d) < 9e15 ? String(Int64(d)) : "\(d)"
                default: throw LuaArgumentError(2, "give the user as id = (a value of the key column '\(e.keyName ?? "row")') or row =")
                }
            }
            let rows = e.rows(forKey: wanted)
            guard !rows.isEmpty else { throw LuaArgumentError(2, "no rows of the explanation have \(e.keyName ?? "key") = \(wanted)") }
            let base = try opts.number("base", in: .finite) ?? e.base(rows.first!) ?? 0
            let o = try PlotModule.plotOptions(opts)
            let top = try opts.integer("top", in: OptionRange.positiveSize) ?? 10
            var t = o
            if t.title == nil { t.title = "Why \(e.keyName ?? "row") \(wanted) scored as they did" }
            return try PlotModule.finish(c, opts, try c.core {
                try Plot.waterfall(names: rows.map { e.feature[$0] }, contributions: rows.map { e.contribution[$0] },
                                   values: rows.map { e.valueText($0) }, base: base, top: top, unit: try opts.string("unit") ?? "log-odds", options: t)
            })
        }
    }
}

/// A long explanation frame (one row per user and feature): columns
/// `feature`, `contribution`, optional `value` and a key column.
final class Explanation {
    let frame: Frame
    let feature: [String]
    let contribution: [Double]
    let value: Column?
    var keyName: String?

    init(_ f: Frame, key: String? = nil) throws {
        guard let fc = f.columnIfPresent("feature"), let cc = f.columnIfPresent("contribution")?.toDoubles() else {
            throw LuaArgumentError(1, "an explanation frame with columns 'feature' and 'contribution' expected (model:explain), got columns \(f.names.joined(separator: ", "))")
        }
        frame = f
        feature = (0..<f.nrow).map { fc.string(at: $0) ?? "" }
        contribution = cc
        value = f.columnIfPresent("value")
        if let key {
            guard f.has(key) else { throw LuaArgumentError(2, "field 'key': the explanation has no column '\(key)' (columns: \(f.names.joined(separator: ", ")))") }
            keyName = key
        } else {
            keyName = ["user_id", "id", "customer_id", "row"].first { f.has($0) }
        }
    }

    var featureNames: [String] { var seen = Set<String>(); return feature.filter { seen.insert($0).inserted } }

    func keyText(_ i: Int) -> String {
        guard let k = keyName, let col = frame.columnIfPresent(k) else { return String(i + 1) }
        if let d = col.double(at: i), col.dtype != .string, col.dtype != .category { return d == d.rounded() && abs(d) < 9e15 ? String(Int64(d)) : "\(d)" }
        return col.string(at: i) ?? ""
    }

    func rows(forKey k: String) -> [Int] { (0..<frame.nrow).filter { keyText($0) == k } }

    /// The feature's value in row i as a number (a text value is parsed), NaN if none.
    func numericValue(_ i: Int) -> Double {
        guard let v = value, !v.isNull(i) else { return .nan }
        if v.dtype == .string || v.dtype == .category { return v.string(at: i).flatMap { Double($0) } ?? .nan }
        return v.double(at: i) ?? .nan
    }

    func valueText(_ i: Int) -> String? {
        guard let v = value, !v.isNull(i) else { return nil }
        if v.dtype == .string || v.dtype == .category { return v.string(at: i) }
        return v.double(at: i).map { Plot.shortNumber($0) }
    }

    func base(_ i: Int) -> Double? {
        for n in ["base_value", "expected_value"] { if let d = frame.columnIfPresent(n)?.double(at: i), d.isFinite { return d } }
        return nil
    }

    /// Rows of `name` with a numeric value: (key, value, contribution).
    func points(_ name: String) -> [(key: String, value: Double, contribution: Double)] {
        (0..<frame.nrow).compactMap { i in
            guard feature[i] == name else { return nil }
            let v = numericValue(i)
            return v.isFinite ? (keyText(i), v, contribution[i]) : nil
        }
    }
}
