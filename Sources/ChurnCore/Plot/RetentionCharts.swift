import Foundation

extension Plot {
    /// Retention (survival) curves as steps, one per named series; y is the
    /// share still active (0…1), x the time since start (e.g. months).
    public static func retention(series: [(name: String, times: [Double], share: [Double])],
                                 options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard !series.isEmpty else { throw PlotError.invalid("retention curves: no series") }
        for s in series where s.times.count != s.share.count {
            throw PlotError.invalid("retention curve '\(s.name)': \(s.times.count) times for \(s.share.count) values")
        }
        var chart = XYChart(options: titled(options, "Retention", "Time", "Still active"))
        chart.yDomain = (0, 1); chart.yPercent = true; chart.legend = .bottomLeft
        for (i, s) in series.enumerated() {
            chart.series.append(Series(name: s.name, xs: s.times, ys: s.share, kind: .step, color: Style.color(i)))
        }
        return chart.render()
    }

    /// Cohort heatmap: `values[r][c]` for row labels (cohorts) and column labels
    /// (periods). NaN cells stay blank. With `percent`, values are shown as
    /// percentages. Colours run over the finite values' range.
    public static func heatmap(_ values: [[Double]], rowLabels: [String], columnLabels: [String], percent: Bool = true,
                               options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard values.count == rowLabels.count, !values.isEmpty else {
            throw PlotError.invalid("heatmap: \(values.count) rows of values for \(rowLabels.count) row labels")
        }
        for (r, row) in values.enumerated() where row.count != columnLabels.count {
            throw PlotError.invalid("heatmap: row '\(rowLabels[r])' has \(row.count) values for \(columnLabels.count) columns")
        }
        let finite = values.flatMap { $0 }.filter { $0.isFinite }
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1
        let o = titled(options, "Cohort retention", "", "")
        let top = (o.title == nil ? 16.0 : 44.0) + 22
        let left = (rowLabels.map { SVGCanvas.textWidth($0, size: 12) }.max() ?? 0) + 20
        let right = 70.0, bottom = 16.0 + (o.xLabel?.isEmpty == false ? 22 : 0)
        let pw = o.width - left - right, ph = o.height - top - bottom
        let cw = pw / Double(columnLabels.count), ch = ph / Double(rowLabels.count)
        var c = SVGCanvas(width: o.width, height: o.height)
        if let t = o.title {
            c.text(SVGCanvas.truncate(t, size: 16, maxWidth: o.width - 24), x: o.width / 2, y: 28, size: 16, anchor: .middle, bold: true, cls: "title")
        }
        c.beginGroup(cls: "axis x-axis")
        let widest = SVGCanvas.textWidth(columnLabels.max(by: { $0.count < $1.count }) ?? "", size: 11) + 6
        let colStep = cw > 0 ? Int(min(1e6, widest / cw)) + 1 : 1
        for (j, l) in columnLabels.enumerated() where j % colStep == 0 {
            c.text(SVGCanvas.truncate(l, size: 11, maxWidth: cw * Double(colStep) - 4), x: left + (Double(j) + 0.5) * cw, y: top - 8,
                   size: 11, anchor: .middle, color: Style.mutedText, cls: "tick")
        }
        if let l = o.xLabel, !l.isEmpty { c.text(l, x: left + pw / 2, y: o.height - 8, size: 13, anchor: .middle, cls: "axis-label") }
        c.endGroup()
        c.beginGroup(cls: "axis y-axis")
        for (i, l) in rowLabels.enumerated() {
            c.text(l, x: left - 8, y: top + (Double(i) + 0.5) * ch + 4, size: 12, anchor: .end, cls: "tick")
        }
        c.endGroup()
        let showText = cw >= 34 && ch >= 14
        let fontSize = min(11, ch * 0.6)
        c.beginGroup(cls: "series cells")
        for (i, row) in values.enumerated() {
            for (j, v) in row.enumerated() where v.isFinite {
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                let label = percent ? LinearScale.format(v * 100, 0) + "%" : short(v)
                c.rect(x: left + Double(j) * cw, y: top + Double(i) * ch, width: cw - 1, height: ch - 1,
                       fill: Style.ramp(Style.sequential, t), title: "\(rowLabels[i]) · \(columnLabels[j]): \(label)", cls: "cell")
                if showText {
                    c.text(label, x: left + (Double(j) + 0.5) * cw, y: top + (Double(i) + 0.5) * ch + fontSize * 0.35, size: fontSize,
                           anchor: .middle, color: t > 0.45 ? "#ffffff" : Style.text, cls: "cell-label")
                }
            }
        }
        c.endGroup()
        // Colour bar.
        c.beginGroup(cls: "colorbar")
        let bx = o.width - right + 18, bh = min(220, ph)
        for s in 0..<40 {
            c.rect(x: bx, y: top + bh * Double(s) / 40, width: 12, height: bh / 40 + 0.6, fill: Style.ramp(Style.sequential, 1 - Double(s) / 40))
        }
        let fmt: (Double) -> String = { percent ? LinearScale.format($0 * 100, 0) + "%" : short($0) }
        c.text(fmt(hi), x: bx + 16, y: top + 8, size: 11, color: Style.mutedText)
        c.text(fmt(lo), x: bx + 16, y: top + bh, size: 11, color: Style.mutedText)
        c.endGroup()
        return c.render(title: o.title)
    }
}
