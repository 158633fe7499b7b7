import Foundation
import XCTest

/// Issue 11 item 10: resource limits outside their documented ranges are usage
/// errors (exit 64, message naming the flag and the range), never a trap
/// (`run --memory-limit 1e20` used to die with SIGILL, rc 132).
final class LimitRangeTests: XCTestCase {
    func expectUsageError(_ args: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLI.run(args, env: ["SWIFT_BACKTRACE": "enable=no"])
        XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)", file: file, line: line)
    }

    func testRunRejectsOutOfRangeLimits() throws {
        try expectUsageError(["run", "--memory-limit", "1e20", "-e", "print(1)"],
                             "--memory-limit must be a number in (0, 16777216] (megabytes), got 1e+20")
        try expectUsageError(["run", "--memory-limit", "nan", "-e", "print(1)"], "--memory-limit must be a number in (0, 16777216] (megabytes), got nan")
        try expectUsageError(["run", "--memory-limit", "0", "-e", "print(1)"], "--memory-limit must be a number in (0, 16777216]")
        try expectUsageError(["run", "--timeout", "nan", "-e", "print(1)"], "--timeout must be a number in (0, 31536000] (seconds), got nan")
        try expectUsageError(["run", "--timeout", "1e300", "-e", "print(1)"], "--timeout must be a number in (0, 31536000] (seconds), got 1e+300")
        try expectUsageError(["run", "--timeout", "inf", "-e", "print(1)"], "--timeout must be a number in (0, 31536000] (seconds), got inf")
    }

    func testLimitsAtTheTopOfTheRangeWork() throws {
        let r = try CLI.run(["run", "--timeout", "31536000", "--memory-limit", "16777216", "-e", "print(1 + 1)"],
                            env: ["SWIFT_BACKTRACE": "enable=no"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "2\n")
    }

    func testOtherNumericFlagsAreRangeChecked() throws {
        try expectUsageError(["test", "--timeout", "nan", "x_test.lua"], "--timeout must be a number in (0, 31536000] (seconds), got nan")
        try expectUsageError(["schedule", "s.lua", "--grace", "inf"], "--grace must be a number in [0, 31536000] (seconds), got inf")
        try expectUsageError(["rules", "effect", "r1", "--outcomes", "o.csv", "--level", "nan"], "--level must be a number in (0, 1), got nan")
    }

    func testNotebookAndRulesCheckTheSameRanges() throws {
        try expectUsageError(["notebook", "run", "x.ipynb", "--timeout", "1e300"], "--timeout must be a number in (0, 31536000] (seconds), got 1e+300")
        try expectUsageError(["rules", "run", "r.lua", "--users", "u.csv", "--as-of", "2024-06-01", "--memory-limit", "1e20"],
                             "--memory-limit must be a number in (0, 16777216] (megabytes), got 1e+20")
    }
}
