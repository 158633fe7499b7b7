import CLua
import ChurnCore
import LuaRuntime

/// `cl.explain`: model-agnostic explanations computed through a model's own
/// `predict_proba` method (any model kind, or a Lua table with that method).
enum ExplainModule {
    /// Scores the stacked frame with the model's generic method.
    static let score = """
        local m, d = ...
        return m:predict_proba(d)
        """

    static func register(_ cl: ModuleBuilder) {
        cl.submodule("explain", "Model-agnostic explanations (partial dependence, ICE) through any model's predict_proba.") { m in
            m.function("partial_dependence", "partial_dependence(model, df, {feature = [, grid =, grid_resolution = 20, percentiles = {0.05, 0.95}, ice = false]})",
                       "Partial dependence of the predicted probability on a numeric feature, as scikit-learn's partial_dependence (method 'brute'): " +
                       "every row of df is scored once per grid value with the feature set to it (one predict_proba call on the stacked rows). " +
                       "Grid: `grid` (array), else the feature's unique values when there are fewer than grid_resolution (2…1000), else grid_resolution " +
                       "evenly spaced values between the percentiles (0 <= lower < upper <= 1). Returns a frame {<feature>, average} and, with " +
                       "ice = true, a second frame {row, <feature>, prediction} (one line per row of df). Plot with cl.plot.pdp.") { c in
                let o = try c.options(3)
                try o.checkKeys(["feature", "grid", "grid_resolution", "percentiles", "ice"])
                guard c.luaType(1) == LUA_TUSERDATA || c.luaType(1) == LUA_TTABLE else {
                    throw LuaArgumentError(1, "a model (anything with a predict_proba method) expected, got \(c.typeName(1))")
                }
                let frame = try c.frame(2)
                guard let feature = try o.string("feature") else { throw LuaArgumentError(3, "field 'feature' (a numeric column of df) is required") }
                let col = try c.core { try frame.column(feature) }
                guard let values = col.toDoubles() else {
                    throw LuaArgumentError(3, "field 'feature': column '\(feature)' is \(col.dtype.rawValue); partial dependence needs a numeric column")
                }
                let grid: [Double]
                if let g = try o.numbers("grid") {
                    guard !g.isEmpty, g.allSatisfy({ $0.isFinite }) else { throw LuaArgumentError(3, "field 'grid': a non-empty array of finite numbers expected") }
                    grid = g
                } else {
                    let res = try o.integer("grid_resolution", in: 2...1000) ?? 20
                    var lo = 0.05, hi = 0.95
                    if let p = try o.numbers("percentiles") {
                        guard p.count == 2, p.allSatisfy({ NumberRange.probability.contains($0) }), p[0] < p[1] else {
                            throw LuaArgumentError(3, "field 'percentiles': {lower, upper} with 0 <= lower < upper <= 1 expected")
                        }
                        lo = p[0]; hi = p[1]
                    }
                    grid = try c.core { try PartialDependence.grid(values, resolution: res, lower: lo, upper: hi) }
                }
                let ice = try o.bool("ice") ?? false
                let stacked = try c.core { try PartialDependence.stackedFrame(frame, feature: feature, grid: grid) }
                try c.load(score, name: "=cl.explain.partial_dependence")
                lua_pushvalue(c.L, 1)
                c.push(frame: stacked)
                try c.pcall(nargs: 2, nresults: 1)
                let scores: [Double]
                do { scores = try LuaVectors.doubles(c, lua_absindex(c.L, -1)) } catch let e as LuaArgumentError {
                    throw LuaArgumentError(1, "model:predict_proba returned \(e.message)")
                }
                let n = frame.nrow
                let r = try c.core { try PartialDependence.curves(scores: scores, n: n, gridCount: grid.count, ice: ice) }
                c.push(frame: try c.core { try Frame([.float(feature, grid), .float("average", r.average)]) })
                guard let lines = r.ice else { return 1 }
                var row: [Int64] = [], x: [Double] = [], pred: [Double] = []
                row.reserveCapacity(n * grid.count); x.reserveCapacity(n * grid.count); pred.reserveCapacity(n * grid.count)
                for i in 0..<n { for (g, v) in grid.enumerated() { row.append(Int64(i + 1)); x.append(v); pred.append(lines[i][g]) } }
                c.push(frame: try c.core { try Frame([.int("row", row), .float(feature, x), .float("prediction", pred)]) })
                return 2
            }
        }
    }
}
