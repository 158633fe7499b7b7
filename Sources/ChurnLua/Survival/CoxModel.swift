import CLua
import ChurnCore
import Foundation
import LuaRuntime

/// A Cox proportional-hazards model as Lua holds it: options until fitted, then
/// the fitted core model (`CoxPHModel`, Codable and validated on load). Kept in
/// one file so it can move onto the common model registry as kind "cox".
final class CoxObject: LuaObject {
    static let luaTypeName = "cl.CoxModel"
    var options: CoxPHModel.Options
    var strata: [String]
    var model: CoxPHModel?
    init(options: CoxPHModel.Options, strata: [String], model: CoxPHModel? = nil) {
        self.options = options; self.strata = strata; self.model = model
    }

    func fitted(_ what: String) throws -> CoxPHModel {
        guard let model else { throw LuaScriptError("\(what): the Cox model is not fitted yet; call m:fit(frame, {duration =, event =}) first") }
        return model
    }
}

/// `cl.model.cox{...}` and the methods of Cox models. Thin: options and frames in, `ChurnCore/Survival` does the work.
enum CoxModelBinding {
    static let optionKeys: Set<String> = ["ties", "penalizer", "l1_ratio", "strata", "max_iter"]

    static func register(_ cl: ModuleBuilder) {
        cl.state.register(CoxObject.self, LuaClass(methods: methods, metamethods: [
            "__tostring": { c in
                let o = try c.object(1, CoxObject.self)
                guard let m = o.model else {
                    return c.push("<cl.CoxModel unfitted: ties \(o.options.ties.rawValue), penalizer \(o.options.penalizer), l1_ratio \(o.options.l1Ratio)>")
                }
                return c.push(m.summaryText())
            },
        ]))
        cl.submodule("model") { m in
            m.function("cox", "model.cox{ties = 'efron'|'breslow', penalizer = 0, l1_ratio = 0, strata = {...}, max_iter = 500}",
                       "A Cox proportional-hazards model (lifelines' CoxPHFitter): fit with m:fit(frame, {duration =, event =, features = | exclude =}). penalizer [0, 1e6] and l1_ratio [0, 1] are lifelines' elastic net on standardised coefficients (n·penalizer·(l1_ratio·|β| + ½(1 − l1_ratio)·β²), |β| smoothed as lifelines does); strata: columns whose values split the data into strata with their own baseline hazard; max_iter 1…100000. Efron fits follow lifelines' Newton schedule and match its coefficients; Breslow ties match statsmodels' PHReg.") { c in
                let t = try c.options(1); try t.checkKeys(optionKeys)
                let tiesName = try t.string("ties") ?? "efron"
                guard let ties = CoxPHModel.Ties(rawValue: tiesName) else { throw LuaArgumentError(1, "field 'ties': expected 'efron' or 'breslow', got '\(tiesName)'") }
                var o = CoxPHModel.Options(ties: ties, penalizer: try t.number("penalizer", in: .closed(0, 1e6)) ?? 0,
                                           l1Ratio: try t.number("l1_ratio", in: .probability) ?? 0)
                o.maxIterations = try t.integer("max_iter", in: 1...100_000) ?? 500
                return c.push(object: CoxObject(options: o, strata: try t.strings("strata") ?? []))
            }
        }
    }

    static func timesOption(_ c: LuaCall, _ o: LuaTable, arg: Int32) throws -> [Double] {
        guard let t = try o.table("times") else { throw LuaArgumentError(arg, "field 'times' (an array of times) is required") }
        let times = try t.arrayOfNumbers()
        guard !times.isEmpty else { throw LuaArgumentError(arg, "field 'times' is empty") }
        if let bad = times.first(where: { !$0.isFinite }) { throw LuaArgumentError(arg, "field 'times': values must be finite, got \(bad)") }
        return times
    }

    static func timeLabel(_ t: Double) -> String { t == t.rounded() && abs(t) < 1e15 ? String(Int64(t)) : "\(t)" }

