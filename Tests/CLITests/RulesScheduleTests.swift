import Foundation
import XCTest

/// `churnlab schedule`: bad jobs fail alone, two schedulers run each occurrence once,
/// malformed files are rejected with the line, SIGTERM lets the running job finish.
final class RulesScheduleTests: XCTestCase {
    func write(_ text: String, _ url: URL) throws { try text.write(to: url, atomically: true, encoding: .utf8) }

    func testBadJobsFailAloneOthersRun() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("local x = = 1", dir.appendingPathComponent("syntax.lua"))
        try write("local t = nil; return t.field", dir.appendingPathComponent("runtime.lua"))
        try write("while true do end", dir.appendingPathComponent("loop.lua"))
        try write("local t = {} ; local i = 0; while true do i = i + 1; t[i] = string.rep('x', 64) .. i end", dir.appendingPathComponent("memory.lua"))
        try write("local f = io.open(arg[1], 'w'); f:write('ok ' .. arg[2]); f:close()", dir.appendingPathComponent("good.lua"))
        let good = dir.appendingPathComponent("good.txt").path
        try write("""
            job{ name = "syntax", cron = "0 * * * *", run = "syntax.lua" }
            job{ name = "runtime", cron = "0 * * * *", run = "runtime.lua" }
            job{ name = "loop", cron = "0 * * * *", run = "loop.lua", timeout = 1 }
            job{ name = "memory", cron = "0 * * * *", run = "memory.lua", memory_limit = 16 }
            job{ name = "good", cron = "0 * * * *", run = "good.lua", args = { "\(good)", "{date}" } }
            """, dir.appendingPathComponent("s.lua"))
        let r = try CLI.run(["schedule", dir.appendingPathComponent("s.lua").path, "--once", "--now", "2024-10-01T09:00:05Z",
                             "--ledger", dir.appendingPathComponent("l.db").path])
        XCTAssertEqual(r.status, 1)
        let events = r.stderr.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        func failed(_ job: String) -> String? {
            events.first { $0["event"] as? String == "job_failed" && $0["job"] as? String == job }?["error"] as? String
        }
        XCTAssertTrue(failed("syntax")?.contains("syntax.lua:1:") ?? false, r.stderr)
        XCTAssertTrue(failed("runtime")?.contains("attempt to index a nil value") ?? false, r.stderr)
        XCTAssertTrue(failed("loop")?.contains("time limit exceeded") ?? false, r.stderr)
        XCTAssertTrue(failed("memory")?.contains("memory limit exceeded") ?? false, r.stderr)
        XCTAssertTrue(events.contains { $0["event"] as? String == "job_done" && $0["job"] as? String == "good" })
        XCTAssertEqual(try String(contentsOfFile: good, encoding: .utf8), "ok 2024-10-01")
    }

    func testTwoSchedulersRunEachOccurrenceOnce() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("runs.txt").path
        try write("local f = io.open(arg[1], 'a'); f:write(arg[2], '\\n'); f:close()", dir.appendingPathComponent("append.lua"))
        try write("""
            job{ name = "a", cron = "*/10 * * * *", run = "append.lua", args = { "\(log)", "a {time}" } }
            job{ name = "b", cron = "*/20 * * * *", run = "append.lua", args = { "\(log)", "b {time}" } }
            """, dir.appendingPathComponent("s.lua"))
        let ledger = dir.appendingPathComponent("l.db").path
        // Six ticks, ten minutes apart; at each tick two schedulers race on the same ledger.
        for k in 0..<6 {
            let now = String(format: "2024-10-01T09:%02d:05Z", k * 10)
            let group = DispatchGroup()
            let results = Results()
            for s in 0..<2 {
                group.enter()
                DispatchQueue.global().async {
                    let r = try? CLI.run(["schedule", dir.appendingPathComponent("s.lua").path, "--once", "--now", now, "--ledger", ledger])
                    results.set(s, r)
                    group.leave()
                }
            }
            group.wait()
            for r in results.all { XCTAssertEqual(r?.status, 0, r?.stderr ?? "") }
        }
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init).sorted()
        XCTAssertEqual(lines, (0..<6).map { String(format: "a 2024-10-01T09:%02d:00Z", $0 * 10) }
                              + (0..<3).map { String(format: "b 2024-10-01T09:%02d:00Z", $0 * 20) })
    }

    func testMalformedScheduleRejectedWithLine() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, String)] = [
            ("job{ name = 'ok', cron = '0 * * * *', run = 'x.lua' }\n\njob{ name = 'bad', cron = '61 * * * *', run = 'x.lua' }", "s.lua:3: job 'bad': bad cron '61 * * * *': minute value 61 is out of range 0-59"),
            ("job{ name = 'a', cron = '* * *', run = 'x.lua' }", "s.lua:1: job 'a': bad cron '* * *': expected 5 fields"),
            ("job{ name = 'a', cron = '@daily', run = 'x.lua', tz = 'Mars/Base' }", "s.lua:1: job 'a': unknown time zone 'Mars/Base'"),
            ("\njob{ name = 'a', cron = '@daily', run = 'x.lua', retires = 2 }", "s.lua:2: unknown job field 'retires'"),
            ("job{ name = 'a', cron = '@daily' }", "s.lua:1: job 'a': give exactly one of run"),
            ("job{ name = 'a', cron = '@daily', run = 'x.lua', catchup = 'always' }", "catchup must be skip or once"),
            ("job{ name = 'a', cron = '@daily', run = 'x.lua' }\njob{ name = 'a', cron = '@daily', run = 'x.lua' }", "s.lua:2: job 'a' is defined twice"),
            ("job{ name = 'a' cron = '@daily' }", "s.lua:1: '}' expected"),
        ]
        for (text, message) in cases {
            try write(text, dir.appendingPathComponent("s.lua"))
            let r = try CLI.run(["schedule", dir.appendingPathComponent("s.lua").path, "--once", "--ledger", dir.appendingPathComponent("l.db").path])
            XCTAssertEqual(r.status, 64, text)
            XCTAssertTrue(r.stderr.contains(message), "\(text)\n→ \(r.stderr)")
        }
    }

    /// `schedule --check` lists every problem of the file (one line each), not only the first.
    func testCheckReportsEveryError() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("""
            job{ name = "a", cron = "@daily", run = "missing.lua", retries = math.maxinteger }
            job{ name = "b", cron = "@daily", command = { "run", "x.lua" }, timeout = 0/0 }
            """, dir.appendingPathComponent("s.lua"))
        let r = try CLI.run(["schedule", dir.appendingPathComponent("s.lua").path, "--check", "--ledger", dir.appendingPathComponent("l.db").path])
        XCTAssertEqual(r.status, 64, r.stderr)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, r.stderr)
        XCTAssertTrue(lines[0].hasPrefix("churnlab: schedule: ") && lines[0].hasSuffix("s.lua:1: job 'a': run file '\(dir.standardizedFileURL.path)/missing.lua' does not exist"), r.stderr)
        XCTAssertTrue(lines[1].hasSuffix("s.lua:1: job 'a': 'retries' must be a whole number in 0...100, got 9223372036854775807"), r.stderr)
        XCTAssertTrue(lines[2].hasSuffix("s.lua:2: job 'b': 'timeout' must be a number in 0.001...2592000, got -nan")
                      || lines[2].hasSuffix("s.lua:2: job 'b': 'timeout' must be a number in 0.001...2592000, got nan"), r.stderr)
    }

    func testKilledSchedulersOccurrenceIsRecovered() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let started = dir.appendingPathComponent("started.txt").path
        try write("local s = io.open(arg[1], 'w'); s:write('started'); s:close(); local t = os.clock(); while os.clock() - t < 1 do end", dir.appendingPathComponent("slow.lua"))
        try write("job{ name = 'slow', cron = '0 * * * *', run = 'slow.lua', catchup = 'once', args = { '\(started)' } }", dir.appendingPathComponent("s.lua"))
        let args = ["schedule", dir.appendingPathComponent("s.lua").path, "--once", "--now", "2024-10-01T09:00:01Z",
                    "--ledger", dir.appendingPathComponent("l.db").path]
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // Kill once the job is running (a fixed sleep raced the job's start on a loaded machine).
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: started) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let r = try CLI.run(args)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("\"event\":\"claim_recovered\"") && r.stderr.contains("\"action\":\"rerun\""), r.stderr)
        XCTAssertTrue(r.stderr.contains("\"event\":\"job_done\""), r.stderr)
        // A third start finds nothing left to do.
        let again = try CLI.run(args)
        XCTAssertFalse(again.stderr.contains("job_start"), again.stderr)
    }

    func testSIGTERMLetsTheRunningJobFinish() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let done = dir.appendingPathComponent("done.txt").path
        let started = dir.appendingPathComponent("started.txt").path
        try write("local s = io.open(arg[2], 'w'); s:write('started'); s:close(); local t = os.clock(); while os.clock() - t < 1.5 do end; local f = io.open(arg[1], 'w'); f:write('done'); f:close()",
                  dir.appendingPathComponent("slow.lua"))
        try write("job{ name = 'slow', cron = '* * * * *', run = 'slow.lua', args = { '\(done)', '\(started)' } }", dir.appendingPathComponent("s.lua"))
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["schedule", dir.appendingPathComponent("s.lua").path, "--now", "2024-10-01T09:00:01Z",
                       "--ledger", dir.appendingPathComponent("l.db").path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // Signal once the job is running (a fixed sleep raced the job's start on a loaded machine).
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: started) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        kill(p.processIdentifier, SIGTERM)
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let log = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0, log)
        XCTAssertEqual(try String(contentsOfFile: done, encoding: .utf8), "done")
        let order = ["\"event\":\"signal\"", "\"event\":\"job_done\"", "\"event\":\"scheduler_stop\""].map { log.range(of: $0)?.lowerBound }
        let found = order.compactMap { $0 }
        XCTAssertEqual(found.count, 3, log)
        XCTAssertEqual(found, found.sorted(), log)
    }
}

/// Results of concurrently run processes.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [CLIResult?] = [nil, nil]
    func set(_ i: Int, _ r: CLIResult?) { lock.lock(); items[i] = r; lock.unlock() }
    var all: [CLIResult?] { lock.lock(); defer { lock.unlock() }; return items }
}
