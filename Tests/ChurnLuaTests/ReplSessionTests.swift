import ChurnLua
import LuaRuntime
import XCTest

final class ReplSessionTests: XCTestCase {
    func testExpressionsStatementsAndContinuation() throws {
        let s = ReplSession(state: try ChurnLab.newState())
        XCTAssertEqual(s.feed("1+1"), .value("2"))
        XCTAssertEqual(s.feed("x = 3"), .value(nil))
        XCTAssertEqual(s.feed("if x > 2 then"), .incomplete)
        XCTAssertTrue(s.isContinuing)
        XCTAssertEqual(s.feed("  y = x * 2"), .incomplete)
        XCTAssertEqual(s.feed("end"), .value(nil))
        XCTAssertEqual(s.feed("y, 'a'"), .value("6\t\"a\""))
        XCTAssertEqual(s.feed("{"), .incomplete)
        XCTAssertEqual(s.feed("1, 2}"), .value("{1, 2}"))
        guard case .error(let msg) = s.feed("nosuch()") else { return XCTFail() }
        XCTAssertTrue(msg.hasPrefix("stdin:1: attempt to call a nil value (global 'nosuch')"), msg)
        guard case .error(let syntax) = s.feed("x = = 2") else { return XCTFail() }
        XCTAssertTrue(syntax.contains("unexpected symbol"), syntax)
        XCTAssertFalse(s.isContinuing)
        XCTAssertEqual(s.feed("y"), .value("6"))   // the session goes on
    }

    func testCompletion() throws {
        let state = try ChurnLab.newState()
        let s = ReplSession(state: state)
        XCTAssertEqual(s.completions(for: "cl.se"), ["cl.seed"])
        XCTAssertTrue(s.completions(for: "cl.").contains("cl.version"))
        XCTAssertEqual(s.completions(for: "pri"), ["print"])
        XCTAssertEqual(s.completions(for: "whi"), ["while"])
        XCTAssertEqual(s.completions(for: "string.for"), ["string.format"])
        _ = s.feed("df = cl.frame{a = {1}}")
        XCTAssertEqual(s.completions(for: "df:nr"), ["df:nrow"])
        XCTAssertEqual(s.completions(for: "nosuch.x"), [])
        // Columns after `df.`, a column's methods after `df.col:`; names that are not identifiers are left out.
        _ = s.feed("t = cl.frame{tenure = {1}, total = {2.5}, ['monthly fee'] = {3}}")
        XCTAssertEqual(s.completions(for: "t.t"), ["t.tenure", "t.total"])
        XCTAssertEqual(s.completions(for: "t."), ["t.tenure", "t.total"])
        XCTAssertEqual(s.completions(for: "t.tenure:qu"), ["t.tenure:quantile"])
        XCTAssertEqual(s.completions(for: "t.nosuch:qu"), [])
        // Internal names only when the underscore is typed.
        XCTAssertFalse(s.completions(for: "cl.").contains { $0.hasPrefix("cl._") })
    }
}
