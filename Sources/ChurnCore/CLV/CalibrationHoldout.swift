import Foundation

/// lifetimes' `plot_calibration_purchases_vs_holdout_purchases`: customers grouped
/// by their calibration-period frequency (the first `bins` frequencies present, in
/// ascending order), the mean of the purchases they really made in the holdout
/// period against the mean the model predicted for it from their calibration
/// history (E[purchases in the next duration_holdout periods | x, tₓ, T]).
public struct CalibrationHoldout: Sendable {
    public var frequency: [Double]
    public var customers: [Int]
    public var actual: [Double]
    public var predicted: [Double]

    /// From a `cl.clv.summary` frame with a holdout period (frequency_holdout, duration_holdout).
    public init(_ model: any RepeatPurchaseModel, _ f: Frame, _ c: RFMColumns, bins: Int = 7) throws {
        guard bins >= 1 else { throw CLVError.invalid("bins must be >= 1, got \(bins)") }
        for name in ["frequency_holdout", "duration_holdout"] where !f.names.contains(name) {
            throw CLVError.invalid("the summary has no '\(name)' column: give cl.clv.summary a holdout_end")
        }
        let x = try c.values(f, c.frequency), tx = try c.values(f, c.recency), T = try c.values(f, c.T)
        let holdout = try c.values(f, "frequency_holdout"), duration = try c.values(f, "duration_holdout")
        guard let h = duration.first else { throw CLVError.invalid("the summary has no customers") }
        // One holdout length for everyone (lifetimes reads the first row's).
        var sums: [Double: (n: Int, actual: Double, predicted: Double)] = [:]
        for i in x.indices {
            let p = model.conditionalExpectedPurchases(h, frequency: x[i], recency: tx[i], T: T[i])
            var s = sums[x[i]] ?? (0, 0, 0)
            s.n += 1; s.actual += holdout[i]; s.predicted += p
            sums[x[i]] = s
        }
        let keys = Array(sums.keys.sorted().prefix(bins))
        frequency = keys
        customers = keys.map { sums[$0]!.n }
        actual = keys.map { sums[$0]!.actual / Double(sums[$0]!.n) }
        predicted = keys.map { sums[$0]!.predicted / Double(sums[$0]!.n) }
    }

    public func frame() throws -> Frame {
        try Frame([.float("frequency", frequency), .int("customers", customers.map(Int64.init)),
                   .float("actual", actual), .float("predicted", predicted)])
    }

    /// The chart: actual and model lines against the calibration frequency.
    public func svg(options: PlotOptions) throws -> String {
        try options.check()
        var o = options
        if o.title == nil { o.title = "Actual purchases in holdout period vs predicted purchases" }
        if o.xLabel == nil { o.xLabel = "Purchases in calibration period" }
        if o.yLabel == nil { o.yLabel = "Average of purchases in holdout period" }
        var chart = XYChart(options: o)
        chart.legend = .topLeft
        chart.series.append(Series(name: "frequency_holdout (actual)", xs: frequency, ys: actual, kind: .line, color: Style.color(0)))
        chart.series.append(Series(name: "model_predictions", xs: frequency, ys: predicted, kind: .line, color: Style.color(1), dashed: true))
        return chart.render()
    }
}
