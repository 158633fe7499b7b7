import Foundation
import XCTest

final class ReplCommandTests: XCTestCase {
    func testPipedExpressionPrintsValue() throws {
        let r = try CLI.run(["repl"], stdin: "1+1\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "2\n")
    }

    func testMultiLineStatementsTablesAndErrors() throws {
        let input = """
            t = {1, 2, {a = 'x'}}
            t.self = t
            t
            function f(x)
              return x * 10
            end
            f(4)
            error('oops')
            'still here', 3.0
            cl.frame{a = {1}}
            """
        let r = try CLI.run(["repl"], stdin: input + "\n")
        XCTAssertEqual(r.stdout, """
            {1, 2, {a = "x"}, self = <cycle>}
            40
            "still here"\t3.0
            a
            int
              1
            [1 row × 1 column]

            """)
        XCTAssertTrue(r.stderr.contains("stdin:1: oops"), r.stderr)
        XCTAssertEqual(r.status, 1)   // piped sessions report errors in the exit code
    }

    func testUnfinishedStatementAtEOF() throws {
        let r = try CLI.run(["repl"], stdin: "for i = 1, 3 do\n")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("unfinished statement"))
    }
}

final class TestCommandTests: XCTestCase {
    func testCountsAndReportsFailures() throws {
        let dir = try CLI.tempDir()
        try """
            local T = cl.test
            T.case("passes", function() T.eq(1 + 1, 2) end)
            T.case("fails", function()
              T.eq({1, 2}, {1, 3})
            end)
            """.write(to: dir.appendingPathComponent("demo_test.lua"), atomically: true, encoding: .utf8)
        try "not a test".write(to: dir.appendingPathComponent("ignored.lua"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["test", dir.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("FAIL fails"), r.stdout)
        XCTAssertTrue(r.stdout.contains("demo_test.lua:4: expected {1, 3}, got {1, 2}"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("1 passed, 1 failed\n"), r.stdout)
    }

    func testErrorOutsideCaseCountsAsFailure() throws {
        let dir = try CLI.tempDir()
        try "cl.test.case('ok', function() end)\nlocal x = nil + 1\n"
            .write(to: dir.appendingPathComponent("broken_test.lua"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["test", dir.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("ERROR (outside a test case)"))
        XCTAssertTrue(r.stdout.hasSuffix("1 passed, 1 failed\n"), r.stdout)
    }

    func testAllPassingExitsZero() throws {
        let dir = try CLI.tempDir()
        try "cl.test.case('a', function() cl.test.near(0.1 + 0.2, 0.3, 1e-12) end)"
            .write(to: dir.appendingPathComponent("a_test.lua"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["test", dir.path])
        XCTAssertEqual(r.status, 0, r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("1 passed, 0 failed\n"))
        XCTAssertEqual(try CLI.run(["test", "/nonexistent"]).status, 66)
    }
}
