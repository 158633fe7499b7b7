import CLua
import ChurnCore
import Foundation
import LuaRuntime

/// `cl.model.cox{...}`: Cox proportional hazards as a kind on the common model
/// registry (`ModelKinds`): fit with `duration =` and `event =`, `:save`,
/// `cl.model.load`, `cross_validate` and `permutation_importance` are the common
/// ones; the methods below are Cox's own. Thin: `ChurnCore/Survival` does the work.
enum CoxModelBinding {
    static let kind = ModelKind(
        name: "cox",
        signature: "model.cox{ties = 'efron'|'breslow', penalizer = 0, l1_ratio = 0, strata = {...}, robust = false, max_iter = 500}",
        help: "A Cox proportional-hazards model (lifelines' CoxPHFitter): fit with m:fit(frame, {duration =, event =, features = | exclude =, prep =}) — every column but duration, event and exclude is read (text ones dummy-coded against their first level), strata columns split the rows into strata with their own baseline hazard (they must be among the columns read). penalizer [0, 1e6] and l1_ratio [0, 1] are lifelines' elastic net on standardised coefficients (n·penalizer·(l1_ratio·|β| + ½(1 − l1_ratio)·β²), |β| smoothed as lifelines does); max_iter 1…100000. Case weights: m:fit(frame, {..., weight = 'w'}) (lifelines' weights_col; > 0, the weighted Efron likelihood and Breslow baseline, model-based standard errors as lifelines gives them); robust = true gives lifelines' robust (sandwich, Lin–Wei) standard errors — the ones to use with non-integer (e.g. propensity) weights. Efron fits follow lifelines' Newton schedule and match its coefficients; Breslow ties match statsmodels' PHReg. m:save / cl.model.load, and cl.model.cross_validate / permutation_importance with duration = and event = (metric 'concordance').",
        optionKeys: ["ties", "penalizer", "l1_ratio", "strata", "robust", "max_iter"],
        type: CoxPHModel.self,
        parse: { o in
            let opts = try options(o)
            return try ModelSpec(CoxPHModel.self, options: opts, parameters: [
                "ties": .string(opts.ties.rawValue), "penalizer": .double(opts.penalizer), "l1_ratio": .double(opts.l1Ratio),
                "max_iter": .int(opts.maxIterations), "robust": .bool(opts.robust)])
        },
        methods: methods)

    static func options(_ o: OptionSource) throws -> CoxPHModel.Options {
        let tiesName = try o.string("ties") ?? "efron"
        guard let ties = CoxPHModel.Ties(rawValue: tiesName) else { throw LuaArgumentError(1, "field 'ties': expected 'efron' or 'breslow', got '\(tiesName)'") }
        var opts = CoxPHModel.Options(ties: ties, penalizer: try o.number("penalizer", in: .closed(0, 1e6)) ?? 0,
                                      l1Ratio: try o.number("l1_ratio", in: .probability) ?? 0)
        opts.maxIterations = try o.integer("max_iter", in: 1...100_000) ?? 500
        opts.strata = try strata(o)
        opts.robust = try o.bool("robust") ?? false
        return opts
    }

    /// `strata = {'plan', ...}` (or one name), from a constructor table or a parameter set.
    static func strata(_ o: OptionSource) throws -> [String] {
        if let t = o as? LuaTable {
            if case .string(let s) = t.value("strata") { return [s] }
            return try t.strings("strata") ?? []
        }
        guard let v = (o as? ValueOptions)?.values["strata"] else { return [] }
        switch v {
        case .string(let s): return [s]
        case .table(let entries):
            return try entries.sorted { "\($0.key)" < "\($1.key)" }.map { e in
                guard case .string(let s) = e.value else { throw LuaScriptError("cox: strata must be column names") }
                return s
            }
        default: throw LuaScriptError("cox: strata must be column names")
        }
    }

    /// The fitted model and the frame as it saw it (through the fit's `prep` pipeline).
    static func fitted(_ c: LuaCall, _ m: ModelObject, _ what: String, frameAt i: Int32? = 2) throws -> (CoxPHModel, Frame?) {
        let model = try m.fittedAs(CoxPHModel.self)
        guard let i else { return (model, nil) }
        let raw = try c.frame(i)
        return (model, try c.core { try m.metadata?.preprocess(raw) ?? raw })
    }

