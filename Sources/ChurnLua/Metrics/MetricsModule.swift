import CLua
import CLuaBridge
import ChurnCore
import LuaRuntime

/// `cl.metrics`: binary-classification metrics, curves, thresholds, campaign
/// economics, bootstrap intervals and DeLong's test. Labels are 0/1 and scores
/// are columns or Lua arrays; `weights` is an option everywhere it makes sense.
enum MetricsModule {
    static let reportMetatable = "churnlab.metrics.report"
    static let confusionMetatable = "churnlab.metrics.confusion"

    static func register(_ cl: ModuleBuilder) {
        // Metatable of report tables: tostring(report) prints the aligned table.
        cl.state.push(reportMetatable)
        lua_createtable(cl.state.L, 0, 1)
        cl.state.push("__tostring")
        cl.state.push(function: "tostring", { c in c.push(try reportText(c.table(1))) })
        lua_rawset(cl.state.L, -3)
        lua_rawset(cl.state.L, clb_registryindex())
        // Confusion tables: tostring(cm) prints the 2×2 grid.
        cl.state.push(confusionMetatable)
        lua_createtable(cl.state.L, 0, 1)
        cl.state.push("__tostring")
        cl.state.push(function: "tostring", { c in
            let t = try c.table(1)
            let m = ConfusionMatrix(tp: try t.number("tp") ?? 0, fp: try t.number("fp") ?? 0, tn: try t.number("tn") ?? 0, fn: try t.number("fn") ?? 0)
            return c.push(m.grid(threshold: try t.number("threshold")))
        })
        lua_rawset(cl.state.L, -3)
        lua_rawset(cl.state.L, clb_registryindex())

        cl.submodule("metrics", "Model evaluation: ranking, classification and probability metrics, curves, thresholds, campaign profit, bootstrap, DeLong.") { m in
            RecommendationMetricsBinding.register(m)
            scalar(m, "auc", "ROC AUC (exact with ties; ½ per tied pair).") { try Metrics.rocAUC($0, $1, weights: $2) }
            scalar(m, "average_precision", "Average precision, scikit-learn's step definition.") { try Metrics.averagePrecision($0, $1, weights: $2) }
            scalar(m, "log_loss", "Binary log loss; probabilities clipped to [eps, 1-eps].") { try Metrics.logLoss($0, $1, weights: $2) }
            scalar(m, "brier", "Brier score: mean squared error of probabilities.") { try Metrics.brier($0, $1, weights: $2) }

            m.function("ks", "ks(y, p [, {weights =}])", "Kolmogorov–Smirnov statistic between the classes' scores; returns statistic, threshold.") { c in
                let opts = try c.options(3); try opts.checkKeys(["weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let k = try c.core { try Metrics.ksStatistic(y, p, weights: w) }
                c.push(k.statistic); c.push(k.threshold)
                return 2
            }

            m.function("roc_curve", "roc_curve(y, p [, {weights =, drop_intermediate = true}])",
                       "ROC curve points {fpr =, tpr =, thresholds =}, first point (0, 0) at threshold inf.") { c in
                let opts = try c.options(3); try opts.checkKeys(["weights", "drop_intermediate"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let r = try c.core { try Metrics.rocCurve(y, p, weights: w, dropIntermediate: try opts.bool("drop_intermediate") ?? true) }
                let t = c.newTable(record: 3)
                MetricsArgs.setArray(c, t, "fpr", r.fpr); MetricsArgs.setArray(c, t, "tpr", r.tpr)
                MetricsArgs.setArray(c, t, "thresholds", r.thresholds)
                return 1
            }

            m.function("pr_curve", "pr_curve(y, p [, {weights =, drop_intermediate = false}])",
                       "Precision–recall curve {precision =, recall =, thresholds =} in scikit-learn's order.") { c in
                let opts = try c.options(3); try opts.checkKeys(["weights", "drop_intermediate"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let r = try c.core { try Metrics.prCurve(y, p, weights: w, dropIntermediate: try opts.bool("drop_intermediate") ?? false) }
                let t = c.newTable(record: 3)
                MetricsArgs.setArray(c, t, "precision", r.precision); MetricsArgs.setArray(c, t, "recall", r.recall)
                MetricsArgs.setArray(c, t, "thresholds", r.thresholds)
                return 1
            }

            m.function("confusion", "confusion(y, p [, {threshold = 0.5, weights =}])",
                       "Confusion counts and rates at a threshold (score >= threshold predicts 1; any number but NaN): {tp, fp, tn, fn, accuracy, precision, recall, specificity, f1, mcc, threshold}; print(cm) shows the 2×2 grid (actual rows, predicted columns, with row shares). Chart: cl.plot.confusion.") { c in
                let opts = try c.options(3); try opts.checkKeys(["threshold", "weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let th = try opts.number("threshold", in: OptionRange.threshold) ?? 0.5
                let m = try c.core { try Metrics.confusion(y, p, threshold: th, weights: w) }
                pushConfusion(c, m)
                c.push("threshold"); c.push(th); lua_rawset(c.L, -3)
                c.push(confusionMetatable); lua_rawget(c.L, clb_registryindex())
                lua_setmetatable(c.L, -2)
                return 1
            }

            for (name, help) in [("accuracy", "Accuracy"), ("precision", "Precision"), ("recall", "Recall"), ("f1", "F1 score"),
                                 ("mcc", "Matthews correlation")] {
                m.function(name, "\(name)(y, p [, {threshold = 0.5, weights =} | {average = 'macro'|'weighted'|'micro'|'binary', positive =}])",
                           "\(help): binary at a threshold (any number but NaN), or for integer class labels y and predictions p with `average` (positive: a class label 0…999999999).") { c in
                    let opts = try c.options(3); try opts.checkKeys(["threshold", "weights", "average", "positive"])
                    let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                    if let avg = try opts.string("average") {
                        let r = try c.core { try Metrics.classification(truth: try classes(y, arg: 1), predicted: try classes(p, arg: 2), weights: w) }
                        if name == "accuracy" { return c.push(r.accuracy) }
                        if name == "mcc" { return c.push(r.mcc) }
                        let a: ClassAverage
                        switch avg {
                        case "macro": a = .macro
                        case "weighted": a = .weighted
                        case "micro": a = .micro
                        case "binary": a = .binary(positive: try opts.integer("positive", in: classLabels) ?? 1)
                        default: throw LuaArgumentError(3, "field 'average': expected 'macro', 'weighted', 'micro' or 'binary', got '\(avg)'")
                        }
                        let v = r.averaged(a)
                        return c.push(name == "precision" ? v.precision : name == "recall" ? v.recall : v.f1)
                    }
                    // threshold = 0/0 used to give 0.5 (every comparison with NaN is false): an error now.
                    let m = try c.core { try Metrics.confusion(y, p, threshold: try opts.number("threshold", in: OptionRange.threshold) ?? 0.5, weights: w) }
                    switch name {
                    case "accuracy": return c.push(m.accuracy)
                    case "precision": return c.push(m.precision)
                    case "recall": return c.push(m.recall)
                    case "f1": return c.push(m.f1)
                    default: return c.push(m.mcc)
                    }
                }
            }

            m.function("classification_report", "classification_report(y, pred [, {weights =}])",
                       "Per-class precision, recall, F1 and support for integer class labels, with macro and weighted averages.") { c in
                let opts = try c.options(3); try opts.checkKeys(["weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let r = try c.core { try Metrics.classification(truth: try classes(y, arg: 1), predicted: try classes(p, arg: 2), weights: w) }
                let t = c.newTable(record: 6)
                let per = c.newTable(array: r.classes.count)
                for (k, cls) in r.classes.enumerated() {
                    MetricsArgs.pushRecord(c, [("class", Double(cls)), ("precision", r.precision[k]), ("recall", r.recall[k]),
                                               ("f1", r.f1[k]), ("support", r.support[k])])
                    per.setTop(k + 1)
                }
                t.setTop("classes")
                for (key, a) in [("macro", ClassAverage.macro), ("weighted", .weighted)] {
                    let v = r.averaged(a)
                    MetricsArgs.pushRecord(c, [("precision", v.precision), ("recall", v.recall), ("f1", v.f1)])
                    t.setTop(key)
                }
                t.set("accuracy", r.accuracy); t.set("mcc", r.mcc)
                return 1
            }

            m.function("calibration", "calibration(y, p [, {bins = 10, strategy = 'uniform'|'quantile', weights =}])",
                       "Calibration table of the non-empty bins as a frame {bin_lower, bin_upper, count, mean_predicted, fraction_positive, gap} (scikit-learn's calibration_curve plus counts), and the ECE as a second result; bins 1…100000.") { c in
                let opts = try c.options(3); try opts.checkKeys(["bins", "strategy", "weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let binning = try strategy(opts)
                let r = try c.core { try Metrics.calibration(y, p, bins: try opts.integer("bins", in: OptionRange.bins) ?? 10, binning: binning, weights: w) }
                c.push(frame: try c.core { try Metrics.calibrationFrame(r) })
                c.push(r.ece)
                return 2
            }

            m.function("ece", "ece(y, p [, {bins = 10, strategy =, weights =}])", "Expected calibration error; bins 1…100000.") { c in
                let opts = try c.options(3); try opts.checkKeys(["bins", "strategy", "weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let binning = try strategy(opts)
                return c.push(try c.core { try Metrics.calibration(y, p, bins: try opts.integer("bins", in: OptionRange.bins) ?? 10, binning: binning, weights: w).ece })
            }

            m.function("top_k", "top_k(y, p, fraction [, {weights =}])",
                       "Precision, recall and lift among the top `fraction` (in (0, 1], e.g. 0.1) of scores; ties at the cut are shared.") { c in
                let opts = try c.options(4); try opts.checkKeys(["weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 4)
                let r = try c.core { try Metrics.topK(y, p, fraction: try c.number(3, in: .fraction), weights: w) }
                return MetricsArgs.pushRecord(c, [("fraction", r.fraction), ("precision", r.precision), ("recall", r.recall),
                                                  ("lift", r.lift), ("captured", r.positivesCaptured)])
            }

            m.function("gains", "gains(y, p [, {weights =}])", "Cumulative gains {share =, gain =, lift =, thresholds =}.") { c in
                let opts = try c.options(3); try opts.checkKeys(["weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let g = try c.core { try Metrics.gains(y, p, weights: w) }
                let t = c.newTable(record: 4)
                MetricsArgs.setArray(c, t, "share", g.share); MetricsArgs.setArray(c, t, "gain", g.gain)
                MetricsArgs.setArray(c, t, "lift", g.lift); MetricsArgs.setArray(c, t, "thresholds", g.thresholds)
                return 1
            }

            m.function("lift_table", "lift_table(y, p [, {buckets = 10, weights =}])",
                       "Lift table as a frame, one row per bucket of `buckets` (1…100000) equal shares, best scores first: bucket, fraction (cumulative share contacted), rows, positives, rate and bucket_lift of the bucket, and cumulative precision, recall, lift, captured.") { c in
                let opts = try c.options(3); try opts.checkKeys(["buckets", "weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                return c.push(frame: try c.core { try Metrics.liftFrame(y, p, buckets: try opts.integer("buckets", in: OptionRange.bins) ?? 10, weights: w) })
            }

            m.function("report", "report(y, p [, {threshold = 0.5, top = 0.1, bins = 10, weights =}])",
                       "Every metric in one table that prints as an aligned list; undefined ones are NaN with `warnings`. threshold: any number but NaN; top (0, 1]; bins 1…100000.") { c in
                let opts = try c.options(3); try opts.checkKeys(["threshold", "top", "bins", "weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let o = ReportOptions(threshold: try opts.number("threshold", in: OptionRange.threshold) ?? 0.5,
                                      topFraction: try opts.number("top", in: .fraction) ?? 0.1,
                                      calibrationBins: try opts.integer("bins", in: OptionRange.bins) ?? 10)
                let r = try c.core { try MetricsReport(y, p, weights: w, options: o) }
                let t = c.newTable(record: r.entries.count + 2)
                for (k, v) in r.entries { t.set(k, v) }
                c.pushArray(r.entries.map { $0.name }); t.setTop("_order")
                c.pushArray(r.warnings); t.setTop("warnings")
                c.state.pushRegistryField(reportMetatable)
                lua_setmetatable(c.L, -2)
                return 1
            }

            m.function("best_threshold", "best_threshold(y, p [, {cost_fp =, cost_fn =} | {precision =} | {recall =}, weights =])",
                       "Best threshold by max F1 (default), lowest cost (costs finite >= 0), or highest recall/precision meeting a target precision/recall in [0, 1].") { c in
                let opts = try c.options(3); try opts.checkKeys(["cost_fp", "cost_fn", "precision", "recall", "weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let objective: ThresholdObjective
                let fp = try opts.number("cost_fp", in: .nonNegative), fn = try opts.number("cost_fn", in: .nonNegative)
                if fp != nil || fn != nil { objective = .minCost(costFP: fp ?? 1, costFN: fn ?? 1) }
                else if let t = try opts.number("precision", in: .probability) { objective = .precisionAtLeast(t) }
                else if let t = try opts.number("recall", in: .probability) { objective = .recallAtLeast(t) }
                else { objective = .maxF1 }
                let r = try c.core { try Metrics.bestThreshold(y, p, objective: objective, weights: w) }
                var fields = confusionFields(r.confusion)
                fields.insert(("threshold", r.threshold), at: 0)
                if case .minCost = objective { fields.append(("cost", r.objective)) }
                return MetricsArgs.pushRecord(c, fields)
            }

            m.function("profit_curve", "profit_curve(y, p [, {value = 200, offer_cost = 10, contact_cost = 1, acceptance = 0.3, weights =}])",
                       "Campaign profit by share contacted: TP·acceptance·(value − offer_cost) − FP·offer_cost − contacted·contact_cost; with its optimum `best`. value finite; costs finite >= 0; acceptance [0, 1].") { c in
                let opts = try c.options(3); try opts.checkKeys(["value", "offer_cost", "contact_cost", "acceptance", "weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
                let r = try c.core { try Metrics.profitCurve(y, p, options: try campaign(opts), weights: w) }
                let t = c.newTable(record: 4)
                MetricsArgs.setArray(c, t, "share", r.share); MetricsArgs.setArray(c, t, "profit", r.profit)
                MetricsArgs.setArray(c, t, "thresholds", r.thresholds)
                MetricsArgs.pushRecord(c, [("share", r.bestShare), ("profit", r.bestProfit), ("threshold", r.bestThreshold)])
                t.setTop("best")
                return 1
            }

            m.function("bootstrap", "bootstrap(fn, y, p [, {n = 1000, seed =, level = 0.95, weights =}])",
                       "Percentile bootstrap CI of a metric: `fn` is a metric name ('auc', 'average_precision', 'log_loss', 'brier', 'f1', 'accuracy', 'ks') or function(y, p, w) returning a number. n 1…1000000, level (0, 1), seed >= 0.") { c in
                let opts = try c.options(4); try opts.checkKeys(["n", "seed", "level", "weights"])
                let (y, p, w) = try MetricsArgs.labelsScores(c, 2, opts: opts, optsArg: 4)
                var o = BootstrapOptions(resamples: try opts.integer("n", in: OptionRange.resamples) ?? 1000,
                                         level: try opts.number("level", in: OptionRange.level) ?? 0.95)
                o.seed = try opts.seed()
                let r: BootstrapResult
                if c.luaType(1) == LUA_TSTRING {
                    let metric = try namedMetric(try c.string(1))
                    r = try c.core { try Metrics.bootstrap(y, p, weights: w, options: o, metric: metric) }
                } else {
                    try c.checkFunction(1)
                    // A Lua function runs on this thread only. An error on the full data aborts;
                    // on a resample (e.g. one class only) the resample is skipped, as for built-in metrics.
                    o.parallel = false
                    var scriptError: Error? = nil, calls = 0, fullDataFailed = false
                    let res: BootstrapResult
                    do {
                        res = try Metrics.bootstrap(y, p, weights: w, options: o) { ys, ps, ws in
                            calls += 1
                            if fullDataFailed { return .nan }   // the estimate failed: the error is raised below
                            lua_pushvalue(c.L, 1)
                            c.pushArray(ys); c.pushArray(ps)
                            if let ws { c.pushArray(ws) } else { c.pushNil() }
                            do { try c.pcall(nargs: 3, nresults: 1) } catch {
                                if scriptError == nil { scriptError = error }
                                fullDataFailed = calls == 1
                                return .nan
                            }
                            defer { lua_settop(c.L, -2) }
                            guard lua_type(c.L, -1) == LUA_TNUMBER else {
                                scriptError = LuaScriptError("bootstrap: the metric function must return a number, got \(c.typeName(-1))")
                                return .nan
                            }
                            return c.value(-1).asDouble ?? .nan
                        }
                    } catch {
                        throw scriptError ?? LuaScriptError("\(error)")
                    }
                    if res.estimate.isNaN, let scriptError { throw scriptError }
                    r = res
                }
                let t = c.newTable(record: 7)
                for (k, v) in [("estimate", r.estimate), ("lower", r.lower), ("upper", r.upper), ("se", r.standardError), ("level", r.level)] { t.set(k, v) }
                t.set("skipped", r.skipped)
                MetricsArgs.setArray(c, t, "samples", r.samples)
                return 1
            }

            m.function("delong", "delong(y, p1, p2 [, {level = 0.95}])",
                       "DeLong's test of two correlated ROC AUCs: {auc1, auc2, difference, se, z, p_value, lower, upper}; level (0, 1).") { c in
                let opts = try c.options(4); try opts.checkKeys(["level"])
                let y = try LuaVectors.doubles(c, 1), p1 = try LuaVectors.doubles(c, 2), p2 = try LuaVectors.doubles(c, 3)
                let r = try c.core { try Metrics.delong(y, p1, p2, level: try opts.number("level", in: OptionRange.level) ?? 0.95) }
                return MetricsArgs.pushRecord(c, [("auc1", r.auc1), ("auc2", r.auc2), ("difference", r.difference), ("se", r.standardError),
                                                  ("z", r.z), ("p_value", r.pValue), ("lower", r.lower), ("upper", r.upper), ("level", r.level)])
            }

            m.function("auc_ci", "auc_ci(y, p [, {level = 0.95}])", "ROC AUC with DeLong's standard error and interval {auc, se, lower, upper}; level (0, 1).") { c in
                let opts = try c.options(3); try opts.checkKeys(["level"])
                let y = try LuaVectors.doubles(c, 1), p = try LuaVectors.doubles(c, 2)
                let r = try c.core { try Metrics.aucInterval(y, p, level: try opts.number("level", in: OptionRange.level) ?? 0.95) }
                return MetricsArgs.pushRecord(c, [("auc", r.auc), ("se", r.standardError), ("lower", r.lower), ("upper", r.upper), ("level", r.level)])
            }
        }
    }

    /// Registers a metric `name(y, p [, {weights =}]) -> number`.
    private static func scalar(_ m: ModuleBuilder, _ name: String, _ help: String,
                               _ f: @escaping ([Double], [Double], [Double]?) throws -> Double) {
        m.function(name, "\(name)(y, p [, {weights =}])", help) { c in
            let opts = try c.options(3); try opts.checkKeys(["weights"])
            let (y, p, w) = try MetricsArgs.labelsScores(c, 1, opts: opts, optsArg: 3)
            return c.push(try c.core { try f(y, p, w) })
        }
    }

    static func confusionFields(_ m: ConfusionMatrix) -> [(String, Double)] {
        [("tp", m.tp), ("fp", m.fp), ("tn", m.tn), ("fn", m.fn), ("accuracy", m.accuracy), ("precision", m.precision),
         ("recall", m.recall), ("specificity", m.specificity), ("f1", m.f1), ("mcc", m.mcc)]
    }

    @discardableResult
    static func pushConfusion(_ c: LuaCall, _ m: ConfusionMatrix) -> Int32 { MetricsArgs.pushRecord(c, confusionFields(m)) }

    /// Integer class labels (`average` metrics): 0…999999999.
    static let classLabels = 0...999_999_999

    static func classes(_ v: [Double], arg: Int32) throws -> [Int] {
        try v.enumerated().map { i, x in
            guard x == x.rounded(), x >= 0, x < 1e9 else { throw LuaArgumentError(arg, "class labels must be integers >= 0; element \(i + 1) is \(x)") }
            return Int(x)
        }
    }

    static func strategy(_ opts: LuaTable) throws -> CalibrationBinning {
        guard let s = try opts.string("strategy") else { return .uniform }
        guard let b = CalibrationBinning(rawValue: s) else { throw LuaScriptError("calibration strategy must be 'uniform' or 'quantile', got '\(s)'") }
        return b
    }

    /// Campaign economics options (value finite; costs finite >= 0; acceptance in [0, 1]) over `base`.
    static func campaign(_ opts: LuaTable, base: CampaignOptions = CampaignOptions()) throws -> CampaignOptions {
        var o = base
        if let v = try opts.number("value", in: .finite) { o.valueRetained = v }
        if let v = try opts.number("offer_cost", in: .nonNegative) { o.offerCost = v }
        if let v = try opts.number("contact_cost", in: .nonNegative) { o.contactCost = v }
        if let v = try opts.number("acceptance", in: .probability) { o.acceptanceRate = v }
        return o
    }

    static func namedMetric(_ name: String) throws -> Metrics.MetricFunction {
        switch name {
        case "auc": return { try Metrics.rocAUC($0, $1, weights: $2) }
        case "average_precision": return { try Metrics.averagePrecision($0, $1, weights: $2) }
        case "log_loss": return { try Metrics.logLoss($0, $1, weights: $2) }
        case "brier": return { try Metrics.brier($0, $1, weights: $2) }
        case "ks": return { try Metrics.ksStatistic($0, $1, weights: $2).statistic }
        case "f1": return { try Metrics.confusion($0, $1, weights: $2).f1 }
        case "accuracy": return { try Metrics.confusion($0, $1, weights: $2).accuracy }
        default:
            throw LuaArgumentError(1, "unknown metric '\(name)' (auc, average_precision, log_loss, brier, ks, f1, accuracy) — or pass a function")
        }
    }

    /// The aligned text of a report table, in its `_order`.
    static func reportText(_ t: LuaTable) throws -> String {
        let names = (try t.strings("_order")) ?? []
        let width = names.map { $0.count }.max() ?? 0
        var lines: [String] = []
        for n in names {
            let v = try t.number(n) ?? .nan
            lines.append(n.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + MetricsReport.format(v))
        }
        for w in (try t.strings("warnings")) ?? [] { lines.append("warning: " + w) }
        return lines.joined(separator: "\n")
    }
}
