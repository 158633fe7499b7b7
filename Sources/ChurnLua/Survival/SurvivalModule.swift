import ChurnCore
import LuaRuntime

/// `cl.survival`: Kaplan–Meier, Nelson–Aalen and log-rank tests on frame
/// columns. Thin: column names and options in, `ChurnCore/Survival` does the work.
enum SurvivalModule {
    static let alphaRange = NumberRange.open(0, 1)

    static func columns(_ o: LuaTable, arg: Int32, group: Bool) throws -> SurvivalColumns {
        guard let d = try o.string("duration") else { throw LuaArgumentError(arg, "field 'duration' (the duration column) is required") }
        return SurvivalColumns(duration: d, event: try o.string("event"), weights: try o.string("weights"),
                               entry: try o.string("entry"), group: group ? try o.string("group") : nil)
    }

    /// A frame cell as a Lua value (group labels).
    static func lua(_ v: CellValue) -> LuaValue {
        switch v {
        case .null: return .nil
        case .int(let i): return .integer(i)
        case .float(let d): return .number(d)
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .date(let d): return .string(DateText.format(days: d))
        case .timestamp(let t): return .string(DateText.format(micros: t))
        }
    }

    static func record(_ fields: [(String, LuaValue)]) -> LuaValue { .table(fields.map { (key: .string($0.0), value: $0.1) }) }
    static func array(_ xs: [LuaValue]) -> LuaValue { .table(xs.enumerated().map { (key: .integer(Int64($0.offset + 1)), value: $0.element) }) }
    static func numbers(_ xs: [Double]) -> LuaValue { array(xs.map { .number($0) }) }

    static func logRankRecord(_ r: LogRankResult) -> [(String, LuaValue)] {
        [("statistic", .number(r.statistic)), ("df", .integer(Int64(r.df))), ("p_value", .number(r.pValue)),
         ("log10_p", .number(r.log10P)), ("observed", numbers(r.observed)), ("expected", numbers(r.expected))]
    }

    static func register(_ cl: ModuleBuilder) {
        cl.submodule("survival", "Survival analysis: Kaplan–Meier, Nelson–Aalen, log-rank (lifelines' conventions).") { m in
            m.function("from_events", "from_events(events, {as_of =, inactivity_days = 30})",
                       "One row per user with an event before as_of (date text): user id, start (first event), end, duration (days), event (1 = churned: the last event before as_of is more than inactivity_days before it; 0 = censored at as_of). Same rule as cl.labels.churn(events, {as_of = as_of − inactivity_days, horizon = inactivity_days}). inactivity_days 1…36500.") { c in
                let log = try c.object(1, EventLogObject.self).log
                let o = try c.options(2); try o.checkKeys(["as_of", "inactivity_days"])
                guard let asOf = try LuaFeatureOptions.time(o, "as_of", arg: 2) else { throw LuaArgumentError(2, "field 'as_of' (a date) is required") }
                let days = try o.integer("inactivity_days", in: OptionRange.days) ?? 30
                return c.push(frame: try c.core { try SurvivalFrames.fromEvents(log, asOf: asOf, inactivityDays: days) })
            }

            m.function("from_subscriptions", "from_subscriptions(subs, {as_of =, gap_days = 0})",
                       "One row per user with a term starting before as_of (date text), for their first coverage spell (renewals starting within gap_days of the end continue it, as cl.labels.churn's grace_days): user id, start, end, duration (days), event (1 = coverage ended and gap_days passed without renewal before as_of; 0 = censored at as_of). gap_days 0…36500.") { c in
                let subs = try c.object(1, SubscriptionsObject.self).subs
                let o = try c.options(2); try o.checkKeys(["as_of", "gap_days"])
                guard let asOf = try LuaFeatureOptions.time(o, "as_of", arg: 2) else { throw LuaArgumentError(2, "field 'as_of' (a date) is required") }
                let gap = try o.integer("gap_days", in: 0...OptionLimits.days) ?? 0
                return c.push(frame: try c.core { try SurvivalFrames.fromSubscriptions(subs, asOf: asOf, graceDays: gap) })
            }

            m.function("kaplan_meier", "kaplan_meier(frame, {duration =, event =, group =, weights =, entry =, alpha = 0.05, times = {...}})",
                       "Kaplan–Meier survival curve(s), as lifelines' KaplanMeierFitter. Returns (table, summary): table has [group,] time, at_risk, events, censored, entered, survival, lower, upper (log(−log) Greenwood CI at level 1 − alpha); summary is an array with one record per group: group, n, events, median, median_lower, median_upper (inf when S stays above 0.5), survival_at/lower_at/upper_at (S at `times`). event: bool or 0/1 column (absent = all events); weights > 0; entry = left-truncation time (<= duration; at risk only after it). alpha in (0, 1).") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["duration", "event", "group", "weights", "entry", "alpha", "times"])
                let cols = try columns(o, arg: 2, group: true)
                let alpha = try o.number("alpha", in: alphaRange) ?? 0.05
                var times: [Double] = []
                if let t = try o.table("times") {
                    times = try t.arrayOfNumbers()
                    if let bad = times.first(where: { !$0.isFinite }) { throw LuaArgumentError(2, "field 'times': values must be finite, got \(bad)") }
                }
                let (table, summaries) = try c.core { try KaplanMeier.table(f, cols, alpha: alpha, times: times) }
                c.push(frame: table)
                c.push(array(summaries.map { s in
                    record([("group", lua(s.label)), ("n", .integer(Int64(s.n))), ("events", .number(s.events)),
                            ("median", .number(s.median)), ("median_lower", .number(s.medianLower)), ("median_upper", .number(s.medianUpper)),
                            ("times", numbers(times)), ("survival_at", numbers(s.survivalAt)), ("lower_at", numbers(s.lowerAt)), ("upper_at", numbers(s.upperAt))])
                }))
                return 2
            }

