import ChurnCore
import LuaRuntime

/// `cl.clv`: buy-till-you-die customer value (RFM summary, BG/NBD, Gamma–Gamma,
/// discounted CLV) with lifetimes' conventions. Fitted models are plain records
/// (`kind`, parameters, standard errors, log-likelihood) that the prediction
/// functions read back with their ranges checked.
enum CLVModule {
    static let penalizerRange = NumberRange.closed(0, 1e6)

    static func rfm(_ o: LuaTable) throws -> RFMColumns {
        var c = RFMColumns()
        c.frequency = try o.string("frequency") ?? c.frequency
        c.recency = try o.string("recency") ?? c.recency
        c.T = try o.string("T") ?? c.T
        c.monetaryValue = try o.string("monetary_value") ?? c.monetaryValue
        return c
    }

    static func day(_ o: LuaTable, _ key: String, arg: Int32) throws -> Int64? {
        guard let s = try o.string(key) else { return nil }
        guard let d = DateText.parseDate(s) else { throw LuaArgumentError(arg, "field '\(key)': '\(s)' is not a YYYY-MM-DD date") }
        return Int64(d)
    }

    /// A BG/NBD or Pareto/NBD record, as the purchase model CLV needs.
    static func purchaseModel(_ c: LuaCall, _ i: Int32) throws -> any RepeatPurchaseModel {
        let t = try c.table(i)
        if try t.string("kind") == "pareto_nbd" {
            guard let r = try t.number("r", in: .positive), let a = try t.number("alpha", in: .positive),
                  let s = try t.number("s", in: .positive), let b = try t.number("beta", in: .positive) else {
                throw LuaArgumentError(i, "Pareto/NBD model needs r, alpha, s, beta (> 0)")
            }
            return ParetoNBDModel(r: r, alpha: a, s: s, beta: b)
        }
        return try bgnbd(c, i)
    }

    static func bgnbd(_ c: LuaCall, _ i: Int32) throws -> BetaGeoModel {
        let t = try c.table(i)
        guard try t.string("kind") == "bgnbd" else { throw LuaArgumentError(i, "expected a BG/NBD model from cl.clv.bgnbd or a Pareto/NBD model from cl.clv.pareto_nbd") }
        guard let r = try t.number("r", in: .positive), let a = try t.number("alpha", in: .positive),
              let pa = try t.number("a", in: .positive), let pb = try t.number("b", in: .positive) else {
            throw LuaArgumentError(i, "BG/NBD model needs r, alpha, a, b")
        }
        return BetaGeoModel(r: r, alpha: a, a: pa, b: pb)
    }

    static func gammaGamma(_ c: LuaCall, _ i: Int32) throws -> GammaGammaModel {
        let t = try c.table(i)
        guard try t.string("kind") == "gamma_gamma" else { throw LuaArgumentError(i, "expected a Gamma–Gamma model from cl.clv.gamma_gamma") }
        guard let p = try t.number("p", in: .positive), let q = try t.number("q", in: .open(1, .infinity)),
              let g = try t.number("gamma", in: .positive) else {
            throw LuaArgumentError(i, "Gamma–Gamma model needs p, q (> 1), gamma")
        }
        return GammaGammaModel(p: p, q: q, gamma: g)
    }

    static func record(_ kind: String, _ params: [(String, Double)], _ se: [Double], _ ll: Double, _ n: Int) -> LuaValue {
        var fields: [(String, LuaValue)] = [("kind", .string(kind))]
        fields += params.map { ($0.0, .number($0.1)) }
        fields.append(("standard_errors", SurvivalModule.record(zip(params, se).map { ($0.0.0, .number($0.1)) })))
        fields.append(("log_likelihood", .number(ll)))
        fields.append(("customers", .integer(Int64(n))))
        return SurvivalModule.record(fields)
    }

    static func register(_ cl: ModuleBuilder) {
        cl.submodule("clv", "Customer lifetime value: RFM summary, BG/NBD, Gamma–Gamma (lifetimes' conventions).") { m in
            m.function("summary", "summary(transactions, {customer =, time =, amount =, calibration_end =, holdout_end =, period = 'W'})",
                       "One row per customer with a purchase on or before calibration_end (YYYY-MM-DD, inclusive): frequency (repeat purchase days), recency (last − first purchase), T (calibration_end − first purchase), monetary_value (mean of repeat days' amounts; with `amount`); with holdout_end also frequency_holdout, monetary_value_holdout, duration_holdout. Same-day purchases are merged (lifetimes' summary_data_from_transaction_data / calibration_and_holdout_data with freq 'D'); times are in periods: 'D' = 1 day, 'W' = 7 days (Fader–Hardie–Lee), or a number of days in (0, 36500].") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["customer", "time", "amount", "calibration_end", "holdout_end", "period"])
                guard let cust = try o.string("customer"), let time = try o.string("time") else {
                    throw LuaArgumentError(2, "fields 'customer' and 'time' (column names) are required")
                }
                guard let cal = try day(o, "calibration_end", arg: 2) else { throw LuaArgumentError(2, "field 'calibration_end' (YYYY-MM-DD) is required") }
                var period = 7.0
                if case .string(let s) = o.value("period", depth: 0) {
                    switch s { case "D": period = 1; case "W": period = 7
                    default: throw LuaArgumentError(2, "field 'period': expected 'D', 'W' or a number of days, got '\(s)'") }
                } else if let d = try o.number("period", in: .openClosed(0, 36500)) { period = d }
                let opts = RFMOptions(customer: cust, time: time, amount: try o.string("amount"), calibrationEndDay: cal,
                                      holdoutEndDay: try day(o, "holdout_end", arg: 2), periodDays: period)
                return c.push(frame: try c.core { try RFMSummary.build(f, opts) })
            }

