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

    /// Reasons for a few rows, when the model can explain itself.
    static let askReasons = """
        local m, d = ...
        if type(m.explain) == "function" then return m:explain(d, { top = 3 }) end
        return nil
        """

    static func register(_ cl: ModuleBuilder) {
        cl.submodule("report", "Evaluation reports.") { r in
            r.function("html", "html{model =, data =, target =, file = [, scores =, positive =, title =, threshold =, id =, top_users = 10, time =, model_name =, value =, offer_cost =, acceptance =]}",
                       "Writes one self-contained HTML page a retention manager can read: key findings in words, the confusion grid at `threshold`, " +
                       "the highest-risk rows with their main reasons (give the `id` column; top_users 1…1000; reasons from the model's explain method when it has one), " +
                       "the data period (the `time` column, else as_of/snapshot_date/date when present), rounded metrics with their meaning, and the charts with captions " +
                       "that say how to read them. Give `model` (any fitted model) or `scores`. Returns the HTML.") { c in
                let o = try c.table(1)
                try o.checkKeys(["model", "data", "target", "file", "scores", "positive", "title", "threshold",
                                 "value", "offer_cost", "contact_cost", "acceptance", "id", "top_users", "time", "model_name"])
                guard let target = try o.string("target") else { throw LuaArgumentError(1, "field 'target' is required") }
                guard o.push("data") != LUA_TNIL else { throw LuaArgumentError(1, "field 'data' is required (a frame)") }
                let dataIndex = lua_absindex(c.L, -1)
                let data = try c.frame(dataIndex)
                let y = try c.core { try BinaryTarget(column: data.column(target), positive: o.string("positive")).y }

                var report = EvaluationReport(y: y, p: [])
                var modelIndex: Int32? = nil
                if o.push("scores") != LUA_TNIL {
                    report.p = try LuaVectors.doubles(c, lua_absindex(c.L, -1))
                } else {
                    guard o.push("model") != LUA_TNIL else { throw LuaArgumentError(1, "give 'model' (a fitted model) or 'scores'") }
                    let mi = lua_absindex(c.L, -1)
                    modelIndex = mi
                    try c.load(askModel, name: "=cl.report")
                    lua_pushvalue(c.L, mi)
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
                    report.modelName = report.modelDescription.map(EvaluationReport.readableModelName)
                }
                if let name = try o.string("model_name") { report.modelName = name }
                guard report.p.count == y.count else {
                    throw LuaArgumentError(1, "\(report.p.count) scores for \(y.count) rows of data")
                }
                report.targetName = target
                if let t = try o.string("title") { report.title = t }
                if let t = try o.number("threshold", in: OptionRange.threshold) { report.metricOptions.threshold = t }
                report.campaign = try MetricsModule.campaign(o, base: report.campaign)
                // Data period.
                if let t = try o.string("time") {
                    let col = try c.core { try data.column(t) }
                    guard let per = EvaluationReport.period(of: col) else {
                        throw LuaArgumentError(1, "field 'time': column '\(t)' is \(col.dtype.rawValue); a date, timestamp or ISO text column is needed")
                    }
                    report.period = per
                } else if let name = EvaluationReport.periodColumns.first(where: { data.has($0) }) {
                    report.period = EvaluationReport.period(of: try c.core { try data.column(name) })
                }
                // Highest-risk rows with reasons.
                if let idName = try o.string("id") {
                    let ids = try c.core { try data.column(idName) }
                    let k = min(try o.integer("top_users", in: 1...1000) ?? 10, data.nrow)
                    let order = report.p.indices.sorted { report.p[$0] != report.p[$1] ? report.p[$0] > report.p[$1] : $0 < $1 }
                    let top = Array(order.prefix(k))
                    var reasons = [[String]](repeating: [], count: top.count)
                    if let mi = modelIndex {
                        let subset = try c.core { try data.take(rows: top) }
                        try c.load(askReasons, name: "=cl.report")
                        lua_pushvalue(c.L, mi)
                        c.push(frame: subset)
                        try c.pcall(nargs: 2, nresults: 1)
                        if c.isObject(lua_absindex(c.L, -1), FrameObject.self) {
                            let e = try c.frame(lua_absindex(c.L, -1))
                            if let rows = e.columnIfPresent("row")?.toDoubles(), let feats = e.columnIfPresent("feature"),
                               let contrib = e.columnIfPresent("contribution")?.toDoubles() {
                                let values = e.columnIfPresent("value")
                                for i in 0..<e.nrow {
                                    let r = Int(rows[i]) - 1
                                    guard r >= 0 && r < top.count, let f = feats.string(at: i) else { continue }
                                    let v = values.map { EvaluationReport.cellText($0, i) }.map { " = \($0)" } ?? ""
                                    reasons[r].append("\(f)\(v) (\(contrib[i] >= 0 ? "raises" : "lowers") risk)")
                                }
                            }
                        }
                    }
                    report.topUsers = top.enumerated().map { j, r in
                        EvaluationReport.RiskRow(id: EvaluationReport.cellText(ids, r), score: report.p[r], reasons: reasons[j])
                    }
                }
                let html = try c.core { try report.html() }
                if o.push("file") != LUA_TNIL {
                    try c.withOutputFile(try c.pathArgument(lua_absindex(c.L, -1))) { p in try c.core { try report.write(to: p) } }
                }
                return c.push(html)
            }
        }
    }
}