    static let methods: [String: LuaFunction] = [
        "fit": { c in
            let o = try c.object(1, CoxObject.self)
            let f = try c.frame(2)
            let t = try c.options(3); try t.checkKeys(["duration", "event", "features", "exclude"])
            let cols = try SurvivalModule.columns(t, arg: 3, group: false)
            let features = try t.strings("features"), exclude = try t.strings("exclude") ?? []
            o.model = try c.core { try CoxPHModel.fit(f, cols, features: features, exclude: exclude, strata: o.strata, options: o.options) }
            lua_settop(c.L, 1)
            return 1
        },
        "summary": { c in
            let m = try c.object(1, CoxObject.self).fitted("summary")
            let alpha = try c.optNumber(2, in: SurvivalModule.alphaRange) ?? 0.05
            return c.push(frame: try c.core { try m.summaryFrame(alpha: alpha) })
        },
        "print_summary": { c in
            let m = try c.object(1, CoxObject.self).fitted("print_summary")
            let alpha = try c.optNumber(2, in: SurvivalModule.alphaRange) ?? 0.05
            return c.push(m.summaryText(alpha: alpha))
        },
        "info": { c in
            let m = try c.object(1, CoxObject.self).fitted("info")
            return c.push(SurvivalModule.record([
                ("log_likelihood", .number(m.logPartialLikelihood)), ("aic_partial", .number(m.aicPartial)),
                ("concordance", .number(m.concordance)), ("n", .integer(Int64(m.n))), ("events", .integer(Int64(m.events))),
                ("ties", .string(m.ties.rawValue)), ("penalizer", .number(m.penalizer)), ("l1_ratio", .number(m.l1Ratio)),
                ("iterations", .integer(Int64(m.iterations))), ("converged", .bool(m.converged)),
                ("features", SurvivalModule.array(m.features.map { .string($0) })), ("strata", SurvivalModule.array(m.strata.map { .string($0) })),
            ]))
        },
        "predict_partial_hazard": { c in
            let m = try c.object(1, CoxObject.self).fitted("predict_partial_hazard")
            let f = try c.frame(2)
            return c.push(column: .float("partial_hazard", try c.core { try m.logPartialHazard(f).eta.map { exp($0) } }))
        },
        "predict_log_partial_hazard": { c in
            let m = try c.object(1, CoxObject.self).fitted("predict_log_partial_hazard")
            let f = try c.frame(2)
            return c.push(column: .float("log_partial_hazard", try c.core { try m.logPartialHazard(f).eta }))
        },
        "predict_hazard": { c in
            let m = try c.object(1, CoxObject.self).fitted("predict_hazard")
            let f = try c.frame(2)
            return c.push(column: .float("partial_hazard", try c.core { try m.logPartialHazard(f).eta.map { exp($0) } }))
        },
        "predict_survival": { c in
            let m = try c.object(1, CoxObject.self).fitted("predict_survival")
            let f = try c.frame(2)
            let o = try c.options(3); try o.checkKeys(["times"])
            let times = try timesOption(c, o, arg: 3)
            return c.push(frame: try c.core { () -> Frame in
                let s = try m.survival(f, times: times)
                let k = times.count
                return try Frame(times.enumerated().map { j, t in .float("survival_\(timeLabel(t))", (0..<f.nrow).map { s[$0 * k + j] }) })
            })
        },
        "predict_cumulative_hazard": { c in
            let m = try c.object(1, CoxObject.self).fitted("predict_cumulative_hazard")
            let f = try c.frame(2)
            let o = try c.options(3); try o.checkKeys(["times"])
            let times = try timesOption(c, o, arg: 3)
            return c.push(frame: try c.core { () -> Frame in
                let s = try m.survival(f, times: times)
                let k = times.count
                return try Frame(times.enumerated().map { j, t in .float("cumulative_hazard_\(timeLabel(t))", (0..<f.nrow).map { -log(s[$0 * k + j]) }) })
            })
        },
        "predict_median": { c in
            let m = try c.object(1, CoxObject.self).fitted("predict_median")
            let f = try c.frame(2)
            return c.push(column: .float("median_survival", try c.core { try m.medianSurvival(f) }))
        },
        "baseline": { c in
            let m = try c.object(1, CoxObject.self).fitted("baseline")
            return c.push(frame: try c.core { try m.baselineFrame() })
        },
        "check_assumptions": { c in
            let m = try c.object(1, CoxObject.self).fitted("check_assumptions")
            let f = try c.frame(2)
            let o = try c.options(3); try o.checkKeys(["time_transform"])
            let name = try o.string("time_transform") ?? "rank"
            let names = name == "all" ? CoxPHModel.TimeTransform.allCases : [try CoxPHModel.TimeTransform(rawValue: name) ?? {
                throw LuaArgumentError(3, "field 'time_transform': expected 'rank', 'km', 'identity', 'log' or 'all', got '\(name)'")
            }()]
            return c.push(frame: try c.core { () -> Frame in
                var cov: [String] = [], tr: [String] = [], stat: [Double] = [], p: [Double] = [], l2: [Double] = []
                for t in names {
                    let r = try m.proportionalHazardTest(f, transform: t)
                    cov += m.features; tr += [String](repeating: t.rawValue, count: m.features.count)
                    stat += r.statistic; p += r.pValue; l2 += r.minusLog2P
                }
                return try Frame([.string("covariate", cov), .string("time_transform", tr), .float("test_statistic", stat),
                                  .float("p", p), .float("minus_log2_p", l2)])
            })
        },
        "save": { c in
            let m = try c.object(1, CoxObject.self).fitted("save")
            try c.withOutputFile(try c.pathArgument(2)) { p in
                try c.core { try ModelFile.write(kind: CoxPHModel.kind, payload: m, metadata: m.metadata(), to: p) }
            }
            return 0
        },
    ]

    /// `cl.model.load` for kind "cox" (validated by `ModelFile.Contents.decode`).
    static func open(_ c: LuaCall, _ contents: ModelFile.Contents) throws -> Int32 {
        let m = try contents.decode(CoxPHModel.self, kind: CoxPHModel.kind)
        let o = CoxPHModel.Options(ties: m.ties, penalizer: m.penalizer, l1Ratio: m.l1Ratio)
        return c.push(object: CoxObject(options: o, strata: m.design?.strata ?? [], model: m))
    }
}
