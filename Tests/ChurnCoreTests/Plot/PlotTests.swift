import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import ChurnCore

/// Parses an SVG with XMLParser and collects what the tests look for.
final class SVGProbe: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var classes: [String: Int] = [:]
    var texts: [String] = []
    var descs: [String] = []
    private var inText = false, inDesc = false, buf = ""
    var root: String?

    static func parse(_ svg: String) throws -> SVGProbe {
        let p = SVGProbe()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = p
        guard parser.parse() else { throw PlotError.invalid("invalid XML: \(parser.parserError.map { "\($0)" } ?? "?")") }
        return p
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if root == nil { root = name }
        elements[name, default: 0] += 1
        for c in (attributes["class"] ?? "").split(separator: " ") { classes[String(c), default: 0] += 1 }
        if name == "text" || name == "desc" { inText = name == "text"; inDesc = name == "desc"; buf = "" }
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { if inText || inDesc { buf += string } }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(buf); inText = false }
        if name == "desc" { descs.append(buf); inDesc = false }
    }
    func hasText(_ s: String) -> Bool { texts.contains { $0.contains(s) } }
}

final class PlotTests: XCTestCase {
    /// A deterministic small scored data set (churn ~25%).
    static let data: (y: [Double], p: [Double], p2: [Double]) = {
        var rng = SeededRandom(seed: 11)
        var y = [Double](), p = [Double](), p2 = [Double]()
        for _ in 0..<800 {
            let yi: Double = rng.uniform() < 0.25 ? 1 : 0
            y.append(yi)
            p.append(1 / (1 + exp(-(rng.normal() * 1.1 + 1.6 * yi - 1.6))))
            p2.append(1 / (1 + exp(-(rng.normal() * 1.3 + 0.9 * yi - 1.3))))
        }
        return (y, p, p2)
    }()

    /// Set CHURNLAB_PLOT_DIR to keep the SVGs (to render them to PNG and look).
    func keep(_ name: String, _ svg: String) throws {
        if let dir = ProcessInfo.processInfo.environment["CHURNLAB_PLOT_DIR"] {
            try PlotFile.write(svg, to: dir + "/" + name + ".svg")
        }
    }

    func check(_ svg: String, title: String, series: Int, file: StaticString = #filePath, line: UInt = #line) throws -> SVGProbe {
        let p = try SVGProbe.parse(svg)
        XCTAssertEqual(p.root, "svg", file: file, line: line)
        XCTAssertEqual(p.classes["title"], 1, file: file, line: line)
        XCTAssert(p.hasText(title), "title '\(title)' missing", file: file, line: line)
        XCTAssertGreaterThanOrEqual(p.classes["x-axis"] ?? 0, 1, file: file, line: line)
        XCTAssertGreaterThanOrEqual(p.classes["tick"] ?? 0, 3, file: file, line: line)
        XCTAssertEqual(p.classes["series"] ?? 0, series, file: file, line: line)
        return p
    }

    func testROCAndPRCharts() throws {
        let d = Self.data
        let roc = try Plot.roc(d.y, models: [("GBM", d.p), ("Logistic", d.p2)], options: PlotOptions(title: "ROC — 客户流失"))
        let p = try check(roc, title: "ROC — 客户流失", series: 3)
        let auc = try Metrics.rocAUC(d.y, d.p)
        XCTAssert(p.hasText(String(format: "GBM (AUC %.3f)", auc)))
        XCTAssert(p.hasText("False positive rate")); XCTAssertEqual(p.classes["legend"], 1)
        XCTAssertEqual(p.descs, ["GBM (AUC \(String(format: "%.3f", auc)))", "Logistic (AUC \(String(format: "%.3f", try Metrics.rocAUC(d.y, d.p2))))", "Chance"])
        try keep("roc", roc)
        let pr = try Plot.pr(d.y, d.p)
        let q = try check(pr, title: "Precision–recall curve", series: 2)
        XCTAssert(q.hasText("AP "))
        try keep("pr", pr)
    }

    func testCalibrationGainsLiftProfitHistogram() throws {
        let d = Self.data
        let cal = try Plot.calibration(d.y, models: [("GBM", d.p), ("Logistic", d.p2)], bins: 8)
        let c = try check(cal, title: "Calibration", series: 5)
        XCTAssertGreaterThanOrEqual(c.elements["circle"] ?? 0, 10)
        try keep("calibration", cal)
        let g = try Plot.gains(d.y, d.p)
        XCTAssert(try check(g, title: "Cumulative gains", series: 2).hasText("100%"))
        try keep("gains", g)
        let l = try Plot.lift(d.y, d.p)
        let lp = try check(l, title: "Lift by decile", series: 4)
        XCTAssertGreaterThanOrEqual(lp.elements["rect"] ?? 0, 10)
        try keep("lift", l)
        let pf = try Plot.profit(d.y, d.p, campaign: CampaignOptions(valueRetained: 300, offerCost: 20, contactCost: 2, acceptanceRate: 0.35))
        let best = try Metrics.profitCurve(d.y, d.p, options: CampaignOptions(valueRetained: 300, offerCost: 20, contactCost: 2, acceptanceRate: 0.35))
        let pp = try check(pf, title: "Campaign profit", series: 1)
        XCTAssert(pp.hasText(String(format: "best: contact %.1f%%", best.bestShare * 100)))
        try keep("profit", pf)
        let h = try Plot.scoreHistogram(d.y, d.p, bins: 25)
        let hp = try check(h, title: "Score distribution by class", series: 2)
        XCTAssert(hp.hasText("Churned (n=")); XCTAssert(hp.hasText("Retained (n="))
        try keep("histogram", h)
    }

