import Foundation

/// A minimal SVG writer: shapes are appended as text, coordinates in pixels
/// with the origin at the top left. Text is XML-escaped and control
/// characters are dropped, so any label (CJK, emoji, `<`, `&`) is safe.
public struct SVGCanvas {
    public let width: Double
    public let height: Double
    private var parts: [String] = []

    public init(width: Double, height: Double) {
        self.width = width; self.height = height
    }

    /// Escapes text for SVG content and attribute values (see `Markup.escape`).
    public static func escape(_ s: String) -> String { Markup.escape(s) }

    /// Approximate rendered width of `s` at `size` px: wide (CJK, full-width)
    /// characters count one em, others about 0.56 em.
    public static func textWidth(_ s: String, size: Double) -> Double {
        var w = 0.0
        for ch in s.unicodeScalars {
            let v = ch.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v) ||
                (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v) ||
                (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
            w += wide ? 1.0 : (ch == " " ? 0.3 : 0.56)
        }
        return w * size
    }

    /// Shortens `s` with an ellipsis to fit `maxWidth` px.
    public static func truncate(_ s: String, size: Double, maxWidth: Double) -> String {
        if textWidth(s, size: size) <= maxWidth { return s }
        var t = ""
        for ch in s {
            if textWidth(t + String(ch) + "…", size: size) > maxWidth { break }
            t.append(ch)
        }
        return t + "…"
    }

    @inline(__always) static func num(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
        return String(format: "%.2f", v)
    }

    public mutating func raw(_ s: String) { parts.append(s) }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                              stroke: String? = nil, opacity: Double = 1, title: String? = nil, cls: String? = nil) {
        var s = "<rect x=\"\(Self.num(x))\" y=\"\(Self.num(y))\" width=\"\(Self.num(max(0, width)))\" height=\"\(Self.num(max(0, height)))\" fill=\"\(fill)\""
        if let stroke { s += " stroke=\"\(stroke)\"" }
        if opacity < 1 { s += " fill-opacity=\"\(Self.num(opacity))\"" }
        if let cls { s += " class=\"\(cls)\"" }
        if let title { s += "><title>\(Self.escape(title))</title></rect>" } else { s += "/>" }
        parts.append(s)
    }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                              width: Double = 1, dash: String? = nil, cls: String? = nil) {
        var s = "<line x1=\"\(Self.num(x1))\" y1=\"\(Self.num(y1))\" x2=\"\(Self.num(x2))\" y2=\"\(Self.num(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.num(width))\""
        if let dash { s += " stroke-dasharray=\"\(dash)\"" }
        if let cls { s += " class=\"\(cls)\"" }
        parts.append(s + "/>")
    }

    /// A polyline through pixel points; points closer than half a pixel to
    /// the previous kept point are dropped (curves of millions of points stay small).
    public mutating func polyline(_ pts: [(Double, Double)], stroke: String, width: Double = 2,
                                  dash: String? = nil, fill: String = "none", fillOpacity: Double = 1, cls: String? = nil) {
        guard !pts.isEmpty else { return }
        var out = [pts[0]]
        for i in 1..<pts.count {
            let (x, y) = pts[i], (lx, ly) = out[out.count - 1]
            if abs(x - lx) >= 0.5 || abs(y - ly) >= 0.5 || i == pts.count - 1 { out.append((x, y)) }
        }
        var s = "<polyline points=\"" + out.map { "\(Self.num($0.0)),\(Self.num($0.1))" }.joined(separator: " ") + "\""
        s += " fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(Self.num(width))\" stroke-linejoin=\"round\""
        if fill != "none" && fillOpacity < 1 { s += " fill-opacity=\"\(Self.num(fillOpacity))\"" }
        if let dash { s += " stroke-dasharray=\"\(dash)\"" }
        if let cls { s += " class=\"\(cls)\"" }
        parts.append(s + "/>")
    }

    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String, opacity: Double = 1, stroke: String? = nil) {
        var s = "<circle cx=\"\(Self.num(cx))\" cy=\"\(Self.num(cy))\" r=\"\(Self.num(r))\" fill=\"\(fill)\""
        if opacity < 1 { s += " fill-opacity=\"\(Self.num(opacity))\"" }
        if let stroke { s += " stroke=\"\(stroke)\"" }
        parts.append(s + "/>")
    }

    public enum Anchor: String { case start, middle, end }

    public mutating func text(_ t: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
                              color: String = Style.text, bold: Bool = false, rotate: Double = 0, cls: String? = nil,
                              baseline: String? = nil) {
        var s = "<text x=\"\(Self.num(x))\" y=\"\(Self.num(y))\" font-size=\"\(Self.num(size))\" fill=\"\(color)\""
        if anchor != .start { s += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { s += " font-weight=\"600\"" }
        if rotate != 0 { s += " transform=\"rotate(\(Self.num(rotate)) \(Self.num(x)) \(Self.num(y)))\"" }
        if let baseline { s += " dominant-baseline=\"\(baseline)\"" }
        if let cls { s += " class=\"\(cls)\"" }
        parts.append(s + ">" + Self.escape(t) + "</text>")
    }

    public mutating func beginGroup(cls: String, clip: String? = nil) {
        parts.append("<g class=\"\(cls)\"" + (clip.map { " clip-path=\"url(#\($0))\"" } ?? "") + ">")
    }
    public mutating func endGroup() { parts.append("</g>") }

    /// The finished document.
    public func render(title: String? = nil) -> String {
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.num(width))\" height=\"\(Self.num(height))\" viewBox=\"0 0 \(Self.num(width)) \(Self.num(height))\" font-family=\"\(Style.fontFamily)\">\n"
        if let title { s += "<title>\(Self.escape(title))</title>\n" }
        s += "<rect width=\"100%\" height=\"100%\" fill=\"\(Style.background)\"/>\n"
        s += parts.joined(separator: "\n")
        s += "\n</svg>\n"
        return s
    }
}

/// Writes chart files.
public enum PlotFile {
    /// Writes `svg` to `path` atomically (temporary file + rename), so a
    /// reader never sees half a chart.
    public static func write(_ svg: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try Data(svg.utf8).write(to: url, options: .atomic)
        } catch {
            throw PlotError.write(path: path, reason: error.localizedDescription)
        }
    }
}

/// Chart errors.
public enum PlotError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case write(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let m): return m
        case .write(let p, let r): return "cannot write chart to '\(p)': \(r)"
        }
    }
}
