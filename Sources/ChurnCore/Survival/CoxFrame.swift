import Foundation
import ExecutionControl

/// Cox PH on frames: fit through a `CoxDesign`, predictions for new rows
/// (lifelines' `predict_partial_hazard`, `predict_survival_function`,
/// `predict_median`), the baseline and the summary table.
extension CoxPHModel {
    /// Fit on frame columns: `features` (numeric, bool or text; nil = every
    /// numeric/bool column except duration, event, strata and `exclude`).
    public static func fit(_ f: Frame, _ cols: SurvivalColumns, features: [String]?, exclude: [String] = [],
                           strata: [String] = [], options: Options = Options()) throws -> CoxPHModel {
        var o = options
        o.strata = strata
        let design = try CoxDesign.make(f, cols, features: features, exclude: exclude, strata: strata)
        return try fit(try design.features(f), survival: try SurvivalTarget(f, duration: cols.duration, event: cols.event), weights: nil, options: o)
    }

    public static func fit(_ f: Frame, _ cols: SurvivalColumns, features: [String]?, exclude: [String] = [], ties: Ties) throws -> CoxPHModel {
        try fit(f, cols, features: features, exclude: exclude, options: Options(ties: ties))
    }

    /// Fit on a feature matrix (the common model interface): every column but
    /// `options.strata` is a covariate, text ones dummy-coded (`CoxDesign`).
    public static func fit(_ X: FeatureMatrix, survival y: SurvivalTarget, weights: [Double]?, options: Options) throws -> CoxPHModel {
        guard y.count == X.nrow else { throw SurvivalError.invalid("cox: the target has \(y.count) rows, the features \(X.nrow)") }
        let design = try CoxDesign.make(X, strata: options.strata, duration: y.durationName ?? "duration", event: y.eventName)
        let covariates = try design.covariates(X)
        var codes: (codes: [Int], labels: [String])?
        if let labels = try design.strataLabels(X) {
            var index: [String: Int] = [:], names: [String] = []
            let c = labels.map { l -> Int in
                if let k = index[l] { return k }
                index[l] = names.count; names.append(l); return names.count - 1
            }
            codes = (c, names)
        }
        var m = try fit(durations: y.durations, events: y.events, covariates: covariates, strata: codes, options: options, weights: weights)
        m.design = design
        return m
    }

    func requireDesign() throws -> CoxDesign {
        guard let d = design else { throw SurvivalError.invalid("cox: this model was fitted on a matrix, not a frame") }
        return d
    }

    /// (x − x̄)·β per row of `f`, and each row's stratum index.
    public func logPartialHazard(_ f: Frame) throws -> (eta: [Double], stratum: [Int]) {
        try logPartialHazard(try requireDesign().features(f))
    }

    public func logPartialHazard(_ features: FeatureMatrix) throws -> (eta: [Double], stratum: [Int]) {
        let d = try requireDesign()
        let X = try d.matrix(features), p = coef.count, n = features.nrow
        var eta = [Double](repeating: 0, count: n)
        for i in 0..<n { var s = 0.0; for j in 0..<p { s += (X[i * p + j] - means[j]) * coef[j] }; eta[i] = s }
        var stratum = [Int](repeating: 0, count: n)
        if let labels = try d.strataLabels(features) {
            var index: [String: Int] = [:]
            for (k, l) in strata.enumerated() { index[l] = k }
            for (i, l) in labels.enumerated() {
                guard let k = index[l] else {
                    throw SurvivalError.invalid("cox: row \(i + 1) is in stratum '\(l)', unseen when fitted (strata: \(strata.joined(separator: ", ")))")
                }
                stratum[i] = k
            }
        }
        return (eta, stratum)
    }

