import Foundation

extension Plot {
    /// Horizontal bars of feature importance, largest on top (at most `top` features).
    public static func importance(names: [String], values: [Double], top: Int = 20,
                                  options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard names.count == values.count else {
            throw PlotError.invalid("importance: \(names.count) names for \(values.count) values")
        }
        guard !names.isEmpty else { throw PlotError.invalid("importance: no features") }
        if let i = values.firstIndex(where: { !$0.isFinite }) { throw PlotError.invalid("importance of '\(names[i])' is not finite") }
        let order = values.indices.sorted { abs(values[$0]) > abs(values[$1]) || (abs(values[$0]) == abs(values[$1]) && $0 < $1) }
            .prefix(max(1, top))
        var o = titled(options, "Feature importance", "Importance", "")
        if o.yLabel == "" { o.yLabel = nil }
        let rows = order.map { (SVGCanvas.truncate(names[$0], size: 12, maxWidth: o.width * 0.35), values[$0]) }
        return CategoryChart(options: o, labels: rows.map { $0.0 }).render { c, band, x in
            for (k, r) in rows.enumerated() {
                let (y0, h) = band(k)
                let a = x(0), b = x(r.1)
                c.rect(x: min(a, b), y: y0 + h * 0.15, width: abs(b - a), height: h * 0.7, fill: Style.color(0),
                       title: "\(r.0): \(r.1)", cls: "bar")
                c.text(Plot.short(r.1),
                       x: max(a, b) + 4, y: y0 + h / 2 + 4, size: 11, color: Style.mutedText, cls: "value")
            }
        } domain: { (min(0, values.min()!), max(0, values.max()!) * 1.1) }
    }

    /// A number for a label: whole numbers as integers, others to 4 significant digits.
    public static func shortNumber(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.4g", v)
    }

    static func short(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 10_000 { return LinearScale.labels([v, v + (a >= 1e6 ? 1e5 : 100)])[0] }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 1 { return String(format: "%.2f", v) }
        return String(format: "%.3g", v)
    }

    /// SHAP summary ("beeswarm"): one row per feature (largest mean |SHAP| on
    /// top), one dot per row of data at its SHAP value, coloured by the
    /// feature's value from low (blue) to high (red); NaN feature values are grey.
    /// `shap[f][i]` and `featureValues[f][i]`: feature f, data row i. At most
    /// `maxPoints` dots per feature are drawn (an even, deterministic stride).
    public static func shapSummary(names: [String], shap: [[Double]], featureValues: [[Double]], maxDisplay: Int = 15,
                                   maxPoints: Int = 1500, options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard names.count == shap.count, shap.count == featureValues.count, !names.isEmpty else {
            throw PlotError.invalid("SHAP summary: \(names.count) names, \(shap.count) SHAP columns, \(featureValues.count) value columns must match")
        }
        guard maxDisplay >= 1 && maxPoints >= 1 else {
            throw PlotError.invalid("SHAP summary: max_display and max_points must be >= 1, got \(maxDisplay) and \(maxPoints)")
        }
        let n = shap[0].count
        for f in 0..<names.count where shap[f].count != n || featureValues[f].count != n {
            throw PlotError.invalid("SHAP summary: feature '\(names[f])' has \(shap[f].count) SHAP values and \(featureValues[f].count) values, expected \(n)")
        }
        let meanAbs = shap.map { col in col.reduce(0) { $0 + ($1.isFinite ? abs($1) : 0) } / Double(max(1, col.count)) }
        let order = Array(meanAbs.indices.sorted { meanAbs[$0] > meanAbs[$1] || (meanAbs[$0] == meanAbs[$1] && $0 < $1) }.prefix(maxDisplay))
        var lo = 0.0, hi = 0.0
        for f in order { for v in shap[f] where v.isFinite { lo = min(lo, v); hi = max(hi, v) } }
        let pad = (hi - lo) * 0.05
        var o = titled(options, "SHAP summary", "SHAP value (impact on model output)", "")
        if o.yLabel == "" { o.yLabel = nil }
        // ceil(n / maxPoints) without n + maxPoints - 1, which overflows for maxPoints near Int.max.
        let stride = max(1, n / maxPoints + (n % maxPoints == 0 ? 0 : 1))
        return CategoryChart(options: o, labels: order.map { SVGCanvas.truncate(names[$0], size: 12, maxWidth: o.width * 0.3) },
                             rightMargin: 70).render { c, band, x in
            c.line(x(0), band(0).0, x(0), band(order.count - 1).0 + band(order.count - 1).1, stroke: Style.axis, width: 1)
            for (k, f) in order.enumerated() {
                let (y0, h) = band(k)
                // Colour scale: 5th–95th percentile of the feature's finite values.
                let fin = featureValues[f].filter { $0.isFinite }.sorted()
                let vlo = fin.isEmpty ? 0 : Metrics.percentile(sorted: fin, q: 0.05)
                let vhi = fin.isEmpty ? 1 : Metrics.percentile(sorted: fin, q: 0.95)
                // Swarm: dots in the same 3-px column stack outwards from the centre line.
                var stacks: [Int: Int] = [:]
                let cy = y0 + h / 2, maxOff = h * 0.42
                for i in Swift.stride(from: 0, to: n, by: stride) where shap[f][i].isFinite {
                    let px = x(shap[f][i])
                    let col = Int(max(-1e9, min(1e9, px / 3)))
                    let m = stacks[col, default: 0]; stacks[col] = m + 1
                    let off = min(maxOff, Double((m + 1) / 2) * 2.2) * (m % 2 == 0 ? 1 : -1)
                    let v = featureValues[f][i]
                    let color = v.isFinite ? Style.ramp(Style.diverging, vhi > vlo ? (v - vlo) / (vhi - vlo) : 0.5) : "#a0a0a0"
                    c.circle(cx: px, cy: cy + off, r: 2.2, fill: color, opacity: 0.85)
                }
            }
            // Colour bar.
            let top = band(0).0, bottom = band(order.count - 1).0 + band(order.count - 1).1
            let bx = o.width - 52, bh = min(200, bottom - top)
            let by = top + (bottom - top - bh) / 2
            c.beginGroup(cls: "colorbar")
            for s in 0..<40 {
                c.rect(x: bx, y: by + bh * Double(s) / 40, width: 10, height: bh / 40 + 0.6, fill: Style.ramp(Style.diverging, 1 - Double(s) / 40))
            }
            c.text("High", x: bx + 5, y: by - 6, size: 11, anchor: .middle, color: Style.mutedText)
            c.text("Low", x: bx + 5, y: by + bh + 14, size: 11, anchor: .middle, color: Style.mutedText)
            c.text("Feature value", x: bx + 24, y: by + bh / 2, size: 11, anchor: .middle, color: Style.mutedText, rotate: -90)
            c.endGroup()
        } domain: { (lo - pad, hi + pad) }
    }

