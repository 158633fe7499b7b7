import Foundation

/// One Kaplan–Meier curve to draw: the step function, its CI and the at-risk counts.
public struct SurvivalCurve: Sendable {
    public var name: String
    public var times: [Double], survival: [Double], lower: [Double], upper: [Double], atRisk: [Double]
    public init(name: String, times: [Double], survival: [Double], lower: [Double], upper: [Double], atRisk: [Double]) {
        self.name = name; self.times = times; self.survival = survival; self.lower = lower; self.upper = upper; self.atRisk = atRisk
    }

    /// The number at risk at time t (durations ≥ t: the at-risk count of the first life-table row at or after t; 0 past the end).
    func atRisk(at t: Double) -> Double {
        var lo = 0, hi = times.count
        while lo < hi { let m = (lo + hi) / 2; if times[m] < t { lo = m + 1 } else { hi = m } }
        return lo < atRisk.count ? atRisk[lo] : 0
    }
}

extension Plot {
    /// Kaplan–Meier curves (steps) with shaded confidence bands, one colour per
    /// group, and the numbers at risk at each x tick in a table under the plot
    /// (as lifelines' `add_at_risk_counts`).
    public static func survival(_ curves: [SurvivalCurve], showCI: Bool = true, atRiskTable: Bool = true,
                                options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard !curves.isEmpty else { throw PlotError.invalid("survival: no curves") }
        for s in curves where s.survival.count != s.times.count || s.lower.count != s.times.count || s.upper.count != s.times.count || s.atRisk.count != s.times.count {
            throw PlotError.invalid("survival curve '\(s.name)': times, survival, lower, upper and at_risk lengths differ")
        }
        let o = titled(options, "Survival (Kaplan–Meier)", "Time", "Survival probability")
        let maxT = curves.flatMap(\.times).filter(\.isFinite).max() ?? 1
        var xs = LinearScale(domain: (0, max(maxT, 1e-9)), range: (0, 1)); xs.nice()
        var ys = LinearScale(domain: (0, 1), range: (1, 0))
        let xt = xs.ticks(), yt = ys.ticks(target: 5)
        let xl = LinearScale.labels(xt), yl = yt.map { LinearScale.format($0 * 100, 0) + "%" }
        let top = o.title == nil ? 16.0 : 44.0
        let names = curves.map(\.name)
        let nameWidth = atRiskTable ? (names.map { SVGCanvas.textWidth($0, size: 11) }.max() ?? 0) + 12 : 0
        let left = max((yl.map { SVGCanvas.textWidth($0, size: 12) }.max() ?? 20) + 14 + (o.yLabel == nil ? 0 : 24), nameWidth)
        let tableHeight = atRiskTable ? 22.0 + 16 * Double(curves.count) : 0
        let bottom = 30.0 + (o.xLabel == nil ? 0 : 22) + tableHeight
        let right = 24.0
        let pw = o.width - left - right, ph = o.height - top - bottom
        guard pw > 40, ph > 40 else { throw PlotError.invalid("survival: chart too small for \(curves.count) at-risk rows; increase height") }
        xs.range = (left, left + pw); ys.range = (top + ph, top)
        var c = SVGCanvas(width: o.width, height: o.height)
        if let t = o.title {
            c.text(SVGCanvas.truncate(t, size: 16, maxWidth: o.width - 24), x: o.width / 2, y: 28, size: 16, anchor: .middle, bold: true, cls: "title")
        }
        c.beginGroup(cls: "grid")
        for v in yt { c.line(left, ys(v), left + pw, ys(v), stroke: Style.grid) }
        c.endGroup()
        c.beginGroup(cls: "axis")
        c.line(left, top + ph, left + pw, top + ph, stroke: Style.axis)
        c.line(left, top, left, top + ph, stroke: Style.axis)
        for (v, l) in zip(xt, xl) { c.text(l, x: xs(v), y: top + ph + 16, size: 12, anchor: .middle, color: Style.mutedText, cls: "tick") }
        for (v, l) in zip(yt, yl) { c.text(l, x: left - 6, y: ys(v) + 4, size: 12, anchor: .end, color: Style.mutedText, cls: "tick") }
        if let l = o.xLabel, !l.isEmpty { c.text(l, x: left + pw / 2, y: top + ph + 38, size: 13, anchor: .middle, cls: "axis-label") }
        if let l = o.yLabel, !l.isEmpty { c.text(l, x: 14, y: top + ph / 2, size: 13, anchor: .middle, rotate: -90, cls: "axis-label") }
        c.endGroup()
        /// Step points of y over the curve's times, starting at (0, start).
        func steps(_ t: [Double], _ y: [Double], start: Double) -> [(Double, Double)] {
            var pts: [(Double, Double)] = [(xs(0), ys(start))], prev = start
            for k in t.indices where t[k].isFinite && y[k].isFinite {
                pts.append((xs(t[k]), ys(prev))); pts.append((xs(t[k]), ys(y[k]))); prev = y[k]
            }
            pts.append((xs(xs.domain.1 < (t.last ?? 0) ? xs.domain.1 : (t.last ?? 0)), ys(prev)))
            return pts
        }
        for (i, s) in curves.enumerated() {
            let color = Style.color(i)
            c.beginGroup(cls: "series survival")
            if showCI {
                let up = steps(s.times, s.upper, start: 1), lo = steps(s.times, s.lower, start: 1)
                c.polyline(up + lo.reversed(), stroke: "none", width: 0, fill: color, fillOpacity: 0.18, cls: "ci")
            }
            c.polyline(steps(s.times, s.survival, start: 1), stroke: color, width: 2, cls: "curve")
            c.endGroup()
        }
        // Legend, top right.
        c.beginGroup(cls: "legend")
        for (i, n) in names.enumerated() {
            let y = top + 14 + 18 * Double(i), w = SVGCanvas.textWidth(n, size: 12)
            c.line(left + pw - w - 34, y - 4, left + pw - w - 14, y - 4, stroke: Style.color(i), width: 3)
            c.text(n, x: left + pw - 8, y: y, size: 12, anchor: .end, cls: "legend-label")
        }
        c.endGroup()
        if atRiskTable {
            c.beginGroup(cls: "at-risk")
            let y0 = o.height - tableHeight + 8
            c.text("At risk", x: 8, y: y0, size: 11, color: Style.mutedText, bold: true)
            for (i, s) in curves.enumerated() {
                let y = y0 + 16 * Double(i + 1)
                c.text(SVGCanvas.truncate(s.name, size: 11, maxWidth: left - 12), x: 8, y: y, size: 11, color: Style.color(i))
                for v in xt { c.text(short(s.atRisk(at: v)), x: xs(v), y: y, size: 11, anchor: .middle, color: Style.text, cls: "count") }
            }
            c.endGroup()
        }
        return c.render(title: o.title)
    }
}
