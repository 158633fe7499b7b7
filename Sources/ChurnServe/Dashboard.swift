import ChurnCore
import Foundation

/// What the dashboard shows, gathered by the server for one page view.
struct DashboardData {
    struct AtRisk { let user: String; let probability: Double; let tier: String; let reasons: [(feature: String, contribution: Double)] }
    struct Risk {
        /// Users scored (a sample of the first `scored` user ids when the state holds more).
        let scored: Int
        let total: Int
        let probabilities: [Double]
        /// Users per tier, highest tier first (the scheme's order, lowest last).
        let tierCounts: [(tier: String, users: Int)]
        let top: [AtRisk]
        let asOf: Int64
    }
    struct RuleRun { let run: LedgerRun; let counts: [(rule: String, tier: String, group: String, decisions: Int)] }

    let modelKind: String
    let modelVersion: String
    let featureCount: Int
    let importance: (names: [String], values: [Double])?
    /// nil with `riskNote` saying why (no events yet, or the model needs features the state lacks).
    let risk: Risk?
    let riskNote: String?
    /// nil without `--ledger`; `ledgerNote` on a read error.
    let ruleRuns: [RuleRun]?
    let ledgerNote: String?
}

/// The dashboard at `/`: one server-rendered HTML page with inline SVG charts
/// drawn by the core's `Plot` code (no JavaScript, no network): model card,
/// current risk distribution and tiers from the online state, the users most
/// at risk with their reasons, and the rule runs of the ledger with their
/// decisions by rule and tier. Numbers a test checks carry `data-` attributes.
enum DashboardPage {
    static func esc(_ s: String) -> String { SVGCanvas.escape(s) }

