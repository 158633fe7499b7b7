import CLua
import ChurnCore
import LuaRuntime

/// `cl.report.html{...}`: a self-contained HTML evaluation page.
enum ReportModule {
    /// Asks any model object for its scores and (when it has one) its
    /// importance table, through its own Lua methods.
    static let askModel = """
        local m, d = ...
        local p = m:predict_proba(d)
        local imp
        if type(m.importance) == "function" then
          local ok, r = pcall(m.importance, m)   -- a kind without importances: no chart
          if ok then imp = r end
        end
        return p, imp, tostring(m)
        """

    static func register(_ cl: ModuleBuilder) {
        cl.submodule("report", "Evaluation reports.") { r in
            r.function("html", "html{model =, data =, target =, file = [, scores =, positive =, title =, threshold =, value =, offer_cost =, acceptance =]}",
                       "Writes one self-contained HTML page with the metrics table and the charts (ROC, PR, calibration, gains, lift, score histograms, profit, importance). Give `model` (any fitted model) or `scores`. Returns the HTML.") { c in
                let o = try c.table(1)
                try o.checkKeys(["model", "data", "target", "file", "scores", "positive", "title", "threshold",
                                 "value", "offer_cost", "contact_cost", "acceptance"])
                guard let target = try o.string("target") else { throw LuaArgumentError(1, "field 'target' is required") }
                guard o.push("data") != LUA_TNIL else { throw LuaArgumentError(1, "field 'data' is required (a frame)") }
                let dataIndex = lua_absindex(c.L, -1)
                let data = try c.frame(dataIndex)
                let y = try c.core { try BinaryTarget(column: data.column(target), positive: o.string("positive")).y }

                var report = EvaluationReport(y: y, p: [])
                if o.push("scores") != LUA_TNIL {
                    report.p = try LuaVectors.doubles(c, lua_absindex(c.L, -1))
                } else {
                    guard o.push("model") != LUA_TNIL else { throw LuaArgumentError(1, "give 'model' (a fitted model) or 'scores'") }
                    let modelIndex = lua_absindex(c.L, -1)
                    try c.load(askModel, name: "=cl.report")
                    lua_pushvalue(c.L, modelIndex)
                    lua_pushvalue(c.L, dataIndex)
                    try c.pcall(nargs: 2, nresults: 3)
                    report.p = try LuaVectors.doubles(c, lua_absindex(c.L, -3))
                    if c.isObject(lua_absindex(c.L, -2), FrameObject.self) {
                        let imp = try c.frame(lua_absindex(c.L, -2))
                        if let names = imp.columnIfPresent("feature"), let values = imp.columnIfPresent("importance")?.toDoubles() {
                            report.importance = (0..<imp.nrow).map { (names.string(at: $0) ?? "?", values[$0]) }
                        }
                    }
                    report.modelDescription = LuaStack.string(c.L, -1)
                }
                guard report.p.count == y.count else {
                    throw LuaArgumentError(1, "\(report.p.count) scores for \(y.count) rows of data")
                }
                report.targetName = target
                if let t = try o.string("title") { report.title = t }
                if let t = try o.number("threshold", in: OptionRange.threshold) { report.metricOptions.threshold = t }
                report.campaign = try MetricsModule.campaign(o, base: report.campaign)
                let html = try c.core { try report.html() }
                if o.push("file") != LUA_TNIL {
                    try c.withOutputFile(try c.pathArgument(lua_absindex(c.L, -1))) { p in try c.core { try report.write(to: p) } }
                }
                return c.push(html)
            }
        }
    }
}
