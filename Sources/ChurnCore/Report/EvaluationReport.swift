import Foundation

/// One self-contained HTML page evaluating a churn model, written for the
/// people who act on it (a retention manager, not only the analyst): plain
/// key findings first, the confusion grid at the chosen threshold, the
/// customers at highest risk with their reasons, then the metrics (rounded,
/// with readable names) and the charts, each with a caption that says what
/// it shows and how to read it. Charts are inline SVG, so the file needs
/// nothing else.
public struct EvaluationReport {
    public var title = "Churn model evaluation"
    /// A readable model name ("Gradient-boosted trees"); see `readableModelName`.
    public var modelName: String?
    /// The model's technical description (e.g. its `tostring`), shown under "Technical details".
    public var modelDescription: String?
    public var targetName = "churn"
    /// What a row is, plural ("customers").
    public var rowNoun = "customers"
    /// First and last date of the data, as text.
    public var period: (from: String, to: String)?
    public var y: [Double]
    public var p: [Double]
    public var weights: [Double]?
    /// Feature importance, most important first (optional).
    public var importance: [(name: String, value: Double)]?
    /// Highest-risk rows with their reasons (optional; needs an id column).
    public var topUsers: [RiskRow] = []
    public var metricOptions = ReportOptions()
    public var campaign = CampaignOptions()

    /// One high-risk customer: id, churn score, reasons ("plan = monthly (raises risk)").
    public struct RiskRow: Sendable {
        public var id: String
        public var score: Double
        public var reasons: [String]
        public init(id: String, score: Double, reasons: [String]) { self.id = id; self.score = score; self.reasons = reasons }
    }

    public init(y: [Double], p: [Double]) { self.y = y; self.p = p }

    /// A person's name for a model from its technical description.
    public static func readableModelName(_ description: String) -> String {
        let d = description.lowercased()
        for (key, name) in [("gradientboosting", "Gradient-boosted trees"), ("gbdt", "Gradient-boosted trees"),
                            ("randomforest", "Random forest"), ("forest", "Random forest"), ("decisiontree", "Decision tree"),
                            ("logistic", "Logistic regression")] where d.contains(key) {
            return name
        }
        return "Churn model"
    }

