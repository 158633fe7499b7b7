/// One data series of an `XYChart`.
public struct Series {
    public enum Kind { case line, step, points, area, bars }
    public var name: String
    public var xs: [Double]
    public var ys: [Double]
    public var kind: Kind = .line
    /// Right edges of bars (`kind == .bars`); xs are the left edges.
    public var x2: [Double]? = nil
    public var color: String? = nil
    public var dashed = false
    public var width: Double = 2
    public var opacity: Double = 1
    public var inLegend = true

    public init(name: String, xs: [Double], ys: [Double], kind: Kind = .line, x2: [Double]? = nil, color: String? = nil,
                dashed: Bool = false, width: Double = 2, opacity: Double = 1, inLegend: Bool = true) {
        self.name = name; self.xs = xs; self.ys = ys; self.kind = kind; self.x2 = x2; self.color = color
        self.dashed = dashed; self.width = width; self.opacity = opacity; self.inLegend = inLegend
    }
}

/// Marks drawn on top of the series.
public enum Annotation {
    /// A dot with a text label.
    case marker(x: Double, y: Double, label: String)
    /// A dashed vertical line with a label at the top.
    case vline(x: Double, label: String)
    /// Small text beside a data point (no dot), e.g. a bin's count.
    case label(x: Double, y: Double, text: String)
}

public enum LegendPosition { case topRight, topLeft, bottomRight, bottomLeft, none }

/// A chart with numeric x and y axes: frame, grid, nice ticks, series,
/// annotations, legend and title. Every chart in `Plot` is built from this.
public struct XYChart {
    public var options: PlotOptions
    public var series: [Series] = []
    public var annotations: [Annotation] = []
    /// Fixed axis ranges (otherwise from the data, widened to nice ticks).
    public var xDomain: (Double, Double)? = nil
    public var yDomain: (Double, Double)? = nil
    public var legend: LegendPosition = .topRight
    /// Show tick labels as percentages (0.25 → 25%).
    public var xPercent = false
    public var yPercent = false
    /// Include y = 0 in the automatic y range.
    public var yIncludesZero = true

    public init(options: PlotOptions) { self.options = options }

    private func extent(_ pick: (Series) -> [Double]) -> (Double, Double) {
        var lo = Double.infinity, hi = -Double.infinity
        for s in series { for v in pick(s) where v.isFinite { lo = min(lo, v); hi = max(hi, v) } }
        return lo <= hi ? (lo, hi) : (0, 1)
    }