    static func render(_ d: DashboardData) -> String {
        var h = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>ChurnLab — \(esc(d.modelKind)) \(esc(d.modelVersion))</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f6f7f9;color:#1f2933}
        header{background:#1f2933;color:#fff;padding:12px 24px}header h1{font-size:20px;margin:0}
        main{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px;padding:16px 24px}
        section{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
        h2{font-size:16px;margin:4px 0 10px}table{border-collapse:collapse;width:100%;font-size:13px}
        td,th{padding:4px 8px;border-bottom:1px solid #e4e7eb;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
        .muted{color:#7b8794;font-size:13px}svg{max-width:100%;height:auto}
        .tier-high{color:#c81e1e;font-weight:600}.tier-medium{color:#b45309}.tier-low{color:#047857}
        </style></head><body>
        <header><h1>ChurnLab — retention dashboard</h1></header><main>
        """
        h += modelCard(d)
        h += riskSections(d)
        h += rulesSection(d)
        h += "</main></body></html>\n"
        return h
    }

    static func modelCard(_ d: DashboardData) -> String {
        var s = "<section id=\"model\"><h2>Model</h2><table>"
        s += "<tr><th>Kind</th><td>\(esc(d.modelKind))</td></tr><tr><th>Version</th><td data-model-version>\(esc(d.modelVersion))</td></tr>"
        s += "<tr><th>Features</th><td class=\"n\">\(d.featureCount)</td></tr></table>"
        if let imp = d.importance, let svg = try? Plot.importance(names: imp.names, values: imp.values, top: 12,
                                                                   options: PlotOptions(title: "Feature importance", width: 560, height: 360)) {
            s += svg
        }
        return s + "</section>"
    }

    static func riskSections(_ d: DashboardData) -> String {
        guard let r = d.risk else {
            return "<section id=\"risk\"><h2>Current risk</h2><p class=\"muted\">\(esc(d.riskNote ?? "no data"))</p></section>"
        }
        var s = "<section id=\"risk\"><h2>Current risk</h2>"
        s += "<p class=\"muted\">As of \(esc(DateText.format(micros: r.asOf))) UTC: <span data-scored>\(r.scored)</span> users scored"
        s += r.scored < r.total ? " (the first \(r.scored) of \(r.total) by id)" : ""
        s += ".</p><table><tr><th>Tier</th><th class=\"n\">Users</th><th class=\"n\">Share</th></tr>"
        for t in r.tierCounts {
            let share = r.scored > 0 ? Double(t.users) / Double(r.scored) * 100 : 0
            s += "<tr><td class=\"tier-\(esc(t.tier))\">\(esc(t.tier))</td><td class=\"n\" data-risk-tier=\"\(esc(t.tier))\">\(t.users)</td>"
            s += "<td class=\"n\">\(String(format: "%.1f%%", share))</td></tr>"
        }
        s += "</table>"
        // Histogram of probabilities in 20 bins, with the existing chart code.
        let bins = 20
        var counts = [Double](repeating: 0, count: bins)
        for p in r.probabilities where p.isFinite { counts[min(bins - 1, max(0, Int(p * Double(bins))))] += 1 }
        var chart = XYChart(options: PlotOptions(title: "Churn probability", xLabel: "Probability", yLabel: "Users", width: 560, height: 300))
        chart.series = [Series(name: "users", xs: (0..<bins).map { Double($0) / Double(bins) }, ys: counts, kind: .bars,
                               x2: (0..<bins).map { Double($0 + 1) / Double(bins) }, inLegend: false)]
        chart.xDomain = (0, 1)
        chart.legend = .none
        chart.xPercent = true
        s += chart.render() + "</section>"

        s += "<section id=\"top\"><h2>Most at risk</h2><table><tr><th>User</th><th class=\"n\">Probability</th><th>Tier</th><th>Top reasons</th></tr>"
        for u in r.top {
            let reasons = u.reasons.map { "\(esc($0.feature)) (+\(Plot.shortNumber($0.contribution)))" }.joined(separator: ", ")
            s += "<tr><td>\(esc(u.user))</td><td class=\"n\">\(String(format: "%.3f", u.probability))</td>"
            s += "<td class=\"tier-\(esc(u.tier))\">\(esc(u.tier))</td><td>\(reasons)</td></tr>"
        }
        return s + "</table></section>"
    }

    static func rulesSection(_ d: DashboardData) -> String {
        guard let runs = d.ruleRuns else {
            if let note = d.ledgerNote { return "<section id=\"rules\"><h2>Rule runs</h2><p class=\"muted\">\(esc(note))</p></section>" }
            return ""
        }
        var s = "<section id=\"rules\"><h2>Rule runs</h2>"
        if runs.isEmpty { return s + "<p class=\"muted\">The ledger holds no run yet.</p></section>" }
        s += "<table><tr><th>Run</th><th>As of</th><th>Period</th><th>Status</th><th class=\"n\">Decisions</th><th class=\"n\">Duplicates</th></tr>"
        for r in runs {
            s += "<tr><td><code>\(esc(r.run.runID))</code></td><td>\(esc(r.run.asOf))</td><td>\(esc(r.run.period))</td>"
            s += "<td>\(esc(r.run.status))</td><td class=\"n\" data-run-decisions=\"\(esc(r.run.runID))\">\(r.run.decisions)</td><td class=\"n\">\(r.run.duplicates)</td></tr>"
        }
        s += "</table>"
        if let latest = runs.first {
            s += "<h2>Decisions of the latest run by rule and tier</h2><table><tr><th>Rule</th><th>Tier</th><th>Group</th><th class=\"n\">Users</th></tr>"
            for c in latest.counts {
                s += "<tr><td>\(esc(c.rule))</td><td>\(esc(c.tier))</td><td>\(esc(c.group))</td>"
                s += "<td class=\"n\" data-decisions-rule=\"\(esc(c.rule))\" data-decisions-tier=\"\(esc(c.tier))\" data-decisions-group=\"\(esc(c.group))\">\(c.decisions)</td></tr>"
            }
            s += "</table>"
        }
        return s + "</section>"
    }
}