    func testImportanceShapTraining() throws {
        let names = ["total_day_minutes", "number_customer_service_calls", "international_plan", "voice_mail_plan",
                     "total_eve_minutes", "<script>&\"x\"", "月费"]
        let imp = try Plot.importance(names: names, values: [0.31, 0.22, 0.18, 0.07, 0.05, 0.01, 0.12])
        let ip = try check(imp, title: "Feature importance", series: 1)
        XCTAssertEqual(ip.classes["bar"], 7)
        XCTAssert(ip.hasText("<script>&\"x\"")); XCTAssert(ip.hasText("月费"))
        try keep("importance", imp)
        var rng = SeededRandom(seed: 3)
        var shap = [[Double]](), vals = [[Double]]()
        for f in 0..<6 {
            var s = [Double](), v = [Double]()
            for _ in 0..<300 {
                let x = rng.normal(); v.append(f == 5 && rng.uniform() < 0.1 ? .nan : x)
                s.append(x * Double(6 - f) * 0.1 + rng.normal() * 0.02)
            }
            shap.append(s); vals.append(v)
        }
        let sh = try Plot.shapSummary(names: Array(names.prefix(6)), shap: shap, featureValues: vals)
        let sp = try check(sh, title: "SHAP summary", series: 1)
        XCTAssertEqual(sp.elements["circle"], 1800)
        XCTAssert(sp.hasText("Feature value"))
        // Rows are ordered by mean |SHAP|: the first feature label drawn is the strongest.
        XCTAssertEqual(sp.texts.first(where: { names.contains($0) }), "total_day_minutes")
        try keep("shap", sh)
        let train: [Double] = (0..<120).map { (i: Int) -> Double in 0.6 * exp(-Double(i) / 25) + 0.2 }
        let eval: [Double] = (0..<120).map { (i: Int) -> Double in
            let d = Double(i - 60)
            return 0.6 * exp(-Double(i) / 25) + 0.25 + 0.00002 * d * d
        }
        let t = try Plot.training(series: [("train", train), ("eval", eval)])
        let tp = try check(t, title: "Training curves", series: 2)
        let best = eval.indices.min { eval[$0] < eval[$1] }! + 1
        XCTAssert(tp.hasText("best iteration \(best)"))
        try keep("training", t)
    }

    func testRetentionAndHeatmap() throws {
        let months = (0...12).map(Double.init)
        let r = try Plot.retention(series: [("Monthly plan", months, months.map { exp(-$0 / 8) }),
                                            ("Annual plan", months, months.map { exp(-$0 / 30) })])
        let rp = try check(r, title: "Retention", series: 2)
        XCTAssert(rp.hasText("100%")); XCTAssert(rp.hasText("Annual plan"))
        try keep("retention", r)
        let cohorts = (0..<8).map { "2025-\(String(format: "%02d", $0 + 1))" }
        let periods = (0..<9).map { "M\($0)" }
        var m = [[Double]](repeating: [Double](repeating: .nan, count: 9), count: 8)
        for i in 0..<8 { for j in 0..<(9 - i) { m[i][j] = pow(0.9 - Double(i) * 0.01, Double(j)) } }
        let h = try Plot.heatmap(m, rowLabels: cohorts, columnLabels: periods, options: PlotOptions(title: "Cohort retention"))
        let hp = try check(h, title: "Cohort retention", series: 1)
        XCTAssertEqual(hp.classes["cell"], m.flatMap { $0 }.filter { $0.isFinite }.count)   // NaN cells are blank
        XCTAssert(hp.hasText("100%"))
        try keep("heatmap", h)
        XCTAssertThrowsError(try Plot.heatmap(m, rowLabels: ["a"], columnLabels: periods))
    }

    func testLargeCurvesStaySmall() throws {
        // 60,000 distinct scores: the polyline keeps at most about one point per pixel step.
        var rng = SeededRandom(seed: 9)
        var y = [Double](), p = [Double]()
        for _ in 0..<60_000 { let yi: Double = rng.uniform() < 0.2 ? 1 : 0; y.append(yi); p.append(rng.normal() + yi) }
        let svg = try Plot.roc(y, p)
        XCTAssertLessThan(svg.utf8.count, 60_000)
        _ = try SVGProbe.parse(svg)
        XCTAssertLessThan(try Plot.gains(y, p).utf8.count, 60_000)
    }

    func testEscapingTicksAndAtomicWrite() throws {
        XCTAssertEqual(SVGCanvas.escape("a<b & \"c\" 'd'\u{1}"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;")
        XCTAssertEqual(SVGCanvas.textWidth("月月", size: 10), 20)
        var s = LinearScale(domain: (0.013, 0.87), range: (0, 100)); s.nice()
        XCTAssertEqual(s.ticks(), [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(LinearScale.labels(s.ticks()), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(LinearScale.labels([0, 25_000, 50_000]), ["0", "25k", "50k"])
        XCTAssertEqual(LinearScale.labels([0, 0.25, 0.5]), ["0.00", "0.25", "0.50"])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("churnlab-plot-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("roc.svg").path
        let svg = try Plot.roc(Self.data.y, Self.data.p)
        try PlotFile.write(svg, to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), svg)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["roc.svg"])  // no temp file left
        XCTAssertThrowsError(try PlotFile.write(svg, to: dir.path + "/missing/x.svg")) { XCTAssert("\($0)".contains("cannot write chart")) }
        XCTAssertThrowsError(try Plot.roc([1, 1], [0.2, 0.3]))
        XCTAssertThrowsError(try Plot.scoreHistogram([0, 1], [-1.7e308, 1.7e308]))
        XCTAssertThrowsError(try Plot.lift([0, 1], [0.1, 0.2], buckets: 5000))
        XCTAssertThrowsError(try Plot.shapSummary(names: ["a"], shap: [[1]], featureValues: [[1]], maxDisplay: -1))
    }
}
