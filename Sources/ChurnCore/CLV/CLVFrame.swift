/// The CLV models on summary-frame columns (the output of `RFMSummary.build`,
/// or any frame with the same meaning): fit and per-customer predictions as
/// new columns. The Lua bindings (`cl.clv.*`) call these.
public struct RFMColumns: Sendable {
    public var frequency = "frequency", recency = "recency", T = "T", monetaryValue = "monetary_value"
    public init() {}

    func values(_ f: Frame, _ name: String) throws -> [Double] {
        let c = try f.column(name)
        guard let v = c.toDoubles(), c.nullCount == 0 else { throw CLVError.invalid("column '\(name)' must be numeric without nulls") }
        if let i = v.firstIndex(where: { !$0.isFinite }) { throw CLVError.invalid("column '\(name)' row \(i + 1) is not finite") }
        return v
    }
}

extension BetaGeoModel {
    public static func fit(_ f: Frame, _ c: RFMColumns, penalizer: Double = 0) throws -> BetaGeoModel {
        try fit(frequency: try c.values(f, c.frequency), recency: try c.values(f, c.recency), T: try c.values(f, c.T), penalizer: penalizer)
    }
}

extension ParetoNBDModel {
    public static func fit(_ f: Frame, _ c: RFMColumns, penalizer: Double = 0) throws -> ParetoNBDModel {
        try fit(frequency: try c.values(f, c.frequency), recency: try c.values(f, c.recency), T: try c.values(f, c.T), penalizer: penalizer)
    }
}

extension RepeatPurchaseModel {

    /// `f` with `p_alive` and, when `t` is given, `expected_purchases` (in (T, T + t]) added.
    public func predict(_ f: Frame, _ c: RFMColumns, t: Double?) throws -> Frame {
        let x = try c.values(f, c.frequency), tx = try c.values(f, c.recency), T = try c.values(f, c.T)
        var cols = [Column.float("p_alive", (0..<x.count).map { probabilityAlive(frequency: x[$0], recency: tx[$0], T: T[$0]) })]
        if let t {
            guard t >= 0 && t.isFinite else { throw CLVError.invalid("t must be finite and >= 0, got \(t)") }
            cols.append(.float("expected_purchases", (0..<x.count).map { conditionalExpectedPurchases(t, frequency: x[$0], recency: tx[$0], T: T[$0]) }))
        }
        return try f.withColumns(cols)
    }
}

extension GammaGammaModel {
    public static func fit(_ f: Frame, _ c: RFMColumns, penalizer: Double = 0) throws -> GammaGammaModel {
        var m = try fit(frequency: try c.values(f, c.frequency), monetaryValue: try c.values(f, c.monetaryValue), penalizer: penalizer)
        m.penalizer = penalizer
        return m
    }

    /// `f` with `expected_spend` (lifetimes' `conditional_expected_average_profit`) added.
    public func predict(_ f: Frame, _ c: RFMColumns) throws -> Frame {
        let x = try c.values(f, c.frequency), m = try c.values(f, c.monetaryValue)
        return try f.withColumns([.float("expected_spend", (0..<x.count).map { expectedAverageSpend(frequency: x[$0], monetaryValue: m[$0]) })])
    }
}

extension CustomerValue {
    /// `f` with `expected_spend` and `clv` (discounted `months` ahead) added.
    public static func value(_ f: Frame, _ c: RFMColumns, _ bg: some RepeatPurchaseModel, _ gg: GammaGammaModel,
                             months: Int, discount: Double, periodsPerMonth: Double) throws -> Frame {
        let x = try c.values(f, c.frequency), tx = try c.values(f, c.recency), T = try c.values(f, c.T), m = try c.values(f, c.monetaryValue)
        let spend = (0..<x.count).map { gg.expectedAverageSpend(frequency: x[$0], monetaryValue: m[$0]) }
        let v = (0..<x.count).map { clv(bg, gg, frequency: x[$0], recency: tx[$0], T: T[$0], monetaryValue: m[$0],
                                        months: months, discount: discount, periodsPerMonth: periodsPerMonth) }
        return try f.withColumns([.float("expected_spend", spend), .float("clv", v)])
    }
}