    /// Training curves: loss per iteration for each named series (e.g. train
    /// and eval); the minimum of the last series is marked as the best iteration.
    public static func training(series: [(name: String, values: [Double])], markBest: Bool = true,
                                options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard !series.isEmpty, series.contains(where: { !$0.values.isEmpty }) else {
            throw PlotError.invalid("training curves: no values")
        }
        var chart = XYChart(options: titled(options, "Training curves", "Iteration", "Loss"))
        chart.yIncludesZero = false
        for (i, s) in series.enumerated() {
            chart.series.append(Series(name: s.name, xs: (0..<s.values.count).map { Double($0 + 1) },
                                       ys: s.values, color: Style.color(i)))
        }
        if markBest, let last = series.last, let best = last.values.indices.filter({ last.values[$0].isFinite })
            .min(by: { last.values[$0] < last.values[$1] }) {
            chart.annotations.append(.vline(x: Double(best + 1), label: "best iteration \(best + 1): \(short(last.values[best]))"))
        }
        return chart.render()
    }
}

/// A chart with one horizontal band per label (feature names on the left)
/// and a numeric x axis: the frame for importance bars and SHAP summaries.
struct CategoryChart {
    var options: PlotOptions
    var labels: [String]
    var rightMargin = 24.0

    func render(_ draw: (inout SVGCanvas, (Int) -> (Double, Double), LinearScale) -> Void,
                domain: () -> (Double, Double)) -> String {
        let o = options
        let top = o.title == nil ? 16.0 : 44.0
        let left = (labels.map { SVGCanvas.textWidth($0, size: 12) }.max() ?? 0) + 20
        let bottom = 30.0 + (o.xLabel == nil ? 0 : 22)
        let pw = o.width - left - rightMargin, ph = o.height - top - bottom
        var x = LinearScale(domain: domain(), range: (left, left + pw))
        x.nice()
        var c = SVGCanvas(width: o.width, height: o.height)
        if let t = o.title {
            c.text(SVGCanvas.truncate(t, size: 16, maxWidth: o.width - 24), x: o.width / 2, y: 28, size: 16, anchor: .middle, bold: true, cls: "title")
        }
        let ticks = x.ticks()
        c.beginGroup(cls: "axis x-axis")
        for (v, s) in zip(ticks, LinearScale.labels(ticks)) {
            c.line(x(v), top, x(v), top + ph, stroke: Style.grid)
            c.text(s, x: x(v), y: top + ph + 18, size: 12, anchor: .middle, color: Style.mutedText, cls: "tick")
        }
        if let l = o.xLabel { c.text(l, x: left + pw / 2, y: o.height - 10, size: 13, anchor: .middle, cls: "axis-label") }
        c.endGroup()
        let bh = ph / Double(max(1, labels.count))
        let band: (Int) -> (Double, Double) = { (top + Double($0) * bh, bh) }
        c.beginGroup(cls: "axis y-axis")
        for (k, l) in labels.enumerated() {
            c.text(l, x: left - 8, y: top + (Double(k) + 0.5) * bh + 4, size: 12, anchor: .end, cls: "tick")
        }
        c.endGroup()
        c.line(left, top + ph, left + pw, top + ph, stroke: Style.axis)
        c.beginGroup(cls: "series")
        draw(&c, band, x)
        c.endGroup()
        return c.render(title: o.title)
    }
}
