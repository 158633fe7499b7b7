import XCTest
@testable import ChurnCore

final class LedgerTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func decisions(_ asOf: Int32) throws -> RuleDecisions {
        let f = try Frame([.string("user_id", ["a", "b", "c", "d"]), .float("risk", [0.9, 0.5, 0.8, 0.1])])
        var rs = RuleSet()
        rs.tiers = Tiers(scoreColumn: "risk", thresholds: [("high", 0.7)])
        rs.rules = [Rule(name: "call", action: RuleAction(channel: "phone", cost: 3, message: "call {user_id}"), tiers: ["high"], cooldownDays: 14),
                    Rule(name: "mail", action: RuleAction(channel: "email", offer: "x, \"y\""), priority: -1)]
        return try RuleEngine.evaluate(f, rules: rs, asOf: asOf)
    }

    func testCommitIsIdempotentAndAllOrNothing() throws {
        let path = dir.appendingPathComponent("l.db").path
        let ledger = try Ledger(path: path)
        let day = Int32(DateText.days(year: 2024, month: 10, day: 1))
        let d = try decisions(day)
        // A failure inside the transaction leaves the run 'running' with no decisions.
        struct Boom: Error {}
        XCTAssertThrowsError(try ledger.commit(d, inputsSHA256: "i1", rulesSHA256: "r1", afterInserts: { throw Boom() }))
        let id = Ledger.runID(period: "2024-10-01", inputsSHA256: "i1", rulesSHA256: "r1")
        XCTAssertEqual(try ledger.run(id)?.status, "running")
        XCTAssertEqual(try ledger.decisions(run: id).count, 0)
        // The next run completes it.
        let c1 = try ledger.commit(d, inputsSHA256: "i1", rulesSHA256: "r1")
        XCTAssertEqual(c1, LedgerCommit(runID: id, inserted: 4, duplicates: 0, alreadyCommitted: false))
        XCTAssertEqual(try ledger.run(id)?.status, "committed")
        // Same inputs: nothing written.
        XCTAssertTrue(try ledger.commit(d, inputsSHA256: "i1", rulesSHA256: "r1").alreadyCommitted)
        // Different inputs, same period: every (rule, user, period) already there.
        let c3 = try ledger.commit(d, inputsSHA256: "i2", rulesSHA256: "r1")
        XCTAssertEqual(c3.inserted, 0); XCTAssertEqual(c3.duplicates, 4)
        XCTAssertEqual(try ledger.periodCounts("2024-10-01").rows, 4)
        XCTAssertEqual(try ledger.periodCounts("2024-10-01").distinct, 4)
        let rows = try ledger.decisions(run: id)
        XCTAssertEqual(rows.map(\.userID), ["a", "c", "b", "d"])
        XCTAssertEqual(rows[0].message, "call a")
        XCTAssertEqual(try ledger.runs().count, 2)

        // History feeds the cooldown: a day later 'call' is blocked for a and c, so they fall to 'mail'.
        let next = day + 1
        let h = try ledger.history(asOf: next, lookbackDays: 30)
        XCTAssertEqual(h.daysFromRuleContact("a", "call", asOf: next), 1)
        let f = try Frame([.string("user_id", ["a", "b", "c", "d"]), .float("risk", [0.9, 0.5, 0.8, 0.1])])
        let d2 = try RuleEngine.evaluate(f, rules: d.ruleSet, asOf: next, history: h)
        XCTAssertEqual((0..<d2.count).map { d2.rule($0).name }, ["mail", "mail", "mail", "mail"])
    }

    func testOutboxFormatsAndPseudonyms() throws {
        let ledger = try Ledger(path: dir.appendingPathComponent("l.db").path)
        let c = try ledger.commit(try decisions(Int32(DateText.days(year: 2024, month: 10, day: 1))), inputsSHA256: "i", rulesSHA256: "r")
        let rows = try ledger.decisions(run: c.runID)
        let csv = dir.appendingPathComponent("out.csv").path
        try Outbox.write(rows, to: csv)
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines[0], "run_id,as_of,user_id,rule,tier,channel,offer,cost,group,message,reason,action,propensity")
        XCTAssertEqual(lines[1], "\(c.runID),2024-10-01,a,call,high,phone,,3,treatment,call a,always,call,1.0")
        XCTAssertEqual(lines[3], "\(c.runID),2024-10-01,b,mail,low,email,\"x, \"\"y\"\"\",0,treatment,,always,mail,1.0")
        let jl = dir.appendingPathComponent("out.jsonl").path
        try Outbox.write(rows, to: jl, options: Outbox.Options(pseudonymizer: try Pseudonymizer(key: Array("k".utf8))))
        let first = try String(contentsOfFile: jl, encoding: .utf8).split(separator: "\n")[0]
        let obj = try JSONSerialization.jsonObject(with: Data(first.utf8)) as! [String: Any]
        XCTAssertEqual(obj["user_id"] as? String, Hex.encode(HMACSHA256.authenticate(key: Array("k".utf8), message: Array("a".utf8))))
        XCTAssertEqual(obj["cost"] as? Double, 3)
        XCTAssertNil(obj["message"], "a pseudonymised outbox carries no text rendered from user fields")
        XCTAssertFalse(FileManager.default.fileExists(atPath: jl + ".tmp"))
    }

    func testClaimsAreExclusive() throws {
        let path = dir.appendingPathComponent("l.db").path
        let a = try Ledger(path: path), b = try Ledger(path: path)
        XCTAssertTrue(try a.claim(job: "j", scheduledAt: "2024-10-01T09:00:00Z", owner: "A"))
        XCTAssertFalse(try b.claim(job: "j", scheduledAt: "2024-10-01T09:00:00Z", owner: "B"))
        XCTAssertTrue(try b.claim(job: "j", scheduledAt: "2024-10-01T10:00:00Z", owner: "B"))
        try a.finishClaim(job: "j", scheduledAt: "2024-10-01T09:00:00Z", status: "done", attempts: 1, error: nil)
        XCTAssertEqual(try b.lastClaim(job: "j"), "2024-10-01T10:00:00Z")
        XCTAssertEqual(try b.claims(job: "j").map(\.status), ["done", "running"])
        // B was "killed" while running its claim: only B's dead claim on this host is stale; taken over once.
        _ = try a.claim(job: "k", scheduledAt: "2024-10-01T10:00:00Z", owner: "otherhost:12")
        let stale = try a.staleClaims(host: "B", isAlive: { _ in false })
        XCTAssertEqual(stale.map(\.job), [])                                   // owner "B" has no pid
        _ = try a.claim(job: "k", scheduledAt: "2024-10-01T11:00:00Z", owner: "h:41")
        _ = try a.claim(job: "k", scheduledAt: "2024-10-01T12:00:00Z", owner: "h:42")
        let dead = try a.staleClaims(host: "h", isAlive: { $0 == 42 })
        XCTAssertEqual(dead.map(\.scheduledAt), ["2024-10-01T11:00:00Z"])
        XCTAssertTrue(try a.takeOver(dead[0], owner: "h:43", status: "abandoned"))
        XCTAssertFalse(try b.takeOver(dead[0], owner: "h:44", status: "running"))
        XCTAssertEqual(try a.claims(job: "k").map(\.status), ["running", "abandoned", "running"])
    }
}
