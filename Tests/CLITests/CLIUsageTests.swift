import Foundation
import XCTest

/// Issue 12, defect 6 (the CLI part): exit codes and argument parsing that misled.
/// The exit codes are the README's table: 64 bad usage, 66 missing input.
final class CLIUsageTests: XCTestCase {
    func testHelpForAnUnknownTopicIsAUsageError() throws {
        let r = try CLI.run(["help", "nosuch"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("no help topic 'nosuch'") && r.stderr.contains("schedule"), r.stderr)
        let nested = try CLI.run(["help", "kernel", "nosuch"])
        XCTAssertEqual(nested.status, 64, nested.stderr)
        XCTAssertTrue(nested.stderr.contains("'nosuch'") && nested.stderr.contains("install"), nested.stderr)
        for topic in [["help"], ["help", "run"], ["help", "kernel", "install"], ["help", "help"]] {
            let ok = try CLI.run(topic)
            XCTAssertEqual(ok.status, 0, "\(topic): \(ok.stderr)")
            XCTAssertTrue(ok.stdout.contains("USAGE"), "\(topic): \(ok.stdout)")
        }
    }

    func testEverySubcommandHasHelp() throws {
        let commands = [["run"], ["repl"], ["test"], ["simulate"], ["rules"], ["rules", "run"], ["rules", "history"], ["rules", "show"], ["rules", "effect"], ["schedule"], ["notebook"],
                        ["kernel"], ["kernel", "install"], ["verify"]]
        for c in commands {
            let r = try CLI.run(c + ["--help"])
            XCTAssertEqual(r.status, 0, "\(c) --help: \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("USAGE: churnlab \(c.joined(separator: " "))"), "\(c) --help: \(r.stdout.prefix(300))")
        }
    }

    func testScheduleOnAMissingFileIsMissingInput() throws {
        let dir = try CLI.tempDir()
        let r = try CLI.run(["schedule", dir.appendingPathComponent("nope.lua").path, "--check"])
        XCTAssertEqual(r.status, 66, r.stderr)
        XCTAssertTrue(r.stderr.contains("nope.lua") && r.stderr.contains("no such file"), r.stderr)
    }

    func testScheduleCheckReportsMissingJobFilesAndEveryError() throws {
        let dir = try CLI.tempDir()
        try """
            job{ name = "a", cron = "0 6 * * *", run = "missing.lua" }
            job{ name = "b", cron = "61 * * * *", run = "also_missing.lua" }
            """.write(to: dir.appendingPathComponent("s.lua"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["schedule", dir.appendingPathComponent("s.lua").path, "--check", "--ledger", dir.appendingPathComponent("l.db").path])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("missing.lua' does not exist"), r.stderr)
        XCTAssertTrue(r.stderr.contains("also_missing.lua' does not exist"), r.stderr)
        XCTAssertTrue(r.stderr.contains("s.lua:2: job 'b'") && r.stderr.contains("61"), r.stderr)
    }

    func testNegativeNumbersAfterFlagsAreValues() throws {
        // Parsed as the option's value, then range-checked (before: "Missing value for '--timeout'").
        let r = try CLI.run(["run", "--timeout", "-0.5", "-e", "print(1)"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("timeout") && r.stderr.contains("-0.5"), r.stderr)
        XCTAssertFalse(r.stderr.contains("Missing value"), r.stderr)
        let g = try CLI.run(["schedule", "x.lua", "--grace", "-5", "--check"])
        XCTAssertEqual(g.status, 64, g.stderr)
        XCTAssertTrue(g.stderr.contains("--grace must be") && g.stderr.contains("-5"), g.stderr)
        let lvl = try CLI.run(["rules", "effect", "--level", "-0.5", "--help"])
        XCTAssertFalse(lvl.stderr.contains("Missing value"), lvl.stderr)
    }

    func testRunCodeWithArgumentsAfterDoubleDash() throws {
        let r = try CLI.run(["run", "-e", "print(#arg, arg[1], arg[2], select('#', ...), ...)", "--", "a", "-b"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "2\ta\t-b\t2\ta\t-b\n")
        // A script after -e still gets its own arguments.
        let dir = try CLI.tempDir()
        let s = dir.appendingPathComponent("s.lua")
        try "print(...)".write(to: s, atomically: true, encoding: .utf8)
        let withScript = try CLI.run(["run", "-e", "x = 1", s.path, "p", "q"])
        XCTAssertEqual(withScript.stdout, "p\tq\n", withScript.stderr)
    }
}
