import ChurnCore
import LuaRuntime

/// `cl.clv`: buy-till-you-die customer value (RFM summary, BG/NBD, Gamma–Gamma,
/// discounted CLV) with lifetimes' conventions. Fitted models are
/// objects (`cl.CLVModel`) with record-style fields; the prediction functions
/// also accept plain records of parameters, read back with their ranges checked.
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

    /// A BG/NBD or Pareto/NBD model (a fitted object, or a record with its parameters), as the purchase model CLV needs.
    static func purchaseModel(_ c: LuaCall, _ i: Int32) throws -> any RepeatPurchaseModel {
        if c.isObject(i, CLVObject.self) {
            let m = try c.object(i, CLVObject.self).model
            guard let p = m.purchaseModel else { throw LuaArgumentError(i, "expected a BG/NBD or Pareto/NBD model, got a \(m.kind) model") }
            return p
        }
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
        if c.isObject(i, CLVObject.self), case .bgnbd(let m) = try c.object(i, CLVObject.self).model { return m }
        let t = try c.table(i)
        guard try t.string("kind") == "bgnbd" else { throw LuaArgumentError(i, "expected a BG/NBD model from cl.clv.bgnbd or a Pareto/NBD model from cl.clv.pareto_nbd") }
        guard let r = try t.number("r", in: .positive), let a = try t.number("alpha", in: .positive),
              let pa = try t.number("a", in: .positive), let pb = try t.number("b", in: .positive) else {
            throw LuaArgumentError(i, "BG/NBD model needs r, alpha, a, b")
        }
        return BetaGeoModel(r: r, alpha: a, a: pa, b: pb)
    }

    static func gammaGamma(_ c: LuaCall, _ i: Int32) throws -> GammaGammaModel {
        if c.isObject(i, CLVObject.self) {
            guard case .gammaGamma(let g) = try c.object(i, CLVObject.self).model else {
                throw LuaArgumentError(i, "expected a Gamma–Gamma model from cl.clv.gamma_gamma")
            }
            return g
        }
        let t = try c.table(i)
        guard try t.string("kind") == "gamma_gamma" else { throw LuaArgumentError(i, "expected a Gamma–Gamma model from cl.clv.gamma_gamma") }
        guard let p = try t.number("p", in: .positive), let q = try t.number("q", in: .open(1, .infinity)),
              let g = try t.number("gamma", in: .positive) else {
            throw LuaArgumentError(i, "Gamma–Gamma model needs p, q (> 1), gamma")
        }
        return GammaGammaModel(p: p, q: q, gamma: g)
    }

    /// The fit as a record: kind, each parameter, standard_errors (by parameter), log_likelihood, customers, penalizer.
    static func record(_ m: CLVModel) -> [(String, LuaValue)] {
        let params = m.parameters, info = m.fitInfo
        var fields: [(String, LuaValue)] = [("kind", .string(m.kind))]
        fields += params.map { ($0.name, .number($0.value)) }
        fields.append(("standard_errors", SurvivalModule.record(zip(params, info.standardErrors).map { ($0.0.name, .number($0.1)) })))
        fields.append(("log_likelihood", .number(info.logLikelihood)))
        fields.append(("customers", .integer(Int64(info.customers))))
        fields.append(("penalizer", .number(info.penalizer)))
        return fields
    }

    static func register(_ cl: ModuleBuilder) {
        cl.state.register(CLVObject.self, LuaClass(methods: methods, metamethods: [
            "__tostring": { c in c.push(try c.object(1, CLVObject.self).description) },
        ], index: { c in
            // Record-style fields (m.r, m.kind, m.log_likelihood, …), as the fits returned before they were objects.
            let m = try c.object(1, CLVObject.self).model
            guard case .string(let key) = c.value(2), let v = record(m).first(where: { $0.0 == key })?.1 else { return 0 }
            return c.push(v)
        }))
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
                       "Fits the BG/NBD model (Fader, Hardie & Lee 2005) by maximum likelihood, as lifetimes' BetaGeoFitter: a cl.CLVModel (fields kind = 'bgnbd', r, alpha, a, b, standard_errors, log_likelihood, customers; methods :predict, :p_alive, :expected_purchases, :summary, :params, :save). penalizer in [0, 1e6]: lifetimes' penalizer_coef, penalizer·(r² + (α/max T)² + a² + b²) added to the mean negative log-likelihood (lifetimes fits on T / max T).") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["frequency", "recency", "T", "penalizer"])
                let cols = try rfm(o), pen = try o.number("penalizer", in: penalizerRange) ?? 0
                let m = try c.core { try BetaGeoModel.fit(f, cols, penalizer: pen) }
                return c.push(object: CLVObject(.bgnbd(m)))
            }

            m.function("pareto_nbd", "pareto_nbd(summary [, {frequency = 'frequency', recency = 'recency', T = 'T', penalizer = 0}])",
                       "Fits the Pareto/NBD model (Schmittlein, Morrison & Colombo 1987) by maximum likelihood with lifetimes' ParetoNBDFitter likelihood: a cl.CLVModel (fields kind = 'pareto_nbd', r, alpha, s, beta, standard_errors, log_likelihood, customers; the BG/NBD methods). Usable wherever a BG/NBD model is (cl.clv.predict, expected_purchases, value). penalizer in [0, 1e6]: lifetimes' penalizer_coef, penalizer·(r² + (α/max T)² + s² + (β/max T)²) added to the summed negative log-likelihood (lifetimes divides by the mean weight, 1).") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["frequency", "recency", "T", "penalizer"])
                let cols = try rfm(o), pen = try o.number("penalizer", in: penalizerRange) ?? 0
                let m = try c.core { try ParetoNBDModel.fit(f, cols, penalizer: pen) }
                return c.push(object: CLVObject(.paretoNBD(m)))
            }

            m.function("gamma_gamma", "gamma_gamma(summary [, {frequency = 'frequency', monetary_value = 'monetary_value', penalizer = 0}])",
                       "Fits the Gamma–Gamma spend model on repeat customers (frequency > 0), as lifetimes' GammaGammaFitter: a cl.CLVModel (fields kind = 'gamma_gamma', p, q, gamma (lifetimes' v), standard_errors, log_likelihood, customers; methods :predict, :expected_spend, :summary, :params, :save). penalizer in [0, 1e6] (penalizer·Σθ² on the mean negative log-likelihood, as lifetimes).") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["frequency", "monetary_value", "penalizer"])
                let cols = try rfm(o), pen = try o.number("penalizer", in: penalizerRange) ?? 0
                let m = try c.core { try GammaGammaModel.fit(f, cols, penalizer: pen) }
                return c.push(object: CLVObject(.gammaGamma(m)))
            }

            m.function("load", "load(path)",
                       "Reads a CLV model saved with m:save(path) (BG/NBD, Pareto/NBD or Gamma–Gamma): the versioned, checksummed model file, its parameters checked (finite, > 0; Gamma–Gamma q > 1).") { c in
                let path = try c.pathArgument(1)
                let contents = try c.withInputFile(path) { p in try c.core { try ModelFile.read(p) } }
                return try fileOpener.open(c, contents)
            }

            m.function("predict", "predict(model, summary [, {t =, frequency =, recency =, T =}])",
                       "The summary frame with p_alive (probability the customer is still active) and, with t (periods, finite >= 0), expected_purchases in the next t periods (lifetimes' conditional_probability_alive / conditional_expected_number_of_purchases_up_to_time); model: a BG/NBD or Pareto/NBD record.") { c in
                let bg = try purchaseModel(c, 1)
                let f = try c.frame(2)
                let o = try c.options(3); try o.checkKeys(["t", "frequency", "recency", "T"])
                let cols = try rfm(o), t = try o.number("t", in: .closed(0, 1e6))
                return c.push(frame: try c.core { try bg.predict(f, cols, t: t) })
            }

            m.function("calibration_holdout", "calibration_holdout(model, summary [, {bins = 7, frequency =, recency =, T =}])",
                       "Calibration vs holdout purchases by calibration frequency, as lifetimes' plot_calibration_purchases_vs_holdout_purchases computes them: a frame of frequency, customers, actual (mean frequency_holdout) and predicted (mean expected purchases over duration_holdout from the calibration history) for the first `bins` frequencies (1…1000). summary: a cl.clv.summary frame with holdout_end; model: BG/NBD or Pareto/NBD. cl.plot.clv_holdout draws it.") { c in
                let model = try purchaseModel(c, 1)
                let f = try c.frame(2)
                let o = try c.options(3); try o.checkKeys(["bins", "frequency", "recency", "T"])
                let bins = try o.integer("bins", in: 1...1000) ?? 7
                let cols = try rfm(o)
                return c.push(frame: try c.core { try CalibrationHoldout(model, f, cols, bins: bins).frame() })
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

/// A fitted BG/NBD, Pareto/NBD or Gamma–Gamma model as Lua holds it (`cl.CLVModel`).
final class CLVObject: LuaObject {
    static let luaTypeName = "cl.CLVModel"
    let model: CLVModel
    init(_ model: CLVModel) { self.model = model }

    var description: String {
        let info = model.fitInfo
        let params = model.parameters.map { String(format: "%@ %.6g", $0.name, $0.value) }.joined(separator: ", ")
        return "<cl.CLVModel \(model.kind): \(params); log-likelihood \(String(format: "%.4f", info.logLikelihood)), \(info.customers) customers>"
    }
}

extension CLVModule {
    /// How `cl.model.load` (through `ModelFileOpeners`) and `cl.clv.load` open CLV model files.
    static let fileOpener = ModelFileOpener(kinds: CLVModel.kinds) { c, contents in
        c.push(object: CLVObject(try c.core { try CLVModel(contents) }))
    }

    /// The purchase model of method receiver 1, for BG/NBD / Pareto/NBD-only methods.
    static func purchase(_ c: LuaCall, _ what: String) throws -> any RepeatPurchaseModel {
        let m = try c.object(1, CLVObject.self).model
        guard let p = m.purchaseModel else { throw LuaScriptError("\(what) is for BG/NBD and Pareto/NBD models, not \(m.kind)") }
        return p
    }

    static let methods: [String: LuaFunction] = [
        "predict": { c in
            let m = try c.object(1, CLVObject.self).model
            let f = try c.frame(2)
            let o = try c.options(3)
            if case .gammaGamma(let g) = m {
                try o.checkKeys(["frequency", "monetary_value"])
                let cols = try rfm(o)
                return c.push(frame: try c.core { try g.predict(f, cols) })
            }
            try o.checkKeys(["t", "frequency", "recency", "T"])
            let cols = try rfm(o), t = try o.number("t", in: .closed(0, 1e6))
            return c.push(frame: try c.core { try m.purchaseModel!.predict(f, cols, t: t) })
        },
        "p_alive": { c in
            let p = try purchase(c, "p_alive")
            let f = try c.frame(2)
            let o = try c.options(3); try o.checkKeys(["frequency", "recency", "T"])
            let cols = try rfm(o)
            return c.push(column: try c.core { try p.predict(f, cols, t: nil).column("p_alive") })
        },
        "expected_purchases": { c in
            let p = try purchase(c, "expected_purchases")
            let t = try c.number(2, in: .closed(0, 1e6))
            if c.isNoneOrNil(3) { return c.push(p.expectedPurchases(t)) }
            let f = try c.frame(3)
            let o = try c.options(4); try o.checkKeys(["frequency", "recency", "T"])
            let cols = try rfm(o)
            return c.push(column: try c.core { try p.predict(f, cols, t: t).column("expected_purchases") })
        },
        "expected_spend": { c in
            guard case .gammaGamma(let g) = try c.object(1, CLVObject.self).model else { throw LuaScriptError("expected_spend is for Gamma–Gamma models") }
            let f = try c.frame(2)
            let o = try c.options(3); try o.checkKeys(["frequency", "monetary_value"])
            let cols = try rfm(o)
            return c.push(column: try c.core { try g.predict(f, cols).column("expected_spend") })
        },
        "summary": { c in
            let m = try c.object(1, CLVObject.self).model
            return c.push(frame: try c.core { try m.summaryFrame() })
        },
        "params": { c in
            let m = try c.object(1, CLVObject.self).model
            return c.push(SurvivalModule.record(record(m)))
        },
        "save": { c in
            let m = try c.object(1, CLVObject.self).model
            try c.withOutputFile(try c.pathArgument(2)) { p in try c.core { try m.save(to: p) } }
            return 0
        },
    ]

    static let methodDocs: [String: MethodDocs.Entry] = [
        "predict": ("clv:predict(summary [, {t =, frequency =, recency =, T =, monetary_value =}])", "BG/NBD / Pareto/NBD: the summary with p_alive and (with t periods) expected_purchases; Gamma–Gamma: with expected_spend."),
        "p_alive": ("clv:p_alive(summary [, {frequency =, recency =, T =}])", "P(alive) per customer (lifetimes' conditional_probability_alive), a float column."),
        "expected_purchases": ("clv:expected_purchases(t [, summary])", "Expected purchases in t periods: for a new customer (a number), or per customer of `summary` after their history (a column)."),
        "expected_spend": ("clv:expected_spend(summary [, {frequency =, monetary_value =}])", "Gamma–Gamma conditional expected average spend per customer, a float column."),
        "summary": ("clv:summary()", "Parameters as a frame: parameter, coef, se, lower_95, upper_95 (lifetimes' summary)."),
        "params": ("clv:params()", "The fit as a record: kind, the parameters, standard_errors, log_likelihood, customers, penalizer (also readable as fields: m.r, m.log_likelihood)."),
        "save": ("clv:save(path)", "Writes the model file (versioned, checksummed); cl.clv.load and cl.model.load read it back."),
    ]
}
