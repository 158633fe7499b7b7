import Foundation

/// One self-contained HTML page evaluating a churn model on a data set: the
/// metrics table and the charts analysts look at (ROC, precision–recall,
/// calibration, gains, lift, score distributions, campaign profit, feature
/// importance). Charts are inline SVG, so the file needs nothing else.
public struct EvaluationReport {
    public var title = "Churn model evaluation"
    /// A line describing the model (e.g. its `tostring`).
    public var modelDescription: String?
    public var targetName = "churn"
    public var y: [Double]
    public var p: [Double]
    public var weights: [Double]?
    /// Feature importance, most important first (optional).
    public var importance: [(name: String, value: Double)]?
    public var metricOptions = ReportOptions()
    public var campaign = CampaignOptions()

    public init(y: [Double], p: [Double]) { self.y = y; self.p = p }

    /// The page as HTML text.
    public func html() throws -> String {
        let metrics = try MetricsReport(y, p, weights: weights, options: metricOptions)
        // Each chart sorts or bins every row: the unit of work between cancellation checks.
        func chart(_ title: String, _ make: () throws -> String) throws -> (String, String) {
            try ExecutionContext.check()
            return (title, try make())
        }
        var charts: [(String, String)] = [
            try chart("ROC curve") { try Plot.roc(y, p, weights: weights) },
            try chart("Precision–recall curve") { try Plot.pr(y, p, weights: weights) },
            try chart("Calibration") { try Plot.calibration(y, p, bins: metricOptions.calibrationBins, weights: weights) },
            try chart("Cumulative gains") { try Plot.gains(y, p, weights: weights) },
            try chart("Lift by decile") { try Plot.lift(y, p, weights: weights) },
            try chart("Scores by class") { try Plot.scoreHistogram(y, p, weights: weights) },
            try chart("Campaign profit") { try Plot.profit(y, p, campaign: campaign, weights: weights) },
        ]
        if let imp = importance, !imp.isEmpty {
            charts.append(("Feature importance", try Plot.importance(names: imp.map(\.name), values: imp.map(\.value))))
        }
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>\(Self.escape(title))</title>
            <style>
            body{font-family:-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",sans-serif;margin:2em auto;max-width:1340px;color:#222}
            h1{font-size:1.5em;margin-bottom:.2em} .sub{color:#666;margin-top:0}
            table.metrics{border-collapse:collapse;margin:1em 0;font-variant-numeric:tabular-nums}
            table.metrics td{padding:.2em 1.2em .2em 0;border-bottom:1px solid #eee} table.metrics td.v{text-align:right}
            .warn{color:#a33} .grid{display:flex;flex-wrap:wrap;gap:12px} figure{margin:0} figcaption{color:#555;font-size:.9em}
            </style></head><body>
            <h1>\(Self.escape(title))</h1>

            """
        var sub = "target '\(Self.escape(targetName))', \(y.count) rows, \(MetricsReport.format(metrics.positives)) positive"
        if let d = modelDescription { sub = Self.escape(d) + "<br>" + sub }
        h += "<p class=\"sub\">\(sub)</p>\n<h2>Metrics</h2>\n<table class=\"metrics\">\n"
        for (name, value) in metrics.entries {
            h += "<tr><td>\(Self.escape(name))</td><td class=\"v\">\(MetricsReport.format(value))</td></tr>\n"
        }
        h += "</table>\n"
        for w in metrics.warnings { h += "<p class=\"warn\">warning: \(Self.escape(w))</p>\n" }
        h += "<h2>Charts</h2>\n<div class=\"grid\">\n"
        for (caption, svg) in charts {
            h += "<figure>\(svg)<figcaption>\(Self.escape(caption))</figcaption></figure>\n"
        }
        h += "</div>\n<p class=\"sub\">ChurnLab \(ChurnCore.version)</p>\n</body></html>\n"
        return h
    }

    /// Writes the page atomically (temporary file + rename).
    public func write(to path: String) throws {
        let text = try html()
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw PlotError.write(path: path, reason: error.localizedDescription)
        }
    }

    static func escape(_ s: String) -> String { Markup.escape(s) }
}
