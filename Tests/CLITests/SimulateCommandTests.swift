import Foundation
import XCTest

final class SimulateCommandTests: XCTestCase {
    func testWritesThreeFilesDeterministically() throws {
        let a = try CLI.tempDir(), b = try CLI.tempDir(), c = try CLI.tempDir()
        for (dir, seed) in [(a, "5"), (b, "5"), (c, "6")] {
            let r = try CLI.run(["simulate", "--users", "300", "--days", "90", "--seed", seed, "--out", dir.path])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        for name in ["users.csv", "subscriptions.csv", "events.csv", "courses.csv", "interactions.csv"] {
            let x = try Data(contentsOf: a.appendingPathComponent(name))
            XCTAssertGreaterThan(x.count, 100, name)
            XCTAssertEqual(x, try Data(contentsOf: b.appendingPathComponent(name)), "same seed, same bytes: \(name)")
        }
        XCTAssertNotEqual(try Data(contentsOf: a.appendingPathComponent("events.csv")),
                          try Data(contentsOf: c.appendingPathComponent("events.csv")))
        let header = try String(contentsOf: a.appendingPathComponent("events.csv"), encoding: .utf8).split(separator: "\n").first
        XCTAssertEqual(header, "user_id,ts,event,amount")
        let courses = try String(contentsOf: a.appendingPathComponent("courses.csv"), encoding: .utf8)
        XCTAssertTrue(courses.hasPrefix("course_id,title,topic,level,price,lessons,description\n"))
        XCTAssertTrue(courses.contains("入门"))      // Chinese titles survive the round trip
        // and the files load back as an event log
        let r = try CLI.run(["run", "-e", "local l = cl.read_events('\(a.path)/events.csv'); print(l:nusers())"])
        XCTAssertEqual(r.stdout, "300\n", r.stderr)
    }

    func testBadArguments() throws {
        XCTAssertEqual(try CLI.run(["simulate", "--users", "0", "--out", "/tmp/x"]).status, 64)
        XCTAssertEqual(try CLI.run(["simulate", "--start", "2024-13-01", "--out", "/tmp/x"]).status, 64)
        XCTAssertEqual(try CLI.run(["simulate"]).status, 64)   // --out is required
    }
}
