import Foundation

extension Plot {
    /// Confusion matrix as a 2×2 grid of cells: actual rows, predicted
    /// columns (negatives first), each cell showing its count and its share
    /// of the actual row, shaded by that share.
    public static func confusion(_ m: ConfusionMatrix, threshold: Double? = nil, classNames: (String, String) = ("Retained", "Churned"),
                                 options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        var o = options
        if o.title == nil { o.title = threshold.map { "Confusion matrix at threshold \(MetricsReport.format($0))" } ?? "Confusion matrix" }
        var c = SVGCanvas(width: o.width, height: o.height)
        c.text(SVGCanvas.truncate(o.title!, size: 16, maxWidth: o.width - 24), x: o.width / 2, y: 28, size: 16, anchor: .middle, bold: true, cls: "title")
        let left = 120.0, top = 84.0, size = min(o.width - left - 30, o.height - top - 40) / 2
        let cells = [[m.tn, m.fp], [m.fn, m.tp]]
        let names = [classNames.0, classNames.1]
        c.text(o.xLabel ?? "Predicted", x: left + size, y: top - 34, size: 13, anchor: .middle, cls: "axis-label")
        c.text(o.yLabel ?? "Actual", x: 24, y: top + size, size: 13, anchor: .middle, rotate: -90, cls: "axis-label")
        for k in 0..<2 {
            c.text(names[k], x: left + (Double(k) + 0.5) * size, y: top - 10, size: 12, anchor: .middle, cls: "tick")
            c.text(names[k], x: left - 8, y: top + (Double(k) + 0.5) * size + 4, size: 12, anchor: .end, cls: "tick")
        }
        c.beginGroup(cls: "cells")
        for r in 0..<2 {
            let rowTotal = cells[r][0] + cells[r][1]
            for k in 0..<2 {
                let v = cells[r][k], share = rowTotal > 0 ? v / rowTotal : 0
                let fill = Style.ramp([(0.96, 0.97, 0.99), (0.306, 0.475, 0.655)], share)
                let label = ["true negative", "false positive", "false negative", "true positive"][r * 2 + k]
                c.rect(x: left + Double(k) * size, y: top + Double(r) * size, width: size, height: size, fill: fill,
                       title: "\(label): \(Plot.count(v)) (\(fmt(100 * share, 1))% of actual \(names[r]))", cls: "cell")
                let color = share > 0.55 ? "#ffffff" : Style.text
                c.text(Plot.count(v), x: left + (Double(k) + 0.5) * size, y: top + (Double(r) + 0.5) * size, size: 20,
                       anchor: .middle, color: color, bold: true, cls: "count")
                c.text("\(fmt(100 * share, 1))% · \(label)", x: left + (Double(k) + 0.5) * size, y: top + (Double(r) + 0.5) * size + 22,
                       size: 11, anchor: .middle, color: color, cls: "share")
            }
        }
        c.endGroup()
        return c.render(title: o.title)
    }

    /// A count as an integer when it is one (weights can make it fractional).
    static func count(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : fmt(v, 2) }

    /// Partial dependence (thick line) with optional ICE lines (thin, at most
    /// `maxIce` of them, an even stride over the rows).
    public static func partialDependence(feature: String, grid: [Double], average: [Double], ice: [[Double]]? = nil,
                                         maxIce: Int = 100, yLabel: String = "Predicted probability",
                                         options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard grid.count == average.count, !grid.isEmpty else {
            throw PlotError.invalid("partial dependence: \(grid.count) grid values for \(average.count) averages")
        }
        var chart = XYChart(options: titled(options, "Partial dependence on \(feature)", feature, yLabel))
        chart.legend = .topLeft
        if let ice, !ice.isEmpty {
            let step = max(1, ice.count / max(1, maxIce))
            for (k, i) in stride(from: 0, to: ice.count, by: step).enumerated() {
                chart.series.append(Series(name: "Individual rows (ICE)", xs: grid, ys: ice[i], color: Style.reference, width: 0.8,
                                           opacity: 0.35, inLegend: k == 0))
            }
        }
        chart.series.append(Series(name: "Average (partial dependence)", xs: grid, ys: average, color: Style.color(0), width: 3))
        chart.series.append(Series(name: "grid", xs: grid, ys: average, kind: .points, color: Style.color(0), inLegend: false))
        return chart.render()
    }

