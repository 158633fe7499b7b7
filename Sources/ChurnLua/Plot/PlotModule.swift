import CLua
import ChurnCore
import LuaRuntime

/// `cl.plot`: charts as SVG strings; with `file =` the SVG is also written
/// (atomically, inside the sandbox when there is one).
enum PlotModule {
    static let common: Set<String> = ["file", "title", "x_label", "y_label", "width", "height"]
    /// Chart size in px (every chart): width [200, 10000], height [150, 10000].
    static let width = NumberRange.closed(200, 10_000), height = NumberRange.closed(150, 10_000)

    static func register(_ cl: ModuleBuilder) {
        cl.submodule("plot", "Charts as standalone SVG (returned as text; written when `file` is given); width 200…10000 and height 150…10000 px.") { m in
            curve(m, "roc", "ROC curve(s) with AUC in the legend.", extra: []) { y, models, w, _, o in
                try Plot.roc(y, models: models, weights: w, options: o)
            }
            curve(m, "pr", "Precision–recall curve(s) with average precision.", extra: []) { y, models, w, _, o in
                try Plot.pr(y, models: models, weights: w, options: o)
            }
            curve(m, "calibration", "Reliability diagram with ECE and each bin's row count beside its point ({bins = 10 (1…100000), strategy = 'uniform'|'quantile', min_bin_count = 0 (>= 0): bins with fewer rows are left off the line, drawn faint}).", extra: ["bins", "strategy", "min_bin_count"]) { y, models, w, opts, o in
                try Plot.calibration(y, models: models, bins: try opts.integer("bins", in: OptionRange.bins) ?? 10, binning: try MetricsModule.strategy(opts),
                                     weights: w, minBinCount: try opts.number("min_bin_count", in: .nonNegative) ?? 0, options: o)
            }
            ExplainPlots.register(m)
            curve(m, "gains", "Cumulative gains curve(s).", extra: []) { y, models, w, _, o in
                try Plot.gains(y, models: models, weights: w, options: o)
            }

            m.function("lift", "lift(y, p [, {buckets = 10, weights =, file =, title =}])", "Lift per bucket (bars) and cumulative lift; buckets 1…100000.") { c in
                let opts = try c.options(3); try opts.checkKeys(common.union(["buckets", "weights"]))
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let o = try plotOptions(opts)
                return try finish(c, opts, try c.core { try Plot.lift(y, p, buckets: try opts.integer("buckets", in: OptionRange.bins) ?? 10, weights: w, options: o) })
            }

            m.function("profit", "profit(y, p [, {value =, offer_cost =, contact_cost =, acceptance =, weights =, file =, title =}])",
                       "Campaign profit by share contacted, optimum marked (formula: cl.help('metrics.profit_curve')).") { c in
                let opts = try c.options(3); try opts.checkKeys(common.union(["value", "offer_cost", "contact_cost", "acceptance", "weights"]))
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let o = try plotOptions(opts), camp = try MetricsModule.campaign(opts)
                return try finish(c, opts, try c.core { try Plot.profit(y, p, campaign: camp, weights: w, options: o) })
            }

            m.function("histogram", "histogram(y, p [, {bins = 30, negative = 'Retained', positive = 'Churned', weights =, file =, title =}])",
                       "Score histograms (densities) of the two classes; bins 1…100000.") { c in
                let opts = try c.options(3); try opts.checkKeys(common.union(["bins", "negative", "positive", "weights"]))
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let o = try plotOptions(opts)
                let names = (try opts.string("negative") ?? "Retained", try opts.string("positive") ?? "Churned")
                return try finish(c, opts, try c.core { try Plot.scoreHistogram(y, p, bins: try opts.integer("bins", in: OptionRange.bins) ?? 30, weights: w, classNames: names, options: o) })
            }

            m.function("importance", "importance(names, values [, {top = 20, file =, title =}]) or importance({name = value, ...} [, opts])",
                       "Feature importance as horizontal bars, largest first; values finite, top 1…2^31.") { c in
                var names: [String], values: [Double], optsArg: Int32
                let t = try c.table(1)
                if t.length == 0 && !t.stringKeys.isEmpty {
                    names = t.stringKeys.sorted()
                    values = try names.map { n in
                        guard let v = try t.number(n, in: .finite) else { throw LuaArgumentError(1, "field '\(n)' must be a number") }
                        return v
                    }
                    optsArg = 2
                } else {
                    names = try t.arrayOfStrings(); values = try LuaVectors.doubles(c, 2); optsArg = 3
                }
                let opts = try c.options(optsArg); try opts.checkKeys(common.union(["top"]))
                let o = try plotOptions(opts)
                return try finish(c, opts, try c.core { try Plot.importance(names: names, values: values, top: try opts.integer("top", in: OptionRange.positiveSize) ?? 20, options: o) })
            }

            m.function("shap", "shap(names, shap_values, feature_values [, {max_display = 15, max_points = 1500, file =, title =}])",
                       "SHAP summary: one row of dots per feature (arrays per feature), coloured by feature value; max_display and max_points 1…2^31.") { c in
                let names = try c.table(1).arrayOfStrings()
                let shap = try matrix(c, 2), values = try matrix(c, 3)
                let opts = try c.options(4); try opts.checkKeys(common.union(["max_display", "max_points"]))
                let o = try plotOptions(opts)
                return try finish(c, opts, try c.core {
                    try Plot.shapSummary(names: names, shap: shap, featureValues: values, maxDisplay: try opts.integer("max_display", in: OptionRange.positiveSize) ?? 15,
                                         maxPoints: try opts.integer("max_points", in: OptionRange.positiveSize) ?? 1500, options: o)
                })
            }

            m.function("training", "training({train = {...}, eval = {...}} [, {file =, title =}])",
                       "Loss per iteration for each series; the best iteration of the evaluation series (eval/valid/test, else the last) is marked.") { c in
                // Options first: nested tables read below stay on the stack and would shift argument 2.
                let opts = try c.options(2); try opts.checkKeys(common)
                let t = try c.table(1)
                let evalNames: Set<String> = ["eval", "valid", "validation", "test"]
                let keys = t.stringKeys.sorted { (evalNames.contains($0) ? 1 : 0, $0) < (evalNames.contains($1) ? 1 : 0, $1) }
                guard !keys.isEmpty else { throw LuaArgumentError(1, "give series as {name = {loss, ...}, ...}") }
                var series: [(name: String, values: [Double])] = []
                for k in keys {
                    guard let sub = try t.table(k) else { continue }
                    series.append((k, try sub.arrayOfNumbers()))
                }
                let o = try plotOptions(opts)
                return try finish(c, opts, try c.core { try Plot.training(series: series, options: o) })
            }

            m.function("regret", "regret({name = {cumulative regret per batch, ...}, ...} [, {batch = 1, file =, title =}])",
                       "Regret curves of policies: one line per named series of cumulative regret after each batch (x = rounds = batch number × batch, batch > 0).") { c in
                let opts = try c.options(2); try opts.checkKeys(common.union(["batch"]))
                let t = try c.table(1)
                var series: [(name: String, values: [Double])] = []
                for k in t.stringKeys.sorted() {
                    guard let sub = try t.table(k) else { continue }
                    series.append((k, try sub.arrayOfNumbers()))
                }
                guard !series.isEmpty else { throw LuaArgumentError(1, "give series as {name = {regret, ...}, ...}") }
                let batch = try opts.number("batch", in: .positive) ?? 1
                let o = try plotOptions(opts)
                return try finish(c, opts, try c.core { try Plot.regret(series: series, batchSize: batch, options: o) })
            }

            m.function("retention", "retention({name = curve, ...} [, {file =, title =}])",
                       "Retention curves (share of users still active over time) as steps, one per series. Each series is a " +
                       "cl.analytics.retention_curve frame (day, share), or {times = {...}, share = {...}} (shares 0…1), or " +
                       "{times =, retained =, eligible =} with counts, as retention_curve names them (share = retained / eligible).") { c in
                let opts = try c.options(2); try opts.checkKeys(common)
                let t = try c.table(1)
                var series: [(name: String, times: [Double], share: [Double])] = []
                for k in t.stringKeys.sorted() {
                    let top = lua_gettop(c.L)
                    defer { lua_settop(c.L, top) }
                    _ = t.push(k)
                    let idx = lua_gettop(c.L)
                    if c.isObject(idx, FrameObject.self) {
                        let f = try c.frame(idx)
                        guard let times = (f.columnIfPresent("day") ?? f.columnIfPresent("time") ?? f.columnIfPresent("times"))?.toDoubles(),
                              let share = f.columnIfPresent("share")?.toDoubles() else {
                            throw LuaArgumentError(1, "series '\(k)': a frame needs columns 'day' (or 'time') and 'share', as cl.analytics.retention_curve returns")
                        }
                        series.append((k, times, share)); continue
                    }
                    guard let sub = try t.table(k), let times = try sub.table("times") else {
                        throw LuaArgumentError(1, "series '\(k)' needs a retention_curve frame or fields 'times' and 'share'")
                    }
                    if let share = try sub.table("share") {
                        series.append((k, try times.arrayOfNumbers(), try share.arrayOfNumbers())); continue
                    }
                    guard let kept = try sub.table("retained"), let eligible = try sub.table("eligible") else {
                        throw LuaArgumentError(1, "series '\(k)': give share = {...} (0…1); 'retained' is a count of users, as in retention_curve, and needs eligible = {...} beside it")
                    }
                    let r = try kept.arrayOfNumbers(), e = try eligible.arrayOfNumbers()
                    guard r.count == e.count else { throw LuaArgumentError(1, "series '\(k)': \(r.count) retained counts for \(e.count) eligible counts") }
                    series.append((k, try times.arrayOfNumbers(), zip(r, e).map { $1 > 0 ? $0 / $1 : .nan }))
                }
                let o = try plotOptions(opts)
                return try finish(c, opts, try c.core { try Plot.retention(series: series, options: o) })
            }

            m.function("heatmap", "heatmap(matrix [, {rows =, cols =, percent = true, file =, title =}])",
                       "Cohort heatmap of a matrix given as rows (NaN cells stay blank), labelled by `rows` and `cols`.") { c in
                let values = try matrix(c, 1, nanForNil: true)
                let opts = try c.options(2); try opts.checkKeys(common.union(["rows", "cols", "percent"]))
                let width = values.map { $0.count }.max() ?? 0
                let rows = try opts.strings("rows") ?? (0..<values.count).map { String($0 + 1) }
                let cols = try opts.strings("cols") ?? (0..<width).map { String($0) }
                let padded = values.map { $0 + [Double](repeating: .nan, count: max(0, cols.count - $0.count)) }
                let o = try plotOptions(opts)
                return try finish(c, opts, try c.core {
                    try Plot.heatmap(padded, rowLabels: rows, columnLabels: cols, percent: try opts.bool("percent") ?? true, options: o)
                })
            }
        }
    }

