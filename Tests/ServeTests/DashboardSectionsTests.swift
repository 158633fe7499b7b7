import ChurnCore
import ChurnServe
import Foundation
import XCTest

/// The dashboard's other sections over real HTTP and in headless Chromium:
/// cohort retention from the online state, the effect (lift, CI) of the
/// ledger's runs given outcomes, and the model card's evaluation, personas and
/// survival curves from --report-dir. Each section's numbers are checked
/// against hand-computed values; a screenshot of the page is kept under
/// `.build/artifacts/serve-dashboard/`.
final class DashboardSectionsTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try ServeFixtures.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// `attr="key"` → the text of its element (up to the next `<`).
    static func texts(_ html: String, _ attr: String) -> [String: String] {
        var out: [String: String] = [:]
        let re = try! NSRegularExpression(pattern: "\(attr)=\"([^\"]*)\"[^>]*>([^<]*)<")
        for m in re.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            out[String(html[Range(m.range(at: 1), in: html)!])] = String(html[Range(m.range(at: 2), in: html)!])
        }
        return out
    }

    /// `data-cohort-active="key" data-users="N"` → N.
    static func cohortActive(_ html: String) -> [String: Int] {
        var out: [String: Int] = [:]
        let re = try! NSRegularExpression(pattern: "data-cohort-active=\"([^\"]*)\" data-users=\"(\\d+)\"")
        for m in re.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            out[String(html[Range(m.range(at: 1), in: html)!])] = Int(html[Range(m.range(at: 2), in: html)!])!
        }
        return out
    }

    func write(_ name: String, _ text: String) throws -> String {
        let p = dir.appendingPathComponent(name).path
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    func testCohortsEffectEvaluationPersonasAndSurvival() throws {
        let modelPath = dir.appendingPathComponent("m.clm").path
        try ServeFixtures.model(at: modelPath)
        // A ledger run: rule "winback" over 40 users with a 50 % holdout (treated and control groups).
        let ledgerPath = dir.appendingPathComponent("ledger.db").path
        let users = (0..<40).map { "u\($0)" }
        do {
            let ledger = try Ledger(path: ledgerPath)
            let f = try Frame([.string("user_id", users)])
            var rs = RuleSet()
            rs.rules = [Rule(name: "winback", action: RuleAction(channel: "email", cost: 2), holdout: 0.5)]
            let asOf = Int32(DateText.days(year: 2026, month: 11, day: 1))
            _ = try ledger.commit(period: DateText.format(days: asOf), asOf: asOf, lookbackDays: 0, inputsSHA256: "i", rulesSHA256: "r") { h in
                try RuleEngine.evaluate(f, rules: rs, asOf: asOf, history: h)
            }
        }
        // Outcomes: retained unless the user's number is a multiple of 3.
        var outcomes = "user_id,retained\n"
        for (k, u) in users.enumerated() { outcomes += "\(u),\(k % 3 == 0 ? 0 : 1)\n" }
        let outcomesPath = try write("outcomes.csv", outcomes)
        // Report directory: evaluation (sklearn's roc_auc_score([0,0,1,1],[.1,.4,.35,.8]) = 0.75), survival, personas.
        let reports = dir.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try "y,p\n0,0.1\n0,0.4\n1,0.35\n1,0.8\n".write(to: reports.appendingPathComponent("evaluation.csv"), atomically: true, encoding: .utf8)
        // Kaplan–Meier by hand: group a (1…5, all events) S = .8,.6,.4 → median 3; group b (5…8) S(6) = .5 → median 6
        // (lifelines' median_survival_time_: the first time S(t) ≤ 0.5).
        try "duration,event,group\n1,1,a\n2,1,a\n3,1,a\n4,1,a\n5,1,a\n5,1,b\n6,1,b\n7,1,b\n8,1,b\n"
            .write(to: reports.appendingPathComponent("survival.csv"), atomically: true, encoding: .utf8)
        try "persona,sessions,spend,churned\n1,10,5,0\n1,12,6,0\n1,11,4,1\n2,2,50,1\n2,3,60,1\n"
            .write(to: reports.appendingPathComponent("personas.csv"), atomically: true, encoding: .utf8)

        let t = try ServeFixtures.token(in: dir)
        let s = try ServeProcess(["--model", modelPath, "--token-file", t.path, "--ledger", ledgerPath,
                                  "--outcomes", outcomesPath, "--report-dir", reports.path])
        // Events: user k first seen 10 + 9k days ago (half a day off any window edge), last seen k % 5 * 11 days ago.
        let now = Int64(Date().timeIntervalSince1970 * 1e6), day = TimeUnit.microsPerDay
        var ev: [String] = []
        var expectedUsers: [String: Int] = [:], expectedActive: [String: Int] = [:]
        for (k, u) in users.enumerated() {
            let firstBack = 10.5 + 9 * Double(k), lastBack = 0.5 + Double(k % 5 * 11)
            let first = now - Int64(firstBack * Double(day)), last = now - Int64(lastBack * Double(day))
            for t in [first, (first + last) / 2, last] {
                ev.append("{\"user\": \"\(u)\", \"type\": \"login\", \"time\": \"\(DateText.format(micros: t))\"}")
            }
            let month = String(DateText.format(days: Int32(TimeUnit.day(first))).prefix(7))
            expectedUsers[month, default: 0] += 1
            for w in [7, 30, 90] { expectedActive["\(month)|\(w)", default: 0] += lastBack < Double(w) ? 1 : 0 }
        }
        let post = try s.request("POST", "/v1/events", json: "{\"events\": [\(ev.joined(separator: ","))]}", token: t.token)
        XCTAssertEqual(post.status, 200, post.body)

        let page = try s.request("GET", "/")
        XCTAssertEqual(page.status, 200, page.body)
        let html = page.body

        // Cohorts: users per signup month and active within 7/30/90 days, as computed from the events above.
        XCTAssertEqual(DashboardTests.counts(html, "data-cohort-users"), expectedUsers)
        XCTAssertEqual(Self.cohortActive(html), expectedActive)
        XCTAssertGreaterThan(expectedUsers.count, 5, "several monthly cohorts")

        // Effect: lift = treated − control retention, by hand from the ledger's groups and the outcomes.
        let ledger = try Ledger(path: ledgerPath)
        let run = try XCTUnwrap(try ledger.runs().first)
        let decisions = try ledger.decisions(run: run.runID)
        let retained = { (u: String) in Int(u.dropFirst())! % 3 != 0 }
        let lifts = Self.texts(html, "data-effect-lift")
        XCTAssertFalse(lifts.isEmpty, html)
        for (key, text) in lifts {
            let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(parts[0], run.runID)
            let rows = decisions.filter { $0.rule == parts[1] && (parts[2].isEmpty || $0.tier == parts[2]) }
            let treated = rows.filter { $0.group == "treatment" }, control = rows.filter { $0.group == "control" }
            XCTAssertFalse(treated.isEmpty); XCTAssertFalse(control.isEmpty)
            let lift = Double(treated.filter { retained($0.userID) }.count) / Double(treated.count)
                - Double(control.filter { retained($0.userID) }.count) / Double(control.count)
            XCTAssertEqual(text, String(format: "%.4f", lift), key)
        }
        // The CI is the one `churnlab rules effect` prints for the run.
        let effect = try DashboardTests.runStatus(ServeProcess.binary.path, ["rules", "effect", run.runID, "--outcomes", outcomesPath, "--ledger", ledgerPath])
        XCTAssertEqual(effect.status, 0, effect.output)
        let report = try RuleEffect.report(decisions.map { RuleEffect.Decision(user: $0.userID, rule: $0.rule, tier: $0.tier, control: $0.group == "control", cost: $0.cost) },
                                           outcomes: try OutcomeTable(try CSVReader(options: CSVReadOptions(types: ["user_id": .string])).read(path: outcomesPath).frame))
        let cis = Self.texts(html, "data-effect-ci")
        for r in report.rows {
            XCTAssertEqual(cis[run.runID + "|" + r.rule + "|" + r.tier], String(format: "[%.4f, %.4f]", r.lower, r.upper))
        }

        // Model card from evaluation.csv; survival medians and sizes; persona sizes.
        XCTAssertEqual(Self.texts(html, "data-metric")["roc_auc"], "0.7500")
        XCTAssertEqual(Self.texts(html, "data-metric")["prevalence"], "0.5000")
        XCTAssertEqual(DashboardTests.counts(html, "data-survival-users"), ["a": 5, "b": 4])
        XCTAssertEqual(Self.texts(html, "data-survival-median"), ["a": "3", "b": "6"])
        XCTAssertEqual(DashboardTests.counts(html, "data-persona-users"), ["1": 3, "2": 2])
        XCTAssertFalse(html.contains("<script"), "no JavaScript")

        // Headless Chromium: the rendered DOM has the same numbers; a screenshot of the whole page is kept.
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("chromium is not installed (scripts/test installs it: apt-get install -y chromium)")
        }
        let artifacts = DashboardTests.repo.appendingPathComponent(".build/artifacts/serve-dashboard")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let shot = artifacts.appendingPathComponent("dashboard-full.png")
        try? FileManager.default.removeItem(at: shot)
        let url = "http://127.0.0.1:\(s.port)/"
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                      "--user-data-dir=\(dir.appendingPathComponent("chromium").path)"]
        let dom = try DashboardTests.run(chromium, common + ["--window-size=1440,900", "--dump-dom", url])
        XCTAssertEqual(DashboardTests.counts(dom, "data-cohort-users"), expectedUsers, "rendered DOM")
        XCTAssertEqual(Self.texts(dom, "data-effect-lift"), lifts, "rendered DOM")
        XCTAssertEqual(Self.texts(dom, "data-metric")["roc_auc"], "0.7500", "rendered DOM")
        XCTAssertEqual(DashboardTests.counts(dom, "data-persona-users"), ["1": 3, "2": 2], "rendered DOM")
        XCTAssertEqual(Self.texts(dom, "data-survival-median"), ["a": "3", "b": "6"], "rendered DOM")
        _ = try DashboardTests.run(chromium, common + ["--window-size=1440,2400", "--screenshot=\(shot.path)", url])
        let png = try Data(contentsOf: shot)
        XCTAssertGreaterThan(png.count, 20_000, "a real screenshot")
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    /// A report file that cannot be read gives a note in its section, never an error page.
    func testUnreadableReportFilesGiveNotes() throws {
        let modelPath = dir.appendingPathComponent("m.clm").path
        try ServeFixtures.model(at: modelPath)
        let reports = dir.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try "a,b\n1,2\n".write(to: reports.appendingPathComponent("evaluation.csv"), atomically: true, encoding: .utf8)
        try "group\nx\n".write(to: reports.appendingPathComponent("survival.csv"), atomically: true, encoding: .utf8)
        let s = try ServeProcess(["--model", modelPath, "--report-dir", reports.path])
        let page = try s.request("GET", "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("Cannot read evaluation.csv: needs a label column"), page.body)
        XCTAssertTrue(page.body.contains("id=\"survival\""))
        XCTAssertTrue(page.body.contains("Cannot read survival.csv"), page.body)
        XCTAssertFalse(page.body.contains("id=\"personas\""))
    }
}