    /// SHAP dependence: each row's feature value (x) against its SHAP value
    /// for that feature (y); with `color` values, dots go from blue (low) to red (high).
    public static func shapDependence(feature: String, values: [Double], shap: [Double], color: [Double]? = nil,
                                      colorName: String? = nil, options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard values.count == shap.count, !values.isEmpty else {
            throw PlotError.invalid("SHAP dependence: \(values.count) feature values for \(shap.count) SHAP values")
        }
        if let color, color.count != values.count { throw PlotError.invalid("SHAP dependence: \(color.count) colour values for \(values.count) rows") }
        var chart = XYChart(options: titled(options, "SHAP dependence: \(feature)", feature, "SHAP value (contribution)"))
        chart.legend = .none; chart.yIncludesZero = true
        if let color {
            let finite = color.filter { $0.isFinite }
            let lo = finite.min() ?? 0, hi = finite.max() ?? 1
            // One series per colour decile keeps the SVG small.
            for d in 0..<10 {
                let idx = values.indices.filter {
                    guard color[$0].isFinite else { return d == 0 }
                    let t = hi > lo ? (color[$0] - lo) / (hi - lo) : 0.5
                    return min(9, Int(t * 10)) == d
                }
                if idx.isEmpty { continue }
                chart.series.append(Series(name: colorName ?? "colour", xs: idx.map { values[$0] }, ys: idx.map { shap[$0] }, kind: .points,
                                           color: Style.ramp(Style.diverging, (Double(d) + 0.5) / 10), opacity: 0.8, inLegend: false))
            }
        } else {
            chart.series.append(Series(name: feature, xs: values, ys: shap, kind: .points, color: Style.color(0), opacity: 0.7, inLegend: false))
        }
        chart.series.append(Series(name: "zero", xs: [values.filter { $0.isFinite }.min() ?? 0, values.filter { $0.isFinite }.max() ?? 1],
                                   ys: [0, 0], color: Style.reference, dashed: true, width: 1, inLegend: false))
        return chart.render()
    }

    /// One row's explanation as a waterfall: from the base value (the model's
    /// average output) each feature's contribution moves the running total,
    /// largest |contribution| first; the rest are folded into "other features".
    /// Red bars raise the score, blue bars lower it; the last bar is the output.
    public static func waterfall(names: [String], contributions: [Double], values: [String?]? = nil, base: Double,
                                 top: Int = 10, unit: String = "log-odds", options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard names.count == contributions.count, !names.isEmpty else {
            throw PlotError.invalid("waterfall: \(names.count) features for \(contributions.count) contributions")
        }
        guard base.isFinite, contributions.allSatisfy({ $0.isFinite }) else { throw PlotError.invalid("waterfall: base and contributions must be finite") }
        let order = contributions.indices.sorted { abs(contributions[$0]) != abs(contributions[$1]) ? abs(contributions[$0]) > abs(contributions[$1]) : $0 < $1 }
        var rows: [(String, Double)] = order.prefix(max(1, top)).map { i in
            let v = values?[i].map { " = \($0)" } ?? ""
            return (names[i] + v, contributions[i])
        }
        if order.count > top { rows.append(("\(order.count - top) other features", order.dropFirst(top).reduce(0) { $0 + contributions[$1] })) }
        var o = titled(options, "Why this score", "Contribution (\(unit))", "")
        if o.yLabel == "" { o.yLabel = nil }
        var running = base, spans: [(Double, Double)] = []
        for r in rows { spans.append((running, running + r.1)); running += r.1 }
        let output = running
        let labels = ["base value"] + rows.map { SVGCanvas.truncate($0.0, size: 12, maxWidth: o.width * 0.4) } + ["output"]
        let all = [base, output] + spans.flatMap { [$0.0, $0.1] }
        return CategoryChart(options: o, labels: labels, rightMargin: 60).render { c, band, x in
            func bar(_ k: Int, _ a: Double, _ b: Double, _ fill: String, _ text: String, _ tip: String) {
                let (y0, h) = band(k)
                c.rect(x: min(x(a), x(b)), y: y0 + h * 0.18, width: max(1, abs(x(b) - x(a))), height: h * 0.64, fill: fill, title: tip, cls: "bar")
                c.text(text, x: max(x(a), x(b)) + 4, y: y0 + h / 2 + 4, size: 11, color: Style.mutedText, cls: "value")
            }
            bar(0, 0, base, Style.reference, Plot.shortNumber(base), "base value \(Plot.shortNumber(base))")
            for (k, r) in rows.enumerated() {
                let up = r.1 >= 0
                bar(k + 1, spans[k].0, spans[k].1, up ? "#e15759" : "#4e79a7", (up ? "+" : "") + Plot.shortNumber(r.1), "\(r.0): \(Plot.shortNumber(r.1))")
            }
            bar(rows.count + 1, 0, output, Style.color(0), Plot.shortNumber(output), "output \(Plot.shortNumber(output))")
        } domain: { (min(0, all.min()!), max(0, all.max()!)) }
    }
}