    /// Registers a chart of `name(y, p_or_models [, opts])`; models are `{name = scores, ...}`.
    private static func curve(_ m: ModuleBuilder, _ name: String, _ help: String, extra: Set<String>,
                              _ draw: @escaping ([Double], Plot.Models, [Double]?, LuaTable, PlotOptions) throws -> String) {
        m.function(name, "\(name)(y, p or {model = p, ...} [, {weights =, file =, title =, width =, height =}])", help) { c in
            let opts = try c.options(3); try opts.checkKeys(common.union(extra).union(["weights"]))
            let y = try LuaVectors.doubles(c, 1)
            let models = try self.models(c, 2)
            let w = try MetricsArgs.vector(c, opts, "weights", arg: 3)
            let o = try plotOptions(opts)
            return try finish(c, opts, try c.core { try draw(y, models, w, opts, o) })
        }
    }

    /// Scores of one model (column or array), or several as `{name = scores}` (sorted by name).
    static func models(_ c: LuaCall, _ i: Int32) throws -> Plot.Models {
        if c.luaType(i) == LUA_TTABLE, !c.isObject(i, ColumnObject.self) {
            let t = try c.table(i)
            if t.length == 0 && !t.stringKeys.isEmpty {
                var out: Plot.Models = []
                for k in t.stringKeys.sorted() {
                    let top = lua_gettop(c.L)
                    defer { lua_settop(c.L, top) }
                    _ = t.push(k)
                    do { out.append((k, try LuaVectors.doubles(c, lua_gettop(c.L)))) } catch let e as LuaArgumentError {
                        throw LuaArgumentError(i, "model '\(k)': \(e.message)")
                    }
                }
                return out
            }
        }
        return [("Model", try LuaVectors.doubles(c, i))]
    }