    /// S(t | x) = exp(−H₀ₛ(t) · exp((x − x̄)β)) at each of `times`: an n × times.count row-major array.
    public func survival(_ f: Frame, times: [Double]) throws -> [Double] {
        let (eta, stratum) = try logPartialHazard(f)
        try ExecutionContext.checkMemory(eta.count * times.count * 8, for: "cox survival predictions")
        var out = [Double](repeating: 0, count: eta.count * times.count)
        let H0 = baselines.map { b in times.map { b.cumulativeHazard(at: $0) } }
        for i in 0..<eta.count {
            let ph = exp(eta[i])
            for (k, _) in times.enumerated() { out[i * times.count + k] = exp(-H0[stratum[i]][k] * ph) }
        }
        return out
    }

    /// The first baseline time at which S(t | x) ≤ 0.5 (lifelines' `predict_median`; inf when it never gets there).
    public func medianSurvival(_ f: Frame) throws -> [Double] {
        let (eta, stratum) = try logPartialHazard(f)
        return eta.indices.map { i in
            let b = baselines[stratum[i]], ph = exp(eta[i])
            var lo = 0, hi = b.times.count
            while lo < hi { let mid = (lo + hi) / 2; if exp(-b.cumulativeHazard[mid] * ph) <= 0.5 { hi = mid } else { lo = mid + 1 } }
            return lo < b.times.count ? b.times[lo] : .infinity
        }
    }

    /// lifelines' `baseline_hazard_` / `baseline_cumulative_hazard_` / `baseline_survival_` as one frame ([stratum,] time, …).
    public func baselineFrame() throws -> Frame {
        var cols: [Column] = []
        if !strata.isEmpty {
            cols.append(.string("stratum", baselines.enumerated().flatMap { k, b in [String](repeating: strata[k], count: b.times.count) }))
        }
        let t = baselines.flatMap(\.times), h = baselines.flatMap(\.hazard), H = baselines.flatMap(\.cumulativeHazard)
        cols += [.float("time", t), .float("baseline_hazard", h), .float("baseline_cumulative_hazard", H),
                 .float("baseline_survival", H.map { exp(-$0) })]
        return try Frame(cols)
    }

    /// lifelines' `summary` (print_summary's table): one row per coefficient.
    public func summaryFrame(alpha: Double = 0.05) throws -> Frame {
        let ci = confidenceInterval(alpha: alpha)
        return try Frame([.string("covariate", features.map { $0 }), .float("coef", coef), .float("exp_coef", hazardRatios),
                          .float("se", standardErrors), .float("lower", ci.lower), .float("upper", ci.upper),
                          .float("exp_lower", ci.lower.map { exp($0) }), .float("exp_upper", ci.upper.map { exp($0) }),
                          .float("z", z), .float("p", pValues), .float("minus_log2_p", minusLog2P)])
    }
}

/// The kind name and structural checks for model files.
extension CoxPHModel: StructurallyValidated {
    public static let kind = "cox"

    /// Everything a prediction trusts: matching lengths, finite numbers, sorted baselines.
    public func validate() throws {
        func bad(_ m: String) -> ModelStructureError { ModelStructureError("cox", m) }
        let p = features.count
        guard p > 0, coef.count == p, standardErrors.count == p, means.count == p else { throw bad("coefficients, standard errors and means must have one value per feature (\(p))") }
        guard coef.allSatisfy(\.isFinite), means.allSatisfy(\.isFinite) else { throw bad("coefficients and means must be finite") }
        guard penalizer.isFinite, penalizer >= 0, l1Ratio >= 0, l1Ratio <= 1 else { throw bad("penalizer must be >= 0 and l1_ratio in [0, 1]") }
        guard n > 0, events >= 0, events <= n else { throw bad("n and events out of range") }
        guard baselines.count == max(strata.count, 1) else { throw bad("one baseline per stratum expected (\(max(strata.count, 1))), found \(baselines.count)") }
        guard Set(strata).count == strata.count else { throw bad("duplicate stratum labels") }
        for (k, b) in baselines.enumerated() {
            guard b.times.count == b.hazard.count, b.times.count == b.cumulativeHazard.count, !b.times.isEmpty else { throw bad("baseline \(k + 1): lengths differ or empty") }
            guard b.times.allSatisfy(\.isFinite), zip(b.times, b.times.dropFirst()).allSatisfy({ $0 < $1 }) else { throw bad("baseline \(k + 1): times must be finite and increasing") }
            guard b.hazard.allSatisfy({ $0.isFinite && $0 >= 0 }), zip(b.cumulativeHazard, b.cumulativeHazard.dropFirst()).allSatisfy({ $0 <= $1 }),
                  b.cumulativeHazard.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw bad("baseline \(k + 1): hazards must be finite, >= 0, cumulative non-decreasing") }
        }
        if let d = design {
            guard d.columnNames == features else { throw bad("design columns \(d.columnNames) do not match the features \(features)") }
            guard d.strata.isEmpty == strata.isEmpty else { throw bad("strata columns and stratum labels disagree") }
            for i in d.inputs { if let l = i.levels, l.count < 2 || Set(l).count != l.count { throw bad("feature '\(i.name)' needs >= 2 distinct levels") } }
        }
    }
}