    static func method(_ signature: String, _ help: String, _ body: @escaping (LuaCall, ModelObject) throws -> Int32) -> KindMethod {
        KindMethod(signature: signature, help: help, body: body)
    }

    static func timesOption(_ c: LuaCall, _ o: LuaTable, arg: Int32) throws -> [Double] {
        guard let t = try o.table("times") else { throw LuaArgumentError(arg, "field 'times' (an array of times) is required") }
        let times = try t.arrayOfNumbers()
        guard !times.isEmpty else { throw LuaArgumentError(arg, "field 'times' is empty") }
        if let bad = times.first(where: { !$0.isFinite }) { throw LuaArgumentError(arg, "field 'times': values must be finite, got \(bad)") }
        return times
    }

    static func timeLabel(_ t: Double) -> String { t == t.rounded() && abs(t) < 1e15 ? String(Int64(t)) : "\(t)" }

    static let methods: [String: KindMethod] = [
        "summary": method("cox:summary([alpha = 0.05])", "lifelines' summary as a frame: covariate, coef, exp_coef, se, lower, upper, exp_lower, exp_upper, z, p, minus_log2_p (other kinds: the text summary).") { c, m in
            let (model, _) = try fitted(c, m, "summary", frameAt: nil)
            let alpha = try c.optNumber(2, in: SurvivalModule.alphaRange) ?? 0.05
            return c.push(frame: try c.core { try model.summaryFrame(alpha: alpha) })
        },
        "print_summary": method("cox:print_summary([alpha = 0.05])", "The summary as text (as print(cox) shows it), with concordance and partial AIC.") { c, m in
            let (model, _) = try fitted(c, m, "print_summary", frameAt: nil)
            let alpha = try c.optNumber(2, in: SurvivalModule.alphaRange) ?? 0.05
            return c.push(model.printSummary(alpha: alpha))
        },
        "info": method("cox:info()", "Fit record: log_likelihood, aic_partial, concordance, n, events, ties, penalizer, l1_ratio, iterations, converged, features, strata, robust (sandwich standard errors), weighted (fitted with weight =).") { c, m in
            let (model, _) = try fitted(c, m, "info", frameAt: nil)
            return c.push(SurvivalModule.record([
                ("log_likelihood", .number(model.logPartialLikelihood)), ("aic_partial", .number(model.aicPartial)),
                ("concordance", .number(model.concordance)), ("n", .integer(Int64(model.n))), ("events", .integer(Int64(model.events))),
                ("ties", .string(model.ties.rawValue)), ("penalizer", .number(model.penalizer)), ("l1_ratio", .number(model.l1Ratio)),
                ("iterations", .integer(Int64(model.iterations))), ("converged", .bool(model.converged)),
                ("features", SurvivalModule.array(model.features.map { .string($0) })), ("strata", SurvivalModule.array(model.strata.map { .string($0) })),
                ("robust", .bool(model.robust ?? false)), ("weighted", .bool(model.weighted ?? false)),
            ]))
        },
        "predict_partial_hazard": method("cox:predict_partial_hazard(df)", "exp((x − x̄)·β) per row, a float column.") { c, m in
            let (model, f) = try fitted(c, m, "predict_partial_hazard")
            return c.push(column: .float("partial_hazard", try c.core { try model.logPartialHazard(f!).eta.map { exp($0) } }))
        },
        "predict_log_partial_hazard": method("cox:predict_log_partial_hazard(df)", "(x − x̄)·β per row, a float column.") { c, m in
            let (model, f) = try fitted(c, m, "predict_log_partial_hazard")
            return c.push(column: .float("log_partial_hazard", try c.core { try model.logPartialHazard(f!).eta }))
        },
        "predict_hazard": method("cox:predict_hazard(df)", "The relative hazard exp((x − x̄)·β) per row (same as predict_partial_hazard).") { c, m in
            let (model, f) = try fitted(c, m, "predict_hazard")
            return c.push(column: .float("partial_hazard", try c.core { try model.logPartialHazard(f!).eta.map { exp($0) } }))
        },
        "predict_survival": method("cox:predict_survival(df, {times = {...}})", "S(t | x) per row: a frame with one column survival_<t> per time.") { c, m in
            let (model, f) = try fitted(c, m, "predict_survival")
            let o = try c.options(3); try o.checkKeys(["times"])
            let times = try timesOption(c, o, arg: 3)
            return c.push(frame: try c.core { () -> Frame in
                let s = try model.survival(f!, times: times)
                let k = times.count
                return try Frame(times.enumerated().map { j, t in .float("survival_\(timeLabel(t))", (0..<f!.nrow).map { s[$0 * k + j] }) })
            })
        },
        "predict_cumulative_hazard": method("cox:predict_cumulative_hazard(df, {times = {...}})", "H(t | x) per row: one column cumulative_hazard_<t> per time.") { c, m in
            let (model, f) = try fitted(c, m, "predict_cumulative_hazard")
            let o = try c.options(3); try o.checkKeys(["times"])
            let times = try timesOption(c, o, arg: 3)
            return c.push(frame: try c.core { () -> Frame in
                let s = try model.survival(f!, times: times)
                let k = times.count
                return try Frame(times.enumerated().map { j, t in .float("cumulative_hazard_\(timeLabel(t))", (0..<f!.nrow).map { -log(s[$0 * k + j]) }) })
            })
        },
        "predict_median": method("cox:predict_median(df)", "Median survival time per row (first baseline time with S ≤ 0.5; inf if never).") { c, m in
            let (model, f) = try fitted(c, m, "predict_median")
            return c.push(column: .float("median_survival", try c.core { try model.medianSurvival(f!) }))
        },
        "predict_expectation": method("cox:predict_expectation(df [, {conditional_after = 'column'}])", "Expected lifetime E[T | x] per row (lifelines' predict_expectation: the trapezoidal integral of S(t | x) over the training durations), a float column; with conditional_after (a column of durations already survived, e.g. current tenure, finite >= 0) the expected remaining lifetime — a feature for the churn model or a field for retention rules.") { c, m in
            let (model, f) = try fitted(c, m, "predict_expectation")
            let o = try c.options(3); try o.checkKeys(["conditional_after"])
            let after = try o.string("conditional_after")
            return c.push(column: try c.core {
                let values = try model.expectation(f!, conditionalAfter: try after.map { name -> [Double] in
                    let col = try f!.column(name)
                    guard let v = col.toDoubles(), col.nullCount == 0 else { throw SurvivalError.invalid("conditional_after column '\(name)' must be numeric without nulls") }
                    return v
                })
                return .float(after == nil ? "expected_lifetime" : "expected_remaining_lifetime", values)
            })
        },
        "baseline": method("cox:baseline()", "Breslow baseline: [stratum,] time, baseline_hazard, baseline_cumulative_hazard, baseline_survival.") { c, m in
            let (model, _) = try fitted(c, m, "baseline", frameAt: nil)
            return c.push(frame: try c.core { try model.baselineFrame() })
        },
        "check_assumptions": method("cox:check_assumptions(df, {time_transform = 'rank'|'km'|'identity'|'log'|'all'})", "Proportional-hazards test on scaled Schoenfeld residuals (lifelines' proportional_hazard_test) per covariate: covariate, time_transform, test_statistic, p, minus_log2_p.") { c, m in
            let (model, f) = try fitted(c, m, "check_assumptions")
            let o = try c.options(3); try o.checkKeys(["time_transform"])
            let name = try o.string("time_transform") ?? "rank"
            let names = name == "all" ? CoxPHModel.TimeTransform.allCases : [try CoxPHModel.TimeTransform(rawValue: name) ?? {
                throw LuaArgumentError(3, "field 'time_transform': expected 'rank', 'km', 'identity', 'log' or 'all', got '\(name)'")
            }()]
            return c.push(frame: try c.core { () -> Frame in
                var cov: [String] = [], tr: [String] = [], stat: [Double] = [], p: [Double] = [], l2: [Double] = []
                for t in names {
                    let r = try model.proportionalHazardTest(f!, transform: t)
                    cov += model.features; tr += [String](repeating: t.rawValue, count: model.features.count)
                    stat += r.statistic; p += r.pValue; l2 += r.minusLog2P
                }
                return try Frame([.string("covariate", cov), .string("time_transform", tr), .float("test_statistic", stat),
                                  .float("p", p), .float("minus_log2_p", l2)])
            })
        },
    ]
}