            m.function("bgnbd", "bgnbd(summary [, {frequency = 'frequency', recency = 'recency', T = 'T', penalizer = 0}])",
                       "Fits the BG/NBD model (Fader, Hardie & Lee 2005) by maximum likelihood, as lifetimes' BetaGeoFitter: a record {kind = 'bgnbd', r, alpha, a, b, standard_errors, log_likelihood, customers}. penalizer in [0, 1e6] (adds penalizer·Σθ² to the mean negative log-likelihood).") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["frequency", "recency", "T", "penalizer"])
                let cols = try rfm(o), pen = try o.number("penalizer", in: penalizerRange) ?? 0
                let m = try c.core { try BetaGeoModel.fit(f, cols, penalizer: pen) }
                return c.push(record("bgnbd", [("r", m.r), ("alpha", m.alpha), ("a", m.a), ("b", m.b)], m.standardErrors, m.logLikelihood, m.customers))
            }

            m.function("pareto_nbd", "pareto_nbd(summary [, {frequency = 'frequency', recency = 'recency', T = 'T', penalizer = 0}])",
                       "Fits the Pareto/NBD model (Schmittlein, Morrison & Colombo 1987) by maximum likelihood with lifetimes' ParetoNBDFitter likelihood: a record {kind = 'pareto_nbd', r, alpha, s, beta, standard_errors, log_likelihood, customers}. Usable wherever a BG/NBD model is (cl.clv.predict, expected_purchases, value). penalizer in [0, 1e6] (adds penalizer·Σθ² to the mean negative log-likelihood, as bgnbd).") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["frequency", "recency", "T", "penalizer"])
                let cols = try rfm(o), pen = try o.number("penalizer", in: penalizerRange) ?? 0
                let m = try c.core { try ParetoNBDModel.fit(f, cols, penalizer: pen) }
                return c.push(record("pareto_nbd", [("r", m.r), ("alpha", m.alpha), ("s", m.s), ("beta", m.beta)], m.standardErrors, m.logLikelihood, m.customers))
            }

            m.function("gamma_gamma", "gamma_gamma(summary [, {frequency = 'frequency', monetary_value = 'monetary_value', penalizer = 0}])",
                       "Fits the Gamma–Gamma spend model on repeat customers (frequency > 0), as lifetimes' GammaGammaFitter: a record {kind = 'gamma_gamma', p, q, gamma (lifetimes' v), standard_errors, log_likelihood, customers}. penalizer in [0, 1e6].") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["frequency", "monetary_value", "penalizer"])
                let cols = try rfm(o), pen = try o.number("penalizer", in: penalizerRange) ?? 0
                let m = try c.core { try GammaGammaModel.fit(f, cols, penalizer: pen) }
                return c.push(record("gamma_gamma", [("p", m.p), ("q", m.q), ("gamma", m.gamma)], m.standardErrors, m.logLikelihood, m.customers))
            }

            m.function("predict", "predict(model, summary [, {t =, frequency =, recency =, T =}])",
                       "The summary frame with p_alive (probability the customer is still active) and, with t (periods, finite >= 0), expected_purchases in the next t periods (lifetimes' conditional_probability_alive / conditional_expected_number_of_purchases_up_to_time); model: a BG/NBD or Pareto/NBD record.") { c in
                let bg = try purchaseModel(c, 1)
                let f = try c.frame(2)
                let o = try c.options(3); try o.checkKeys(["t", "frequency", "recency", "T"])
                let cols = try rfm(o), t = try o.number("t", in: .closed(0, 1e6))
                return c.push(frame: try c.core { try bg.predict(f, cols, t: t) })
            }

            m.function("expected_purchases", "expected_purchases(model, t)",
                       "Expected purchases of a new customer in t periods (lifetimes' expected_number_of_purchases_up_to_time) under a BG/NBD or Pareto/NBD record; t finite in [0, 1e6].") { c in
                let bg = try purchaseModel(c, 1)
                return c.push(bg.expectedPurchases(try c.number(2, in: .closed(0, 1e6))))
            }

            m.function("value", "value(model, gamma_gamma, summary [, {months = 12, discount = 0.01, periods_per_month = 4.345, frequency =, recency =, T =, monetary_value =}])",
                       "The summary frame with expected_spend (Gamma–Gamma conditional mean spend) and clv: Σ over months k of expected spend × expected purchases in month k / (1 + discount)^k (lifetimes' customer_lifetime_value; periods_per_month 4.345 for weekly, 30 for daily summaries). months 1…1200, discount [0, 1], periods_per_month (0, 1e4].") { c in
                let bg = try purchaseModel(c, 1), gg = try gammaGamma(c, 2)
                let f = try c.frame(3)
                let o = try c.options(4); try o.checkKeys(["months", "discount", "periods_per_month", "frequency", "recency", "T", "monetary_value"])
                let cols = try rfm(o)
                let months = try o.integer("months", in: 1...1200) ?? 12
                let discount = try o.number("discount", in: .closed(0, 1)) ?? 0.01
                let ppm = try o.number("periods_per_month", in: .openClosed(0, 1e4)) ?? 4.345
                return c.push(frame: try c.core { try CustomerValue.value(f, cols, bg, gg, months: months, discount: discount, periodsPerMonth: ppm) })
            }
        }
    }
}
