import ChurnCore
import Foundation
import XCTest
@testable import ChurnFiles

/// Schedule files: every problem of a file reported at once (with its line),
/// numbers range-checked before the scheduler computes with them (the attack
/// on issue 11 trapped with `retries = math.maxinteger`), missing job files
/// are errors, and no way to load a binary Lua chunk.
final class ScheduleFileTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sched-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "print('ok')".write(to: dir.appendingPathComponent("ok.lua"), atomically: true, encoding: .utf8)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func errors(_ text: String) throws -> [String] {
        let path = dir.appendingPathComponent("s.lua").path
        do { _ = try ScheduleFile.parse(text, path: path, ledgerPath: "/l.db"); return [] }
        catch let e as ScheduleFileErrors { return e.errors.map { $0.description.replacingOccurrences(of: dir.path + "/", with: "") } }
    }

    func testEveryErrorOfTheFileIsReported() throws {
        let text = """
            job{ name = "a", cron = "@daily", run = "missing.lua", retries = math.maxinteger }
            job{ name = "b", cron = "@daily", run = "ok.lua", timeout = -1, backoff = 1e300 }
            job{ name = "c", cron = "@daily", run = "ok.lua", timeout = math.huge, memory_limit = 0, retries = 1.5 }
            job{ name = "d", cron = "@daily", command = { "run", 5, true } }
            job{ name = "e", cron = 5, tz = "Mars/Base", run = "ok.lua", sandbox = "yes", catchup = "never" }
            job{ name = 7, cron = "@daily", run = "ok.lua", bogus = 1 }
            job{ name = "a\\0b", cron = "@daily", run = "ok.lua" }
            job{ name = "b", cron = "@daily", run = "ok.lua" }
            job{ name = "f", cron = "@daily", rules = "ok.lua", users = "nope.csv", script = "ok.lua" }
            """
        XCTAssertEqual(try errors(text), [
            "s.lua:1: job 'a': run file 'missing.lua' does not exist",
            "s.lua:1: job 'a': 'retries' must be a whole number in 0...100, got 9223372036854775807",
            "s.lua:2: job 'b': 'timeout' must be a number in 0.001...2592000, got -1",
            "s.lua:2: job 'b': 'backoff' must be a number in 0...86400, got 1e+300",
            "s.lua:3: job 'c': 'timeout' must be a number in 0.001...2592000, got inf",
            "s.lua:3: job 'c': 'memory_limit' must be a number in 1...1048576, got 0",
            "s.lua:3: job 'c': 'retries' must be a whole number in 0...100, got 1.5",
            "s.lua:4: job 'd': 'command'[3] must be a string, got boolean",
            "s.lua:5: job 'e': 'cron' must be a string, got number",
            "s.lua:5: job 'e': unknown time zone 'Mars/Base'",
            "s.lua:5: job 'e': catchup must be skip or once, got 'never'",
            "s.lua:5: job 'e': 'sandbox' must be true or false",
            "s.lua:6: unknown job field 'bogus'",
            "s.lua:6: 'name' must be a string, got number",
            "s.lua:7: 'name' contains a NUL byte",
            "s.lua:8: job 'b' is defined twice",
            "s.lua:9: job 'f': rules jobs need users = CSV or script = PIPELINE",
            "s.lua:9: job 'f': users file 'nope.csv' does not exist",
        ])
    }

    func testValidFileLoads() throws {
        let path = dir.appendingPathComponent("s.lua").path
        let jobs = try ScheduleFile.parse("""
            job{ name = "nightly", cron = "0 6 * * *", tz = "Europe/Berlin", run = "ok.lua", args = { "{date}", 3 },
                 timeout = 600, memory_limit = 512, retries = 2, backoff = 30, catchup = "once" }
            job{ name = "raw", cron = "@daily", command = { "run", "x.lua" }, sandbox = false }
            """, path: path, ledgerPath: "/l.db")
        XCTAssertEqual(jobs.map(\.name), ["nightly", "raw"])
        XCTAssertEqual(jobs[0].arguments, ["run", dir.standardizedFileURL.path + "/ok.lua", "{date}", "3"])
        XCTAssertEqual(jobs[0].retries, 2)
        XCTAssertEqual(jobs[0].timeout, 600)
        XCTAssertEqual(jobs[0].line, 1)
        XCTAssertEqual(jobs[1].line, 3)
        XCTAssertFalse(jobs[1].sandbox)
    }

    /// Binary chunks can crash the Lua VM (its bytecode is not verified), so the
    /// schedule state loads text only and has no `string.dump`.
    func testBinaryChunksCannotBeLoaded() throws {
        XCTAssertEqual(try errors("assert(load('\\27LuaT\\0'))"),
                       ["s.lua:1: attempt to load a binary chunk (mode is 't')"])
        XCTAssertEqual(try errors("local f = string.dump"), ["s.lua:0: no jobs (add job{ name = ..., cron = ..., ... })"])
        XCTAssertEqual(try errors("string.dump(print)"), ["s.lua:1: attempt to call a nil value (field 'dump')"])
        // Text chunks still load, with the globals when no env is given.
        let path = dir.appendingPathComponent("s.lua").path
        let jobs = try ScheduleFile.parse("load('job{ name = \"x\", cron = \"@daily\", run = \"ok.lua\" }')()", path: path, ledgerPath: "/l.db")
        XCTAssertEqual(jobs.map(\.name), ["x"])
    }

    func testFileLevelErrors() throws {
        XCTAssertEqual(try errors(""), ["s.lua:0: no jobs (add job{ name = ..., cron = ..., ... })"])
        XCTAssertEqual(try errors("job(5)"), ["s.lua:1: job{...} expects a table, got number"])
        XCTAssertThrowsError(try ScheduleFile.load(dir.path, ledgerPath: "/l.db")) {
            XCTAssertEqual("\($0)", "\(self.dir.path):0: cannot open the schedule file")
        }
    }
}
