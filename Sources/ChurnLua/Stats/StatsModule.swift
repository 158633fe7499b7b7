import CLua
import ChurnCore
import LuaRuntime

/// `cl.stats`: tests for retention experiments, power and sample size, and
/// distribution functions.
enum StatsModule {
    /// Group size ratios (sample size, power): [1e-6, 1e6].
    static let ratio = NumberRange.closed(1e-6, 1e6)
    static func register(_ cl: ModuleBuilder) {
        cl.submodule("stats", "Statistical tests for retention experiments, power and sample size.") { m in
            m.function("two_proportion", "two_proportion(successes1, n1, successes2, n2 [, {alternative = 'two-sided', level = 0.95}])",
                       "Two-proportion z-test (pooled), with difference, Wald CI, relative difference and Cohen's h. Counts finite >= 0; level (0, 1).") { c in
                let opts = try c.options(5); try opts.checkKeys(["alternative", "level"])
                let alt = try MetricsArgs.alternative(opts, arg: 5)
                let r = try c.core {
                    try Stats.twoProportionZTest(successes1: try c.number(1, in: .nonNegative), trials1: try c.number(2, in: .nonNegative),
                                                 successes2: try c.number(3, in: .nonNegative), trials2: try c.number(4, in: .nonNegative),
                                                 alternative: alt, level: try opts.number("level", in: OptionRange.level) ?? 0.95)
                }
                return MetricsArgs.pushRecord(c, [("p1", r.p1), ("p2", r.p2), ("difference", r.difference), ("relative_difference", r.relativeDifference),
                                                  ("cohens_h", r.cohensH), ("z", r.z), ("p_value", r.pValue), ("lower", r.lower),
                                                  ("upper", r.upper), ("level", r.level)])
            }

            m.function("chi2", "chi2(table [, {yates = true, level = 0.95}])",
                       "Chi-square test of independence for a table given as rows of counts; Cramér's V with a noncentral-chi-square CI; level (0, 1).") { c in
                let opts = try c.options(2); try opts.checkKeys(["yates", "level"])
                let t = try c.table(1)
                var rows: [[Double]] = []
                for i in 0..<t.length {
                    lua_rawgeti(c.L, 1, lua_Integer(i + 1))
                    defer { lua_settop(c.L, -2) }
                    guard lua_type(c.L, -1) == LUA_TTABLE else { throw LuaArgumentError(1, "row \(i + 1) must be an array of counts") }
                    do { rows.append(try LuaVectors.doubles(c, lua_gettop(c.L))) } catch let e as LuaArgumentError {
                        throw LuaArgumentError(1, "row \(i + 1): \(e.message)")
                    }
                }
                let r = try c.core { try Stats.chiSquareIndependence(rows, yates: try opts.bool("yates") ?? true, level: try opts.number("level", in: OptionRange.level) ?? 0.95) }
                let out = c.newTable(record: 8)
                for (k, v) in [("statistic", r.statistic), ("p_value", r.pValue), ("cramers_v", r.cramersV), ("lower", r.lower),
                               ("upper", r.upper), ("level", r.level)] { out.set(k, v) }
                out.set("df", r.df); out.set("yates", r.yatesCorrected)
                return 1
            }

            m.function("welch", "welch(x, y [, {alternative = 'two-sided', level = 0.95}])",
                       "Welch's t-test of equal means, with the CI of the difference, Cohen's d and Hedges' g; level (0, 1).") { c in
                let opts = try c.options(3); try opts.checkKeys(["alternative", "level"])
                let x = try LuaVectors.doubles(c, 1), y = try LuaVectors.doubles(c, 2)
                let alt = try MetricsArgs.alternative(opts, arg: 3)
                let r = try c.core { try Stats.welchTTest(x, y, alternative: alt, level: try opts.number("level", in: OptionRange.level) ?? 0.95) }
                return MetricsArgs.pushRecord(c, [("mean1", r.mean1), ("mean2", r.mean2), ("difference", r.difference), ("t", r.t),
                                                  ("df", r.df), ("p_value", r.pValue), ("lower", r.lower), ("upper", r.upper),
                                                  ("level", r.level), ("cohens_d", r.cohensD), ("hedges_g", r.hedgesG)])
            }

            m.function("mann_whitney", "mann_whitney(x, y [, {alternative = 'two-sided', method = 'auto'|'asymptotic'|'exact', level = 0.95}])",
                       "Mann–Whitney U test (SciPy's method rules), with P(X > Y), rank-biserial r and a DeLong CI of P(X > Y); level (0, 1).") { c in
                let opts = try c.options(3); try opts.checkKeys(["alternative", "method", "level"])
                let x = try LuaVectors.doubles(c, 1), y = try LuaVectors.doubles(c, 2)
                let alt = try MetricsArgs.alternative(opts, arg: 3)
                let methodName = try opts.string("method") ?? "auto"
                guard let method = MannWhitneyMethod(rawValue: methodName) else {
                    throw LuaArgumentError(3, "field 'method': expected 'auto', 'asymptotic' or 'exact', got '\(methodName)'")
                }
                let r = try c.core { try Stats.mannWhitneyU(x, y, alternative: alt, method: method, level: try opts.number("level", in: OptionRange.level) ?? 0.95) }
                let t = c.newTable(record: 9)
                for (k, v) in [("u", r.u), ("z", r.z), ("p_value", r.pValue), ("prob_superiority", r.probabilityOfSuperiority),
                               ("rank_biserial", r.rankBiserial), ("lower", r.lower), ("upper", r.upper), ("level", r.level)] { t.set(k, v) }
                t.set("method", r.method.rawValue)
                return 1
            }

            m.function("sample_size", "sample_size{baseline =, mde =, alpha = 0.05, power = 0.8, ratio = 1}",
                       "Rows per group to detect an absolute change `mde` of a baseline churn rate (two-sided two-proportion test). baseline, alpha, power in (0, 1); mde in (-1, 1); ratio in [1e-6, 1e6].") { c in
                let opts = try c.table(1); try opts.checkKeys(["baseline", "mde", "alpha", "power", "ratio"])
                guard let b = try opts.number("baseline", in: .open(0, 1)), let d = try opts.number("mde", in: .open(-1, 1)) else {
                    throw LuaArgumentError(1, "fields 'baseline' and 'mde' are required")
                }
                let r = try c.core {
                    try Stats.sampleSizeTwoProportions(baseline: b, mde: d, alpha: try opts.number("alpha", in: .open(0, 1)) ?? 0.05,
                                                       power: try opts.number("power", in: .open(0, 1)) ?? 0.8,
                                                       ratio: try opts.number("ratio", in: StatsModule.ratio) ?? 1)
                }
                let t = c.newTable(record: 7)
                t.set("per_group", r.perGroup); t.set("total", r.total)
                for (k, v) in [("baseline", r.baseline), ("treated", r.treated), ("alpha", r.alpha), ("power", r.power), ("ratio", r.ratio)] { t.set(k, v) }
                return 1
            }

            m.function("power", "power{baseline =, mde =, n =, alpha = 0.05, ratio = 1}",
                       "Power of the two-sided two-proportion test with n rows in group 1 (ratio·n in group 2). baseline, alpha in (0, 1); mde in (-1, 1); n 1…2^31; ratio in [1e-6, 1e6].") { c in
                let opts = try c.table(1); try opts.checkKeys(["baseline", "mde", "n", "alpha", "ratio"])
                guard let b = try opts.number("baseline", in: .open(0, 1)), let d = try opts.number("mde", in: .open(-1, 1)),
                      let n = try opts.integer("n", in: OptionRange.positiveSize) else {
                    throw LuaArgumentError(1, "fields 'baseline', 'mde' and 'n' are required")
                }
                return c.push(try c.core {
                    try Stats.powerTwoProportions(baseline: b, mde: d, perGroup: n, alpha: try opts.number("alpha", in: .open(0, 1)) ?? 0.05,
                                                  ratio: try opts.number("ratio", in: StatsModule.ratio) ?? 1)
                })
            }

            // Domains are checked (p in [0, 1], df > 0, no NaN): an error, never a NaN answer.
            m.function("pnorm", "pnorm(x)", "Standard normal cdf.") { c in
                let x = try c.number(1)
                return c.push(try c.core { try DistributionFunctions.pnorm(x) })
            }
            m.function("qnorm", "qnorm(p)", "Standard normal quantile; p in [0, 1].") { c in
                let p = try c.number(1)
                return c.push(try c.core { try DistributionFunctions.qnorm(p) })
            }
            m.function("pt", "pt(t, df)", "Student's t cdf; df > 0 (math.huge: the normal limit).") { c in
                let t = try c.number(1), df = try c.number(2)
                return c.push(try c.core { try DistributionFunctions.pt(t, df: df) })
            }
            m.function("qt", "qt(p, df)", "Student's t quantile; p in [0, 1], df > 0.") { c in
                let p = try c.number(1), df = try c.number(2)
                return c.push(try c.core { try DistributionFunctions.qt(p, df: df) })
            }
            m.function("pchisq", "pchisq(x, df)", "Chi-square cdf; df > 0 and finite.") { c in
                let x = try c.number(1), df = try c.number(2)
                return c.push(try c.core { try DistributionFunctions.pchisq(x, df: df) })
            }
            m.function("qchisq", "qchisq(p, df)", "Chi-square quantile; p in [0, 1], df > 0 and finite.") { c in
                let p = try c.number(1), df = try c.number(2)
                return c.push(try c.core { try DistributionFunctions.qchisq(p, df: df) })
            }
        }
    }
}
