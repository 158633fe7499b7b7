/// Economics of a retention campaign that contacts the highest-scored customers.
///
/// For a contacted customer:
/// - a churner accepts the offer with probability `acceptanceRate` and is then
///   retained: gain `valueRetained − offerCost`;
/// - a non-churner is assumed to accept the offer anyway (it is free money):
///   loss `offerCost`;
/// - everyone contacted costs `contactCost`.
///
/// Profit(top k) = TP·acceptanceRate·(valueRetained − offerCost) − FP·offerCost − k·contactCost
/// (a simplified form of Verbraken et al.'s expected maximum profit measure).
/// Amounts are totals over the (weighted) rows given.
public struct CampaignOptions: Sendable {
    public var valueRetained: Double
    public var offerCost: Double
    public var contactCost: Double
    public var acceptanceRate: Double

    public init(valueRetained: Double = 200, offerCost: Double = 10, contactCost: Double = 1, acceptanceRate: Double = 0.3) {
        self.valueRetained = valueRetained; self.offerCost = offerCost
        self.contactCost = contactCost; self.acceptanceRate = acceptanceRate
    }

    /// Profit of contacting customers holding `tp` churners and `fp` non-churners.
    public func profit(tp: Double, fp: Double) -> Double {
        tp * acceptanceRate * (valueRetained - offerCost) - fp * offerCost - (tp + fp) * contactCost
    }
}

/// Profit as a function of the share contacted, one point per distinct score
/// (first point: nobody contacted, profit 0).
public struct ProfitCurve: Sendable {
    public let share: [Double]
    public let profit: [Double]
    public let thresholds: [Double]
    /// Index of the most profitable point (ties: the smaller campaign).
    public let bestIndex: Int
    public var bestShare: Double { share[bestIndex] }
    public var bestProfit: Double { profit[bestIndex] }
    /// Contact customers with score >= this (+inf: contact nobody).
    public var bestThreshold: Double { thresholds[bestIndex] }
}

extension Metrics {
    public static func profitCurve(_ y: [Double], _ p: [Double], options: CampaignOptions = CampaignOptions(),
                                   weights: [Double]? = nil) throws -> ProfitCurve {
        for (name, v) in [("valueRetained", options.valueRetained), ("offerCost", options.offerCost),
                          ("contactCost", options.contactCost)] where !(v.isFinite && v >= 0) {
            throw MetricsError.invalidOption("\(name) must be finite and >= 0, got \(v)")
        }
        guard options.acceptanceRate >= 0 && options.acceptanceRate <= 1 else {
            throw MetricsError.invalidOption("acceptanceRate must be in [0, 1], got \(options.acceptanceRate)")
        }
        try BinaryInput.check(y, p, weights: weights)
        try BinaryInput.requireFiniteTotal(weights, "profit curve")
        let s = SortedClasses(y, p, weights: weights)
        guard s.posTotal + s.negTotal > 0 else { throw MetricsError.empty(metric: "profit curve") }
        return profitCurve(from: s.curve(), options: options)
    }

    static func profitCurve(from c: BinaryCurve, options: CampaignOptions) -> ProfitCurve {
        let total = c.positives + c.negatives
        var share = [0.0], profit = [0.0], th = [Double.infinity]
        var best = 0
        for k in 0..<c.thresholds.count {
            share.append((c.tps[k] + c.fps[k]) / total)
            profit.append(options.profit(tp: c.tps[k], fp: c.fps[k]))
            th.append(c.thresholds[k])
            if profit[k + 1] > profit[best] { best = k + 1 }
        }
        return ProfitCurve(share: share, profit: profit, thresholds: th, bestIndex: best)
    }
}