    /// The page as HTML text.
    public func html() throws -> String {
        let m = try MetricsReport(y, p, weights: weights, options: metricOptions)
        let probabilities = p.allSatisfy { $0 >= 0 && $0 <= 1 }
        let profit = try? Metrics.profitCurve(y, p, options: campaign, weights: weights)
        // Each chart sorts or bins every row: the unit of work between cancellation checks.
        func chart(_ title: String, _ caption: String, _ make: () throws -> String) throws -> (String, String, String) {
            try ExecutionContext.check()
            return (title, caption, try make())
        }
        let k = Self.pct(m.topFraction, 0)
        var charts: [(String, String, String)] = [
            try chart("Confusion matrix", "Rows are what happened, columns what the model said at threshold \(Self.num(m.threshold)). The diagonal cells are right; the top-right cell is \(Self.noun(rowNoun)) contacted for nothing, the bottom-left churners missed.") {
                try Plot.confusion(m.confusion, threshold: m.threshold)
            },
            try chart("ROC curve", "How well the score separates churners from the rest over every threshold. AUC \(Self.num(m.rocAUC)): a random churner scores above a random non-churner \(Self.pct(m.rocAUC, 0)) of the time (50% = guessing).") {
                try Plot.roc(y, p, weights: weights)
            },
            try chart("Precision–recall curve", "Share of flagged \(Self.noun(rowNoun)) who really churn (precision) against share of churners caught (recall). The churn rate, \(Self.pct(m.prevalence, 1)), is what random picking would give.") {
                try Plot.pr(y, p, weights: weights)
            },
            try chart("Cumulative gains", "Contacting the top \(k) by score reaches \(Self.pct(m.recallAtTop, 0)) of all churners; the dashed line is random contact.") {
                try Plot.gains(y, p, weights: weights)
            },
            try chart("Lift by decile", "How many times the churn rate of each tenth of \(Self.noun(rowNoun)) (highest scores first) exceeds the average; the top \(k) are \(Self.num(m.liftAtTop, 1))× the average.") {
                try Plot.lift(y, p, weights: weights)
            },
            try chart("Scores by class", "Score distributions of churners and non-churners: the less they overlap, the easier it is to pick a threshold.") {
                try Plot.scoreHistogram(y, p, weights: weights)
            },
        ]
        if probabilities {
            charts.insert(try chart("Calibration", "Whether a predicted 30% means 30% churn: points on the diagonal are right; each point is labelled with its number of \(Self.noun(rowNoun)) (small bins are noisy). Average gap (ECE): \(Self.points(m.ece)).") {
                try Plot.calibration(y, p, bins: metricOptions.calibrationBins, weights: weights, minBinCount: 5)
            }, at: 3)
        }
        if let pc = profit {
            charts.append(try chart("Campaign profit", "Expected profit of a retention offer by share of \(Self.noun(rowNoun)) contacted (a saved customer is worth \(Self.money(campaign.valueRetained)), the offer costs \(Self.money(campaign.offerCost)), \(Self.pct(campaign.acceptanceRate, 0)) accept). Best: contact the top \(Self.pct(pc.bestShare, 0)) for \(Self.money(pc.bestProfit)).") {
                try Plot.profit(y, p, campaign: campaign, weights: weights)
            })
        }
        if let imp = importance, !imp.isEmpty {
            charts.append(("Feature importance", "What the model leans on most overall (longer bar = more influence); it says nothing about direction — see the reasons per customer for that.",
                           try Plot.importance(names: imp.map(\.name), values: imp.map(\.value))))
        }

        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>\(Self.escape(title))</title>
            <style>
            body{font-family:-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",sans-serif;margin:2em auto;max-width:1340px;color:#222;line-height:1.45}
            h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.6em} .sub{color:#555;margin-top:0}
            table{border-collapse:collapse;margin:.6em 0;font-variant-numeric:tabular-nums}
            td,th{padding:.25em 1em .25em 0;border-bottom:1px solid #eee;text-align:left} td.v,th.v{text-align:right}
            table.confusion td,table.confusion th{padding:.4em 1em;border:1px solid #ddd;text-align:right}
            ul.findings li{margin:.3em 0} .warn{color:#a33} .grid{display:flex;flex-wrap:wrap;gap:16px}
            figure{margin:0;max-width:640px} figcaption{color:#444;font-size:.92em;margin:.2em .4em 1em}
            details{color:#555;margin-top:2em}
            </style></head><body>
            <h1>\(Self.escape(title))</h1>

            """
        var facts: [String] = []
        if let name = modelName { facts.append("Model: \(Self.escape(name))") }
        facts.append("\(Self.count(Double(m.rows))) \(Self.escape(rowNoun)), \(Self.count(m.positives)) churned (\(Self.pct(m.prevalence, 1)))")
        if let per = period { facts.append("Data from \(Self.escape(per.from)) to \(Self.escape(per.to))") }
        h += "<p class=\"sub\">\(facts.joined(separator: " · "))</p>\n"

        // Key findings, in words.
        h += "<h2>Key findings</h2>\n<ul class=\"findings\">\n"
        if m.rocAUC.isFinite {
            let quality = m.rocAUC >= 0.9 ? "very well" : m.rocAUC >= 0.8 ? "well" : m.rocAUC >= 0.7 ? "fairly" : m.rocAUC > 0.6 ? "weakly" : "barely better than chance"
            h += "<li>The model ranks \(Self.escape(rowNoun)) by churn risk \(quality): AUC \(Self.num(m.rocAUC)) (0.5 = random, 1 = perfect).</li>\n"
            h += "<li>Contacting the \(k) highest-risk \(Self.escape(rowNoun)) reaches \(Self.pct(m.recallAtTop, 0)) of all churners — \(Self.num(m.liftAtTop, 1))× better than contacting at random.</li>\n"
        }
        let flagged = m.confusion.tp + m.confusion.fp
        h += "<li>At threshold \(Self.num(m.threshold)) the model flags \(Self.count(flagged)) \(Self.escape(rowNoun)); \(Self.count(m.confusion.tp)) of them churned (precision \(Self.pct(m.precision, 0))), and it catches \(Self.count(m.confusion.tp)) of \(Self.count(m.positives)) churners (recall \(Self.pct(m.recall, 0))).</li>\n"
        if m.ece.isFinite {
            h += "<li>Predicted probabilities are off by \(Self.points(m.ece)) on average (calibration error) — \(m.ece < 0.03 ? "close enough to read them as churn chances" : "treat them as a ranking rather than exact chances").</li>\n"
        }
        if let pc = profit, pc.bestProfit > 0 {
            h += "<li>With the campaign assumptions below, the most profitable plan is to contact the top \(Self.pct(pc.bestShare, 0)) (expected profit \(Self.money(pc.bestProfit))).</li>\n"
        }
        h += "</ul>\n"
        for w in m.warnings { h += "<p class=\"warn\">Warning: \(Self.escape(w))</p>\n" }

        // Confusion grid at the threshold.
        let c = m.confusion
        func cell(_ v: Double, _ rowTotal: Double) -> String { "\(Self.count(v))<br><small>\(rowTotal > 0 ? Self.pct(v / rowTotal, 1) : "–")</small>" }
        h += "<h2>Who the model flags at threshold \(Self.num(m.threshold))</h2>\n"
        h += "<table class=\"confusion\"><tr><th></th><th>predicted to stay</th><th>predicted to churn</th></tr>\n"
        h += "<tr><th>stayed</th><td class=\"tn\">\(cell(c.tn, c.tn + c.fp))</td><td class=\"fp\">\(cell(c.fp, c.tn + c.fp))</td></tr>\n"
        h += "<tr><th>churned</th><td class=\"fn\">\(cell(c.fn, c.fn + c.tp))</td><td class=\"tp\">\(cell(c.tp, c.fn + c.tp))</td></tr>\n</table>\n"
        h += "<p class=\"sub\">Percentages are shares of each actual group: of those who churned, \(Self.pct(m.recall, 1)) were flagged.</p>\n"

        if !topUsers.isEmpty {
            h += "<h2>Highest-risk \(Self.escape(rowNoun))</h2>\n<table class=\"risk\"><tr><th>#</th><th>id</th><th class=\"v\">churn risk</th><th>main reasons</th></tr>\n"
            for (i, u) in topUsers.enumerated() {
                h += "<tr><td>\(i + 1)</td><td>\(Self.escape(u.id))</td><td class=\"v\">\(Self.pct(u.score, 0))</td><td>\(u.reasons.map(Self.escape).joined(separator: "; "))</td></tr>\n"
            }
            h += "</table>\n"
        }

        h += "<h2>Metrics</h2>\n<table class=\"metrics\">\n"
        for (name, value, help) in Self.readableMetrics(m) {
            h += "<tr><td>\(Self.escape(name))</td><td class=\"v\">\(value)</td><td>\(Self.escape(help))</td></tr>\n"
        }
        h += "</table>\n"
        h += "<h2>Charts</h2>\n<div class=\"grid\">\n"
        for (_, caption, svg) in charts {
            // Inline SVG in HTML: without the XML declaration of the standalone file.
            let inline = svg.hasPrefix("<?xml") ? String(svg.drop { $0 != "\n" }.dropFirst()) : svg
            h += "<figure>\(inline)<figcaption>\(Self.escape(caption))</figcaption></figure>\n"
        }
        h += "</div>\n"
        h += "<details><summary>Technical details</summary><p>Target column '\(Self.escape(targetName))'"
        if let d = modelDescription { h += "; model: <code>\(Self.escape(d))</code>" }
        h += ". Campaign assumptions: value of a saved customer \(Self.money(campaign.valueRetained)), offer \(Self.money(campaign.offerCost)), contact \(Self.money(campaign.contactCost)), acceptance \(Self.pct(campaign.acceptanceRate, 0)). ChurnLab \(ChurnCore.version).</p></details>\n"
        h += "</body></html>\n"
        return h
    }

    /// Metrics with readable names, sensibly rounded values and one-line meanings.
    static func readableMetrics(_ m: MetricsReport) -> [(String, String, String)] {
        let k = pct(m.topFraction, 0)
        return [
            ("Rows", count(Double(m.rows)), "rows evaluated"),
            ("Churn rate", pct(m.prevalence, 1), "share who churned"),
            ("ROC AUC", num(m.rocAUC), "ranking quality, 0.5 random – 1 perfect"),
            ("Average precision", num(m.averagePrecision), "area under the precision–recall curve"),
            ("Precision in top \(k)", pct(m.precisionAtTop, 1), "churners among the \(k) highest scores"),
            ("Recall in top \(k)", pct(m.recallAtTop, 1), "share of all churners in the top \(k)"),
            ("Lift in top \(k)", num(m.liftAtTop, 2) + "×", "top \(k) churn rate ÷ overall churn rate"),
            ("Threshold", num(m.threshold), "score at or above which a row is flagged"),
            ("Precision", pct(m.precision, 1), "flagged rows that churned"),
            ("Recall", pct(m.recall, 1), "churners that were flagged"),
            ("Accuracy", pct(m.accuracy, 1), "rows classified right (misleading when churn is rare)"),
            ("F1", num(m.f1), "balance of precision and recall"),
            ("Best F1 threshold", num(m.bestF1Threshold), "threshold with the highest F1 (\(num(m.bestF1)))"),
            ("KS", num(m.ks), "largest gap between the classes' score distributions"),
            ("Log loss", num(m.logLoss, 4), "probability error, lower is better"),
            ("Brier score", num(m.brier, 4), "mean squared probability error, lower is better"),
            ("Calibration error (ECE)", points(m.ece), "average gap between predicted and observed churn rates"),
        ]
    }

    // MARK: formatting

    static func num(_ v: Double, _ digits: Int = 3) -> String {
        guard v.isFinite else { return "–" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        var s = String(format: "%.\(digits)f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    static func pct(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "–" }
        return String(format: "%.\(digits)f%%", v * 100)
    }

    /// A difference of rates in percentage points.
    static func points(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        return String(format: "%.1f percentage points", v * 100)
    }

    static func count(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        if v == v.rounded() && abs(v) < 1e15 {
            let n = Int64(v), s = String(abs(n))
            var out = ""
            for (i, ch) in s.enumerated() { if i > 0 && (s.count - i) % 3 == 0 { out += "," }; out.append(ch) }
            return (n < 0 ? "-" : "") + out
        }
        return String(format: "%.1f", v)
    }

    static func money(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        return abs(v) >= 1000 ? count(v.rounded()) : num(v, 2)
    }

    /// The row noun inside captions (escaped with the caption).
    static func noun(_ s: String) -> String { s }

    /// Writes the page atomically (temporary file + rename).
    public func write(to path: String) throws {
        let text = try html()
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw PlotError.write(path: path, reason: error.localizedDescription)
        }
    }

    static func escape(_ s: String) -> String { Markup.escape(s) }
}

extension EvaluationReport {
    /// Columns taken as the data's date when none is named.
    public static let periodColumns = ["as_of", "snapshot_date", "date", "observation_date", "event_date"]

    /// First and last value of a date, timestamp or ISO-text column (nulls ignored).
    public static func period(of col: Column) -> (from: String, to: String)? {
        switch col.data {
        case .date(let v):
            let d = v.indices.filter { !col.isNull($0) }.map { v[$0] }
            guard let lo = d.min(), let hi = d.max() else { return nil }
            return (DateText.format(days: lo), DateText.format(days: hi))
        case .timestamp(let v):
            let d = v.indices.filter { !col.isNull($0) }.map { v[$0] }
            guard let lo = d.min(), let hi = d.max() else { return nil }
            return (String(DateText.format(micros: lo).prefix(10)), String(DateText.format(micros: hi).prefix(10)))
        case .string, .category:
            let s = (0..<col.count).compactMap { col.string(at: $0) }
            guard let lo = s.min(), let hi = s.max() else { return nil }
            return (lo, hi)
        default:
            return nil
        }
    }

    /// A cell as short text for a table (numbers rounded, dates as dates).
    public static func cellText(_ col: Column, _ i: Int) -> String {
        switch col.value(at: i) {
        case .null: return "missing"
        case .float(let v): return Plot.shortNumber(v)
        case .int(let v): return String(v)
        case .date(let d): return DateText.format(days: d)
        case .timestamp(let t): return DateText.format(micros: t)
        case .string(let t):
            // Explanations carry values as text: round numbers written in full.
            if let d = Double(t), d.isFinite, t.contains(".") { return Plot.shortNumber(d) }
            return t
        case let v: return v.description
        }
    }
}