    public func render() -> String {
        let o = options
        var xs = LinearScale(domain: xDomain ?? extent { $0.xs + ($0.x2 ?? []) }, range: (0, 1))
        var yd = yDomain ?? extent { $0.ys }
        if yDomain == nil && yIncludesZero { yd = (min(0, yd.0), max(0, yd.1)) }
        var ys = LinearScale(domain: yd, range: (1, 0))
        if xDomain == nil { xs.nice() }
        if yDomain == nil { ys.nice(target: 5) }
        let xt = xs.ticks(), yt = ys.ticks(target: 5)
        let xl = xPercent ? xt.map { LinearScale.format($0 * 100, LinearScale.decimals(abs((xt.count > 1 ? xt[1] - xt[0] : 1) * 100))) + "%" } : LinearScale.labels(xt)
        let yl = yPercent ? yt.map { LinearScale.format($0 * 100, LinearScale.decimals(abs((yt.count > 1 ? yt[1] - yt[0] : 1) * 100))) + "%" } : LinearScale.labels(yt)
        // Layout.
        let tick = 12.0, labelSize = 13.0, titleSize = 16.0
        let top = o.title == nil ? 16.0 : 44.0
        let left = (yl.map { SVGCanvas.textWidth($0, size: tick) }.max() ?? 20) + 14 + (o.yLabel == nil ? 0 : 24)
        let bottom = 30.0 + (o.xLabel == nil ? 0 : 22)
        let right = 24.0
        let pw = o.width - left - right, ph = o.height - top - bottom
        xs.range = (left, left + pw); ys.range = (top + ph, top)
        var c = SVGCanvas(width: o.width, height: o.height)
        if let t = o.title {
            c.text(SVGCanvas.truncate(t, size: titleSize, maxWidth: o.width - 24), x: o.width / 2, y: 28, size: titleSize,
                   anchor: .middle, bold: true, cls: "title")
        }
        // Grid and ticks.
        c.beginGroup(cls: "axis x-axis")
        for (v, s) in zip(xt, xl) {
            let x = xs(v)
            c.line(x, top, x, top + ph, stroke: Style.grid)
            c.text(s, x: x, y: top + ph + 18, size: tick, anchor: .middle, color: Style.mutedText, cls: "tick")
        }
        if let l = o.xLabel {
            c.text(l, x: left + pw / 2, y: o.height - 10, size: labelSize, anchor: .middle, cls: "axis-label")
        }
        c.endGroup()
        c.beginGroup(cls: "axis y-axis")
        for (v, s) in zip(yt, yl) {
            let y = ys(v)
            c.line(left, y, left + pw, y, stroke: Style.grid)
            c.text(s, x: left - 8, y: y + 4, size: tick, anchor: .end, color: Style.mutedText, cls: "tick")
        }
        if let l = o.yLabel {
            c.text(l, x: 18, y: top + ph / 2, size: labelSize, anchor: .middle, rotate: -90, cls: "axis-label")
        }
        c.endGroup()
        c.rect(x: left, y: top, width: pw, height: ph, fill: "none", stroke: Style.axis)
        // Clip series to the plot area; the id is derived from the layout so pages with several charts stay valid.
        let clip = "plot-area-\(Int(left))-\(Int(top))-\(Int(pw))-\(Int(ph))-\(series.count)-\(abs((o.title ?? "").hashValueStable) % 100000)"
        c.raw("<defs><clipPath id=\"\(clip)\"><rect x=\"\(SVGCanvas.num(left - 6))\" y=\"\(SVGCanvas.num(top - 6))\" width=\"\(SVGCanvas.num(pw + 12))\" height=\"\(SVGCanvas.num(ph + 12))\"/></clipPath></defs>")
        for (i, s) in series.enumerated() {
            let color = s.color ?? Style.color(i)
            c.beginGroup(cls: "series", clip: clip)
            c.raw("<desc>\(SVGCanvas.escape(s.name))</desc>")
            switch s.kind {
            case .line:
                c.polyline(zip(s.xs, s.ys).filter { $0.0.isFinite && $0.1.isFinite }.map { (xs($0.0), ys($0.1)) },
                           stroke: color, width: s.width, dash: s.dashed ? "6 4" : nil)
            case .step:
                var pts: [(Double, Double)] = []
                for k in 0..<min(s.xs.count, s.ys.count) where s.xs[k].isFinite && s.ys[k].isFinite {
                    if let last = pts.last { pts.append((xs(s.xs[k]), last.1)) }
                    pts.append((xs(s.xs[k]), ys(s.ys[k])))
                }
                c.polyline(pts, stroke: color, width: s.width, dash: s.dashed ? "6 4" : nil)
            case .area:
                var pts = zip(s.xs, s.ys).filter { $0.0.isFinite && $0.1.isFinite }.map { (xs($0.0), ys($0.1)) }
                if let f = pts.first, let l = pts.last {
                    let base = ys(max(ys.domain.0, 0))
                    pts = [(f.0, base)] + pts + [(l.0, base)]
                    c.polyline(pts, stroke: color, width: s.width, fill: color, fillOpacity: 0.15)
                }
            case .points:
                for (x, y) in zip(s.xs, s.ys) where x.isFinite && y.isFinite {
                    c.circle(cx: xs(x), cy: ys(y), r: 3.5, fill: color, opacity: s.opacity, stroke: "#ffffff")
                }
            case .bars:
                let x2 = s.x2 ?? s.xs.map { $0 + 1 }
                for k in 0..<min(s.xs.count, s.ys.count, x2.count) where s.ys[k].isFinite {
                    let a = xs(s.xs[k]), b = xs(x2[k]), y0 = ys(max(ys.domain.0, 0)), y1 = ys(s.ys[k])
                    c.rect(x: min(a, b) + 0.5, y: min(y0, y1), width: abs(b - a) - 1, height: abs(y1 - y0),
                           fill: color, opacity: s.opacity)
                }
            }
            c.endGroup()
        }
        for a in annotations {
            switch a {
            case .marker(let x, let y, let label):
                let px = xs(x), py = ys(y)
                c.circle(cx: px, cy: py, r: 5, fill: Style.text, stroke: "#ffffff")
                let w = SVGCanvas.textWidth(label, size: 12)
                let toLeft = px + 10 + w > left + pw
                c.text(label, x: toLeft ? px - 9 : px + 9, y: py - 9, size: 12, anchor: toLeft ? .end : .start, cls: "annotation")
            case .label(let x, let y, let text):
                let px = xs(x), py = ys(y)
                let toLeft = px + 8 + SVGCanvas.textWidth(text, size: 10) > left + pw
                c.text(text, x: toLeft ? px - 7 : px + 7, y: py + 14, size: 10, anchor: toLeft ? .end : .start,
                       color: Style.mutedText, cls: "count")
            case .vline(let x, let label):
                let px = xs(x)
                c.line(px, top, px, top + ph, stroke: Style.text, width: 1, dash: "4 3")
                // Label on the side with more room (the legend sits in a top corner, away from the centre).
                let toLeft = px > left + pw / 2
                c.text(label, x: toLeft ? px - 6 : px + 6, y: top + 16, size: 12, anchor: toLeft ? .end : .start, cls: "annotation")
            }
        }
        drawLegend(&c, left: left, top: top, pw: pw, ph: ph)
        return c.render(title: o.title)
    }

