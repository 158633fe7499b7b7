import ChurnCore
import LuaRuntime

/// `cl.plot.survival`, `cl.plot.clv` and `cl.plot.clv_holdout`: survival and customer-value charts,
/// registered into `cl.plot` from the survival area (the chart code is
/// `ChurnCore/Plot/SurvivalChart.swift`; the common options are `PlotModule`'s).
enum SurvivalPlots {
    static func register(_ cl: ModuleBuilder) {
        cl.submodule("plot") { m in
            m.function("survival", "survival(frame, {duration =, event =, group =, weights =, entry =, alpha = 0.05, ci = true, at_risk = true, file =, title =, x_label =, y_label =, width =, height =})",
                       "Kaplan–Meier curves, one per value of `group` (e.g. plan, tier, persona), with shaded (1 − alpha) confidence bands and a numbers-at-risk table under the x axis (as lifelines' plot + add_at_risk_counts). alpha in (0, 1).") { c in
                let f = try c.frame(1)
                let o = try c.options(2)
                try o.checkKeys(PlotModule.common.union(["duration", "event", "group", "weights", "entry", "alpha", "ci", "at_risk"]))
                let cols = try SurvivalModule.columns(o, arg: 2, group: true)
                let alpha = try o.number("alpha", in: SurvivalModule.alphaRange) ?? 0.05
                let ci = try o.bool("ci") ?? true, atRisk = try o.bool("at_risk") ?? true
                var po = try PlotModule.plotOptions(o)
                if po.xLabel == nil { po.xLabel = cols.duration }
                let options = po
                return try PlotModule.finish(c, o, try c.core { () -> String in
                    let curves = try KaplanMeier.fitGroups(f, cols, alpha: alpha).map { label, r, _ in
                        SurvivalCurve(name: label == .null ? "all" : label.description, times: r.table.times, survival: r.survival,
                                      lower: r.lower, upper: r.upper, atRisk: r.table.atRisk)
                    }
                    return try Plot.survival(curves, showCI: ci, atRiskTable: atRisk, options: options)
                })
            }

            m.function("clv_holdout", "clv_holdout(model, summary [, {bins = 7, frequency =, recency =, T =, file =, title =, x_label =, y_label =, width =, height =}])",
                       "lifetimes' plot_calibration_purchases_vs_holdout_purchases: customers of a cl.clv.summary frame with a holdout period grouped by calibration frequency (the first `bins` values, 1…1000), the mean purchases they made in the holdout against the mean a BG/NBD or Pareto/NBD model predicted from their calibration history. The numbers are cl.clv.calibration_holdout's.") { c in
                let model = try CLVModule.purchaseModel(c, 1)
                let f = try c.frame(2)
                let o = try c.options(3)
                try o.checkKeys(PlotModule.common.union(["bins", "frequency", "recency", "T"]))
                let bins = try o.integer("bins", in: 1...1000) ?? 7
                let cols = try CLVModule.rfm(o)
                let po = try PlotModule.plotOptions(o)
                return try PlotModule.finish(c, o, try c.core { try CalibrationHoldout(model, f, cols, bins: bins).svg(options: po) })
            }

            m.function("clv", "clv(model, {chart = 'p_alive'|'expected_purchases', t = 39, max_frequency =, max_recency =, T =, file =, title =, width =, height =})",
                       "lifetimes' probability-alive / frequency–recency matrix for a BG/NBD or Pareto/NBD record: P(alive) (or expected purchases in the next t periods) for every frequency 0…max_frequency (rows) and recency 0…max_recency (columns) of a customer of age T (default T = max_recency). max_frequency and max_recency are whole numbers 1…500; t and T finite > 0.") { c in
                let model = try CLVModule.purchaseModel(c, 1)
                let o = try c.options(2)
                try o.checkKeys(PlotModule.common.union(["chart", "t", "max_frequency", "max_recency", "T"]))
                let chart = try o.string("chart") ?? "p_alive"
                guard chart == "p_alive" || chart == "expected_purchases" else {
                    throw LuaArgumentError(2, "field 'chart': expected 'p_alive' or 'expected_purchases', got '\(chart)'")
                }
                let maxF = try o.integer("max_frequency", in: 1...500) ?? 30
                let maxR = try o.integer("max_recency", in: 1...500) ?? 40
                let T = try o.number("T", in: .openClosed(0, 1e6)) ?? Double(maxR)
                guard T >= Double(maxR) else { throw LuaArgumentError(2, "field 'T' (\(T)) must be >= max_recency (\(maxR)): recency cannot exceed age") }
                let t = try o.number("t", in: .openClosed(0, 1e6)) ?? 39
                var po = try PlotModule.plotOptions(o)
                if po.title == nil {
                    po.title = chart == "p_alive" ? "Probability customer is alive, by frequency and recency"
                        : "Expected purchases in the next \(CoxModelBinding.timeLabel(t)) periods, by frequency and recency"
                }
                if po.xLabel == nil { po.xLabel = "Recency (rows: frequency \(maxF) at the top)" }
                let options = po
                return try PlotModule.finish(c, o, try c.core { () -> String in
                    // Rows: frequency from max down to 0 (lifetimes draws the highest frequency on top); columns: recency 0…max.
                    let values: [[Double]] = (0...maxF).reversed().map { x in
                        (0...maxR).map { r in
                            let rec = Double(r), fx = Double(x)
                            if fx > 0 && rec == 0 { return .nan }     // repeat purchases need recency > 0
                            return chart == "p_alive" ? model.probabilityAlive(frequency: fx, recency: fx == 0 ? 0 : rec, T: T)
                                : model.conditionalExpectedPurchases(t, frequency: fx, recency: fx == 0 ? 0 : rec, T: T)
                        }
                    }
                    return try Plot.heatmap(values, rowLabels: (0...maxF).reversed().map(String.init), columnLabels: (0...maxR).map(String.init),
                                            percent: chart == "p_alive", options: options)
                })
            }
        }
    }
}