            m.function("nelson_aalen", "nelson_aalen(frame, {duration =, event =, entry =, alpha = 0.05, smoothing = true})",
                       "Nelson–Aalen cumulative hazard, as lifelines' NelsonAalenFitter: a frame of time, at_risk, events, cumulative_hazard, variance, lower, upper (CI H·exp(±z√Var/H)). smoothing: ties counted as sequential events (lifelines' default). alpha in (0, 1).") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["duration", "event", "entry", "alpha", "smoothing"])
                let cols = try columns(o, arg: 2, group: false)
                let alpha = try o.number("alpha", in: alphaRange) ?? 0.05
                let smoothing = try o.bool("smoothing") ?? true
                return c.push(frame: try c.core { try NelsonAalen.table(f, cols, alpha: alpha, smoothing: smoothing) })
            }

            m.function("cox", "cox(frame, {duration =, event =, features = {...} | exclude = {...}, ties = 'efron'|'breslow', alpha = 0.05})",
                       "Fits a Cox proportional-hazards model (Newton–Raphson on the partial likelihood; lifelines' CoxPHFitter for Efron ties). Returns (summary, fit): summary is a frame like lifelines' print_summary — covariate, coef, exp_coef (hazard ratio), se, z, p, lower, upper, exp_lower, exp_upper (Wald CI at 1 − alpha); fit is a record {log_likelihood (partial), aic_partial, concordance (Harrell's C), n, events, ties, iterations}. features: numeric, bool or text columns (default: every numeric/bool column except duration, event and exclude); text columns are dummy-coded against their first level (columns name=level). For penalties, strata, predictions and save/load use cl.model.cox. alpha in (0, 1).") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["duration", "event", "features", "exclude", "ties", "alpha"])
                let cols = try columns(o, arg: 2, group: false)
                let tiesName = try o.string("ties") ?? "efron"
                guard let ties = CoxPHModel.Ties(rawValue: tiesName) else { throw LuaArgumentError(2, "field 'ties': expected 'efron' or 'breslow', got '\(tiesName)'") }
                let alpha = try o.number("alpha", in: alphaRange) ?? 0.05
                let features = try o.strings("features"), exclude = try o.strings("exclude") ?? []
                let (m, summary) = try c.core { () -> (CoxPHModel, Frame) in
                    let m = try CoxPHModel.fit(f, cols, features: features, exclude: exclude, ties: ties)
                    return (m, try m.summaryFrame(alpha: alpha))
                }
                c.push(frame: summary)
                c.push(record([("log_likelihood", .number(m.logPartialLikelihood)), ("aic_partial", .number(m.aicPartial)),
                               ("concordance", .number(m.concordance)), ("n", .integer(Int64(m.n))), ("events", .integer(Int64(m.events))),
                               ("ties", .string(m.ties.rawValue)), ("iterations", .integer(Int64(m.iterations)))]))
                return 2
            }

            m.function("logrank", "logrank(frame, {duration =, event =, group =, pairwise = false})",
                       "Log-rank test of equal survival across the groups of `group` (2 or more; lifelines' logrank_test / multivariate_logrank_test): a record with statistic, df, p_value, log10_p (finite even when p underflows to 0), groups, observed and expected events per group, and with pairwise = true `pairs`: one record per pair (a, b, statistic, p_value, log10_p; no multiplicity correction).") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["duration", "event", "group", "pairwise"])
                let cols = try columns(o, arg: 2, group: true)
                guard cols.group != nil else { throw LuaArgumentError(2, "field 'group' (the column that splits the groups) is required") }
                let pairwise = try o.bool("pairwise") ?? false
                let (r, labels, pairs) = try c.core { try LogRank.test(f, cols, pairwise: pairwise) }
                var fields = logRankRecord(r)
                fields.append(("groups", array(labels.map(lua))))
                if pairwise {
                    fields.append(("pairs", array(pairs.map { p in
                        record([("a", lua(p.a)), ("b", lua(p.b)), ("statistic", .number(p.result.statistic)),
                                ("p_value", .number(p.result.pValue)), ("log10_p", .number(p.result.log10P))])
                    })))
                }
                return c.push(record(fields))
            }
        }
    }
}
