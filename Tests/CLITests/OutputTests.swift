import Foundation
import XCTest

/// Output a user reads later or through a pipe: scheduler job logs are kept (with rotation)
/// and named in the JSON log and `schedule --status`; GBDT progress arrives line by line.
final class OutputTests: XCTestCase {
    func write(_ text: String, _ url: URL) throws { try text.write(to: url, atomically: true, encoding: .utf8) }

    func testSchedulerKeepsPerJobLogsWithRotation() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Prints, then fails on the first attempt and succeeds on the retry (a marker file).
        try write("""
            local marker = arg[1]
            print("hello from " .. arg[2])
            local f = io.open(marker, "r")
            if not f then io.open(marker, "w"):close(); error("first attempt fails") end
            f:close(); os.remove(marker)
            """, dir.appendingPathComponent("flaky.lua"))
        try write("""
            job{ name = "flaky job", cron = "0 * * * *", run = "flaky.lua", args = { "\(dir.appendingPathComponent("m").path)", "{time}" },
                 retries = 1, backoff = 0, sandbox = false }
            """, dir.appendingPathComponent("s.lua"))
        let ledger = dir.appendingPathComponent("l.db").path
        func tick(_ hour: Int, keep: Int = 2) throws -> CLIResult {
            try CLI.run(["schedule", dir.appendingPathComponent("s.lua").path, "--once", "--now", String(format: "2024-10-01T%02d:00:05Z", hour),
                         "--ledger", ledger, "--keep-logs", String(keep)])
        }
        let r = try tick(9)
        XCTAssertEqual(r.status, 0, r.stderr)
        let logDir = dir.appendingPathComponent("logs/flaky_job").path       // next to the ledger; the name made path-safe
        let log = logDir + "/20241001T090000Z.log"
        let text = try String(contentsOfFile: log, encoding: .utf8)
        // Both attempts' output is in the one occurrence log, each under its header.
        XCTAssertEqual(text.components(separatedBy: "hello from 2024-10-01T09:00:00Z").count, 3, text)
        XCTAssertTrue(text.contains("== attempt 1 at ") && text.contains("== attempt 2 at ") && text.contains("first attempt fails"), text)
        // The JSON log names the file on start, failure and success.
        let events = r.stderr.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        for e in ["job_start", "job_failed", "job_done"] {
            XCTAssertTrue(events.contains { $0["event"] as? String == e && $0["log"] as? String == log }, "\(e): \(r.stderr)")
        }
        // Rotation: three more occurrences with --keep-logs 2 leave the two newest.
        for h in 10...12 { XCTAssertEqual(try tick(h).status, 0) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: logDir).sorted(), ["20241001T110000Z.log", "20241001T120000Z.log"])
        // --status lists the occurrences and the logs that still exist.
        let st = try CLI.run(["schedule", dir.appendingPathComponent("s.lua").path, "--status", "--ledger", ledger])
        XCTAssertEqual(st.status, 0, st.stderr)
        XCTAssertTrue(st.stdout.contains("2024-10-01T12:00:00Z  done  attempts 2  log \(logDir)/20241001T120000Z.log"), st.stdout)
        XCTAssertTrue(st.stdout.contains("2024-10-01T09:00:00Z  done  attempts 2\n"), st.stdout)   // rotated away: no log shown
        XCTAssertEqual(try CLI.run(["schedule", dir.appendingPathComponent("s.lua").path, "--keep-logs", "0", "--ledger", ledger]).status, 64)
    }

    /// GBDT progress through a pipe arrives while the script is still running (it used to sit in
    /// the block buffer until exit).
    func testGBDTVerboseIsLineBufferedThroughAPipe() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("""
            local n = 200
            local x, y = {}, {}
            for i = 1, n do x[i] = i / n; y[i] = (i % 3 == 0) and 1 or 0 end
            local df = cl.frame{ x = x, y = y }
            cl.model.gbdt{ trees = 3, verbose = 1 }:fit(df, { target = "y" })
            local t = cl.clock()
            while cl.clock() - t < 4 do end     -- keep running after the fit
            """, dir.appendingPathComponent("fit.lua"))
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["run", dir.appendingPathComponent("fit.lua").path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) }; p.waitUntilExit() }
        let lines = LinesReader()
        pipe.fileHandleForReading.readabilityHandler = { h in lines.append(h.availableData) }
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline && !lines.text.contains("[3/3]") { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertTrue(p.isRunning, "the script should still be running")
        XCTAssertTrue(lines.text.contains("[1/3] train logloss") && lines.text.contains("[3/3] train logloss"), lines.text)
        pipe.fileHandleForReading.readabilityHandler = nil
    }
}

final class LinesReader: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ d: Data) { lock.lock(); data += d; lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}
