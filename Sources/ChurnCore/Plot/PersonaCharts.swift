import Foundation

extension Plot {
    /// Persona profile heatmap: one row per persona (its name and share), one
    /// column per feature, cells coloured by the standardised difference z on
    /// a diverging scale symmetric around 0 (blue below the average user, red
    /// above), with the z value written in cells large enough to hold it.
    public static func personas(_ p: PersonaProfiles, options: PlotOptions = PlotOptions()) throws -> String {
        try personas(names: p.names, share: p.share, features: p.features, z: p.z, options: options)
    }

    /// The same from a profile's parts: `z[persona][feature]`.
    public static func personas(names: [String], share: [Double], features cols: [String], z: [[Double]],
                                options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard !cols.isEmpty, !names.isEmpty else { throw PlotError.invalid("personas: the profile has no personas or no features to draw") }
        guard share.count == names.count, z.count == names.count, z.allSatisfy({ $0.count == cols.count }) else {
            throw PlotError.invalid("personas: \(names.count) names, \(share.count) shares and \(z.count) rows of z for \(cols.count) features")
        }
        guard z.allSatisfy({ $0.allSatisfy { $0.isFinite } }) else { throw PlotError.invalid("personas: standardised differences must be finite") }
        let rowLabels = names.indices.map { "\(names[$0]) (\(LinearScale.format(share[$0] * 100, 0))%)" }
        let zmax = max(0.5, z.flatMap { $0 }.map { abs($0) }.max() ?? 0.5)
        let o = titled(options, "Persona profiles (standardised difference from the average user)", "", "")
        let top = (o.title == nil ? 16.0 : 44.0) + 22
        let left = min(o.width * 0.45, (rowLabels.map { SVGCanvas.textWidth($0, size: 12) }.max() ?? 0) + 20)
        let right = 70.0, bottom = 16.0
        let pw = o.width - left - right, ph = o.height - top - bottom
        let cw = pw / Double(cols.count), ch = ph / Double(rowLabels.count)
        var c = SVGCanvas(width: o.width, height: o.height)
        if let t = o.title {
            c.text(SVGCanvas.truncate(t, size: 16, maxWidth: o.width - 24), x: o.width / 2, y: 28, size: 16, anchor: .middle, bold: true, cls: "title")
        }
        c.beginGroup(cls: "axis x-axis")
        for (j, l) in cols.enumerated() {
            c.text(SVGCanvas.truncate(l, size: 11, maxWidth: cw - 4), x: left + (Double(j) + 0.5) * cw, y: top - 8,
                   size: 11, anchor: .middle, color: Style.mutedText, cls: "tick")
        }
        c.endGroup()
        c.beginGroup(cls: "axis y-axis")
        for (i, l) in rowLabels.enumerated() {
            c.text(SVGCanvas.truncate(l, size: 12, maxWidth: left - 12), x: left - 8, y: top + (Double(i) + 0.5) * ch + 4,
                   size: 12, anchor: .end, cls: "tick")
        }
        c.endGroup()
        let showText = cw >= 34 && ch >= 14
        let fontSize = min(11, ch * 0.6)
        c.beginGroup(cls: "series cells")
        for (i, row) in z.enumerated() {
            for (j, v) in row.enumerated() {
                let t = (v / zmax + 1) / 2
                let label = (v >= 0 ? "+" : "−") + LinearScale.format(abs(v), 2)
                c.rect(x: left + Double(j) * cw, y: top + Double(i) * ch, width: cw - 1, height: ch - 1,
                       fill: Style.ramp(Style.diverging, t), opacity: 0.25 + 0.75 * min(1, abs(v) / zmax),
                       title: "\(names[i]) · \(cols[j]): z = \(label)", cls: "cell")
                if showText {
                    c.text(label, x: left + (Double(j) + 0.5) * cw, y: top + (Double(i) + 0.5) * ch + fontSize * 0.35, size: fontSize,
                           anchor: .middle, color: Style.text, cls: "cell-label")
                }
            }
        }
        c.endGroup()
        c.beginGroup(cls: "colorbar")
        let bx = o.width - right + 18, bh = min(220, ph)
        for s in 0..<40 {
            c.rect(x: bx, y: top + bh * Double(s) / 40, width: 12, height: bh / 40 + 0.6, fill: Style.ramp(Style.diverging, 1 - Double(s) / 40))
        }
        c.text("+" + LinearScale.format(zmax, 1), x: bx + 16, y: top + 8, size: 11, color: Style.mutedText)
        c.text("−" + LinearScale.format(zmax, 1), x: bx + 16, y: top + bh, size: 11, color: Style.mutedText)
        c.endGroup()
        return c.render(title: o.title)
    }

    /// Scatter of users in two coordinates (e.g. the first two principal
    /// components), one colour per persona; `names` label the personas in the legend.
    public static func personaScatter(x: [Double], y: [Double], persona: [Int], names: [String],
                                      options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard x.count == y.count, x.count == persona.count, !x.isEmpty else {
            throw PlotError.invalid("persona scatter: \(x.count) x, \(y.count) y and \(persona.count) persona values (need equal, non-empty)")
        }
        guard persona.allSatisfy({ $0 >= 0 && $0 < names.count }) else { throw PlotError.invalid("persona scatter: persona index outside the names") }
        var chart = XYChart(options: titled(options, "Personas", "PC1", "PC2"))
        chart.legend = .topRight
        for g in names.indices {
            let rows = persona.indices.filter { persona[$0] == g }
            if rows.isEmpty { continue }
            chart.series.append(Series(name: names[g], xs: rows.map { x[$0] }, ys: rows.map { y[$0] }, kind: .points,
                                       color: Style.color(g), opacity: 0.6))
        }
        return chart.render()
    }
}
