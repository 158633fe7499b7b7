import Foundation
import XCTest

/// Two `rules run` on one ledger at once (issue 11, item 11): the cooldown and cap checks
/// and the commit are one serialized transaction, so concurrent runs — for different
/// as-of dates, started together — never contact a user twice within the cooldown.
final class RulesConcurrencyTests: XCTestCase {
    func write(_ text: String, _ url: URL) throws { try text.write(to: url, atomically: true, encoding: .utf8) }

    /// Every user is selected by the one rule; a 14-day cooldown means whichever run commits
    /// second (as-of 7 days apart) must skip every user the first contacted.
    static let rules = """
        cl.rules.rule{ name = "winback", action = { channel = "email", offer = "10%", cost = 1 }, cooldown = "14d" }
        """

    func startRun(_ dir: URL, asOf: String, outbox: String) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["rules", "run", dir.appendingPathComponent("rules.lua").path, "--users", dir.appendingPathComponent("users.csv").path,
                       "--as-of", asOf, "--ledger", dir.appendingPathComponent("l.db").path,
                       "--outbox", dir.appendingPathComponent(outbox).path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        return (p, out, err)
    }

    /// Treated user ids in an outbox (column 3; group is column 9).
    func treated(_ path: URL) throws -> [String] {
        try String(contentsOf: path, encoding: .utf8).split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return f[8] == "treatment" ? String(f[2]) : nil
        }
    }

    func testConcurrentRunsForDifferentDatesNeverDoubleContact() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let n = 200
        try write("user_id,risk\n" + (0..<n).map { "u\($0),0.5\n" }.joined(), dir.appendingPathComponent("users.csv"))
        try write(Self.rules, dir.appendingPathComponent("rules.lua"))
        for round in 0..<20 {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("l.db"))
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(at: dir.appendingPathComponent("l.db" + suffix)) }
            let a = try startRun(dir, asOf: "2024-10-01", outbox: "a.csv")
            let b = try startRun(dir, asOf: "2024-10-08", outbox: "b.csv")
            var texts: [String] = []
            for (p, out, err) in [a, b] {
                let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
                XCTAssertEqual(p.terminationStatus, 0, "round \(round): \(o)\(e)")
                texts.append(o)
            }
            let ta = try treated(dir.appendingPathComponent("a.csv")), tb = try treated(dir.appendingPathComponent("b.csv"))
            // Exactly one of the runs contacted everyone; the other was blocked by the cooldown.
            XCTAssertEqual(Set(ta).intersection(tb), [], "round \(round): users contacted by both runs")
            XCTAssertEqual(ta.count + tb.count, n, "round \(round): \(texts)")
            XCTAssertTrue(texts.contains { $0.contains("skipped \(n) cooldown") }, "round \(round): \(texts)")
        }
        let v = try CLI.run(["rules", "verify", "--ledger", dir.appendingPathComponent("l.db").path])
        XCTAssertEqual(v.stdout, "ledger ok\n", v.stderr)
    }

    /// A backfill (an earlier as-of committed after a later one) respects the later contact.
    func testBackfillRespectsLaterContactsWithinCooldown() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("user_id,risk\nu1,0.5\nu2,0.5\n", dir.appendingPathComponent("users.csv"))
        try write(Self.rules, dir.appendingPathComponent("rules.lua"))
        let later = try CLI.run(["rules", "run", dir.appendingPathComponent("rules.lua").path, "--users", dir.appendingPathComponent("users.csv").path,
                                 "--as-of", "2024-10-08", "--ledger", dir.appendingPathComponent("l.db").path])
        XCTAssertTrue(later.stdout.contains("2 decisions committed"), later.stdout + later.stderr)
        // 7 days earlier: within 14 days of the later contact → nobody.
        let early = try CLI.run(["rules", "run", dir.appendingPathComponent("rules.lua").path, "--users", dir.appendingPathComponent("users.csv").path,
                                 "--as-of", "2024-10-01", "--ledger", dir.appendingPathComponent("l.db").path])
        XCTAssertTrue(early.stdout.contains("0 decisions committed") && early.stdout.contains("skipped 2 cooldown"), early.stdout + early.stderr)
        // 14 days earlier: exactly the cooldown apart → allowed again.
        let old = try CLI.run(["rules", "run", dir.appendingPathComponent("rules.lua").path, "--users", dir.appendingPathComponent("users.csv").path,
                               "--as-of", "2024-09-24", "--ledger", dir.appendingPathComponent("l.db").path])
        XCTAssertTrue(old.stdout.contains("2 decisions committed"), old.stdout + old.stderr)
    }

    /// `--ledger ""` is a usage error (64) naming the option, never a silent temporary database.
    func testEmptyLedgerPathIsAUsageError() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("user_id,risk\nu1,0.5\n", dir.appendingPathComponent("users.csv"))
        try write(Self.rules, dir.appendingPathComponent("rules.lua"))
        for ledger in ["", ":memory:"] {
            let r = try CLI.run(["rules", "run", dir.appendingPathComponent("rules.lua").path, "--users", dir.appendingPathComponent("users.csv").path,
                                 "--as-of", "2024-10-01", "--ledger", ledger])
            XCTAssertEqual(r.status, 64, r.stdout + r.stderr)
            XCTAssertTrue(r.stderr.contains("--ledger"), r.stderr)
            XCTAssertFalse(r.stdout.contains("committed"), r.stdout)
        }
        XCTAssertEqual(try CLI.run(["rules", "history", "--ledger", ""]).status, 64)
        let s = try CLI.run(["schedule", dir.appendingPathComponent("none.toml").path, "--ledger", ""])
        XCTAssertEqual(s.status, 64, s.stderr)
        XCTAssertTrue(s.stderr.contains("ledger path is empty"), s.stderr)
    }
}
