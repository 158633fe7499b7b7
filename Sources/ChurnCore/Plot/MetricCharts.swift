import Foundation

/// Charts as standalone SVG text. Each function checks its input, computes
/// what it needs with `Metrics`, and returns the SVG; `PlotFile.write` saves it.
public enum Plot {
    /// Labelled score vectors for charts comparing models.
    public typealias Models = [(name: String, scores: [Double])]

    static func titled(_ o: PlotOptions, _ title: String, _ x: String, _ y: String) -> PlotOptions {
        var o = o
        if o.title == nil { o.title = title }
        if o.xLabel == nil { o.xLabel = x }
        if o.yLabel == nil { o.yLabel = y }
        return o
    }

    static func fmt(_ v: Double, _ d: Int = 3) -> String { String(format: "%.\(d)f", v) }

    /// ROC curves of one or more models with their AUC in the legend and the chance diagonal.
    public static func roc(_ y: [Double], models: Models, weights: [Double]? = nil,
                           options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        var chart = XYChart(options: titled(options, "ROC curve", "False positive rate", "True positive rate"))
        chart.xDomain = (0, 1); chart.yDomain = (0, 1); chart.legend = .bottomRight
        for (i, m) in models.enumerated() {
            let c = try Metrics.rocCurve(y, m.scores, weights: weights)
            let auc = try Metrics.rocAUC(y, m.scores, weights: weights)
            chart.series.append(Series(name: "\(m.name) (AUC \(fmt(auc)))", xs: c.fpr, ys: c.tpr, color: Style.color(i)))
        }
        chart.series.append(Series(name: "Chance", xs: [0, 1], ys: [0, 1], color: Style.reference, dashed: true, width: 1.2))
        return chart.render()
    }

    public static func roc(_ y: [Double], _ p: [Double], weights: [Double]? = nil, options: PlotOptions = PlotOptions()) throws -> String {
        try roc(y, models: [("Model", p)], weights: weights, options: options)
    }

    /// Precision–recall curves (step-wise, as average precision integrates them) with the base rate.
    public static func pr(_ y: [Double], models: Models, weights: [Double]? = nil,
                          options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        var chart = XYChart(options: titled(options, "Precision–recall curve", "Recall", "Precision"))
        chart.xDomain = (0, 1); chart.yDomain = (0, 1.02); chart.legend = .topRight
        var base = 0.0
        for (i, m) in models.enumerated() {
            let c = try Metrics.prCurve(y, m.scores, weights: weights)
            let ap = try Metrics.averagePrecision(y, m.scores, weights: weights)
            // Recall ascending for drawing: reverse scikit-learn's order.
            chart.series.append(Series(name: "\(m.name) (AP \(fmt(ap)))", xs: c.recall.reversed(), ys: c.precision.reversed(),
                                       kind: .step, color: Style.color(i)))
            let t = BinaryInput.classTotals(y, weights: weights)
            base = t.pos / (t.pos + t.neg)
        }
        chart.series.append(Series(name: "Base rate \(fmt(base))", xs: [0, 1], ys: [base, base], color: Style.reference,
                                   dashed: true, width: 1.2))
        return chart.render()
    }

    public static func pr(_ y: [Double], _ p: [Double], weights: [Double]? = nil, options: PlotOptions = PlotOptions()) throws -> String {
        try pr(y, models: [("Model", p)], weights: weights, options: options)
    }