extension CoxPHModel {
    /// lifelines' `print_summary` as text: the fit's header, the coefficient table, concordance and AIC.
    public func printSummary(alpha: Double = 0.05) -> String {
        let ci = confidenceInterval(alpha: alpha)
        let level = Int((1 - alpha) * 100)
        var lines: [String] = ["Cox proportional hazards (lifelines' CoxPHFitter)"]
        if let d = design {
            lines.append("duration col = '\(d.duration)'" + (d.event.map { ", event col = '\($0)'" } ?? ""))
            if !d.strata.isEmpty { lines.append("strata = [\(d.strata.joined(separator: ", "))]") }
        }
        lines.append("ties = \(ties.rawValue), penalizer = \(penalizer), l1 ratio = \(l1Ratio), baseline estimation = breslow")
        if weighted == true { lines.append("case weights = yes") }
        if robust == true { lines.append("robust variance = True") }
        lines.append("number of observations = \(n), number of events observed = \(events)")
        lines.append(String(format: "partial log-likelihood = %.2f%@", logPartialLikelihood, converged ? "" : " (did not converge)"))
        let w = max(9, features.map(\.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        func num(_ x: Double) -> String { abs(x) >= 1e-3 || x == 0 ? String(format: "%.4f", x) : String(format: "%.2e", x) }
        lines.append("")
        lines.append(["covariate".padding(toLength: w, withPad: " ", startingAt: 0), pad("coef", 10), pad("exp(coef)", 10), pad("se(coef)", 10),
                      pad("coef lo \(level)%", 13), pad("coef hi \(level)%", 13), pad("z", 8), pad("p", 10), pad("-log2(p)", 9)].joined(separator: " "))
        let zs = z, ps = pValues, lp = minusLog2P
        for j in features.indices {
            lines.append([features[j].padding(toLength: w, withPad: " ", startingAt: 0), pad(num(coef[j]), 10), pad(num(hazardRatios[j]), 10),
                          pad(num(standardErrors[j]), 10), pad(num(ci.lower[j]), 13), pad(num(ci.upper[j]), 13),
                          pad(String(format: "%.2f", zs[j]), 8), pad(ps[j] < 0.005 ? "<0.005" : String(format: "%.3f", ps[j]), 10),
                          pad(String(format: "%.2f", lp[j]), 9)].joined(separator: " "))
        }
        lines.append("")
        lines.append(String(format: "Concordance = %.4f\nPartial AIC = %.2f", concordance, aicPartial))
        return lines.joined(separator: "\n")
    }
}

extension CoxPHModel {
    /// The model file's metadata: the input columns (text ones with their levels;
    /// the strata after the covariates), the duration as target, the event and strata columns.
    public func metadata() -> ModelMetadata {
        ModelMetadata(features: inputFeatures, target: design?.duration,
                      extra: ["event": design?.event ?? "", "strata": (design?.strata ?? []).joined(separator: ","),
                              "target_kind": "survival"])
    }
}
