import ChurnCore
import Foundation
import XCTest

/// `churnlab schedule --source serve`: a rules job without a users file reads the
/// running server's fresh scores (GET /v1/scores) at each occurrence, and its
/// decisions go through the exactly-once ledger: a later occurrence of the same
/// period over the same state adds no decision.
final class ScheduleServeTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try ServeFixtures.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testScheduledRulesActOnTheServersStateExactlyOnce() throws {
        let modelPath = dir.appendingPathComponent("m.clm").path
        try ServeFixtures.model(at: modelPath)
        let t = try ServeFixtures.token(in: dir)
        let s = try ServeProcess(["--model", modelPath, "--token-file", t.path])
        let now = Int64(Date().timeIntervalSince1970 * 1e6), day = TimeUnit.microsPerDay
        var rng = SplitMix(23)
        var ev: [String] = []
        for k in 0..<30 {
            for _ in 0...(k % 12) {
                let back = Double(rng.next() % 45_000) / 1000 + 0.01
                ev.append("{\"user\": \"s\(k)\", \"type\": \"login\", \"time\": \"\(DateText.format(micros: now - Int64(back * Double(day))))\"}")
            }
        }
        XCTAssertEqual(try s.request("POST", "/v1/events", json: "{\"events\": [\(ev.joined(separator: ","))]}", token: t.token).status, 200)

        try """
            cl.rules.tiers{ score = "probability", high = 0.7, medium = 0.4 }
            cl.rules.rule{ name = "save_offer", tier = { "high", "medium" }, action = { channel = "email", offer = "10%", cost = 1 } }
            """.write(to: dir.appendingPathComponent("rules.lua"), atomically: true, encoding: .utf8)
        let schedule = dir.appendingPathComponent("schedule.lua")
        try #"job{ name = "act_now", cron = "* * * * *", rules = "rules.lua" }"#.write(to: schedule, atomically: true, encoding: .utf8)
        let ledgerPath = dir.appendingPathComponent("ledger.db").path
        let minute = (Date().timeIntervalSince1970 / 60).rounded(.down) * 60
        func runSchedule(at t0: Double, token: String) throws -> (status: Int32, output: String) {
            try DashboardTests.runStatus(ServeProcess.binary.path, [
                "schedule", schedule.path, "--once", "--now", ScheduleClock.iso(Date(timeIntervalSince1970: t0)), "--ledger", ledgerPath,
                "--source", "serve", "--server", "http://127.0.0.1:\(s.port)", "--token-file", token])
        }
        // Without --source serve the job is refused (no users file).
        let refused = try DashboardTests.runStatus(ServeProcess.binary.path, ["schedule", schedule.path, "--check", "--ledger", ledgerPath])
        XCTAssertEqual(refused.status, 64, refused.output)
        XCTAssertTrue(refused.output.contains("--source serve"), refused.output)

        let first = try runSchedule(at: minute, token: t.path)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.output.contains("scores_fetched"), first.output)
        // The users table the run read is kept beside the job's log: the server's 30 users.
        let jobDir = dir.appendingPathComponent("logs/act_now")
        let kept = try FileManager.default.contentsOfDirectory(atPath: jobDir.path).filter { $0.hasSuffix(".users.csv") }
        XCTAssertEqual(kept.count, 1)
        let table = try String(contentsOf: jobDir.appendingPathComponent(kept[0]), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(table.count, 31)
        XCTAssertTrue(table[0].hasPrefix("user_id,probability,tier,"))
        var tiers: [String: Int] = [:]
        for l in table.dropFirst() { tiers[String(l.split(separator: ",", omittingEmptySubsequences: false)[2]), default: 0] += 1 }

        let ledger = try Ledger(path: ledgerPath)
        let runs = try ledger.runs()
        XCTAssertEqual(runs.count, 1)
        var byTier: [String: Int] = [:]
        for d in try ledger.decisions(run: runs[0].runID) { byTier[d.tier, default: 0] += 1 }
        XCTAssertEqual(byTier["high"] ?? 0, tiers["high"] ?? 0)
        XCTAssertEqual(byTier["medium"] ?? 0, tiers["medium"] ?? 0)
        let decided = byTier.values.reduce(0, +)
        XCTAssertEqual(decided, (tiers["high"] ?? 0) + (tiers["medium"] ?? 0))
        XCTAssertGreaterThan(decided, 0)

        // The next minute's occurrence (same daily period, same state): fresh scores, no new decision.
        let second = try runSchedule(at: minute + 60, token: t.path)
        XCTAssertEqual(second.status, 0, second.output)
        let period = runs[0].period
        let counts = try ledger.periodCounts(period)
        XCTAssertEqual(counts.distinct, decided)
        XCTAssertEqual(counts.rows, decided, "no decision written twice")
        XCTAssertEqual(try ledger.verify(), [])

        // A wrong token: the occurrence fails with the server's 401, and nothing is written.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("bad"), withIntermediateDirectories: true)
        let bad = try ServeFixtures.token(in: dir.appendingPathComponent("bad"), "wrong-token-wrong-token-0000")
        let third = try runSchedule(at: minute + 120, token: bad.path)
        XCTAssertEqual(third.status, 1, third.output)
        XCTAssertTrue(third.output.contains("answered 401"), third.output)
        XCTAssertEqual(try ledger.periodCounts(period).rows, decided)
    }
}