    /// An array of numeric arrays (argument i); nil entries become NaN when allowed.
    static func matrix(_ c: LuaCall, _ i: Int32, nanForNil: Bool = false) throws -> [[Double]] {
        let t = try c.table(i)
        var out: [[Double]] = []
        for r in 0..<t.length {
            lua_rawgeti(c.L, i, lua_Integer(r + 1))
            defer { lua_settop(c.L, -2) }
            guard lua_type(c.L, -1) == LUA_TTABLE else { throw LuaArgumentError(i, "row \(r + 1) must be an array of numbers") }
            if nanForNil {
                // Rows may have holes (nil = missing cell): read up to the largest index.
                out.append(try rowWithHoles(c, i, r))
            } else {
                do { out.append(try LuaVectors.doubles(c, lua_gettop(c.L))) } catch let e as LuaArgumentError {
                    throw LuaArgumentError(i, "row \(r + 1): \(e.message)")
                }
            }
        }
        return out
    }

    /// Row r of a matrix where missing cells are nil or NaN (reads indices 1...maxn).
    private static func rowWithHoles(_ c: LuaCall, _ i: Int32, _ r: Int) throws -> [Double] {
        let idx = lua_gettop(c.L)
        var maxIndex = 0
        lua_pushnil(c.L)
        while lua_next(c.L, idx) != 0 {
            if lua_isinteger(c.L, -2) != 0 { maxIndex = max(maxIndex, Int(lua_tointegerx(c.L, -2, nil))) }
            lua_settop(c.L, -2)
        }
        guard maxIndex <= 1_000_000 else { throw LuaArgumentError(i, "row \(r + 1) is too long (index \(maxIndex))") }
        var row = [Double](repeating: .nan, count: maxIndex)
        for k in 0..<maxIndex {
            let t = lua_rawgeti(c.L, idx, lua_Integer(k + 1))
            defer { lua_settop(c.L, -2) }
            if t == LUA_TNUMBER { row[k] = lua_tonumberx(c.L, -1, nil) }
            else if t != LUA_TNIL { throw LuaArgumentError(i, "row \(r + 1), cell \(k + 1) must be a number or nil") }
        }
        return row
    }

    static func plotOptions(_ opts: LuaTable) throws -> PlotOptions {
        var o = PlotOptions()
        o.title = try opts.string("title"); o.xLabel = try opts.string("x_label"); o.yLabel = try opts.string("y_label")
        if let w = try opts.number("width", in: PlotModule.width) { o.width = w }
        if let h = try opts.number("height", in: PlotModule.height) { o.height = h }
        return o
    }

    /// Writes the SVG when `file` is given, then returns it.
    static func finish(_ c: LuaCall, _ opts: LuaTable, _ svg: String) throws -> Int32 {
        if let f = try opts.string("file") {
            try c.withOutputFile(f) { p in try c.core { try PlotFile.write(svg, to: p) } }
        }
        return c.push(svg)
    }
}
