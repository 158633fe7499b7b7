import ChurnCore
import ChurnServe
import Foundation
import XCTest

/// The dashboard at `/` over real HTTP and in headless Chromium: tier counts
/// equal the per-user risk route's tiers, decision counts equal the ledger's,
/// and a screenshot of the page is kept under `.build/artifacts/serve-dashboard/`.
final class DashboardTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try ServeFixtures.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    static var repo: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    /// `data-<attr>="key">N<` occurrences of an HTML text: key → sum of N.
    static func counts(_ html: String, _ attr: String) -> [String: Int] {
        var out: [String: Int] = [:]
        let re = try! NSRegularExpression(pattern: "\(attr)=\"([^\"]*)\"[^>]*>(\\d+)<")
        for m in re.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            out[String(html[Range(m.range(at: 1), in: html)!]), default: 0] += Int(html[Range(m.range(at: 2), in: html)!])!
        }
        return out
    }

    func testDashboardTiersMatchRiskAndDecisionsMatchTheLedger() throws {
        let modelPath = dir.appendingPathComponent("m.clm").path
        try ServeFixtures.model(at: modelPath)
        // A ledger with one committed run (two rules, 12 users).
        let ledgerPath = dir.appendingPathComponent("ledger.db").path
        let users = (0..<24).map { "user\($0)" }
        do {
            let ledger = try Ledger(path: ledgerPath)
            let f = try Frame([.string("user_id", Array(users.prefix(12)))])
            var rs = RuleSet()
            rs.rules = [Rule(name: "winback_email", action: RuleAction(channel: "email")), Rule(name: "call", action: RuleAction(channel: "phone"))]
            let asOf = Int32(DateText.days(year: 2026, month: 11, day: 30))
            _ = try ledger.commit(period: DateText.format(days: asOf), asOf: asOf, lookbackDays: 0, inputsSHA256: "i", rulesSHA256: "r") { h in
                try RuleEngine.evaluate(f, rules: rs, asOf: asOf, history: h)
            }
        }
        let t = try ServeFixtures.token(in: dir)
        let s = try ServeProcess(["--model", modelPath, "--token-file", t.path, "--ledger", ledgerPath])
        // Events for 24 users: 1 to 24 logins over the last weeks (seeded), so risks differ.
        let now = Int64(Date().timeIntervalSince1970 * 1e6), day = TimeUnit.microsPerDay
        var rng = SplitMix(21)
        var ev: [String] = []
        for (k, u) in users.enumerated() {
            for _ in 0...k {
                let back = Double(rng.next() % 40_000) / 1000 + 0.01
                ev.append("{\"user\": \"\(u)\", \"type\": \"login\", \"time\": \"\(DateText.format(micros: now - Int64(back * Double(day))))\"}")
            }
        }
        let post = try s.request("POST", "/v1/events", json: "{\"events\": [\(ev.joined(separator: ","))]}", token: t.token)
        XCTAssertEqual(post.status, 200, post.body)

        let page = try s.request("GET", "/")
        XCTAssertEqual(page.status, 200, page.body)
        XCTAssertTrue(page.body.contains("<svg"), "charts are inline SVG")
        XCTAssertFalse(page.body.contains("<script"), "no JavaScript")
        // Tier counts: each user's tier from GET /v1/users/{id}/risk.
        var expected: [String: Int] = ["high": 0, "medium": 0, "low": 0]
        var probability: [String: Double] = [:]
        for u in users {
            let r = try s.request("GET", "/v1/users/\(u)/risk", token: t.token)
            XCTAssertEqual(r.status, 200, r.body)
            expected[r.object["tier"] as! String, default: 0] += 1
            probability[u] = r.object["probability"] as? Double
        }
        XCTAssertEqual(Self.counts(page.body, "data-risk-tier"), expected)
        // Most at risk: ten users, each with the risk route's probability (3 decimals; the page is a moment
        // earlier, recency moves it by far less), none below a user left out.
        let top = DashboardSectionsTests.texts(page.body, "data-top-user")
        XCTAssertEqual(top.count, 10)
        let floor = top.values.compactMap(Double.init).min() ?? 1
        for (u, text) in top { XCTAssertEqual(Double(text)!, probability[u]!, accuracy: 0.0015, u) }
        for (u, p) in probability where top[u] == nil { XCTAssertLessThanOrEqual(p, floor + 0.0015, u) }
        XCTAssertEqual(expected.values.reduce(0, +), 24)
        // Decision counts by rule: the ledger's.
        let ledger = try Ledger(path: ledgerPath)
        let run = try XCTUnwrap(try ledger.runs().first)
        var byRule: [String: Int] = [:]
        for d in try ledger.decisions(run: run.runID) { byRule[d.rule, default: 0] += 1 }
        XCTAssertEqual(Self.counts(page.body, "data-decisions-rule"), byRule)
        XCTAssertEqual(Self.counts(page.body, "data-run-decisions"), [run.runID: run.decisions])

        // Headless Chromium: the rendered DOM carries the same counts; a screenshot is kept.
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("chromium is not installed (scripts/test installs it: apt-get install -y chromium)")
        }
        let artifacts = Self.repo.appendingPathComponent(".build/artifacts/serve-dashboard")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let shot = artifacts.appendingPathComponent("dashboard.png")
        try? FileManager.default.removeItem(at: shot)
        let url = "http://127.0.0.1:\(s.port)/"
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                      "--user-data-dir=\(dir.appendingPathComponent("chromium").path)", "--window-size=1280,1600"]
        let dom = try Self.run(chromium, common + ["--dump-dom", url])
        XCTAssertEqual(Self.counts(dom, "data-risk-tier"), expected, "rendered DOM")
        XCTAssertEqual(Self.counts(dom, "data-decisions-rule"), byRule, "rendered DOM")
        XCTAssertEqual(DashboardSectionsTests.texts(dom, "data-top-user"), top, "rendered DOM")
        _ = try Self.run(chromium, common + ["--screenshot=\(shot.path)", url])
        let png = try Data(contentsOf: shot)
        XCTAssertGreaterThan(png.count, 10_000, "a real screenshot")
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    /// Score now → act now: `GET /v1/scores` is the users table of `churnlab rules run`, whose
    /// decisions go through the exactly-once ledger (a second run writes nothing), and the
    /// dashboard then shows them; decisions per tier equal the server's tiers.
    func testScoresFeedARuleRunExactlyOnce() throws {
        let modelPath = dir.appendingPathComponent("m.clm").path
        try ServeFixtures.model(at: modelPath)
        let ledgerPath = dir.appendingPathComponent("ledger.db").path
        _ = try Ledger(path: ledgerPath)
        let t = try ServeFixtures.token(in: dir)
        let s = try ServeProcess(["--model", modelPath, "--token-file", t.path, "--ledger", ledgerPath])
        let now = Int64(Date().timeIntervalSince1970 * 1e6), day = TimeUnit.microsPerDay
        var rng = SplitMix(22)
        var ev: [String] = []
        for k in 0..<30 {
            for _ in 0...(k % 12) {
                let back = Double(rng.next() % 45_000) / 1000 + 0.01
                ev.append("{\"user\": \"c\(k)\", \"type\": \"login\", \"time\": \"\(DateText.format(micros: now - Int64(back * Double(day))))\"}")
            }
        }
        XCTAssertEqual(try s.request("POST", "/v1/events", json: "{\"events\": [\(ev.joined(separator: ","))]}", token: t.token).status, 200)
        XCTAssertEqual(try s.request("GET", "/v1/scores").status, 401)
        let csv = try s.request("GET", "/v1/scores", token: t.token)
        XCTAssertEqual(csv.status, 200, csv.body)
        let lines = csv.body.split(separator: "\n")
        XCTAssertTrue(lines[0].hasPrefix("user_id,probability,tier,"), String(lines[0]))
        XCTAssertEqual(lines.count, 31)
        var tiers: [String: Int] = [:]
        for l in lines.dropFirst() {
            let f = l.split(separator: ",", omittingEmptySubsequences: false)
            // Each row's probability is the risk route's for that user (same moment up to the clock: tiers compared).
            tiers[String(f[2]), default: 0] += 1
        }
        let users = dir.appendingPathComponent("users.csv")
        try csv.body.write(to: users, atomically: true, encoding: .utf8)
        let rules = dir.appendingPathComponent("rules.lua")
        try """
            cl.rules.tiers{ score = "probability", high = 0.7, medium = 0.4 }
            cl.rules.rule{ name = "save_offer", tier = { "high", "medium" }, action = { channel = "email", offer = "10%", cost = 1 } }
            """.write(to: rules, atomically: true, encoding: .utf8)
        let asOf = DateText.format(days: Int32(now / day))
        let args = ["rules", "run", rules.path, "--users", users.path, "--as-of", asOf, "--ledger", ledgerPath]
        let first = try Self.runStatus(ServeProcess.binary.path, args)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.output.contains("decisions committed"), first.output)
        let second = try Self.runStatus(ServeProcess.binary.path, args)
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("already committed"), second.output)
        let ledger = try Ledger(path: ledgerPath)
        let run = try XCTUnwrap(try ledger.runs().first)
        var byTier: [String: Int] = [:]
        for d in try ledger.decisions(run: run.runID) { byTier[d.tier, default: 0] += 1 }
        XCTAssertEqual(byTier["high"] ?? 0, tiers["high"] ?? 0)
        XCTAssertEqual(byTier["medium"] ?? 0, tiers["medium"] ?? 0)
        XCTAssertEqual(byTier.values.reduce(0, +), (tiers["high"] ?? 0) + (tiers["medium"] ?? 0))
        XCTAssertGreaterThan(byTier.values.reduce(0, +), 0)
        let page = try s.request("GET", "/")
        XCTAssertEqual(Self.counts(page.body, "data-decisions-tier"), byTier)
    }

    static func runStatus(_ path: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testDashboardWithoutEventsOrLedgerSaysSo() throws {
        let modelPath = dir.appendingPathComponent("m.clm").path
        try ServeFixtures.model(at: modelPath)
        let s = try ServeProcess(["--model", modelPath])
        let page = try s.request("GET", "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("No events yet"), page.body)
        XCTAssertFalse(page.body.contains("id=\"rules\""))
    }

    /// Runs a program to its end; its stdout.
    static func run(_ path: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