    /// Reliability diagram: observed positive rate against mean predicted probability per bin.
    ///
    /// Each bin's row count is printed next to its point ("n=12"), so a bin of
    /// a few rows is seen for what it is. Bins with fewer than `minBinCount`
    /// rows (weight) leave the line and are drawn as small hollow markers
    /// only; the legend says how many were set aside.
    public static func calibration(_ y: [Double], models: Models, bins: Int = 10, binning: CalibrationBinning = .uniform,
                                   weights: [Double]? = nil, minBinCount: Double = 0,
                                   options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard minBinCount >= 0 && minBinCount.isFinite else { throw PlotError.invalid("calibration min_bin_count must be finite and >= 0, got \(minBinCount)") }
        var chart = XYChart(options: titled(options, "Calibration", "Mean predicted probability", "Observed churn rate"))
        chart.xDomain = (0, 1); chart.yDomain = (0, 1); chart.legend = .topLeft
        chart.series.append(Series(name: "Perfectly calibrated", xs: [0, 1], ys: [0, 1], color: Style.reference, dashed: true, width: 1.2))
        for (i, m) in models.enumerated() {
            let c = try Metrics.calibration(y, m.scores, bins: bins, binning: binning, weights: weights)
            let keep = c.counts.indices.filter { c.counts[$0] >= minBinCount }, small = c.counts.indices.filter { c.counts[$0] < minBinCount }
            let note = small.isEmpty ? "" : ", \(small.count) bin\(small.count == 1 ? "" : "s") under n=\(count(minBinCount)) not joined"
            chart.series.append(Series(name: "\(m.name) (ECE \(fmt(c.ece))\(note))", xs: keep.map { c.meanPredicted[$0] },
                                       ys: keep.map { c.fractionPositive[$0] }, color: Style.color(i)))
            chart.series.append(Series(name: m.name, xs: keep.map { c.meanPredicted[$0] }, ys: keep.map { c.fractionPositive[$0] }, kind: .points,
                                       color: Style.color(i), inLegend: false))
            if !small.isEmpty {
                chart.series.append(Series(name: "\(m.name) small bins", xs: small.map { c.meanPredicted[$0] }, ys: small.map { c.fractionPositive[$0] },
                                           kind: .points, color: Style.color(i), opacity: 0.3, inLegend: false))
            }
            // Counts label the first model's points (more would overprint).
            if i == 0 {
                for b in c.counts.indices {
                    chart.annotations.append(.label(x: c.meanPredicted[b], y: c.fractionPositive[b], text: "n=\(count(c.counts[b]))"))
                }
            }
        }
        return chart.render()
    }

    public static func calibration(_ y: [Double], _ p: [Double], bins: Int = 10, binning: CalibrationBinning = .uniform,
                                   weights: [Double]? = nil, minBinCount: Double = 0, options: PlotOptions = PlotOptions()) throws -> String {
        try calibration(y, models: [("Model", p)], bins: bins, binning: binning, weights: weights, minBinCount: minBinCount, options: options)
    }

    /// Cumulative gains: share of churners captured against share of customers contacted.
    public static func gains(_ y: [Double], models: Models, weights: [Double]? = nil,
                             options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        var chart = XYChart(options: titled(options, "Cumulative gains", "Customers contacted", "Churners captured"))
        chart.xDomain = (0, 1); chart.yDomain = (0, 1); chart.legend = .bottomRight
        chart.xPercent = true; chart.yPercent = true
        for (i, m) in models.enumerated() {
            let g = try Metrics.gains(y, m.scores, weights: weights)
            chart.series.append(Series(name: m.name, xs: g.share, ys: g.gain, color: Style.color(i)))
        }
        chart.series.append(Series(name: "Random", xs: [0, 1], ys: [0, 1], color: Style.reference, dashed: true, width: 1.2))
        return chart.render()
    }

    public static func gains(_ y: [Double], _ p: [Double], weights: [Double]? = nil, options: PlotOptions = PlotOptions()) throws -> String {
        try gains(y, models: [("Model", p)], weights: weights, options: options)
    }

