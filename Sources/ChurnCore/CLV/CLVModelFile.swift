/// A fitted buy-till-you-die model as one value: what `cl.clv.bgnbd{}` and
/// friends return as an object, and what their model files hold. The files are
/// the common versioned, checksummed `ModelFile` (kind "bgnbd", "pareto_nbd" or
/// "gamma_gamma"); every decoded payload is checked by `validate()` before use.
public enum CLVModel: Sendable {
    case bgnbd(BetaGeoModel)
    case paretoNBD(ParetoNBDModel)
    case gammaGamma(GammaGammaModel)

    public static let kinds = [BetaGeoModel.kind, ParetoNBDModel.kind, GammaGammaModel.kind]

    public var kind: String {
        switch self {
        case .bgnbd: return BetaGeoModel.kind
        case .paretoNBD: return ParetoNBDModel.kind
        case .gammaGamma: return GammaGammaModel.kind
        }
    }

    /// The purchase model (BG/NBD or Pareto/NBD), nil for Gamma–Gamma.
    public var purchaseModel: (any RepeatPurchaseModel)? {
        switch self {
        case .bgnbd(let m): return m
        case .paretoNBD(let m): return m
        case .gammaGamma: return nil
        }
    }

    /// Parameter names and values (lifetimes' `params_` order), standard errors, log-likelihood, customers, penalizer.
    public var parameters: [(name: String, value: Double)] {
        switch self {
        case .bgnbd(let m): return [("r", m.r), ("alpha", m.alpha), ("a", m.a), ("b", m.b)]
        case .paretoNBD(let m): return [("r", m.r), ("alpha", m.alpha), ("s", m.s), ("beta", m.beta)]
        case .gammaGamma(let m): return [("p", m.p), ("q", m.q), ("gamma", m.gamma)]
        }
    }

    public var fitInfo: (standardErrors: [Double], logLikelihood: Double, customers: Int, penalizer: Double) {
        switch self {
        case .bgnbd(let m): return (m.standardErrors, m.logLikelihood, m.customers, m.penalizer)
        case .paretoNBD(let m): return (m.standardErrors, m.logLikelihood, m.customers, m.penalizer)
        case .gammaGamma(let m): return (m.standardErrors, m.logLikelihood, m.customers, m.penalizer)
        }
    }

    /// lifetimes' `summary`: one row per parameter with its standard error and the Wald 95 % interval.
    public func summaryFrame() throws -> Frame {
        let p = parameters, se = fitInfo.standardErrors
        let s = p.indices.map { $0 < se.count ? se[$0] : .nan }
        return try Frame([.string("parameter", p.map(\.name)), .float("coef", p.map(\.value)), .float("se", s),
                          .float("lower_95", p.indices.map { p[$0].value - 1.959963984540054 * s[$0] }),
                          .float("upper_95", p.indices.map { p[$0].value + 1.959963984540054 * s[$0] })])
    }

    /// The columns the model reads (for the model file's metadata).
    var metadata: ModelMetadata {
        let names = kind == GammaGammaModel.kind ? ["frequency", "monetary_value"] : ["frequency", "recency", "T"]
        return ModelMetadata(features: names.map { ModelMetadata.Feature(name: $0, type: .numeric) },
                             extra: ["customers": String(fitInfo.customers)])
    }

    public func save(to path: String) throws {
        switch self {
        case .bgnbd(let m): try ModelFile.write(kind: kind, payload: m, metadata: metadata, to: path)
        case .paretoNBD(let m): try ModelFile.write(kind: kind, payload: m, metadata: metadata, to: path)
        case .gammaGamma(let m): try ModelFile.write(kind: kind, payload: m, metadata: metadata, to: path)
        }
    }

    /// The model in a read model file (its kind one of `kinds`), validated.
    public init(_ contents: ModelFile.Contents) throws {
        switch contents.header.kind {
        case BetaGeoModel.kind: self = .bgnbd(try contents.decode(BetaGeoModel.self, kind: BetaGeoModel.kind))
        case ParetoNBDModel.kind: self = .paretoNBD(try contents.decode(ParetoNBDModel.self, kind: ParetoNBDModel.kind))
        case GammaGammaModel.kind: self = .gammaGamma(try contents.decode(GammaGammaModel.self, kind: GammaGammaModel.kind))
        case let k: throw CLVError.invalid("model file holds a '\(k)' model, not a CLV model (\(Self.kinds.joined(separator: ", ")))")
        }
    }
}

/// Shared structural checks: parameters finite and > 0, the fit record sane.
private func checkCLV(_ kind: String, _ params: [(String, Double)], _ se: [Double], _ customers: Int, _ penalizer: Double) throws {
    for (name, v) in params where !(v.isFinite && v > 0) { throw ModelStructureError(kind, "parameter \(name) must be finite and > 0, got \(v)") }
    guard se.isEmpty || se.count == params.count else { throw ModelStructureError(kind, "\(se.count) standard errors for \(params.count) parameters") }
    guard customers >= 0, penalizer.isFinite, penalizer >= 0 else { throw ModelStructureError(kind, "customers and penalizer must be >= 0") }
}

extension BetaGeoModel: StructurallyValidated {
    public static let kind = "bgnbd"
    public func validate() throws { try checkCLV(Self.kind, [("r", r), ("alpha", alpha), ("a", a), ("b", b)], standardErrors, customers, penalizer) }
}

extension ParetoNBDModel: StructurallyValidated {
    public static let kind = "pareto_nbd"
    public func validate() throws { try checkCLV(Self.kind, [("r", r), ("alpha", alpha), ("s", s), ("beta", beta)], standardErrors, customers, penalizer) }
}

extension GammaGammaModel: StructurallyValidated {
    public static let kind = "gamma_gamma"
    public func validate() throws {
        try checkCLV(Self.kind, [("p", p), ("q", q), ("gamma", gamma)], standardErrors, customers, penalizer)
        guard q > 1 else { throw ModelStructureError(Self.kind, "q must be > 1 (the mean spend is finite only then), got \(q)") }
    }
}
