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
    /// `counts` for the latest run only; `effect` (with `--outcomes`) for the latest `effectRuns`.
    struct RuleRun { let run: LedgerRun; let counts: [(rule: String, tier: String, group: String, decisions: Int)]; let effect: RuleEffectReport? }
    static let effectRuns = 5

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
    /// Why the effect cannot be shown (the outcomes file is unreadable), when `--outcomes` was given.
    let outcomesNote: String?
    /// nil before the first event.
    let cohorts: CohortActivity?
    /// From `--report-dir` (nil: the file is absent).
    let evaluation: DashboardReports.Part<DashboardReports.Evaluation>?
    let survival: DashboardReports.Part<(svg: String, groups: [(name: String, users: Int, median: Double)])>?
    let personas: DashboardReports.Part<(svg: String, labels: [String], names: [String], size: [Int])>?
}

/// The dashboard at `/`: one server-rendered HTML page with inline SVG charts
/// drawn by the core's `Plot` code (no JavaScript, no network): model card
/// (with the last evaluation's metrics and charts from `--report-dir`),
/// current risk distribution and tiers from the online state, the users most
/// at risk with their reasons, cohort retention from the state, the rule runs
/// of the ledger with their decisions by rule and tier and their effect (lift,
/// CI, with `--outcomes`), and personas and survival curves when the report
/// directory holds them. Numbers a test checks carry `data-` attributes.
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
        .muted{color:#7b8794;font-size:13px}svg{max-width:100%;height:auto}.charts svg{max-width:49%}
        .tier-high{color:#c81e1e;font-weight:600}.tier-medium{color:#b45309}.tier-low{color:#047857}
        </style></head><body>
        <header><h1>ChurnLab — retention dashboard</h1></header><main>
        """
        h += modelCard(d)
        h += riskSections(d)
        h += cohortSection(d)
        h += rulesSection(d)
        h += personasSection(d)
        h += survivalSection(d)
        h += "</main></body></html>\n"
        return h
    }

    static func modelCard(_ d: DashboardData) -> String {
        var s = "<section id=\"model\"><h2>Model</h2><table>"
        s += "<tr><th>Kind</th><td>\(esc(d.modelKind))</td></tr><tr><th>Version</th><td data-model-version>\(esc(d.modelVersion))</td></tr>"
        s += "<tr><th>Features</th><td class=\"n\">\(d.featureCount)</td></tr></table>"
        if let e = d.evaluation {
            if let v = e.value {
                let m = v.metrics
                s += "<h2>Last evaluation (holdout, \(v.rows) rows)</h2><table>"
                for (key, name, x) in [("roc_auc", "ROC AUC", m.rocAUC), ("average_precision", "Average precision", m.averagePrecision),
                                       ("log_loss", "Log loss", m.logLoss), ("brier", "Brier score", m.brier),
                                       ("lift_at_top", "Lift in the top \(Int((m.topFraction * 100).rounded())) %", m.liftAtTop),
                                       ("prevalence", "Churn rate", m.prevalence)] {
                    s += "<tr><th>\(name)</th><td class=\"n\" data-metric=\"\(key)\">\(num(x))</td></tr>"
                }
                s += "</table><div class=\"charts\">" + v.roc + v.calibration + "</div>"
            } else if let note = e.note {
                s += "<p class=\"muted\">\(esc(note))</p>"
            }
        }
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
            s += "<tr><td>\(esc(u.user))</td><td class=\"n\" data-top-user=\"\(esc(u.user))\">\(String(format: "%.3f", u.probability))</td>"
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
        if let note = d.outcomesNote { s += "<p class=\"muted\">\(esc(note))</p>" }
        for r in runs {
            guard let e = r.effect else { continue }
            s += "<h2>Effect of run <code>\(esc(String(r.run.runID.prefix(12))))</code> (\(esc(r.run.period)))</h2>"
            if e.rows.isEmpty { s += "<p class=\"muted\">No outcome yet for its decisions.</p>"; continue }
            s += "<table><tr><th>Rule</th><th>Tier</th><th class=\"n\">Treated (retained)</th><th class=\"n\">Control (retained)</th>"
            s += "<th class=\"n\">Lift</th><th class=\"n\">95% CI</th><th class=\"n\">p</th><th class=\"n\">Cost / retained</th></tr>"
            for row in e.rows {
                let key = esc(r.run.runID + "|" + row.rule + "|" + row.tier)
                s += "<tr><td>\(esc(row.rule))</td><td>\(esc(row.tier.isEmpty ? "all" : row.tier))</td>"
                s += "<td class=\"n\">\(row.treated) (\(pct(row.treatedRate)))</td><td class=\"n\">\(row.control) (\(pct(row.controlRate)))</td>"
                s += "<td class=\"n\" data-effect-lift=\"\(key)\">\(num(row.lift))</td>"
                s += "<td class=\"n\" data-effect-ci=\"\(key)\">[\(num(row.lower)), \(num(row.upper))]</td>"
                s += "<td class=\"n\">\(num(row.pValue))</td><td class=\"n\">\(row.costPerRetained.isFinite ? Plot.shortNumber(row.costPerRetained) : "–")</td></tr>"
            }
            s += "</table>"
            if e.missingOutcomes > 0 { s += "<p class=\"muted\">\(e.missingOutcomes) decisions have no outcome yet (left out).</p>" }
        }
        return s + "</section>"
    }

    /// A number as the effect and metric tables show it (4 decimals; a test reads it back).
    static func num(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : "–" }
    static func pct(_ x: Double) -> String { x.isFinite ? String(format: "%.1f%%", x * 100) : "–" }

    static func cohortSection(_ d: DashboardData) -> String {
        guard let c = d.cohorts, !c.cohorts.isEmpty else { return "" }
        var s = "<section id=\"cohorts\"><h2>Retention by signup cohort</h2>"
        s += "<p class=\"muted\">Users by the month of their first event; the share with an event in the last N days (as of \(esc(DateText.format(micros: c.asOf))) UTC).</p>"
        s += "<table><tr><th>Cohort</th><th class=\"n\">Users</th>" + c.windows.map { "<th class=\"n\">Active \($0) d</th>" }.joined() + "</tr>"
        for k in c.cohorts {
            let label = CohortActivity.label(k.month)
            s += "<tr><td>\(label)</td><td class=\"n\" data-cohort-users=\"\(label)\">\(k.users)</td>"
            for (w, a) in zip(c.windows, k.active) {
                s += "<td class=\"n\" title=\"\(a) users\" data-cohort-active=\"\(label)|\(w)\" data-users=\"\(a)\">\(pct(Double(a) / Double(max(1, k.users))))</td>"
            }
            s += "</tr>"
        }
        s += "</table>"
        let rows = c.cohorts.suffix(24)
        if let svg = try? Plot.heatmap(rows.map { k in k.active.map { Double($0) / Double(max(1, k.users)) } },
                                       rowLabels: rows.map { CohortActivity.label($0.month) }, columnLabels: c.windows.map { "\($0) d" },
                                       options: PlotOptions(title: "Active in the last N days, by signup month", width: 560,
                                                            height: max(200, 70 + 26 * Double(rows.count)))) {
            s += svg
        }
        return s + "</section>"
    }

    static func personasSection(_ d: DashboardData) -> String {
        guard let p = d.personas else { return "" }
        var s = "<section id=\"personas\"><h2>Personas</h2>"
        if let v = p.value {
            s += "<table><tr><th>Persona</th><th>Profile</th><th class=\"n\">Users</th></tr>"
            for k in v.labels.indices {
                s += "<tr><td>\(esc(v.labels[k]))</td><td>\(esc(v.names[k]))</td><td class=\"n\" data-persona-users=\"\(esc(v.labels[k]))\">\(v.size[k])</td></tr>"
            }
            s += "</table>" + v.svg
        } else if let note = p.note { s += "<p class=\"muted\">\(esc(note))</p>" }
        return s + "</section>"
    }

    static func survivalSection(_ d: DashboardData) -> String {
        guard let p = d.survival else { return "" }
        var s = "<section id=\"survival\"><h2>Survival</h2>"
        if let v = p.value {
            s += "<table><tr><th>Group</th><th class=\"n\">Users</th><th class=\"n\">Median survival</th></tr>"
            for g in v.groups {
                s += "<tr><td>\(esc(g.name))</td><td class=\"n\" data-survival-users=\"\(esc(g.name))\">\(g.users)</td>"
                s += "<td class=\"n\" data-survival-median=\"\(esc(g.name))\">\(g.median.isFinite ? Plot.shortNumber(g.median) : "not reached")</td></tr>"
            }
            s += "</table>" + v.svg
        } else if let note = p.note { s += "<p class=\"muted\">\(esc(note))</p>" }
        return s + "</section>"
    }
}