    private func drawLegend(_ c: inout SVGCanvas, left: Double, top: Double, pw: Double, ph: Double) {
        let items = series.enumerated().filter { $0.element.inLegend }
        guard legend != .none, !items.isEmpty else { return }
        let size = 12.0, rowH = 18.0
        let names = items.map { SVGCanvas.truncate($0.element.name, size: size, maxWidth: pw * 0.6) }
        let w = (names.map { SVGCanvas.textWidth($0, size: size) }.max() ?? 0) + 40
        let h = Double(items.count) * rowH + 10
        let x: Double, y: Double
        switch legend {
        case .topRight: (x, y) = (left + pw - w - 10, top + 10)
        case .topLeft: (x, y) = (left + 10, top + 10)
        case .bottomRight: (x, y) = (left + pw - w - 10, top + ph - h - 10)
        case .bottomLeft, .none: (x, y) = (left + 10, top + ph - h - 10)
        }
        c.beginGroup(cls: "legend")
        c.rect(x: x, y: y, width: w, height: h, fill: "#ffffff", stroke: Style.grid, opacity: 0.9)
        for (row, (i, s)) in items.enumerated() {
            let cy = y + 5 + rowH * (Double(row) + 0.5)
            let color = s.color ?? Style.color(i)
            switch s.kind {
            case .bars, .area: c.rect(x: x + 8, y: cy - 5, width: 18, height: 10, fill: color, opacity: s.kind == .area ? 0.4 : s.opacity)
            case .points: c.circle(cx: x + 17, cy: cy, r: 4, fill: color)
            default: c.line(x + 8, cy, x + 26, cy, stroke: color, width: s.width, dash: s.dashed ? "5 3" : nil)
            }
            c.text(names[row], x: x + 32, y: cy + 4, size: size, cls: "legend-label")
        }
        c.endGroup()
    }
}

extension String {
    /// FNV-1a of the UTF-8 bytes: stable across runs (Swift's hashValue is seeded per process).
    var hashValueStable: Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h >> 1)
    }
}
