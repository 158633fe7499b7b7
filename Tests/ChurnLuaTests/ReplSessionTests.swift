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
        XCTAssertEqual(s.completions(for: "t.tenure:quan"), ["t.tenure:quantile"])
        XCTAssertEqual(s.completions(for: "t.nosuch:qu"), [])
        // Internal names only when the underscore is typed.
        XCTAssertFalse(s.completions(for: "cl.").contains { $0.hasPrefix("cl._") })
    }

    /// What the REPL shows for columns, charts and wide frames.
    func testDisplayOfColumnsChartsAndWideFrames() throws {
        let s = ReplSession(state: try ChurnLab.newState())
        _ = s.feed("df = cl.frame{a = {1, 22, 3}, b = {'x', 'y', cl.null}}")
        // A column shows its values like a pandas Series (1-based rows), not just "<cl.Column>".
        XCTAssertEqual(s.feed("df.a"), .value("1   1\n2  22\n3   3\nname: a, dtype: int, length: 3"))
        XCTAssertEqual(s.feed("df.b"), .value("1  x\n2  y\n3  null\nname: b, dtype: string, length: 3"))
        _ = s.feed("long = cl.frame{v = {" + (1...25).map(String.init).joined(separator: ",") + "}}")
        XCTAssertEqual(s.feed("long.v"), .value((1...5).map { "\($0)    \($0)" }.joined(separator: "\n") + "\n…\n"
                                                 + (21...25).map { "\($0)  \($0)" }.joined(separator: "\n") + "\nname: v, dtype: int, length: 25"))
        // A chart is a one-line summary; :save writes the SVG itself.
        XCTAssertEqual(s.feed(":save x.svg"), .error(":save: no chart yet (evaluate a cl.plot.* call without file =)"))
        guard case .value(let summary?) = s.feed("cl.plot.roc({0, 1, 0, 1}, {0.1, 0.9, 0.3, 0.6}, {title = 'My ROC'})") else { return XCTFail() }
        XCTAssertTrue(summary.hasPrefix("<SVG chart \"My ROC\", 640×480, ") && summary.hasSuffix(" KB> — :save FILE.svg writes it"), summary)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("repl-\(getpid()).svg").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .value(let saved?) = s.feed(":save \(path)") else { return XCTFail() }
        XCTAssertTrue(saved.hasPrefix("saved \(path) ("), saved)
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(svg, s.lastSVG)
        XCTAssertTrue(svg.contains("<title>My ROC</title>"))
        // Lua's own "::label::" is not a command; unknown commands say what exists.
        XCTAssertEqual(s.feed("::top:: z = 1"), .value(nil))
        XCTAssertEqual(s.feed(":nosuch"), .error("unknown command :nosuch (:save FILE.svg, :help [name])"))
        // Frames use the terminal width (COLUMNS here, as in Python's shutil.get_terminal_size).
        _ = s.feed("wide = {}; for i = 1, 30 do wide['column_' .. i] = {i} end; wide = cl.frame(wide)")
        func widest(_ columns: String) -> Int {
            setenv("COLUMNS", columns, 1)
            defer { unsetenv("COLUMNS") }
            guard case .value(let text?) = s.feed("wide") else { return -1 }
            return text.split(separator: "\n").map(\.count).max() ?? 0
        }
        XCTAssertLessThanOrEqual(widest("60"), 60)
        XCTAssertGreaterThan(widest("200"), 150)
        XCTAssertLessThanOrEqual(widest("200"), 200)
    }
}
