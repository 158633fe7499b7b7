/// The default look: light grid, muted axis, a colour-blind-friendly palette,
/// and a font stack with CJK fallbacks.
public enum Style {
    public static let fontFamily = "system-ui, -apple-system, 'Segoe UI', 'Helvetica Neue', Arial, 'Noto Sans', 'Noto Sans CJK SC', 'PingFang SC', 'Hiragino Sans', 'Microsoft YaHei', sans-serif"
    public static let background = "#ffffff"
    public static let text = "#222222"
    public static let mutedText = "#555555"
    public static let axis = "#888888"
    public static let grid = "#e6e6e6"
    public static let reference = "#9a9a9a"
    /// Tableau-10 (ordered for contrast).
    public static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                 "#b07aa1", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"]
    public static func color(_ i: Int) -> String { palette[i % palette.count] }

    /// Linear interpolation through colour stops (for heatmaps and colour bars); t in [0, 1].
    static func ramp(_ stops: [(Double, Double, Double)], _ t: Double) -> String {
        let t = (t.isNaN ? 0 : min(max(t, 0), 1)) * Double(stops.count - 1)
        let i = min(Int(t), stops.count - 2), f = t - Double(i)
        let a = stops[i], b = stops[i + 1]
        func h(_ v: Double) -> String {
            let n = Int((v * 255).rounded()); let s = String(n, radix: 16); return s.count == 1 ? "0" + s : s
        }
        return "#" + h(a.0 + f * (b.0 - a.0)) + h(a.1 + f * (b.1 - a.1)) + h(a.2 + f * (b.2 - a.2))
    }

    /// Sequential light-yellow → green → deep blue (viridis-like, reversed for readability of light cells).
    static let sequential: [(Double, Double, Double)] = [(0.992, 0.906, 0.145), (0.369, 0.788, 0.384),
                                                        (0.129, 0.569, 0.549), (0.231, 0.322, 0.545), (0.267, 0.004, 0.329)]
    /// SHAP-style blue (low) → purple → red (high).
    static let diverging: [(Double, Double, Double)] = [(0.0, 0.541, 0.984), (0.486, 0.0, 0.902), (1.0, 0.0, 0.322)]
}

/// Options shared by every chart.
public struct PlotOptions: Sendable {
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var width: Double = 640
    public var height: Double = 480

    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, width: Double = 640, height: Double = 480) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.width = width; self.height = height
    }

    func check() throws {
        guard width >= 200 && height >= 150 && width <= 10_000 && height <= 10_000 else {
            throw PlotError.invalid("chart size must be between 200×150 and 10000×10000 px, got \(width)×\(height)")
        }
    }
}