    /// Lift per bucket (deciles by default) as bars, cumulative lift as a line, and the baseline 1.
    public static func lift(_ y: [Double], _ p: [Double], buckets: Int = 10, weights: [Double]? = nil,
                            options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard buckets >= 1 && buckets <= 1000 else { throw PlotError.invalid("lift chart buckets must be in 1...1000, got \(buckets)") }
        let table = try Metrics.liftTable(y, p, buckets: buckets, weights: weights)
        var chart = XYChart(options: titled(options, "Lift by \(buckets == 10 ? "decile" : "bucket")", "Customers contacted (top share)", "Lift"))
        chart.xDomain = (0, 1); chart.xPercent = true; chart.legend = .topRight
        let edges = (0...buckets).map { Double($0) / Double(buckets) }
        // Lift of each bucket alone: captured positives in the bucket over its expected share.
        var bucketLift: [Double] = []
        var prev = 0.0
        for (k, t) in table.enumerated() {
            let captured = t.recall - prev; prev = t.recall
            bucketLift.append(captured / (edges[k + 1] - edges[k]))
        }
        chart.series.append(Series(name: "Lift of bucket", xs: Array(edges.dropLast()), ys: bucketLift, kind: .bars,
                                   x2: Array(edges.dropFirst()), color: Style.color(0), opacity: 0.55))
        chart.series.append(Series(name: "Cumulative lift", xs: edges.dropFirst().map { $0 - 0.5 / Double(buckets) },
                                   ys: table.map { $0.lift }, color: Style.color(1)))
        chart.series.append(Series(name: "Cumulative lift", xs: edges.dropFirst().map { $0 - 0.5 / Double(buckets) },
                                   ys: table.map { $0.lift }, kind: .points, color: Style.color(1), inLegend: false))
        chart.series.append(Series(name: "Random (lift 1)", xs: [0, 1], ys: [1, 1], color: Style.reference, dashed: true, width: 1.2))
        return chart.render()
    }

    /// Campaign profit against the share contacted, with the optimum marked.
    public static func profit(_ y: [Double], _ p: [Double], campaign: CampaignOptions = CampaignOptions(),
                              weights: [Double]? = nil, options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        let c = try Metrics.profitCurve(y, p, options: campaign, weights: weights)
        var chart = XYChart(options: titled(options, "Campaign profit", "Customers contacted", "Expected profit"))
        chart.xDomain = (0, 1); chart.xPercent = true; chart.legend = .bottomLeft
        chart.series.append(Series(name: "Profit", xs: c.share, ys: c.profit, kind: .area, color: Style.color(2)))
        chart.annotations.append(.marker(x: c.bestShare, y: c.bestProfit,
                                         label: "best: contact \(fmt(c.bestShare * 100, 1))%, profit \(short(c.bestProfit))"))
        chart.legend = .none
        return chart.render()
    }

    /// Histograms of the scores of each class on shared bins (densities, so classes of different sizes compare).
    public static func scoreHistogram(_ y: [Double], _ p: [Double], bins: Int = 30, weights: [Double]? = nil,
                                      classNames: (negative: String, positive: String) = ("Retained", "Churned"),
                                      options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        try BinaryInput.check(y, p, weights: weights)
        guard bins >= 1 && bins <= 1000 else { throw PlotError.invalid("bins must be in 1...1000, got \(bins)") }
        guard !p.isEmpty else { throw PlotError.invalid("score histogram needs at least one score") }
        var lo = p.min()!, hi = p.max()!
        if p.allSatisfy({ $0 >= 0 && $0 <= 1 }) { lo = 0; hi = 1 }
        if lo == hi { lo -= 0.5; hi += 0.5 }
        let width = (hi - lo) / Double(bins)
        guard width.isFinite && width > 0 else { throw PlotError.invalid("score histogram: scores span too wide a range (\(lo) to \(hi))") }
        var h = [[Double]](repeating: [Double](repeating: 0, count: bins), count: 2)
        var tot = [0.0, 0.0]
        for i in 0..<p.count {
            let b = min(bins - 1, max(0, Int((p[i] - lo) / width)))
            let w = weights?[i] ?? 1
            h[Int(y[i])][b] += w; tot[Int(y[i])] += w
        }
        var chart = XYChart(options: titled(options, "Score distribution by class", "Score", "Density"))
        chart.xDomain = (lo, hi); chart.legend = .topRight
        let left = (0..<bins).map { lo + Double($0) * width }, right = (0..<bins).map { lo + Double($0 + 1) * width }
        for (k, name) in [(0, classNames.negative), (1, classNames.positive)] where tot[k] > 0 {
            chart.series.append(Series(name: "\(name) (n=\(LinearScale.format(tot[k], 0)))", xs: left,
                                       ys: h[k].map { $0 / tot[k] / width }, kind: .bars, x2: right, color: Style.color(k), opacity: 0.5))
        }
        return chart.render()
    }
}
